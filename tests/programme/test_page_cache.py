"""The whole-page cache on the dashboard, reserve statement, risk register and stage page: a
second visit is served from the cache, any change shows at once, no visitor sees another's page,
messages are not swallowed, CSRF tokens in a cached page still work."""

import gzip
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programme import page_cache
from programme.history import acting_user
from tests.helpers import query_count

pytestmark = pytest.mark.django_db

# A page from the cache: the session, the user, the data version token, the user's roles, the
# cache row, and the session saved again (an UPDATE between a savepoint and its release).
TOKEN_HIT = 8
# These tests run inside one transaction that never commits, so no version token is ever set
# and every request also asks the fallback query (the newest history row).
HIT = TOKEN_HIT + 1


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    """The demo data was written a moment ago; let pages be stored at once (one test below
    puts the real settling time back)."""
    monkeypatch.setattr(page_cache, "SETTLE_SECONDS", -1)
    cache.clear()
    yield
    cache.clear()


def urls(programme) -> dict[str, str]:
    from reserves.models import Reserve

    reserve = Reserve.objects.order_by("pk").first()
    return {
        "dashboard": reverse("programme:dashboard", kwargs={"slug": programme.slug}),
        "register": reverse("risks:register", kwargs={"slug": programme.slug}),
        "stage": reverse("stages:detail", kwargs={"slug": programme.slug, "number": 1}),
        "statement": reverse("reserves:statement", kwargs={"pk": reserve.pk}),
    }


@pytest.mark.parametrize("page", ["dashboard", "register", "stage", "statement"])
def test_a_second_visit_is_served_from_the_cache_with_the_same_page(
    page, client_for, admin_user, demo_programme
):
    client = client_for(admin_user)
    url = urls(demo_programme)[page]
    with CaptureQueriesContext(connection) as cold_queries:
        first = client.get(url)
    cold = len(cold_queries.captured_queries)
    second = client.get(url)
    warm = query_count(client, url)
    assert warm <= HIT < cold, (warm, cold)
    assert second.content == client.get(url).content
    # Only the CSRF tokens (masked afresh each drawing) differ from the first drawing.
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", first.content) == token.sub(b"", second.content)


def test_a_risk_changed_through_the_service_shows_at_once(client_for, admin_user, demo_programme):
    from risks.models import Risk
    from risks.services import risk_update

    client = client_for(admin_user)
    url = urls(demo_programme)["register"]
    client.get(url)
    client.get(url)
    risk = Risk.objects.filter(programme=demo_programme).order_by("pk").first()
    assert b"Renamed by the cache test" not in client.get(url).content
    with acting_user(admin_user):
        risk_update(risk=risk, user=admin_user, data={"title": "Renamed by the cache test"})
    assert b"Renamed by the cache test" in client.get(url).content


def test_a_stage_edit_shows_at_once_on_the_stage_page(client_for, admin_user, demo_programme):
    from stages.models import Stage

    client = client_for(admin_user)
    page = urls(demo_programme)
    client.get(page["stage"])
    client.get(page["stage"])
    stage = Stage.objects.get(programme=demo_programme, number=1)
    with acting_user(admin_user):
        stage.name = "Stage renamed by the cache test"
        stage.save()
    assert b"Stage renamed by the cache test" in client.get(page["stage"]).content


def test_visitors_never_see_each_others_pages(client_for, cabinet, finance, demo_programme):
    url = urls(demo_programme)["dashboard"]
    cabinet_client, finance_client = client_for(cabinet), client_for(finance)
    for _ in range(2):
        cabinet_page = cabinet_client.get(url).content.decode()
        finance_page = finance_client.get(url).content.decode()
    assert cabinet.get_full_name() in cabinet_page
    assert finance.get_full_name() not in cabinet_page
    assert finance.get_full_name() in finance_page
    assert cabinet.get_full_name() not in finance_page


def test_the_same_user_in_another_session_gets_their_own_page(client_for, cabinet, demo_programme):
    url = urls(demo_programme)["dashboard"]
    one, two = client_for(cabinet), client_for(cabinet)
    one.get(url)
    one.get(url)
    assert query_count(two, url) > HIT  # a miss: the key holds the session


def test_a_pending_message_is_shown_not_swallowed(client_for, admin_user, demo_programme):
    client = client_for(admin_user)
    url = urls(demo_programme)["register"]
    client.get(url)
    client.get(url)  # stored
    # What a redirect after a successful POST leaves behind: a message in the messages cookie.
    storage = CookieStorage(RequestFactory().get("/"))
    encoded = storage._encode([Message(constants.SUCCESS, "Saved by the cache test")])
    client.cookies[CookieStorage.cookie_name] = encoded
    assert b"Saved by the cache test" in client.get(url).content
    assert b"Saved by the cache test" not in client.get(url).content  # shown once, then gone


