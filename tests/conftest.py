"""Shared fixtures: one user per role, services that must be real, a browser, a Celery worker.

Tests marked `postgres`, `redis` or `browser` need that service. Without it they are skipped
with a reason; under REQUIRE_SERVICES=1 (CI) they fail instead, so nothing is silently skipped.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from pytest_django.plugin import blocking_manager_key

from tests import demo_snapshot, hypothesis_profiles

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
ROOT = Path(__file__).resolve().parent.parent
TEST_PASSWORD = "correct-horse-battery-staple"


def pytest_configure(config):
    # Tests serve static files from the source folders (the live server's finders), not from a
    # collected manifest; CI builds the manifest separately with `collectstatic`.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # The test client and live server speak plain HTTP; production's HTTPS settings are
    # checked by `check --deploy` (test_foundation) instead.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Every role fixture hashes a password; the production hasher costs ~0.5 s each and no
    # test is about hashing (the password validators are tested on their own).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_report_header(config):
    return (
        f"hypothesis profile: {hypothesis_profiles.PROFILE} "
        f"(HYPOTHESIS_PROFILE; {hypothesis_profiles.examples(100)} examples where CI runs 100)"
    )


def need_service(reason: str) -> None:
    """Skip for lack of a service, or fail when CI says every service must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError):
        return False
    return True


def pytest_runtest_setup(item):
    """Runs before any fixture, so a missing browser or server is reported, not crashed into."""
    if item.get_closest_marker("postgres") and not _is_postgres():
        need_service("this test needs PostgreSQL: set DATABASE_URL=postgres://…")
    if item.get_closest_marker("redis"):
        if not _is_postgres():
            need_service("a real Celery worker needs PostgreSQL: set DATABASE_URL=postgres://…")
        if not _redis_reachable():
            need_service("this test needs Redis: set REDIS_URL=redis://… to a running server")
    if item.get_closest_marker("browser") and not shutil.which("chromium"):
        need_service("this test needs Chromium: apt-get install chromium")


# The demo, loaded once per test database (docs/decisions/0090) ---------------------------


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, plus the demo's rows read once (the load rolled back)."""
    from django.core.cache import cache, caches

    with django_db_blocker.unblock():
        demo_snapshot.take()
        with contextlib.suppress(Exception):
            cache.clear()
        caches["template_fragments"].clear()
    yield


def _flushes(item) -> bool:
    """Whether pytest-django runs this test as a TransactionTestCase (flushed at its end)."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    names = getattr(item, "fixturenames", ())
    return any(n in names for n in ("transactional_db", "live_server", "django_db_reset_sequences"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a flush (every table emptied), put back the rows the migrations made. Not once
    the test database is gone: after the session's last test its teardown has dropped it and
    pointed the connection back at the configured database, and a live-server test that ends
    a worker's run can get there with `nextitem` still set."""
    result = yield
    test_database_open = connection.settings_dict["NAME"].startswith("test_")
    if (
        nextitem is not None
        and test_database_open
        and _flushes(item)
        and demo_snapshot.SNAPSHOT.taken
    ):
        with item.config.stash[blocking_manager_key].unblock():
            demo_snapshot.restore_baseline()
    return result


@pytest.fixture(autouse=True)
def _celery_eager_unless_worker(request):
    """Tasks run in-process except in tests that start a real worker."""
    from programme.celery import app

    eager = not request.node.get_closest_marker("redis")
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _forget_what_outlives_a_test(django_db_blocker):
    """Two things are committed outside a test's own transaction and would leak into the next
    test on the same process: refusal records (written on their own connection so that they
    survive a rollback, reserves/audit.py) and the page cache's data version (set after a
    commit; the cache table is not a model table, so a flush leaves it). Remove both."""
    yield
    from django.core.cache import cache, caches
    from django.db import DEFAULT_DB_ALIAS, connections

    with django_db_blocker.unblock():
        # A test without a database (or on SQLite, where refusals stay in the test's own
        # transaction) has nothing to remove: errors here only mean that.
        with contextlib.suppress(Exception):
            cache.clear()
        # Page fragments are keyed by the newest history ids, and a rolled-back test's ids
        # may come again after a database flush: start each test with none.
        caches["template_fragments"].clear()
        default = connections[DEFAULT_DB_ALIAS]
        if default.vendor != "postgresql":
            return
        own = type(default)(dict(default.settings_dict), alias="test_cleanup")
        try:
            with contextlib.suppress(Exception), own.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
                cursor.execute("DELETE FROM reserves_drawdownrefusal")
        finally:
            own.close()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False


