"""Reporting jobs without a broker: requests recorded in the click's transaction, sent after
commit, produced once however often the message arrives, failures explained."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reporting import selectors, services
from reporting.models import ReportRun
from tests.reporting.support import (
    make_programme,
    pdf_fonts,
    pdf_text,
    read_storage,
    stored_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    return make_programme()


@pytest.fixture
def request_report(django_capture_on_commit_callbacks):
    """The service as a page calls it, with the after-commit send run (tasks are eager)."""

    def make(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.report_request(**kwargs)
        run.refresh_from_db()
        return run

    return make


def test_a_request_is_a_queued_row_before_commit_and_is_sent_only_after(
    programme, cabinet, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.report_request(programme=programme, kind="highlight", actor=cabinet)
        assert ReportRun.objects.get(pk=run.pk).status == ReportRun.Status.QUEUED
    assert len(callbacks) == 1
    callbacks[0]()  # eager here: the task runs in-process
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert run.requested_by == cabinet
    assert run.history.earliest().history_user == cabinet
    assert run.history.latest().history_user == cabinet


def test_a_request_rolled_back_with_its_transaction_sends_nothing(
    programme, cabinet, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.report_request(programme=programme, kind="highlight", actor=cabinet)
        raise RuntimeError("the click's transaction fails")
    assert callbacks == []
    assert not ReportRun.objects.exists()


def test_an_unknown_kind_of_report_is_refused_and_nothing_is_saved(programme, cabinet):
    with pytest.raises(ValidationError):
        services.report_request(programme=programme, kind="everything", actor=cabinet)
    assert not ReportRun.objects.exists()


def test_a_highlight_report_makes_a_pdf_and_a_workbook_in_storage(
    programme, officer, request_report
):
    run = request_report(programme=programme, kind="highlight", actor=officer)
    assert run.status == ReportRun.Status.DONE
    assert run.finished_at and run.started_at and not run.error
    # The third file is the full change list (issue 14), kept out of the report's body.
    assert stored_files() == sorted(
        [services.file_name(run, fmt) for fmt in ("pdf", "xlsx", "csv")]
    )
    assert run.file.name == services.file_name(run, "pdf")
    pdf = read_storage(run.file.name)
    text = pdf_text(pdf)
    assert "Test programme" in text
    assert "£490,000" in text and "£500,000" in text
    assert "19 July 2022" in text
    assert "Page 1 of" in text
    assert "Changes since the last report" in text
    # Arial-metric fonts: Liberation Sans stands in for Arial on Debian.
    assert all("Liberation-Sans" in font or "Arial" in font for font in pdf_fonts(pdf))


def test_running_the_task_twice_makes_one_file(programme, finance, request_report):
    from reporting.tasks import generate_report

    run = request_report(programme=programme, kind="highlight", actor=finance)
    first = read_storage(services.file_name(run, "pdf"))
    assert generate_report.apply(args=[run.pk]).get() == "skipped"
    assert generate_report.apply(args=[run.pk]).get() == "skipped"
    assert len(stored_files()) == 3  # PDF, Excel and the change list
    assert read_storage(services.file_name(run, "pdf")) == first
    assert run.history.filter(status=ReportRun.Status.DONE).count() == 1


def test_a_running_run_with_a_live_worker_is_left_alone(programme, officer):
    run = ReportRun.objects.create(
        programme=programme,
        kind="highlight",
        requested_by=officer,
        status=ReportRun.Status.RUNNING,
        started_at=timezone.now(),
    )
    assert services.report_generate(run_id=run.pk) == "skipped"
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING
    assert stored_files() == []


def test_a_run_whose_worker_died_is_taken_over_and_finished_once(programme, officer):
    died = timezone.now() - timedelta(seconds=services.STALE_RUNNING_SECONDS + 5)
    run = ReportRun.objects.create(
        programme=programme,
        kind="highlight",
        requested_by=officer,
        status=ReportRun.Status.RUNNING,
        started_at=died,
    )
    assert services.report_generate(run_id=run.pk) == "done"
    assert services.report_generate(run_id=run.pk) == "skipped"
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert len(stored_files()) == 3  # PDF, Excel and the change list


def test_a_worker_presumed_dead_does_not_overwrite_the_run_taken_over_from_it(programme, officer):
    run = ReportRun.objects.create(programme=programme, kind="highlight", requested_by=officer)
    slow = services.report_claim(run.pk)
    files = services.render_files(run)
    # The slow worker is presumed dead; another claims the run and finishes it.
    ReportRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - timedelta(seconds=services.STALE_RUNNING_SECONDS + 5)
    )
    assert services.report_generate(run_id=run.pk) == "done"
    finished = ReportRun.objects.get(pk=run.pk).finished_at
    assert services.report_finish(slow, files) is False
    assert ReportRun.objects.get(pk=run.pk).finished_at == finished
    assert len(stored_files()) == 3  # PDF, Excel and the change list


def test_a_failed_run_records_a_short_reason_not_a_traceback(
    programme, officer, monkeypatch, request_report
):
    from reporting import documents

    def broken(context):
        raise KeyError("internal detail")

    monkeypatch.setattr(documents, "highlight_pdf", broken)
    run = request_report(programme=programme, kind="highlight", actor=officer)
    assert run.status == ReportRun.Status.FAILED
    assert run.error.startswith("The report could not be produced")
    assert "KeyError" in run.error
    assert "Traceback" not in run.error and "internal detail" not in run.error
    assert len(run.error) < 300
    assert stored_files() == []


def test_a_request_without_a_programme_fails_with_the_reason(officer):
    run = ReportRun.objects.create(kind="highlight", requested_by=officer)
    assert services.report_generate(run_id=run.pk) == "failed"
    run.refresh_from_db()
    assert run.error == "The report could not be produced: The request names no programme."


def test_the_sweep_sends_old_queued_runs_and_leaves_fresh_ones(programme, officer):
    old = ReportRun.objects.create(programme=programme, kind="highlight", requested_by=officer)
    ReportRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    fresh = ReportRun.objects.create(programme=programme, kind="highlight", requested_by=officer)
    assert services.report_sweep(older_than_seconds=120) == 1
    assert ReportRun.objects.get(pk=old.pk).status == ReportRun.Status.DONE
    assert ReportRun.objects.get(pk=fresh.pk).status == ReportRun.Status.QUEUED


def test_the_reserve_position_statement_makes_a_workbook_and_a_csv(
    programme, finance, request_report
):
    run = request_report(programme=programme, kind="reserve_position", actor=finance)
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.file.name.endswith(".xlsx")
    csv_text = read_storage(services.file_name(run, "csv")).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Reserve")


def test_the_reserve_statement_lists_the_reserve_and_its_floor(programme, finance, request_report):
    from openpyxl import load_workbook

    from reserves.models import Reserve

    reserve = Reserve.objects.create(
        name="Financial Resilience", opening_balance="17400000.00", opening_date="2022-04-01"
    )
    programme.funding_reserve = reserve
    programme.save()
    run = request_report(programme=programme, kind="reserve_position", actor=finance)
    assert run.status == ReportRun.Status.DONE, run.error
    import io

    book = load_workbook(io.BytesIO(read_storage(run.file.name)))
    values = {row[0]: row[1] for row in book["Reserve"].iter_rows(min_row=2, values_only=True)}
    assert round(values["Opening balance"], 2) == 17400000.00
    assert book["Reserve"]["B3"].number_format == '"£"#,##0.00'
    csv_text = read_storage(services.file_name(run, "csv")).decode("utf-8-sig")
    assert "Opening balance,17400000.00" in csv_text


def test_the_highlight_context_always_has_the_programme_facts(programme):
    context = selectors.highlight_context(programme)
    facts = dict(context.facts)
    assert facts["Programme"] == "Test programme"
    assert str(facts["Spending ceiling"]) == "490000.00"
    assert str(facts["Key-decision threshold"]) == "500000.00"
    keys = [s.key for s in context.sections]
    assert keys == [
        "spend",
        "reserve",
        "stages",
        "outputs_due",
        "top_risks",
        "heat_map",
        "benefits",
        "stated_figures",
    ]
    reserve = context.section("reserve")
    assert not reserve.available and "No funding reserve" in reserve.note


def test_a_long_programme_slug_still_fits_the_file_field(officer, request_report):
    programme = make_programme(slug="a-very-long-programme-slug-" + "x" * 50, name="Long")
    run = request_report(programme=programme, kind="reserve_position", actor=officer)
    assert run.status == ReportRun.Status.DONE, run.error
    assert len(run.file.name) <= ReportRun._meta.get_field("file").max_length
    assert services.download_name(run, "csv").startswith(programme.slug)


def test_a_failure_while_storing_ends_failed_not_running(programme, officer, monkeypatch):
    run = ReportRun.objects.create(programme=programme, kind="highlight", requested_by=officer)

    def refuse(name, content):
        raise OSError("disk full")

    monkeypatch.setattr(services, "_store", refuse)
    assert services.report_generate(run_id=run.pk) == "failed"
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED and "OSError" in run.error
