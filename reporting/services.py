"""Writes for reporting jobs: request a report, send it to the workers, produce its files.

A request is a ReportRun row written in the same transaction as the click; the message to the
broker goes after commit and a broker that is down or hung costs the page at most the short
time-outs in settings: the row stays queued and the sweep sends it again. Producing a report
claims the row first (queued → running), so two deliveries of one message make one file.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.access import Capability, Role, require
from core.dates import govuk_date
from core.history import acting_user
from programme.celery import app as celery_app
from programme.models import Programme

from . import documents, selectors
from .calendar import is_first_working_day_of_month
from .models import ReportRun
from .reminders import site_url

logger = logging.getLogger(__name__)

# A run still "running" after this long lost its worker: no task lives past the hard time
# limit, so another may claim it without two ever working on it at once.
STALE_RUNNING_SECONDS = int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 600)) + 60
SWEEP_AFTER_SECONDS = 120
# The task that produces a run's files (reporting.tasks): sent by name, as the tasks module
# calls these services and not the other way round.
GENERATE_REPORT_TASK = "reporting.tasks.generate_report"
# How long a page waits for a free connection to the broker before leaving the run queued.
CONNECTION_WAIT_SECONDS = settings.BROKER_TIMEOUT_SECONDS / 4  # seconds (a duration, not money)

# Which files each kind makes; the first is the one `ReportRun.file` names.
FORMATS: dict[str, tuple[str, ...]] = {
    ReportRun.Kind.HIGHLIGHT: ("pdf", "xlsx", "csv"),
    ReportRun.Kind.RESERVE_POSITION: ("xlsx", "csv"),
}
FORMAT_LABELS = {"pdf": "PDF", "xlsx": "Excel", "csv": "CSV"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


# Requesting ------------------------------------------------------------------------------


def report_request(*, actor, programme: Programme, kind: str) -> ReportRun:
    """Record `actor`'s request for a report and send it to the workers once the row is
    committed. (The monthly report is requested by no one: `monthly_highlight_reports`.)"""
    require(actor, Capability.GENERATE_REPORTS)
    if kind not in ReportRun.Kind.values:
        raise ValidationError({"kind": "Choose a kind of report."})
    with transaction.atomic(), acting_user(actor):
        run = ReportRun(programme=programme, kind=kind, requested_by=actor)
        run.full_clean()
        run.save()
        # robust: an error while sending is logged, never raised into the page.
        transaction.on_commit(partial(report_send, run.pk), robust=True)
    return run


def report_send(run_id: int) -> bool:
    """Give the run to the broker; False (and the row stays queued) if the broker is away.

    Without a broker (`make run`, tests that start no worker) the report is produced here, in
    this process, as a worker would produce it."""
    app = celery_app
    if app.conf.task_always_eager:
        report_generate(run_id=run_id)
        return True
    try:
        # Celery's producer pool waits for a pooled connection for ever: with a hung broker
        # every connection is stuck for the socket time-out, and the eleventh page at once
        # would queue behind them (measured: 2.2 s). Wait briefly for a connection of our own
        # instead (a healthy publish takes milliseconds), or leave the run to the sweep.
        with app.pool.acquire(block=True, timeout=CONNECTION_WAIT_SECONDS) as connection:
            app.send_task(GENERATE_REPORT_TASK, args=[run_id], connection=connection)
    except Exception as exc:  # kombu/redis/socket errors all mean "not sent this time"
        logger.warning(
            "Report run %s not sent to the broker (%s); the sweep will retry.", run_id, exc
        )
        return False
    return True


def report_sweep(*, older_than_seconds: int = SWEEP_AFTER_SECONDS, limit: int = 200) -> int:
    """Send again the runs still queued after `older_than_seconds`, and the runs whose worker
    died while running them. Stops at the first send that fails: the broker is still away."""
    now = timezone.now()
    queued = ReportRun.objects.filter(
        status=ReportRun.Status.QUEUED,
        created_at__lt=now - timedelta(seconds=older_than_seconds),
    )
    stale = ReportRun.objects.filter(
        status=ReportRun.Status.RUNNING,
        started_at__lt=now - timedelta(seconds=STALE_RUNNING_SECONDS),
    )
    ids = sorted(
        set(queued.values_list("pk", flat=True)[:limit])
        | set(stale.values_list("pk", flat=True)[:limit])
    )
    sent = 0
    for run_id in ids:
        if not report_send(run_id):
            break
        sent += 1
    return sent


# Producing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    run_id: int
    started_at: object


def report_claim(run_id: int, *, take_over: bool = False) -> Claim | None:
    """queued → running, or take over a run whose worker died; None if not ours to do.

    `take_over`: this delivery is the broker giving back a message whose worker died, so a
    "running" run is taken over at once rather than after the stale time."""
    now = timezone.now()
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return None
        stale = run.status == ReportRun.Status.RUNNING and (
            take_over
            or run.started_at is None
            or run.started_at < now - timedelta(seconds=STALE_RUNNING_SECONDS)
        )
        if run.status != ReportRun.Status.QUEUED and not stale:
            return None
        with acting_user(run.requested_by):
            run.status = ReportRun.Status.RUNNING
            run.started_at = now
            run.error = ""
            run.save(update_fields=["status", "started_at", "error"])
        return Claim(run_id=run.pk, started_at=now)


class ReportError(Exception):
    """A report that cannot be produced, with the reason people read on the reports page."""


def file_name(run: ReportRun, fmt: str) -> str:
    """Where a run's file is stored: the same short name every time for the same run."""
    day = timezone.localtime(run.created_at).date() if run.created_at else timezone.localdate()
    kind = str(run.kind).replace("_", "-")
    return f"reports/run-{run.pk}/{kind}-{day:%Y-%m-%d}.{fmt}"


