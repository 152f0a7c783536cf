"""Report runs: one row per request for a report, written in the same transaction as the
click; the Celery task takes its id."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ReportRun(models.Model):
    """One request for a report (**contract**: kind, status, file, requested_by, created_at,
    finished_at, error). Written in the same transaction as the click; the Celery task takes
    its id."""

    class Kind(models.TextChoices):
        HIGHLIGHT = "highlight", "Highlight report"
        RESERVE_POSITION = "reserve_position", "Reserve position statement"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    programme = models.ForeignKey(
        "programme.Programme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_runs",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    # The tables keep the names they had in the programme app (moved by a state-only
    # migration, so no row was copied).
    history = HistoricalRecords(table_name="programme_historicalreportrun")

    class Meta:
        db_table = "programme_reportrun"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


# The record of the decision report ----------------------------------------------------------
# Every row keeps `source_reference`: where in the report it comes from ("para 21(a)",
# "Consultees table"), shown on the page so a reader can check the product against the report.

SOURCE_HELP = "Where in the decision report this comes from, for example “para 21(a)”"
