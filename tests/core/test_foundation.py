"""The foundation: login for every role, nothing reachable anonymously, roles as designed."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from core.access import CAPABILITIES, Capability, Role, can, primary_role
from tests.conftest import ROOT, TEST_PASSWORD
from tests.helpers import all_url_patterns

PUBLIC_ROUTES = {"healthz", "accessibility/", "accounts/login/"}


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["officer", "finance", "cabinet", "admin"])
def test_every_role_logs_in_and_reaches_its_home_page(username, role_users, client):
    response = client.post(
        reverse("login"), {"username": username, "password": TEST_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"].username == username
    assert response.redirect_chain[0][0] == reverse("home")
    assert b"Signed in as" in response.content


@pytest.mark.django_db
def test_cabinet_members_start_at_home_with_the_dashboard_one_click_away(
    cabinet, client, demo_programme
):
    response = client.post(
        reverse("login"), {"username": "cabinet", "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    dashboard = reverse("reporting:dashboard", kwargs={"slug": demo_programme.slug})
    assert f'href="{dashboard}"' in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_message(officer, client):
    response = client.post(reverse("login"), {"username": "officer", "password": "nope"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert b"govuk-error-summary" in response.content


def _concrete(route: str, slug: str) -> str:
    url = "/" + route.replace("<slug:slug>", slug)
    # Any other converter gets a plausible value: anonymous users must be redirected before
    # the view looks anything up.
    for token, value in (("<int:", "1"), ("<str:", "x"), ("<slug:", "x"), ("<path:", "x")):
        while token in url:
            start = url.index(token)
            end = url.index(">", start)
            url = url[:start] + value + url[end + 1 :]
    return url.replace("^", "").replace("$", "").replace("\\Z", "")


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login_from_every_url(client, demo_programme):
    checked = 0
    for route, _name in all_url_patterns():
        if route in PUBLIC_ROUTES or route.startswith("admin/") or route.startswith("static"):
            continue
        if route.startswith("media/"):
            continue
        url = _concrete(route, demo_programme.slug)
        response = client.get(url)
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith(reverse("login")), url
        checked += 1
    assert checked >= 1


@pytest.mark.django_db
def test_admin_site_refuses_non_staff(client_for, officer):
    response = client_for(officer).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_capability_table_matches_the_design():
    officer_caps = {c for c, roles in CAPABILITIES.items() if Role.OFFICER in roles}
    finance_caps = {c for c, roles in CAPABILITIES.items() if Role.FINANCE in roles}
    cabinet_caps = {c for c, roles in CAPABILITIES.items() if Role.CABINET in roles}
    assert Capability.APPROVE_DRAWDOWN not in officer_caps
    assert Capability.EDIT_PROGRAMME not in finance_caps
    assert Capability.EDIT_RISKS in finance_caps
    assert cabinet_caps == {
        Capability.VIEW,
        Capability.RECORD_DECISION,
        Capability.GENERATE_REPORTS,
    }
    assert all(Role.ADMIN in roles for roles in CAPABILITIES.values())


@pytest.mark.django_db
def test_roles_come_from_groups_and_inactive_users_have_none(officer, admin_user):
    assert primary_role(officer) is Role.OFFICER
    assert primary_role(admin_user) is Role.ADMIN
    assert can(officer, Capability.UPDATE_STAGES)
    assert not can(officer, Capability.EDIT_RESERVES)
    officer.is_active = False
    officer._tracker_roles = None
    assert not can(officer, Capability.VIEW)


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_script(client_for, officer):
    response = client_for(officer).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert b"<script>" not in response.content
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_unknown_page_is_a_404_in_the_service_layout(client_for, officer, settings):
    settings.DEBUG = False
    response = client_for(officer).get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.DEBUG"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "programme.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    # The test run allows async-unsafe calls for the live server; production never does.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-0123456789",
        "ALLOWED_HOSTS": "tracker.example.gov.uk",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