# Users, one per role ---------------------------------------------------------------------


def make_user(username: str, role: str | None, **extra):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    user = User.objects.create_user(
        username=username,
        password=TEST_PASSWORD,
        email=f"{username}@example.gov.uk",
        first_name=username.capitalize(),
        last_name="Tester",
        is_staff=role == "Admin",
        is_superuser=role == "Admin",
        **extra,
    )
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def officer(db):
    return make_user("officer", "Officer")


@pytest.fixture
def officer2(db):
    return make_user("officer2", "Officer")


@pytest.fixture
def finance(db):
    return make_user("finance", "Finance")


@pytest.fixture
def finance2(db):
    return make_user("finance2", "Finance")


@pytest.fixture
def cabinet(db):
    return make_user("cabinet", "Cabinet")


@pytest.fixture
def admin_user(db):
    return make_user("admin", "Admin")


@pytest.fixture
def role_users(officer, finance, cabinet, admin_user):
    return {"officer": officer, "finance": finance, "cabinet": cabinet, "admin": admin_user}


@pytest.fixture
def client_for(db):
    """`client_for(user)`: a test client logged in as that user (None: anonymous)."""
    from django.test import Client

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def demo_programme(db):
    """The seed programme as `load_demo` leaves it (without demo users), copied in from the
    snapshot taken once per test database; rolled back (or flushed) after the test."""
    from programme.demo import DEMO_SLUG
    from programme.models import Programme

    if not Programme.objects.filter(slug=DEMO_SLUG).exists():
        demo_snapshot.restore_demo()
    return Programme.objects.get(slug=DEMO_SLUG)


@pytest.fixture
def demo(demo_programme):
    """The same demo programme under a shorter name."""
    return demo_programme


# Browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's chromium: it cannot download its own browser here."""
    path = shutil.which("chromium")
    args = {**browser_type_launch_args, "args": ["--disable-background-networking"]}
    if path:
        args["executable_path"] = path
    return args


@pytest.fixture
def login_page():
    """`login_page(page, live_server, username)`: sign in through the real form."""

    def login(page, live_server, username, password=TEST_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return login


def assert_no_axe_violations(page, context=None):
    """axe-core in the real browser, WCAG 2.0/2.1/2.2 A and AA rules."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        context=context,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
            },
            "resultTypes": ["violations"],
        },
    )
    violations = results.response["violations"]
    assert not violations, f"{page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
    )


# A real Celery worker --------------------------------------------------------------------


def _database_url_for_tests() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    host = s["HOST"] or "127.0.0.1"
    port = s["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, tmp_path, settings):
    """A real `celery worker` process on this test's database, its own queue and Redis.

    Yields a handle with `.process` so fault tests can kill it and `.restart()`.
    """
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_tests(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "PYTEST_XDIST_WORKER": "",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    log_path = tmp_path / "worker.log"

    class Worker:
        process = None

        def start(self):
            self.log = open(log_path, "ab")  # noqa: SIM115
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "programme",
                    "worker",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "-Q",
                    settings.CELERY_TASK_DEFAULT_QUEUE,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=self.log,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if b"ready." in log_path.read_bytes():
                    return
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
            raise RuntimeError("celery worker did not start:\n" + log_path.read_text())

        def stop(self, kill=False):
            if self.process and self.process.poll() is None:
                if kill:
                    self.process.kill()
                else:
                    self.process.terminate()
                self.process.wait(timeout=20)
            self.log.close()

        def restart(self):
            self.stop()
            self.start()

        def output(self) -> str:
            return log_path.read_text()

    worker = Worker()
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
