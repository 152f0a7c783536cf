"""axe-core (WCAG 2.0/2.1/2.2 A and AA) on every page, for every role that may open it, in a
real browser. The pages are the permission matrix's: every URL whose GET answers 200 for that
role, except file downloads and the JSON health check. All violations of a role are collected
and reported together."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.conftest import assert_no_axe_violations
from tests.test_permission_matrix import DOWNLOADS, EXPECTED, _build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_PAGES = DOWNLOADS | {"healthz", "logout"}


def pages_for(role: str, kwargs: dict) -> list[tuple[str, str]]:
    found = []
    for name, methods in sorted(EXPECTED.items()):
        if name in NOT_PAGES or methods["GET"][role] != 200:
            continue
        try:
            found.append((name, reverse(name, kwargs=kwargs[name])))
        except NoReverseMatch:
            continue  # a row for a page not built yet (see the matrix)
    return found


@pytest.mark.parametrize("role", ["officer", "finance", "cabinet", "admin"])
def test_every_page_a_role_may_open_passes_axe(role, live_server, page):
    world, _files = _build_world()
    client = Client()
    client.force_login(world.users[role])
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    pages = pages_for(role, world.kwargs)
    assert len(pages) >= 20, pages
    failures = []
    for name, path in pages:
        response = page.goto(f"{live_server.url}{path}")
        if response is None or response.status != 200:
            failures.append(f"{name} {path}: HTTP {response and response.status}")
            continue
        if name != "login":
            assert "/accounts/login/" not in page.url, f"{role} is not signed in at {path}"
        try:
            assert_no_axe_violations(page)
        except AssertionError as error:
            failures.append(f"{name}: {error}")
    assert not failures, f"{role}: {len(failures)} of {len(pages)} pages fail:\n" + "\n".join(
        failures
    )
