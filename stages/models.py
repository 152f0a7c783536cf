"""Stages of a programme, their outputs (deliverables), progress updates and gates.

Rules that need more than one row (gates, four-eyes acceptance, status transitions) live in
`stages.services`; the models check what one row can check on its own in `clean()`.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.text import get_valid_filename
from simple_history.models import HistoricalRecords

from core.dates import govuk_date
from core.money import MoneyField

from . import rag as rag_scale
from .rag import Rag, RagScale


def evidence_upload_to(instance, filename: str) -> str:
    # An unguessable folder per file: evidence is only ever served through the access-checked
    # download view, and two uploads with the same name never collide.
    return f"evidence/{uuid.uuid4().hex}/{get_valid_filename(filename)}"


class Stage(models.Model):
    """A stage of a programme (**contract**: programme, number, name).

    Its current RAG and percent complete are those of its latest ProgressUpdate (never stored
    twice). A stage starts only through `stages.services.stage_start`, which checks the gate.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    class ContractBasis(models.TextChoices):
        NOT_SET = "", "Not decided"
        FIXED_PRICE = "fixed_price", "Fixed price"
        COMMERCIAL_PRINCIPLES = "commercial_principles", "Commercial principles set in the tender"
        TIME_AND_MATERIALS = "time_and_materials", "Time and materials"
        IN_HOUSE = "in_house", "In-house"

    programme = models.ForeignKey(
        "programme.Programme", on_delete=models.PROTECT, related_name="stages"
    )
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    planned_dates_note = models.CharField(
        "note on the planned dates",
        max_length=300,
        blank=True,
        help_text="Where the dates come from, for example a demo assumption",
    )
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    procurement_route = models.CharField(max_length=300, blank=True)
    contract_basis = models.CharField(
        max_length=30, choices=ContractBasis.choices, blank=True, default=ContractBasis.NOT_SET
    )
    supplier = models.CharField(max_length=200, blank=True)
    rag_scale = models.CharField(
        "delivery confidence scale",
        max_length=5,
        choices=RagScale.choices,
        default=RagScale.FIVE_POINT,
    )
    approved_by_decision = models.ForeignKey(
        "programme.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_stages",
        help_text="The decision that approved this stage (and its spending)",
    )
    gate_decision = models.ForeignKey(
        "programme.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gated_stages",
        help_text="The stage-gate decision that lets this stage start (stage 2 onwards)",
    )
    source_reference = models.CharField(max_length=100, blank=True)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")
    # Tolerances (set by Cabinet through a recorded decision, stages.services.tolerances_set)
    # and the forecasts officers keep current with their progress updates.
    budget = MoneyField(
        null=True, blank=True, help_text="The stage's budget, set with its tolerances"
    )
    cost_tolerance_percent = models.DecimalField(
        "cost tolerance (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    time_tolerance_days = models.PositiveIntegerField(
        "time tolerance (days)", null=True, blank=True
    )
    scope_tolerance_outputs = models.PositiveSmallIntegerField(
        "scope tolerance (outputs that may slip)", null=True, blank=True
    )
    tolerance_decision = models.ForeignKey(
        "programme.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    forecast_end = models.DateField("forecast end date", null=True, blank=True)
    forecast_cost = MoneyField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="stage_number_unique"),
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="stage_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_end__isnull=True)
                | models.Q(actual_start__isnull=True)
                | models.Q(actual_end__gte=models.F("actual_start")),
                name="stage_actual_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Stage {self.number}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("stages:detail", kwargs={"slug": self.programme.slug, "number": self.number})

    def clean(self):
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = "The planned end must be on or after the planned start."
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = "The actual end must be on or after the actual start."
        if self.actual_end and not self.actual_start:
            errors["actual_end"] = "A stage cannot end before it has started."
        if errors:
            raise ValidationError(errors)

    @property
    def starts_on(self):
        """The date outputs cannot be due before: the actual start, else the planned one."""
        return self.actual_start or self.planned_start


