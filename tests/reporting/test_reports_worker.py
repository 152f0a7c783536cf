"""Reporting through a real Redis and a real Celery worker: a highlight report end to end,
the sweep after the broker was unreachable, and a hung broker that does not hang the page."""

import io
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting import services
from reporting.models import ReportRun
from tests.reporting.support import (
    broker_at,
    hung_server,
    pdf_text,
    read_storage,
    wait_for,
)

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _status(run_id):
    return ReportRun.objects.get(pk=run_id).status


def test_a_real_worker_renders_the_highlight_report_end_to_end(
    celery_worker, demo_programme, client_for, cabinet
):
    from openpyxl import load_workbook

    from reporting.dashboard import dashboard_context
    from stages.selectors import stage_summaries

    response = client_for(cabinet).post(
        reverse("reporting:report_request", kwargs={"slug": demo_programme.slug}),
        {"kind": "highlight"},
    )
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert wait_for(lambda: _status(run.pk) in ("done", "failed"), timeout=90), (
        celery_worker.output()
    )
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.requested_by == cabinet
    assert run.history.latest().history_user == cabinet  # set by the task, not a request

    text = pdf_text(read_storage(services.file_name(run, "pdf")))
    flat = " ".join(text.split())
    assert demo_programme.name in flat
    assert "£490,000" in text
    summaries = stage_summaries(demo_programme)
    assert summaries
    for summary in summaries:
        assert summary.rag_word in flat, summary.rag_word
    assert "Amber/green" in flat  # the demo's stage 1, rated by its latest update
    for title in ("Spend against the ceiling", "Reserve position", "The five highest risks"):
        assert title in flat

    book = load_workbook(io.BytesIO(read_storage(services.file_name(run, "xlsx"))))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert round(Decimal(str(summary["Spending ceiling"])), 2) == Decimal("490000.00")
    assert round(Decimal(str(summary["Key-decision threshold"])), 2) == Decimal("500000.00")
    ceiling_row = next(
        r for r in book["Summary"].iter_rows(min_row=2) if r[0].value == "Spending ceiling"
    )
    assert ceiling_row[1].number_format == '"£"#,##0.00'
    # The demo programme's workbook says it is demo data, first.
    assert book["Summary"]["A2"].value == "Demo data"

    dash = dashboard_context(demo_programme, today=timezone.localdate())
    spend = dict(book["Spend against the ceiling"].iter_rows(min_row=2, values_only=True))
    for label, amount in dash.spend.rows():
        assert round(Decimal(str(spend[label])), 2) == amount, label
    position = dict(book["Reserve position"].iter_rows(min_row=2, values_only=True))
    assert (
        round(Decimal(str(position["Available above the floor"])), 2)
        == (dash.reserve["available_above_floor"])
    )
    years = list(book["Reserve projection"].iter_rows(min_row=2, values_only=True))
    assert [round(Decimal(str(row[4])), 2) for row in years] == [
        y["closing"] for y in dash.reserve["by_year"]
    ]
    stages = list(book["Stages"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in stages] == [s.rag_word for s in summaries]


def test_the_sweep_sends_a_request_made_while_the_broker_was_unreachable(
    celery_worker, demo_programme, client_for, officer, free_port
):
    url = reverse("reporting:report_request", kwargs={"slug": demo_programme.slug})
    with broker_at(f"redis://127.0.0.1:{free_port}/0"):
        started = time.monotonic()
        response = client_for(officer).post(url, {"kind": "highlight"})
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2.0
    run = ReportRun.objects.get()
    time.sleep(1)
    assert _status(run.pk) == "queued"  # nothing reached the worker

    assert services.report_sweep(older_than_seconds=0) == 1
    assert wait_for(lambda: _status(run.pk) in ("done", "failed"), timeout=90), (
        celery_worker.output()
    )
    assert _status(run.pk) == "done"


def test_a_hung_broker_does_not_hold_the_page_and_the_request_stays_queued(
    demo_programme, client_for, officer
):
    url = reverse("reporting:report_request", kwargs={"slug": demo_programme.slug})
    with hung_server() as (port, accepted), broker_at(f"redis://127.0.0.1:{port}/0"):
        started = time.monotonic()
        response = client_for(officer).post(url, {"kind": "highlight"})
        elapsed = time.monotonic() - started
        assert accepted, "the client never reached the hung server"
    assert response.status_code == 302
    assert elapsed < 2.0, f"the page took {elapsed:.2f}s"
    assert ReportRun.objects.get().status == "queued"


def test_a_message_delivered_twice_to_a_real_worker_makes_one_file(
    celery_worker, demo_programme, finance
):
    from reporting.tasks import generate_report
    from tests.reporting.support import stored_files

    run = ReportRun.objects.create(programme=demo_programme, kind="reserve_position")
    results = [generate_report.delay(run.pk), generate_report.delay(run.pk)]
    outcomes = sorted(r.get(timeout=90) for r in results)
    assert outcomes == ["done", "skipped"]
    assert stored_files() == sorted(
        [services.file_name(run, "xlsx"), services.file_name(run, "csv")]
    )