def test_someone_signed_out_is_never_served_a_cached_page(client_for, admin_user, demo_programme):
    url = urls(demo_programme)["dashboard"]
    signed_in = client_for(admin_user)
    signed_in.get(url)
    signed_in.get(url)
    response = Client().get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_role_taken_away_is_refused_at_once(client_for, officer, demo_programme):
    url = urls(demo_programme)["dashboard"]
    client = client_for(officer)
    client.get(url)
    assert client.get(url).status_code == 200
    officer.groups.clear()
    assert client.get(url).status_code == 403


def test_a_post_from_a_cached_page_passes_the_csrf_check(admin_user, demo_programme):
    from tests.conftest import TEST_PASSWORD

    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    login = client.get(reverse("login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    response = client.post(
        reverse("login"),
        {"username": admin_user.username, "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    url = urls(demo_programme)["register"]
    client.get(url)
    client.get(url)
    warm = query_count(client, url)
    assert warm <= HIT
    cached = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', cached).group(1)
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302  # signed out: the token was accepted
    assert Client(enforce_csrf_checks=True).post(reverse("logout")).status_code == 403


def test_htmx_requests_are_kept_apart_from_whole_pages(client_for, admin_user, demo_programme):
    client = client_for(admin_user)
    url = urls(demo_programme)["register"]
    client.get(url)
    client.get(url)
    assert query_count(client, url) <= HIT
    with_header = Client(headers={"HX-Request": "true"})
    with_header.cookies = client.cookies
    with CaptureQueriesContext(connection) as ctx:
        with_header.get(url)
    assert len(ctx.captured_queries) > HIT  # a miss: the header is part of the key


def test_a_page_is_not_stored_while_a_change_may_still_be_committing(
    monkeypatch, client_for, admin_user, demo_programme
):
    monkeypatch.setattr(page_cache, "SETTLE_SECONDS", 15)
    assert (timezone.now() - page_cache.data_version()).total_seconds() < 15
    client = client_for(admin_user)
    url = urls(demo_programme)["register"]
    client.get(url)
    client.get(url)
    assert query_count(client, url) > HIT


def test_a_browser_that_accepts_gzip_gets_the_stored_page_compressed(
    client_for, admin_user, demo_programme
):
    url = urls(demo_programme)["statement"]
    client = client_for(admin_user)
    client.get(url)
    plain = client.get(url)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert len(zipped.content) < len(plain.content) / 3
    assert gzip.decompress(zipped.content) == plain.content
    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused
    assert refused.content == plain.content


@pytest.mark.django_db(transaction=True)  # real commits, so the commit hooks run
def test_a_committed_change_gives_a_new_version_that_needs_no_settling(
    monkeypatch, client_for, admin_user, demo_programme
):
    from risks.models import Risk
    from risks.services import risk_update

    monkeypatch.setattr(page_cache, "SETTLE_SECONDS", 15)  # the real wait, for the fallback
    client = client_for(admin_user)
    url = urls(demo_programme)["register"]
    risk = Risk.objects.filter(programme=demo_programme).order_by("pk").first()
    with acting_user(admin_user):
        risk_update(risk=risk, user=admin_user, data={"title": "First cache title"})
    before = cache.get(page_cache.VERSION_KEY)
    assert before is not None
    client.get(url)
    assert query_count(client, url) <= TOKEN_HIT  # stored at once: the token is settled
    with acting_user(admin_user):
        risk_update(risk=risk, user=admin_user, data={"title": "Second cache title"})
    assert cache.get(page_cache.VERSION_KEY) not in (None, before)
    page = client.get(url).content
    assert b"Second cache title" in page and b"First cache title" not in page


@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_leaves_the_version_alone_and_one_bump_waits_per_transaction(
    admin_user, demo_programme
):
    from django.db import transaction

    from risks.models import Risk

    page_cache.bump_data_version()  # outside a transaction of its own: set at once
    before = cache.get(page_cache.VERSION_KEY)
    risk = Risk.objects.filter(programme=demo_programme).order_by("pk").first()
    with (
        pytest.raises(RuntimeError),
        transaction.atomic(),
        acting_user(admin_user),
    ):
        risk.title = "Never committed"
        risk.save()
        risk.save()
        pending = [hook for _sids, hook, _robust in connection.run_on_commit]
        assert pending.count(page_cache._set_new_version) == 1
        raise RuntimeError
    assert cache.get(page_cache.VERSION_KEY) == before
