"""The risk and opportunity register: risks, categories, bands, mitigation actions, reviews.

Scores are stored as likelihood and impact (1–5 each) for the inherent, residual and target
positions; the score itself (likelihood × impact) is computed, never typed. A risk may be
held unscored, as the decision report's three rows are, and the register shows what is
missing rather than inventing it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.dates import govuk_date

from . import scoring

SCORE_MESSAGE = "Enter a whole number from 1 to 5"
SCORE_VALIDATORS = [
    MinValueValidator(1, message=SCORE_MESSAGE),
    MaxValueValidator(5, message=SCORE_MESSAGE),
]
BASES = ("inherent", "residual", "target")


def score_field(verbose_name: str):
    return models.PositiveSmallIntegerField(
        verbose_name, null=True, blank=True, validators=SCORE_VALIDATORS
    )


def _score_constraints(prefix: str, fields: tuple[str, ...]) -> list[models.BaseConstraint]:
    """Each likelihood and impact is 1–5, and a pair is either both set or both empty."""
    constraints = []
    for basis in fields:
        lk, im = f"{basis}_likelihood", f"{basis}_impact"
        constraints.append(
            models.CheckConstraint(
                condition=(Q(**{f"{lk}__isnull": True}) & Q(**{f"{im}__isnull": True}))
                # Explicit NOT NULLs: a CHECK passes when it evaluates to NULL, so without
                # them half a score (one side NULL) would slip through.
                | (
                    Q(**{f"{lk}__isnull": False, f"{lk}__gte": 1, f"{lk}__lte": 5})
                    & Q(**{f"{im}__isnull": False, f"{im}__gte": 1, f"{im}__lte": 5})
                ),
                name=f"{prefix}_{basis}_score_pair_1_to_5_or_empty",
            )
        )
    return constraints


def _today():
    return timezone.localdate()


class RiskCategory(models.Model):
    """A category of risk (financial, legal, reputational…); admins add more in the admin."""

    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Inactive categories are kept on old risks but not offered"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "risk categories"

    def __str__(self) -> str:
        return self.name


class RiskBand(models.Model):
    """A band of scores with its word and colour. The set must cover 1–25 exactly once."""

    key = models.CharField(
        max_length=20,
        unique=True,
        choices=[(k, k) for k in scoring.BAND_KEYS],
        help_text="Which colour style the band uses (app-band--<key>)",
    )
    label = models.CharField(max_length=40, help_text="The word shown beside every score")
    colour = models.CharField(max_length=20, help_text="The colour's name, e.g. amber")
    lowest = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    highest = models.PositiveSmallIntegerField(validators=[MaxValueValidator(25)])

    history = HistoricalRecords()

    class Meta:
        ordering = ["lowest"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lowest__gte=1, highest__lte=25, lowest__lte=models.F("highest")),
                name="riskband_range_within_1_to_25",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.lowest}–{self.highest})"

    def as_band(self) -> scoring.Band:
        return scoring.Band(self.key, self.label, self.colour, self.lowest, self.highest)

    def clean(self):
        others = [b.as_band() for b in RiskBand.objects.exclude(pk=self.pk)]
        if self.lowest is None or self.highest is None:
            return
        if self.lowest > self.highest:
            raise ValidationError({"highest": "The highest score must not be below the lowest"})
        mine = self.as_band()
        for other in others:
            if mine.lowest <= other.highest and other.lowest <= mine.highest:
                overlap = f"This range overlaps {other.label} ({other.lowest}–{other.highest})"
                raise ValidationError({"lowest": overlap})


class RiskFramework(models.Model):
    """The council framework a programme's register follows, as its decision report cites it."""

    programme = models.OneToOneField(
        "programme.Programme", on_delete=models.PROTECT, related_name="risk_framework"
    )
    name = models.CharField(max_length=200)
    statement = models.TextField(blank=True, help_text="What the report says, verbatim")
    source_reference = models.CharField(max_length=100, blank=True)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class Risk(models.Model):
    """A risk or an opportunity (**contract**: programme, kind, title)."""

    class Kind(models.TextChoices):
        RISK = "risk", "Risk"
        OPPORTUNITY = "opportunity", "Opportunity"

    class Response(models.TextChoices):
        # HM Treasury Orange Book responses to threats…
        TOLERATE = "tolerate", "Tolerate"
        TREAT = "treat", "Treat"
        TRANSFER = "transfer", "Transfer"
        TERMINATE = "terminate", "Terminate"
        # …and the usual responses to opportunities.
        EXPLOIT = "exploit", "Exploit"
        SHARE = "share", "Share"
        ENHANCE = "enhance", "Enhance"
        ACCEPT = "accept", "Accept"

    RESPONSES_BY_KIND = {
        Kind.RISK: {Response.TOLERATE, Response.TREAT, Response.TRANSFER, Response.TERMINATE},
        Kind.OPPORTUNITY: {Response.EXPLOIT, Response.SHARE, Response.ENHANCE, Response.ACCEPT},
    }

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ESCALATED = "escalated", "Escalated"
        CLOSED = "closed", "Closed"

    class Proximity(models.TextChoices):
        IMMINENT = "imminent", "Imminent (within 3 months)"
        WITHIN_STAGE = "within_stage", "Within the current stage"
        WITHIN_PROGRAMME = "within_programme", "Within the programme"
        BEYOND_PROGRAMME = "beyond_programme", "Beyond the programme"

    programme = models.ForeignKey(
        "programme.Programme", on_delete=models.PROTECT, related_name="risks"
    )
    # Numbered per programme (R1, O2…) so a reference survives re-ordering.
    number = models.PositiveIntegerField(editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RISK)
    title = models.CharField(max_length=300)
    cause = models.TextField(blank=True)
    effect = models.TextField(blank=True)
    category = models.ForeignKey(
        RiskCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="risks"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_risks",
    )
    mitigation = models.TextField(
        blank=True, help_text="The controls in place, as the register or report states them"
    )

    inherent_likelihood = score_field("inherent likelihood")
    inherent_impact = score_field("inherent impact")
    residual_likelihood = score_field("residual likelihood")
    residual_impact = score_field("residual impact")
    residual_reason = models.TextField(
        "reason the residual score is above the inherent",
        blank=True,
        help_text="Needed only when mitigation leaves the risk worse than before it",
    )
    target_likelihood = score_field("target likelihood")
    target_impact = score_field("target impact")

    response = models.CharField(max_length=12, choices=Response.choices, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    closing_note = models.TextField(blank=True, help_text="Why the risk was closed")
    closed_on = models.DateField(null=True, blank=True)
    proximity = models.CharField(max_length=20, choices=Proximity.choices, blank=True)
    review_date = models.DateField("next review date", null=True, blank=True)
    stages = models.ManyToManyField("stages.Stage", blank=True, related_name="risks")

    source_reference = models.CharField(
        max_length=100, blank=True, help_text="Where in the decision report this comes from"
    )
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")
    quality_flag = models.TextField(
        "data quality note",
        blank=True,
        help_text="Something a reader should know is wrong or incomplete in the source",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[stages])

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="risk_number_unique"),
            *_score_constraints("risk", BASES),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closing_note=""),
                name="risk_closed_has_closing_note",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status", "review_date"])]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("risks:detail", kwargs={"slug": self.programme.slug, "number": self.number})

    @property
    def reference(self) -> str:
        return f"{'O' if self.kind == self.Kind.OPPORTUNITY else 'R'}{self.number}"

    # Scores ---------------------------------------------------------------------------

    @property
    def inherent_score(self) -> int | None:
        return scoring.score(self.inherent_likelihood, self.inherent_impact)

    @property
    def residual_score(self) -> int | None:
        return scoring.score(self.residual_likelihood, self.residual_impact)

    @property
    def target_score(self) -> int | None:
        return scoring.score(self.target_likelihood, self.target_impact)

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def review_overdue(self, today) -> bool:
        return not self.is_closed and self.review_date is not None and self.review_date < today

    def missing(self) -> list[str]:
        """What the register lacks for this risk (the data-quality panel lists these)."""
        gaps = []
        if self.is_closed:
            return gaps
        for basis in BASES:
            if getattr(self, f"{basis}_score") is None:
                gaps.append(f"{basis} score")
        if self.owner_id is None:
            gaps.append("owner")
        if self.review_date is None:
            gaps.append("review date")
        if self.category_id is None:
            gaps.append("category")
        return gaps

    def clean(self):
        errors: dict[str, str] = {}
        errors.update(pair_errors(self, BASES))
        errors.update(residual_reason_error(self))
        if self.response and self.response not in self.RESPONSES_BY_KIND.get(self.kind, set()):
            allowed = ", ".join(
                sorted(r.label.lower() for r in self.RESPONSES_BY_KIND.get(self.kind, set()))
            )
            errors["response"] = (
                f"A {self.get_kind_display().lower()} takes one of these responses: {allowed}"
            )
        if self.status == self.Status.CLOSED and not self.closing_note.strip():
            errors["closing_note"] = "Say why the risk is being closed"
        if self.closed_on and self.closed_on > _today():
            errors["closed_on"] = "The closing date cannot be in the future"
        if errors:
            raise ValidationError(errors)


