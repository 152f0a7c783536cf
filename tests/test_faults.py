"""Faults: Redis stopped, Redis hung, a worker killed mid-report, the database connection
dropped mid-request. Nothing hangs a page, no report request is lost or made twice, and a write
cut off half-way leaves nothing behind.

Measured figures are printed (run with `-s` to see them) for the README's Reliability table.
"""

import time

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse

from reporting import services
from reporting.models import ReportRun
from tests.faults_helpers import PrivateRedis, Worker, in_threads, timed
from tests.reporting.support import broker_at, hung_server, stored_files, wait_for

REQUESTS = 100
PAGE_LOADS = 100
LIMIT_SECONDS = 2.0

pytestmark = [pytest.mark.django_db(transaction=True)]


def _report(label, **figures):
    print(f"\n[faults] {label}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


# Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def private_redis(tmp_path, settings):
    """A Redis of this test's own, with the web side (Celery producer and /healthz) on it."""
    server = PrivateRedis(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    with broker_at(server.url):
        yield server
    server.stop()


@pytest.fixture
def workers(tmp_path, settings):
    """`workers(broker_url, pool=…, env=…)` starts a real worker; all are stopped at the end."""
    started = []

    def start(broker_url, **options):
        worker = Worker(settings=settings, tmp_path=tmp_path, broker_url=broker_url, **options)
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _pages(programme):
    slug = {"slug": programme.slug}
    return [
        reverse("home"),
        reverse("programme:detail", kwargs=slug),
        reverse("stages:list", kwargs=slug),
        reverse("stages:detail", kwargs={**slug, "number": 1}),
        reverse("risks:register", kwargs=slug),
        reverse("reserves:statement", kwargs={"pk": programme.funding_reserve_id}),
        reverse("reserves:drawdown_queue"),
        reverse("reporting:reports", kwargs=slug),
        reverse("reporting:audit", kwargs=slug),
        reverse("healthz"),  # the one page that asks the broker itself
    ]


def _page_loads_answer_in_time(client, programme):
    """100 page loads, a mix of the main pages; every one answers, within the limit."""
    pages = _pages(programme)
    for url in pages:  # a running server is warm: the first import of the chart code is not a fault
        client.get(url)
    latencies = []
    for index in range(PAGE_LOADS):
        url = pages[index % len(pages)]
        seconds, response = timed(lambda url=url: client.get(url))
        latencies.append((seconds, url))
        assert response.status_code == 200, (url, response.status_code)
        if url == reverse("healthz"):
            assert response.json()["broker"] == "unreachable"
    slowest, url = max(latencies)
    assert slowest < LIMIT_SECONDS, f"slowest page load {slowest:.2f}s ({url})"
    return slowest, url


def _requests_recorded_queued(users, programme):
    """100 report requests, ten at a time; each is answered within the limit and recorded."""
    url = reverse("reporting:report_request", kwargs={"slug": programme.slug})
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)

    def request(index):
        client = clients[index % len(clients)]
        return timed(lambda: client.post(url, {"kind": "reserve_position"}))

    outcomes = in_threads([lambda i=i: request(i) for i in range(REQUESTS)], threads=len(clients))
    latencies = [seconds for seconds, _ in outcomes]
    assert [response.status_code for _, response in outcomes] == [302] * REQUESTS
    assert max(latencies) < LIMIT_SECONDS, f"slowest request {max(latencies):.2f}s"
    assert ReportRun.objects.count() == REQUESTS
    assert set(ReportRun.objects.values_list("status", flat=True)) == {"queued"}
    return max(latencies)


def _statuses(run):
    return [row.status for row in run.history.order_by("history_date", "history_id")]


def _all_done_once(runs_before: int = 0):
    """Every run done, its files stored once, and its history one claim and one finish."""
    runs = list(ReportRun.objects.order_by("pk"))
    assert len(runs) == REQUESTS + runs_before
    assert [run.status for run in runs] == ["done"] * len(runs), [
        (run.pk, run.status, run.error) for run in runs if run.status != "done"
    ]
    for run in runs:
        assert _statuses(run) == ["queued", "running", "done"], (run.pk, _statuses(run))
    expected = sorted(
        services.file_name(run, fmt) for run in runs for fmt in services.FORMATS[run.kind]
    )
    assert stored_files() == expected  # two files a run: no run lost, none made twice


def _drain(worker):
    """Ask the worker (as beat would) to sweep, and time until every run is finished."""
    from reporting.tasks import sweep_queued_reports

    started = time.monotonic()
    sweep_queued_reports.apply_async(kwargs={"older_than_seconds": 0})
    finished = wait_for(
        lambda: not ReportRun.objects.exclude(status__in=["done", "failed"]).exists(),
        timeout=240,
        interval=0.5,
    )
    assert finished, worker.output()[-5000:]
    return time.monotonic() - started


# Redis stopped and Redis hung -------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.postgres
def test_with_redis_stopped_pages_answer_requests_queue_and_all_complete_once_after(
    private_redis, workers, demo_programme, admin_user, officer, officer2, cabinet
):
    from programme.celery import app

    # The web side has been talking to this Redis: its pooled connections now go stale.
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        conn.default_channel.client.ping()
    private_redis.stop()

    client = Client()
    client.force_login(admin_user)
    slowest_page = _page_loads_answer_in_time(client, demo_programme)
    slowest_request = _requests_recorded_queued([officer, officer2, cabinet] * 4, demo_programme)
    time.sleep(0.5)
    assert set(ReportRun.objects.values_list("status", flat=True)) == {"queued"}

    private_redis.start()  # the same port: Redis is back
    worker = workers(private_redis.url, pool="prefork")
    drain = _drain(worker)
    _all_done_once()
    _report(
        "redis stopped",
        slowest_page_s=f"{slowest_page[0]:.3f} ({slowest_page[1]})",
        slowest_request_s=f"{slowest_request:.3f}",
        drain_100_s=f"{drain:.1f}",
    )


@pytest.mark.redis
@pytest.mark.postgres
def test_with_redis_hung_pages_answer_requests_queue_and_all_complete_once_after(
    tmp_path, settings, workers, demo_programme, admin_user, officer, officer2, cabinet
):
    with hung_server() as (port, accepted):
        hung = f"redis://127.0.0.1:{port}/0"
        settings.REDIS_URL = hung
        with broker_at(hung):
            client = Client()
            client.force_login(admin_user)
            slowest_page = _page_loads_answer_in_time(client, demo_programme)
            slowest_request = _requests_recorded_queued(
                [officer, officer2, cabinet] * 4, demo_programme
            )
        assert accepted, "nothing ever reached the hung server"

    working = PrivateRedis(tmp_path)
    working.start()
    try:
        settings.REDIS_URL = working.url
        with broker_at(working.url):
            worker = workers(working.url, pool="prefork")
            drain = _drain(worker)
            _all_done_once()
    finally:
        working.stop()
    _report(
        "redis hung",
        slowest_page_s=f"{slowest_page[0]:.3f} ({slowest_page[1]})",
        slowest_request_s=f"{slowest_request:.3f}",
        drain_100_s=f"{drain:.1f}",
    )


# A worker killed mid-report ---------------------------------------------------------------

SLOW = {"REPORT_TEST_DELAY_SECONDS": "4"}  # holds each claimed run "running" for 4 s


def _status(run):
    return ReportRun.objects.values_list("status", flat=True).get(pk=run.pk)


def _made_exactly_once(run):
    run.refresh_from_db()
    assert run.status == "done", run.error
    statuses = _statuses(run)
    assert statuses.count("done") == 1, statuses
    assert statuses[-1] == "done"
    assert stored_files() == sorted(
        services.file_name(run, fmt) for fmt in services.FORMATS[run.kind]
    )


@pytest.mark.redis
@pytest.mark.postgres
def test_a_worker_process_killed_mid_report_is_replaced_and_the_report_is_made_exactly_once(
    private_redis, workers, demo_programme, officer
):
    worker = workers(private_redis.url, pool="prefork", env=SLOW)
    run = services.report_request(programme=demo_programme, kind="reserve_position", actor=officer)
    assert wait_for(lambda: _status(run) == "running", timeout=30), worker.output()
    time.sleep(0.5)
    killed = worker.kill_child()  # SIGKILL the process making the report, as the OOM killer would

    started = time.monotonic()
    assert wait_for(lambda: _status(run) in ("done", "failed"), timeout=60), worker.output()
    recovered = time.monotonic() - started
    assert "WorkerLostError" in worker.output()
    assert killed not in worker.pool_children()  # the worker replaced the killed process
    _made_exactly_once(run)
    _report("worker process killed", seconds_to_done_after_kill=f"{recovered:.1f}")


@pytest.mark.redis
@pytest.mark.postgres
def test_a_whole_worker_killed_mid_report_and_restarted_makes_the_report_exactly_once(
    private_redis, workers, demo_programme, officer
):
    from datetime import timedelta

    from django.db.models import F

    from reporting.tasks import sweep_queued_reports

    worker = workers(private_redis.url, pool="solo", env=SLOW)
    run = services.report_request(programme=demo_programme, kind="reserve_position", actor=officer)
    assert wait_for(lambda: _status(run) == "running", timeout=30), worker.output()
    worker.stop(kill=True)  # the machine lost the whole worker: nothing acknowledged
    worker.start()

    # Its message stays unacknowledged in Redis (back after the visibility time-out), and the
    # run stays "running" in the meantime: no one may start it twice.
    time.sleep(2)
    assert _status(run) == "running"
    # Past the task time limit, the sweep knows no worker can still hold the run: move the
    # clock on for this run instead of waiting eleven minutes.
    ReportRun.objects.filter(pk=run.pk).update(
        started_at=F("started_at") - timedelta(seconds=services.STALE_RUNNING_SECONDS + 1)
    )
    started = time.monotonic()
    sweep_queued_reports.apply_async(kwargs={"older_than_seconds": 0})
    assert wait_for(lambda: _status(run) in ("done", "failed"), timeout=60), worker.output()
    _made_exactly_once(run)
    _report("whole worker killed", seconds_to_done_after_sweep=f"{time.monotonic() - started:.1f}")


# PostgreSQL connection dropped mid-request -------------------------------------------------


@pytest.fixture
def drop_connection_after_save():
    """`drop(model)`: the next save of `model` in this process, once its row is written, has
    its database session terminated from a second connection, before the request commits."""
    from tests.faults_helpers import terminate_backend

    hooks = []

    def drop(model):
        def handler(sender, instance, **kwargs):
            post_save.disconnect(handler, sender=model)
            assert instance.pk is not None  # the row was written inside the transaction
            terminate_backend(connection.connection.info.backend_pid)

        post_save.connect(handler, sender=model, weak=False)
        hooks.append((handler, model))

    yield drop
    for handler, model in hooks:
        post_save.disconnect(handler, sender=model)


def _error_page(response):
    assert response.status_code == 500
    text = response.content.decode()
    assert "Sorry, there is a problem with the service" in text
    assert "Traceback" not in text and "OperationalError" not in text


@pytest.mark.postgres
def test_a_database_connection_dropped_mid_drawdown_request_shows_the_error_page_and_saves_nothing(
    demo_programme, officer, drop_connection_after_save
):
    from reserves.models import Drawdown

    client = Client(raise_request_exception=False)
    client.force_login(officer)
    before = (Drawdown.objects.count(), Drawdown.history.count())
    drop_connection_after_save(Drawdown)
    response = client.post(
        reverse("reserves:drawdown_request"),
        {
            "reserve": demo_programme.funding_reserve_id,
            "programme": "",  # the demo programme has no headroom left under its ceiling
            "no_programme": "on",
            "purpose": "Cut off half-way",
            "amount": "1000",
        },
    )
    _error_page(response)
    assert (Drawdown.objects.count(), Drawdown.history.count()) == before
    assert not Drawdown.objects.filter(purpose="Cut off half-way").exists()
    # The next request gets a fresh connection: the service carries on.
    assert client.get(reverse("reserves:drawdown_queue")).status_code == 200


@pytest.mark.postgres
def test_a_database_connection_dropped_mid_progress_update_shows_the_error_page_and_saves_nothing(
    demo_programme, officer, drop_connection_after_save
):
    from stages.forms import ProgressUpdateForm
    from stages.models import ProgressUpdate, Stage

    stage = Stage.objects.filter(programme=demo_programme).exclude(status="not_started").first()
    assert stage is not None, "the demo has a started stage"
    rag = ProgressUpdateForm(stage=stage).fields["rag"].choices[0][0]
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    before = (ProgressUpdate.objects.count(), ProgressUpdate.history.count())
    drop_connection_after_save(ProgressUpdate)
    response = client.post(
        reverse("stages:update_new", kwargs={"slug": demo_programme.slug, "number": stage.number}),
        {
            "as_of": stage.actual_start.isoformat(),
            "rag": rag,
            "percent_complete": "40",
            "narrative": "Cut off half-way",
        },
    )
    _error_page(response)
    assert (ProgressUpdate.objects.count(), ProgressUpdate.history.count()) == before
    assert client.get(stage.get_absolute_url()).status_code == 200


def test_only_a_redelivered_message_takes_over_a_run_that_is_still_running(demo_programme):
    from core.history import acting_user

    with acting_user(None):
        run = ReportRun.objects.create(programme=demo_programme, kind="reserve_position")
    claim = services.report_claim(run.pk)  # a worker has it, and is (as far as we know) alive
    assert claim is not None
    assert services.report_generate(run_id=run.pk) == "skipped"  # a duplicate message
    assert _status(run) == "running"
    assert services.report_generate(run_id=run.pk, take_over=True) == "done"  # its worker died
    assert services.report_finish(claim, {}) is False  # the dead worker's claim no longer holds
    _made_exactly_once(run)