def download_name(run: ReportRun, fmt: str) -> str:
    """The name a download is saved as: programme, kind, date and run number."""
    slug = run.programme.slug if run.programme_id else "report"
    day = timezone.localtime(run.created_at).date() if run.created_at else timezone.localdate()
    kind = str(run.kind).replace("_", "-")
    return f"{slug}-{kind}-{day:%Y-%m-%d}-{run.pk}.{fmt}"


def render_files(run: ReportRun, *, today: date | None = None) -> dict[str, bytes]:
    """The bytes of every file a run makes, by format."""
    today = today or timezone.localdate()
    if run.programme is None:
        raise ReportError("The request names no programme.")
    if run.kind == ReportRun.Kind.HIGHLIGHT:
        context = selectors.highlight_context(run.programme, today=today, run=run)
        return {
            "pdf": documents.highlight_pdf(context),
            "xlsx": documents.highlight_xlsx(context),
            "csv": documents.highlight_changes_csv(context),
        }
    sections = selectors.reserve_statement_sections(run.programme, today=today)
    return {
        "xlsx": documents.reserve_statement_xlsx(sections),
        "csv": documents.reserve_statement_csv(sections),
    }


def _store(name: str, content: bytes) -> None:
    # Overwrite, never add a second copy: a re-run of the same run writes the same name.
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(content))
    if stored != name:  # pragma: no cover - only a storage that renames on its own does this
        raise RuntimeError(f"storage saved {name} as {stored}")


def report_finish(claim: Claim, files: dict[str, bytes]) -> bool:
    """Store the files and mark the run done, if the claim still holds."""
    with transaction.atomic():
        run = (
            ReportRun.objects.select_for_update(of=("self",))
            .select_related("programme")
            .get(pk=claim.run_id)
        )
        if run.status != ReportRun.Status.RUNNING or run.started_at != claim.started_at:
            # Someone took the run over after we were presumed dead: theirs is the file.
            return False
        formats = FORMATS[run.kind]
        for fmt in formats:
            _store(file_name(run, fmt), files[fmt])
        with acting_user(run.requested_by):
            run.file.name = file_name(run, formats[0])
            run.status = ReportRun.Status.DONE
            run.finished_at = timezone.now()
            run.error = ""
            run.save(update_fields=["file", "status", "finished_at", "error"])
    return True


def failure_message(exc: Exception) -> str:
    """A short sentence for the reports page; the traceback goes to the worker log."""
    if isinstance(exc, ReportError):
        return f"The report could not be produced: {exc}"
    # Anything else is a fault, whose details may be internal: name it, log the rest.
    return (
        f"The report could not be produced because of an unexpected error "
        f"({type(exc).__name__}). It has been logged for the administrator; "
        "try again, and tell them if it fails again."
    )


def report_fail(claim: Claim, message: str) -> bool:
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=claim.run_id)
        if run.status != ReportRun.Status.RUNNING or run.started_at != claim.started_at:
            return False
        with acting_user(run.requested_by):
            run.status = ReportRun.Status.FAILED
            run.finished_at = timezone.now()
            run.error = message
            run.save(update_fields=["status", "finished_at", "error"])
    return True


