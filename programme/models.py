"""The programme record and the decisions that govern it."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .money import MoneyField

KEY_DECISION_THRESHOLD_DEFAULT = Decimal("500000.00")


class Programme(models.Model):
    """A transformation programme approved by a key decision (**contract**: name, slug,
    spending_ceiling)."""

    class Classification(models.TextChoices):
        OPEN = "open", "Open"
        EXEMPT = "exempt", "Exempt"
        CONFIDENTIAL = "confidential", "Confidential"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        UNDER_REVIEW = "under_review", "Under review"
        APPROVED = "approved", "Approved"
        IN_DELIVERY = "in_delivery", "In delivery"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    council = models.CharField(max_length=200, blank=True)
    purpose = models.TextField(blank=True)
    decision_maker = models.CharField(max_length=200, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    report_author = models.CharField("report by", max_length=200, blank=True)
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.OPEN
    )
    is_key_decision = models.BooleanField("key decision", default=False)
    key_decision_reasons = models.TextField(blank=True)
    key_decision_threshold = MoneyField(default=KEY_DECISION_THRESHOLD_DEFAULT)
    notice_served = models.TextField(blank=True)
    wards_affected = models.CharField(max_length=300, blank=True)
    funding_reserve = models.ForeignKey(
        "reserves.Reserve",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funded_programmes",
    )
    # Changes only through a recorded decision (programme.services).
    spending_ceiling = MoneyField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    source_reference = models.CharField(
        max_length=100, blank=True, help_text="Where in the decision report this comes from"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programme:detail", kwargs={"slug": self.slug})


class Decision(models.Model):
    """A recorded decision: the key decision itself, a ceiling change, a stage approval or a
    stage gate. Recorded by a cabinet member (or Admin)."""

    class Kind(models.TextChoices):
        KEY_DECISION = "key_decision", "Key decision"
        CEILING_CHANGE = "ceiling_change", "Spending ceiling change"
        STAGE_APPROVAL = "stage_approval", "Stage approval"
        STAGE_GATE = "stage_gate", "Stage gate"
        OTHER = "other", "Other"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    decided_on = models.DateField()
    decision_maker = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    new_spending_ceiling = MoneyField(null=True, blank=True)
    source_reference = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.decided_on:%d %B %Y})"


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
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="report_runs"
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

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"
