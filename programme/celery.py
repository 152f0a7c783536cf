"""Wiring: the Celery app, configured from Django settings (CELERY_* names), and the beat
schedule (django-celery-beat's DatabaseScheduler copies it into the database on start)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")

app = Celery("programme")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Times are Europe/London (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    # Runs every morning; the task itself acts only on the first working day of the month,
    # which a crontab cannot express (weekends and bank holidays).
    "monthly-highlight-report": {
        "task": "reporting.tasks.send_monthly_highlight_reports",
        "schedule": crontab(hour=7, minute=0),
    },
    "daily-overdue-reminders": {
        "task": "reporting.tasks.send_daily_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "sweep-queued-reports": {
        "task": "reporting.tasks.sweep_queued_reports",
        "schedule": 300.0,
    },
    "sweep-ledger-imports": {
        "task": "reserves.tasks.sweep_ledger_imports",
        "schedule": 300.0,
    },
    "sweep-outbox": {"task": "core.tasks.sweep_outbox", "schedule": 120.0},
}
