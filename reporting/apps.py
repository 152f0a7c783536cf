"""The reporting app: dashboard, reports, audit log, help, reminders and the demo loader. It
reads every other app's selectors; no app imports it."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"