class Output(models.Model):
    """A deliverable of a stage (**contract**: stage, code, title, status).

    Status moves not started → in progress → submitted → accepted (or back from submitted to
    in progress); `stages.services.output_transition` is the only way it changes.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="outputs")
    code = models.CharField(
        max_length=10,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9.-]*$",
                "Use letters, numbers, dots or hyphens, for example a or 2.1.",
            )
        ],
    )
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_outputs",
    )
    due_date = models.DateField(null=True, blank=True)
    evidence_url = models.URLField("evidence link", max_length=500, blank=True)
    evidence_file = models.FileField(
        "evidence file", upload_to=evidence_upload_to, max_length=300, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    source_reference = models.CharField(max_length=100, blank=True)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["stage", "code"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "code"], name="output_code_unique"),
            # The database's own last line for four-eyes bookkeeping: an accepted output
            # always says who accepted it and when.
            models.CheckConstraint(
                condition=~models.Q(status="accepted")
                | (models.Q(accepted_by__isnull=False) & models.Q(accepted_at__isnull=False)),
                name="output_accepted_has_acceptor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}) {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "stages:output_detail",
            kwargs={
                "slug": self.stage.programme.slug,
                "number": self.stage.number,
                "code": self.code,
            },
        )

    def clean(self):
        errors = {}
        starts_on = self.stage.starts_on if self.stage_id else None
        if self.due_date and starts_on and self.due_date < starts_on:
            errors["due_date"] = (
                f"The due date must be on or after the day the stage starts "
                f"({govuk_date(starts_on)})."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_url or self.evidence_file)


class ProgressUpdate(models.Model):
    """A dated report on a stage by an officer: RAG, percent complete and narrative."""

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="progress_updates")
    as_of = models.DateField("date of the update")
    rag = models.CharField("delivery confidence", max_length=12, choices=Rag.choices)
    percent_complete = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = models.TextField("progress since the last update")
    next_steps = models.TextField(blank=True)
    escalation = models.TextField("issues needing escalation", blank=True)
    forecast_end = models.DateField("forecast end date", null=True, blank=True)
    forecast_cost = MoneyField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        # Latest first: the stage's current RAG and percent are the first row's.
        ordering = ["stage", "-as_of", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_complete__gte=0) & models.Q(percent_complete__lte=100),
                name="progress_percent_0_to_100",
            ),
            models.CheckConstraint(
                condition=models.Q(rag__in=Rag.values), name="progress_rag_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} on {self.as_of}: {self.get_rag_display()} {self.percent_complete}%"

    def clean(self):
        errors = {}
        scale = rag_scale.SCALES[self.stage.rag_scale] if self.stage_id else ()
        if self.rag and scale and self.rag not in scale:
            allowed = ", ".join(Rag(v).label.lower() for v in scale)
            errors["rag"] = f"This stage uses the {allowed} scale: choose one of those."
        if errors:
            raise ValidationError(errors)

    @property
    def rag_css(self) -> str:
        return rag_scale.css_class(self.rag)

    @property
    def rag_meaning(self) -> str:
        return rag_scale.meaning(self.rag)


class ToleranceException(models.Model):
    """Raised the moment a stage's forecast breaks a tolerance Cabinet set: which tolerance,
    by how much, who raised it. The officer writes the exception report (cause, options,
    recommendation); Cabinet's decision (accept, change tolerance, stop) closes it."""

    class Tolerance(models.TextChoices):
        COST = "cost", "Cost"
        TIME = "time", "Time"
        SCOPE = "scope", "Scope"

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting the exception report"
        REPORTED = "reported", "Awaiting Cabinet's decision"
        DECIDED = "decided", "Decided"

    class Outcome(models.TextChoices):
        ACCEPT = "accept", "Accept the forecast"
        CHANGE_TOLERANCE = "change_tolerance", "Change the tolerance"
        STOP = "stop", "Stop the stage"

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="exceptions")
    tolerance = models.CharField(max_length=10, choices=Tolerance.choices)
    raised_from = models.ForeignKey(
        ProgressUpdate, null=True, blank=True, on_delete=models.PROTECT, related_name="exceptions"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    limit = models.CharField("tolerance limit", max_length=200)
    forecast = models.CharField(max_length=200)
    excess = models.CharField("by how much", max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    cause = models.TextField(blank=True)
    options = models.TextField(blank=True)
    recommendation = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField("decision", max_length=20, choices=Outcome.choices, blank=True)
    decision_note = models.TextField("reasons for the decision", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="decided")
                | (
                    models.Q(decided_by__isnull=False)
                    & models.Q(decided_at__isnull=False)
                    & ~models.Q(outcome="")
                ),
                name="exception_decided_names_decider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tolerance_display()} exception on stage {self.stage.number}"

    def get_absolute_url(self) -> str:
        return reverse(
            "stages:exception", kwargs={"slug": self.stage.programme.slug, "pk": self.pk}
        )

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.DECIDED


class Escalation(models.Model):
    """An issue an officer escalated in a progress update, for Cabinet to decide; the
    decision is shown back to the officer on the stage and on the escalation's page."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", "Awaiting Cabinet"
        DECIDED = "decided", "Decided"

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="escalations")
    progress_update = models.OneToOneField(
        ProgressUpdate, on_delete=models.PROTECT, related_name="escalation_record"
    )
    text = models.TextField("issue needing escalation")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWAITING)
    decision = models.TextField("Cabinet's decision", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="decided")
                | (
                    models.Q(decided_by__isnull=False)
                    & models.Q(decided_at__isnull=False)
                    & ~models.Q(decision="")
                ),
                name="escalation_decided_names_decider",
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation from stage {self.stage.number}: {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return reverse(
            "stages:escalation", kwargs={"slug": self.stage.programme.slug, "pk": self.pk}
        )
