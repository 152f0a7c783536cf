"""Sign-in lock-out with a cool-off, keyed on the username and the real client address behind
the proxy (issue 16, case 3). Real requests through the login page; time moved by time-machine."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse

from core.lockout import client_address
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.254"  # the council's TLS proxy, as the app sees every request come


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return settings


@pytest.fixture
def behind_one_proxy(axes_on):
    axes_on.AXES_IPWARE_PROXY_COUNT = 1
    axes_on.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    return axes_on


def sign_in(client, username, password, *, remote=PROXY, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=remote,
        **headers,
    )


def fail_ten_times(client, username, **where):
    answers = [sign_in(client, username, "wrong-password", **where) for _ in range(10)]
    assert answers[-1].status_code == 429
    return answers[-1]


def test_the_lock_ends_after_the_cool_off_and_the_page_says_when(axes_on, officer):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    client = Client()
    with time_machine.travel(start, tick=False) as traveller:
        locked = fail_ten_times(client, "officer", remote="192.0.2.10")
        page = locked.content.decode()
        assert "You can try again from <strong>2 March 2026 at 09:15</strong>" in page
        assert "in 15 minutes" in page
        traveller.shift(timedelta(minutes=14))
        assert sign_in(client, "officer", TEST_PASSWORD, remote="192.0.2.10").status_code == 429
        traveller.shift(timedelta(minutes=1, seconds=1))
        response = sign_in(client, "officer", TEST_PASSWORD, remote="192.0.2.10")
        assert response.status_code == 302
        assert response["Location"] == reverse("home")


def test_trying_while_locked_does_not_restart_the_wait(axes_on, officer):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    client = Client()
    with time_machine.travel(start, tick=False) as traveller:
        fail_ten_times(client, "officer", remote="192.0.2.10")
        traveller.shift(timedelta(minutes=10))
        again = sign_in(client, "officer", "wrong-password", remote="192.0.2.10")
        assert again.status_code == 429
        assert "2 March 2026 at 09:15" in again.content.decode()
        traveller.shift(timedelta(minutes=5, seconds=1))
        assert sign_in(client, "officer", TEST_PASSWORD, remote="192.0.2.10").status_code == 302


def test_two_people_behind_the_same_proxy_do_not_lock_each_other_out(behind_one_proxy, officer):
    attacker = Client()
    fail_ten_times(attacker, "officer", forwarded="203.0.113.5")
    # The attacker is locked out of that username, even with the right password...
    assert sign_in(attacker, "officer", TEST_PASSWORD, forwarded="203.0.113.5").status_code == 429
    # ...and claiming the officer's address in the header (the proxy appends the real one)
    # changes nothing.
    spoofed = sign_in(attacker, "officer", TEST_PASSWORD, forwarded="198.51.100.7, 203.0.113.5")
    assert spoofed.status_code == 429
    # The officer, through the same proxy from their own address, signs in.
    own = sign_in(Client(), "officer", TEST_PASSWORD, forwarded="198.51.100.7")
    assert own.status_code == 302


def test_a_lock_holds_for_that_username_and_address_only(behind_one_proxy, officer, finance):
    fail_ten_times(Client(), "officer", forwarded="203.0.113.5")
    assert sign_in(Client(), "finance", TEST_PASSWORD, forwarded="203.0.113.5").status_code == 302


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, "192.0.2.1"),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, "198.51.100.7"),
        (
            1,
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7"},
            "198.51.100.7",
        ),
        (
            2,
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7, 10.0.0.9"},
            "198.51.100.7",
        ),
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, PROXY),
        (1, {"REMOTE_ADDR": PROXY}, PROXY),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "not-an-address"}, PROXY),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": " 2001:db8::1 "}, "2001:db8::1"),
    ],
)
def test_the_client_address_is_read_through_the_trusted_proxies(settings, proxies, meta, expected):
    settings.AXES_IPWARE_PROXY_COUNT = proxies
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    request = RequestFactory().get("/", **meta)
    assert client_address(request) == expected