def _pause_for_fault_tests() -> None:
    # REPORT_TEST_DELAY_SECONDS (unset in production) holds a claimed run "running" for that
    # long, so the fault tests can kill the worker while a report is being made.
    delay = os.environ.get("REPORT_TEST_DELAY_SECONDS")
    if delay:
        time.sleep(float(delay))  # seconds, read from the environment: a duration, not money


def report_generate(*, run_id: int, today: date | None = None, take_over: bool = False) -> str:
    """Produce a run's files: "done", "failed", or "skipped" when it is not ours to do."""
    claim = report_claim(run_id, take_over=take_over)
    if claim is None:
        return "skipped"
    _pause_for_fault_tests()
    run = ReportRun.objects.select_related("programme", "requested_by").get(pk=run_id)
    try:
        with acting_user(run.requested_by):
            files = render_files(run, today=today)
        finished = report_finish(claim, files)
    except Exception as exc:  # any failure must end as a readable "failed", never "running"
        logger.exception("Report run %s failed", run_id)
        report_fail(claim, failure_message(exc))
        return "failed"
    return "done" if finished else "skipped"


def run_files(run: ReportRun) -> list[tuple[str, str]]:
    """(format, label) of the files a done run has made."""
    if run.status != ReportRun.Status.DONE:
        return []
    return [(fmt, FORMAT_LABELS[fmt]) for fmt in FORMATS.get(run.kind, ())]


# Scheduled reports -----------------------------------------------------------------------

EMAILED_TO_CABINET = "Emailed to the Cabinet group"


def cabinet_recipients() -> list[str]:
    users = (
        get_user_model()
        .objects.filter(groups__name=Role.CABINET.value, is_active=True)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def highlight_email_cabinet(*, run: ReportRun) -> int:
    """Email a done highlight report to the Cabinet group, once per run (the history row that
    records the sending is also the mark that stops a second email)."""
    recipients = cabinet_recipients()
    if not recipients:
        return 0
    with transaction.atomic():
        run = (
            ReportRun.objects.select_for_update(of=("self",))
            .select_related("programme")
            .get(pk=run.pk)
        )
        if run.status != ReportRun.Status.DONE:
            return 0
        if run.history.filter(history_change_reason=EMAILED_TO_CABINET).exists():
            return 0
        programme = run.programme
        link = site_url() + reverse("reporting:reports", kwargs={"slug": programme.slug})
        day = timezone.localtime(run.finished_at).date()
        message = EmailMessage(
            f"Highlight report: {programme.name} ({govuk_date(day)})",
            "\n".join(
                [
                    "The monthly highlight report is attached.",
                    "",
                    f"Every report, and the Excel workbook with the same figures: {link}",
                    "",
                    settings.SERVICE_NAME,
                ]
            ),
            settings.DEFAULT_FROM_EMAIL,
            to=[settings.DEFAULT_FROM_EMAIL],
            bcc=recipients,
        )
        with default_storage.open(run.file.name, "rb") as handle:
            message.attach(download_name(run, "pdf"), handle.read(), CONTENT_TYPES["pdf"])
        message.send()
        with acting_user(None):
            run._change_reason = EMAILED_TO_CABINET
            run.save(update_fields=["status"])
    return len(recipients)


def monthly_highlight_reports(*, today: date) -> list[int]:
    """On the first working day of the month: a highlight report for every open programme,
    produced here and emailed to the Cabinet group. Safe to run twice on the same day."""
    if not is_first_working_day_of_month(today):
        return []
    done = []
    for programme in Programme.objects.exclude(status=Programme.Status.CLOSED).order_by("id"):
        run = (
            ReportRun.objects.filter(
                programme=programme,
                kind=ReportRun.Kind.HIGHLIGHT,
                requested_by=None,
                created_at__date=today,
            )
            .exclude(status=ReportRun.Status.FAILED)
            .order_by("id")
            .first()
        )
        if run is None:
            with acting_user(None):
                run = ReportRun.objects.create(programme=programme, kind=ReportRun.Kind.HIGHLIGHT)
        report_generate(run_id=run.pk, today=today)
        run.refresh_from_db()
        if run.status == ReportRun.Status.DONE:
            highlight_email_cabinet(run=run)
            done.append(run.pk)
    return done
