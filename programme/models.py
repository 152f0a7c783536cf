"""The programme record and the decisions that govern it."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.dates import govuk_date
from core.money import MoneyField
from core.names import person_name

KEY_DECISION_THRESHOLD_DEFAULT = Decimal("500000.00")


class ProgrammeQuerySet(models.QuerySet):
    """`update()` may not touch the spending ceiling: it changes only through a recorded,
    two-person decision (the ceiling service), with a history row naming both people."""

    def update(self, **kwargs):
        if "spending_ceiling" in kwargs:
            raise PermissionError(
                "Programme.objects.update(spending_ceiling=...) is refused: the ceiling changes "
                "only through a recorded decision proposed and approved by two people."
            )
        return super().update(**kwargs)


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
    report_title = models.CharField("title of report", max_length=200, blank=True)
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
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")
    appendices = models.CharField(max_length=300, blank=True)
    background_papers = models.CharField(max_length=300, blank=True)
    # Tolerances (PRINCE2): how far the whole programme's forecasts may move before Cabinet
    # must decide. Set only by a recorded decision (stages.services.tolerances_set).
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
        "Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ProgrammeQuerySet.as_manager()
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
        TOLERANCES = "tolerances", "Tolerances set"
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
    # A decision taking the ceiling above the key-decision threshold must itself be a key
    # decision (reserves.services.ceiling_approve checks it).
    is_key_decision = models.BooleanField("key decision", default=False)
    source_reference = models.CharField(max_length=100, blank=True)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({govuk_date(self.decided_on)})"


# The record of the decision report ----------------------------------------------------------
# Every row keeps `source_reference`: where in the report it comes from ("para 21(a)",
# "Consultees table"), shown on the page so a reader can check the product against the report.

SOURCE_HELP = "Where in the decision report this comes from, for example “para 21(a)”"


class KeyDecisionReason(models.Model):
    """Why the decision is a key decision (the report gives two tests, each its own reason)."""

    class Test(models.TextChoices):
        EXPENDITURE = "expenditure", "Significant expenditure or savings"
        COMMUNITY = "community", "Significant effect on communities (two or more wards)"
        OTHER = "other", "Other"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="key_reasons")
    test = models.CharField(max_length=20, choices=Test.choices)
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)
    source_reference = models.CharField(max_length=100, blank=True, help_text=SOURCE_HELP)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position", "id"]

    def __str__(self) -> str:
        return self.get_test_display()


class Recommendation(models.Model):
    """One recommendation (a, b, c…) and the decision a cabinet member records on it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Awaiting decision"
        APPROVED = "approved", "Approved"
        APPROVED_WITH_CHANGES = "approved_with_changes", "Approved with changes"
        REJECTED = "rejected", "Rejected"
        DEFERRED = "deferred", "Deferred"

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="recommendations"
    )
    label = models.CharField(max_length=5, help_text="a, b, c…")
    text = models.TextField()
    outcome = models.CharField(max_length=30, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_notes = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    # The user who recorded the decision; `decided_by_name` also covers decisions loaded from
    # the report, which no user of this product recorded.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_name = models.CharField("decided by", max_length=200, blank=True)
    source_reference = models.CharField(max_length=100, blank=True, help_text=SOURCE_HELP)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "label"], name="recommendation_label_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.label})"

    @property
    def is_decided(self) -> bool:
        return self.outcome != self.Outcome.PENDING


class AlternativeOption(models.Model):
    """An option the report considered, and why it is (not) recommended."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="alternative_options"
    )
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    reason = models.TextField("why (not) recommended")
    is_recommended = models.BooleanField("recommended", default=False)
    source_reference = models.CharField(max_length=100, blank=True, help_text=SOURCE_HELP)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="option_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Objective(models.Model):
    """One of the report's key objectives."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="objectives")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    source_reference = models.CharField(max_length=100, blank=True, help_text=SOURCE_HELP)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class KeyConsideration(models.Model):
    """A numbered statement of the report that is context, not a decision: the drivers, where
    the council is now, the approach, the benefits narrative, community and environmental
    impact, the County Plan vision, themes and values, the equality duty, the legal
    implications."""

    class Section(models.TextChoices):
        # In the report's order (paragraphs 2-52), so the record reads as the report does.
        DRIVER = "driver", "Drivers"
        CURRENT_POSITION = "current_position", "Where we are now"
        APPROACH = "approach", "Our approach to move forward"
        BENEFITS = "benefits", "Key benefits for the residents"
        COMMUNITY = "community", "Community impact"
        COUNTY_PLAN = "county_plan", "County Plan vision and themes"
        VALUE = "value", "The council's values"
        ENVIRONMENT = "environment", "Environmental impact"
        EQUALITY = "equality", "Equality duty"
        LEGAL = "legal", "Legal implications"

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="considerations"
    )
    section = models.CharField(max_length=20, choices=Section.choices)
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    source_reference = models.CharField(max_length=100, blank=True, help_text=SOURCE_HELP)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "section", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.heading or self.text[:40]}"