def pair_errors(obj, bases) -> dict[str, str]:
    """A likelihood without an impact (or the reverse) is half a score: say which is missing."""
    errors = {}
    for basis in bases:
        lk = getattr(obj, f"{basis}_likelihood")
        im = getattr(obj, f"{basis}_impact")
        if lk is not None and im is None:
            errors[f"{basis}_impact"] = f"Enter the {basis} impact as well as the likelihood"
        elif im is not None and lk is None:
            errors[f"{basis}_likelihood"] = f"Enter the {basis} likelihood as well as the impact"
    return errors


def residual_reason_error(obj) -> dict[str, str]:
    """Mitigation should not make a risk worse; when it does, the register says why."""
    try:
        inherent = scoring.score(obj.inherent_likelihood, obj.inherent_impact)
        residual = scoring.score(obj.residual_likelihood, obj.residual_impact)
    except ValueError:
        return {}  # out-of-range values are reported by the field validators
    worse = inherent is not None and residual is not None and residual > inherent
    if worse and not obj.residual_reason.strip():
        return {
            "residual_reason": (
                f"Give a reason why the residual score ({residual}) is above the "
                f"inherent score ({inherent})"
            )
        }
    return {}


class MitigationAction(models.Model):
    """Something someone will do, by a date, to reduce a risk or realise an opportunity."""

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_actions",
    )
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    done_on = models.DateField("date done", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["done", "due_date", "id"]
        indexes = [models.Index(fields=["done", "due_date"])]

    def __str__(self) -> str:
        return self.description[:80]

    def overdue(self, today) -> bool:
        return not self.done and self.due_date is not None and self.due_date < today

    def clean(self):
        errors = {}
        if self.done and self.done_on is None:
            errors["done_on"] = "Enter the date the action was done"
        if not self.done and self.done_on is not None:
            errors["done"] = "Tick done, or remove the date done"
        if self.done_on and self.done_on > _today():
            errors["done_on"] = "The date done cannot be in the future"
        if errors:
            raise ValidationError(errors)


class RiskReview(models.Model):
    """A dated review: the scores at that date and what the reviewer noted."""

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField("date of review")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_reviews",
    )
    inherent_likelihood = score_field("inherent likelihood")
    inherent_impact = score_field("inherent impact")
    residual_likelihood = score_field("residual likelihood")
    residual_impact = score_field("residual impact")
    residual_reason = models.TextField(
        "reason the residual score is above the inherent", blank=True
    )
    notes = models.TextField(blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["reviewed_on", "id"]
        constraints = [
            *_score_constraints("riskreview", ("inherent", "residual")),
            models.CheckConstraint(
                condition=Q(next_review_date__isnull=True)
                | Q(next_review_date__gt=models.F("reviewed_on")),
                name="riskreview_next_after_this",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.risk} on {govuk_date(self.reviewed_on)}"

    @property
    def inherent_score(self) -> int | None:
        return scoring.score(self.inherent_likelihood, self.inherent_impact)

    @property
    def residual_score(self) -> int | None:
        return scoring.score(self.residual_likelihood, self.residual_impact)

    def clean(self):
        errors: dict[str, str] = {}
        errors.update(pair_errors(self, ("inherent", "residual")))
        errors.update(residual_reason_error(self))
        if self.residual_likelihood is None and "residual_likelihood" not in errors:
            errors["residual_likelihood"] = "Enter the residual likelihood"
        if self.residual_impact is None and "residual_impact" not in errors:
            errors["residual_impact"] = "Enter the residual impact"
        if self.reviewed_on and self.reviewed_on > _today():
            errors["reviewed_on"] = "The date of review cannot be in the future"
        if self.reviewed_on and self.next_review_date and self.next_review_date <= self.reviewed_on:
            errors["next_review_date"] = "The next review must be after this one"
        if errors:
            raise ValidationError(errors)


def data_quality_q() -> Q:
    """A live risk is incomplete if it lacks any score, an owner, a review date or a
    category, or carries a note that its source is flawed."""
    missing = Q(owner__isnull=True) | Q(review_date__isnull=True) | Q(category__isnull=True)
    for basis in BASES:
        missing |= Q(**{f"{basis}_likelihood__isnull": True})
    return missing | ~Q(quality_flag="")


class RaidItem(models.Model):
    """An entry of the RAID log beside the risk register: an issue (a risk that has happened),
    an assumption or a dependency, with its owner, priority, dates, actions and status. An
    issue may be the one an officer escalated to Cabinet in a progress update
    (`escalation`), whose decision is recorded on the escalation (stages)."""

    class Kind(models.TextChoices):
        ISSUE = "issue", "Issue"
        ASSUMPTION = "assumption", "Assumption"
        DEPENDENCY = "dependency", "Dependency"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    programme = models.ForeignKey(
        "programme.Programme", on_delete=models.PROTECT, related_name="raid_items"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    raised_on = models.DateField()
    due_date = models.DateField("resolve or check by", null=True, blank=True)
    actions = models.TextField("actions", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    escalation = models.OneToOneField(
        "stages.Escalation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="raid_item",
        help_text="The escalation to Cabinet this issue came from",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=models.F("raised_on")),
                name="raid_due_after_raised",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("risks:raid_edit", kwargs={"slug": self.programme.slug, "pk": self.pk})

    def clean(self):
        if self.due_date and self.raised_on and self.due_date < self.raised_on:
            raise ValidationError({"due_date": "The date must be on or after the date raised."})
