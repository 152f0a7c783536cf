"""Celery tasks of the programme app. Tasks are thin: they take ids and call services.

Autodiscovery imports this module only, so the reporting tasks are imported here too.
"""

from celery import shared_task

from programme.reporting.tasks import (  # noqa: F401 - registers the tasks with the worker
    generate_report,
    send_daily_reminders,
    send_monthly_highlight_reports,
    sweep_queued_reports,
)


@shared_task(name="programme.ping")
def ping() -> str:
    """A round trip through the broker and a worker; used by the operations checks."""
    return "pong"
