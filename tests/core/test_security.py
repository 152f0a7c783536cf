"""Security hardening: login throttling, passwords, sessions, headers, no user deletion."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from tests.conftest import ROOT, TEST_PASSWORD


def _fail_login(client, username, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": "wrong-password"}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_ten_failed_logins_lock_that_user_from_that_address(client, officer, settings):
    settings.AXES_ENABLED = True
    for _ in range(9):
        assert _fail_login(client, "officer").status_code == 200
    locked = _fail_login(client, "officer")
    assert locked.status_code == 429
    assert b"Your account is locked" in locked.content
    # Even the right password is refused while locked, from that address...
    right = client.post(
        reverse("login"),
        {"username": "officer", "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert right.status_code == 429
    # ...but the same user from another address is not locked out.
    elsewhere = client.post(
        reverse("login"),
        {"username": "officer", "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.2",
    )
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_an_admin_unlocks_a_locked_user_in_the_admin(
    client, client_for, officer, admin_user, settings
):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    for _ in range(10):
        _fail_login(client, "officer")
    attempt = AccessAttempt.objects.get(username="officer")
    admin = client_for(admin_user)
    assert admin.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    response = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    unlocked = client.post(
        reverse("login"),
        {"username": "officer", "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert unlocked.status_code == 302


@pytest.mark.parametrize("password", ["short-pw-1", "password1234", "123456789012345"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    validate_password("council-transformation-ledger")


@pytest.mark.django_db
def test_sessions_end_after_thirty_idle_minutes_and_each_request_restarts_the_clock(
    client_for, officer
):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = client_for(officer)
        for _ in range(3):  # 87 minutes signed in, never 30 of them idle
            clock.shift(timedelta(minutes=29))
            assert client.get(reverse("home")).status_code == 200
        clock.shift(timedelta(minutes=30, seconds=1))
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_users_are_deactivated_never_deleted(officer):
    with pytest.raises(PermissionDenied), transaction.atomic():
        officer.delete()
    officer.refresh_from_db()
    assert officer.is_active


@pytest.fixture(scope="module")
def production_env(tmp_path_factory):
    """Environment of a production process, with its static manifest built."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-0123456789",
        "ALLOWED_HOSTS": "tracker.example.gov.uk",
        "DJANGO_SETTINGS_MODULE": "programme.settings",
        "DATABASE_URL": "sqlite://:memory:",
        "STATIC_ROOT_DIR": str(tmp_path_factory.mktemp("static")),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    return env


_HEADERS_SCRIPT = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/accounts/login/", secure=True, HTTP_HOST="tracker.example.gov.uk")
print(json.dumps({"status": response.status_code, "cookies": response.cookies.output(),
                  **dict(response.headers.items())}))
"""


def test_production_settings_send_the_security_headers(production_env):
    env = production_env
    result = subprocess.run(
        [sys.executable, "-c", _HEADERS_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["status"] == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "csrftoken=" in headers["cookies"] and "Secure" in headers["cookies"]


def test_plain_http_is_redirected_to_https_in_production(production_env):
    script = _HEADERS_SCRIPT.replace("secure=True", "secure=False")
    env = production_env
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["status"] == 301
    assert headers["Location"].startswith("https://")
