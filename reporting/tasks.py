"""Celery tasks for reports and reminders. Thin: they take ids or dates and call services."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import reminders, services


def _as_date(today: str | None) -> date:
    """The ISO date a task was given (beat passes none: today)."""
    return date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name=services.GENERATE_REPORT_TASK, bind=True, acks_late=True)
def generate_report(self, report_run_id: int) -> str:
    """Produce one ReportRun's files; a second delivery of the same run does nothing."""
    # The broker hands a message out again only when the worker that had it died (killed
    # mid-task, so rejected back; or never acknowledged past the visibility time-out): the
    # run it left "running" is no one's now, so this delivery may take it over.
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    return services.report_generate(run_id=report_run_id, take_over=redelivered)


@shared_task
def sweep_queued_reports(older_than_seconds: int = services.SWEEP_AFTER_SECONDS) -> int:
    """Send again the requests still queued (the broker was away when they were made)."""
    return services.report_sweep(older_than_seconds=older_than_seconds)


@shared_task(acks_late=True)
def send_monthly_highlight_reports(today: str | None = None) -> list[int]:
    """Runs every morning; acts only on the first working day of the month."""
    return services.monthly_highlight_reports(today=_as_date(today))


@shared_task(acks_late=True)
def send_daily_reminders(today: str | None = None) -> int:
    """Email each owner their overdue outputs, risk reviews and mitigation actions."""
    return reminders.send_reminders(today=_as_date(today))