class Consultation(models.Model):
    """A consultee: who was consulted, when, what they said and where they stood."""

    class Stance(models.TextChoices):
        SUPPORTIVE = "supportive", "Supportive"
        MIXED = "mixed", "Mixed"
        OPPOSED = "opposed", "Opposed"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="consultations")
    body = models.CharField("consultee", max_length=200)
    consulted_on = models.DateField("date consulted")
    outcome = models.TextField()
    stance = models.CharField(max_length=20, choices=Stance.choices)
    source_reference = models.CharField(max_length=100, blank=True, help_text=SOURCE_HELP)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "consulted_on", "id"]

    def __str__(self) -> str:
        return f"{self.body} ({govuk_date(self.consulted_on)})"


class ReportReview(models.Model):
    """A sign-off of the report in one area, or its final approval. The report may be marked
    approved only when every area is signed on or before the final approval.

    A sign-off is either made in the tracker by a signed-in user (`signed_by`, dated the day
    they signed), or one of the report's own sign-offs as the report records it (`reviewer`,
    a name typed from the report, with no user): never both (decision 0082)."""

    class Area(models.TextChoices):
        GOVERNANCE = "governance", "Governance"
        FINANCE = "finance", "Finance"
        LEGAL = "legal", "Legal"
        COMMUNICATIONS = "communications", "Communications"
        EQUALITY_DUTY = "equality_duty", "Equality duty"
        PROCUREMENT = "procurement", "Procurement"
        RISK = "risk", "Risk"
        FINAL_APPROVAL = "final_approval", "Final approval"

    # The seven areas that must be signed: every area except the final approval (last).
    SIGN_OFF_AREAS = tuple(Area)[:-1]

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="reviews")
    area = models.CharField(max_length=20, choices=Area.choices)
    # The name as the report records it; blank for a sign-off made in the tracker.
    reviewer = models.CharField("name as recorded in the report", max_length=200, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The signed-in user who signed in the tracker",
    )
    reviewer_role = models.CharField("role", max_length=200, blank=True)
    reviewed_on = models.DateField("date signed", null=True, blank=True)
    source_reference = models.CharField(max_length=100, blank=True, help_text=SOURCE_HELP)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "area"], name="review_area_unique"),
            models.CheckConstraint(
                condition=models.Q(signed_by__isnull=True) | models.Q(reviewer=""),
                name="review_signed_by_user_or_as_in_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.signer_name or 'not signed'}"

    @property
    def signer_name(self) -> str:
        """Who signed: the signed-in user's name, or the name as the report records it."""
        if self.signed_by_id:
            return person_name(self.signed_by)
        return self.reviewer

    @property
    def is_from_report(self) -> bool:
        """One of the report's own sign-offs, as the report records it (no user signed it
        here)."""
        return not self.signed_by_id and bool(self.reviewer)

    @property
    def is_signed(self) -> bool:
        return bool(self.signed_by_id or self.reviewer) and self.reviewed_on is not None

    @property
    def is_final_approval(self) -> bool:
        return self.area == self.Area.FINAL_APPROVAL


class Benefit(models.Model):
    """What residents gain, measured: a baseline from the report, a target, dated actuals."""

    class Kind(models.TextChoices):
        FINANCIAL = "financial", "Financial"
        NON_FINANCIAL = "non_financial", "Non-financial"

    class Direction(models.TextChoices):
        DECREASE = "decrease", "Lower is better"
        INCREASE = "increase", "Higher is better"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="benefits")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NON_FINANCIAL)
    measure = models.CharField("what is measured", max_length=200)
    unit = models.CharField(max_length=50, blank=True, help_text="For example “%” or “numbers”")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2)
    # The report's own words, where they qualify the number ("over 700").
    baseline_text = models.CharField("baseline as the report states it", max_length=200)
    baseline_date = models.DateField(null=True, blank=True)
    baseline_source = models.CharField(max_length=100, blank=True, help_text=SOURCE_HELP)
    target_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    # The report sets no targets: targets loaded by the demo say so.
    target_is_demo = models.BooleanField("target is a demo figure", default=False)
    source_reference = models.CharField(max_length=100, blank=True, help_text=SOURCE_HELP)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position", "id"]

    def __str__(self) -> str:
        return self.title


class BenefitMeasure(models.Model):
    """A dated actual of a benefit's measure."""

    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="measures")
    measured_on = models.DateField("date measured")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["benefit", "measured_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["benefit", "measured_on"], name="benefit_measure_date_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.benefit}: {self.value} on {govuk_date(self.measured_on)}"


class GlossaryTerm(models.Model):
    """A term, abbreviation or acronym the report uses (the report asks for a glossary)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="glossary")
    term = models.CharField(max_length=100)
    meaning = models.TextField()
    source_reference = models.CharField(
        "where it is in the report", max_length=100, blank=True, help_text=SOURCE_HELP
    )
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "term"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "term"], name="glossary_term_unique")
        ]

    def __str__(self) -> str:
        return self.term
