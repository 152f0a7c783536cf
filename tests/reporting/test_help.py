"""Help pages: one short guide per role, each with the glossary one click away."""

import pytest
from django.urls import reverse

from tests.conftest import make_user
from tests.reporting.support import make_programme

pytestmark = pytest.mark.django_db

GUIDES = ["officer", "finance", "cabinet"]


@pytest.fixture
def programme(db):
    return make_programme()


@pytest.mark.parametrize("role", ["officer", "finance", "cabinet", "admin"])
def test_every_role_reads_every_guide(role, role_users, client_for, programme):
    client = client_for(role_users[role])
    index = client.get(reverse("reporting:help", kwargs={"slug": programme.slug}))
    assert index.status_code == 200
    for guide in GUIDES:
        url = reverse("reporting:help_role", kwargs={"slug": programme.slug, "role": guide})
        response = client.get(url)
        assert response.status_code == 200, guide
        glossary = reverse("programme:detail", kwargs={"slug": programme.slug}) + "#glossary"
        assert f'href="{glossary}"' in response.content.decode()


def test_the_index_marks_the_users_own_guide(client_for, finance, programme):
    page = client_for(finance).get(reverse("reporting:help", kwargs={"slug": programme.slug}))
    guides = {g["key"]: g["own"] for g in page.context["guides"]}
    assert guides == {"officer": False, "finance": True, "cabinet": False}


def test_each_guide_says_what_that_role_does(client_for, officer, programme):
    client = client_for(officer)

    def text(role):
        url = reverse("reporting:help_role", kwargs={"slug": programme.slug, "role": role})
        return client.get(url).content.decode()

    assert "progress update" in text("officer")
    assert "approve a drawdown you requested yourself" in text("finance")
    assert "Highlight report for Cabinet" in text("cabinet")


def test_an_unknown_guide_is_not_found(client_for, officer, programme):
    url = reverse("reporting:help_role", kwargs={"slug": programme.slug, "role": "admin"})
    assert client_for(officer).get(url).status_code == 404


def test_a_user_without_a_role_is_refused_help(client_for, programme):
    client = client_for(make_user("nobody", None))
    assert client.get(reverse("reporting:help", kwargs={"slug": programme.slug})).status_code == 403
