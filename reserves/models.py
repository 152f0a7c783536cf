"""Reserves, the drawdowns that commit their money, the cost profile and the stated-figure checks.

The ceiling itself is enforced in `reserves.guards` (a pre_save guard) and by a PostgreSQL
trigger (migration 0004); `DrawdownQuerySet` closes the bulk paths round both.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.money import ZERO, MoneyField


class MoneyFieldsUpdateRefused(RuntimeError):
    """A bulk update of a field that decides money would skip the guard and the history row."""


class ReserveQuerySet(models.QuerySet):
    """`update()` may not touch the opening balance or the floor: those change one reserve at
    a time through `save()`, so the guard checks them and history names who changed them."""

    MONEY_FIELDS = ("opening_balance", "floor")

    def update(self, **kwargs):
        touched = sorted(set(kwargs) & set(self.MONEY_FIELDS))
        if touched:
            raise MoneyFieldsUpdateRefused(
                f"Reserve.objects.update({', '.join(touched)}=...) is refused: it would skip "
                "the floor guard and the history. Use reserves.services.reserve_update."
            )
        return super().update(**kwargs)


class Reserve(models.Model):
    """An earmarked reserve (**contract**: name, opening_balance, opening_date), with the
    protocol CIPFA's guidance on earmarked reserves asks every reserve to have."""

    name = models.CharField(max_length=200, unique=True)
    opening_balance = MoneyField()
    opening_date = models.DateField()
    # The balance below which the reserve may not go.
    floor = MoneyField(default=ZERO)
    owner = models.CharField(max_length=200, blank=True)
    # The protocol (CIPFA LAAP bulletin on local authority reserves and balances).
    purpose = models.TextField("purpose of the reserve", blank=True)
    usage_rules = models.TextField("how and when it may be used", blank=True)
    managed_by = models.CharField("managed by", max_length=200, blank=True)
    controlled_by = models.CharField("controlled by", max_length=200, blank=True)
    review_process = models.TextField("review process", blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    # The Medium Term Financial Strategy period the projection covers, from the financial
    # year of the opening date.
    mtfs_years = models.PositiveSmallIntegerField(
        "years in the Medium Term Financial Strategy period",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="From 1 to 10 years",
    )
    planned_annual_use = MoneyField(
        "planned use per year",
        null=True,
        blank=True,
        help_text="Leave blank to use the rate committed so far",
    )
    source_reference = models.CharField(max_length=100, blank=True)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    objects = ReserveQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mtfs_years__gte=1, mtfs_years__lte=10),
                name="reserves_reserve_mtfs_years_1_to_10",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reserves:statement", kwargs={"pk": self.pk})


class BulkWriteRefused(RuntimeError):
    """A bulk write on drawdowns would skip the ceiling guard and the history rows."""


class DrawdownQuerySet(models.QuerySet):
    """Drawdowns are written one at a time through `save()`, so the guard and history see each.

    `update()`, `bulk_create()` and `bulk_update()` would skip pre_save (and simple-history),
    so they are refused outright rather than trusted to callers.
    """

    def update(self, **kwargs):
        raise BulkWriteRefused(
            "Drawdown.objects.update() is refused: it would skip the ceiling guard. "
            "Use reserves.services."
        )

    def bulk_create(self, *args, **kwargs):
        raise BulkWriteRefused(
            "Drawdown.objects.bulk_create() is refused: it would skip the ceiling guard. "
            "Use reserves.services.drawdown_request."
        )

    def bulk_update(self, *args, **kwargs):
        raise BulkWriteRefused(
            "Drawdown.objects.bulk_update() is refused: it would skip the ceiling guard. "
            "Use reserves.services."
        )

    def committed(self):
        return self.filter(status__in=Drawdown.COMMITTED_STATUSES)


class Drawdown(models.Model):
    """Money drawn, or to be drawn, from a reserve (**contract**: reserve, programme, purpose,
    amount, status, requested_by, approved_by). Approved, scheduled and drawn drawdowns commit
    money; saving one that would breach a ceiling or floor is refused (`reserves.guards`)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"
        DRAWN = "drawn", "Drawn"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    COMMITTED_STATUSES = (Status.APPROVED, Status.SCHEDULED, Status.DRAWN)

    reserve = models.ForeignKey(Reserve, on_delete=models.PROTECT, related_name="drawdowns")
    # Null: other purposes draw on the same reserve (the Children's transformation).
    programme = models.ForeignKey(
        "programme.Programme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drawdowns",
    )
    cost_line = models.ForeignKey(
        "reserves.CostLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drawdowns",
        help_text="The cost table line this drawdown pays for",
    )
    purpose = models.CharField(max_length=300)
    amount = MoneyField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    needed_by = models.DateField("money needed by", null=True, blank=True)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drawdowns_requested",
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drawdowns_approved",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    scheduled_for = models.DateField(null=True, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    drawn_on = models.DateField(null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    drawn_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)
    source_reference = models.CharField(max_length=100, blank=True)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    objects = DrawdownQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        # Django's own internal writes use the base manager: make it the guarded one too.
        base_manager_name = "objects"
        indexes = [models.Index(fields=["reserve", "status"]), models.Index(fields=["status"])]
        constraints = [
            # Money is taken out of a reserve, never put in, and never nothing.
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="reserves_drawdown_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.purpose}"

    def get_absolute_url(self) -> str:
        return reverse("reserves:drawdown_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"DD-{self.pk:04d}" if self.pk else "DD-new"

    @property
    def is_committed(self) -> bool:
        return self.status in self.COMMITTED_STATUSES

    @property
    def movement_date(self):
        """The date the money leaves (or is planned to leave) the reserve."""
        return self.drawn_on or self.scheduled_for or self.needed_by


class DrawdownRefusal(models.Model):
    """Audit of a refused drawdown write: who tried, what, when and why.

    Written on its own database connection (reserves.audit), so it survives the rollback of
    the change it refused. No foreign-key constraints: the row must be insertable even when
    the rows it names are only visible inside the refused transaction. Append-only.
    """

    created_at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    reserve = models.ForeignKey(
        Reserve,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    programme = models.ForeignKey(
        "programme.Programme",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    drawdown_id = models.BigIntegerField(null=True, blank=True)
    amount = MoneyField(null=True, blank=True, allow_negative=True)
    attempted_status = models.CharField(max_length=12, blank=True)
    reason = models.TextField()
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Refused {self.attempted_status} {self.amount} at {self.created_at:%Y-%m-%d %H:%M}"


class CostLine(models.Model):
    """One cell row of the report's cost tables: costs by stage, funding streams, or revenue
    budget implications, for one financial year. Totals are computed from these, never typed."""

    class Table(models.TextChoices):
        COSTS = "costs", "Revenue or capital cost of project"
        FUNDING = "funding", "Funding streams"
        REVENUE_BUDGET = "revenue_budget", "Revenue budget implications"

    class Kind(models.TextChoices):
        REVENUE = "revenue", "Revenue"
        CAPITAL = "capital", "Capital"

    programme = models.ForeignKey(
        "programme.Programme", on_delete=models.PROTECT, related_name="cost_lines"
    )
    table = models.CharField(max_length=20, choices=Table.choices, default=Table.COSTS)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REVENUE)
    label = models.CharField(max_length=200)
    stages = models.ManyToManyField("stages.Stage", blank=True, related_name="cost_lines")
    # "2022/23", or "future" for the report's "Future Years" column.
    financial_year = models.CharField(max_length=7)
    amount = MoneyField()
    is_estimate = models.BooleanField(default=False)
    # The funding streams table asks for the type: base budget / external / grant / capital
    # borrowing (or, as here, an earmarked reserve). Blank where the report gives none.
    stream_type = models.CharField(
        "funding stream type", max_length=100, blank=True, default="", db_default=""
    )
    source_reference = models.CharField(max_length=100, blank=True)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")

    history = HistoricalRecords(m2m_fields=[stages])

    class Meta:
        ordering = ["programme", "table", "id"]

    def __str__(self) -> str:
        return f"{self.label} {self.financial_year}: {self.amount}"


class StatedFigure(models.Model):
    """A figure (or list) the decision report states, checked against what the ledger computes.

    The stated text is kept as printed; the computed side is never stored, it is worked out
    from the drawdowns, cost lines and outputs each time (reserves.selectors.stated_figures).
    """

    class Kind(models.TextChoices):
        RESERVE_REMAINING = "reserve_remaining", "Balance left in the reserve"
        TABLE_TOTAL = "table_total", "Total row of a cost table"
        TABLE_TOTAL_COLUMN = "table_total_column", "Total column of a cost table"
        OUTPUT_LETTERS = "output_letters", "Stage 1 outputs and their letters"
        STAGES_APPROVED = "stages_approved", "Stages approved against stages costed"
        OFFICER_TITLES = "officer_titles", "One officer's titles in different places"

    programme = models.ForeignKey(
        "programme.Programme", on_delete=models.PROTECT, related_name="stated_figures"
    )
    reserve = models.ForeignKey(
        Reserve, null=True, blank=True, on_delete=models.PROTECT, related_name="stated_figures"
    )
    # Not "check": that name is Model.check(), Django's system-check hook.
    kind = models.CharField(max_length=30, choices=Kind.choices)
    table = models.CharField(max_length=20, choices=CostLine.Table.choices, blank=True)
    label = models.CharField(max_length=200)
    stated_text = models.CharField(
        "as stated", max_length=300, help_text="As printed in the report; blank if left blank"
    )
    stated_amount = MoneyField(null=True, blank=True)
    source_reference = models.CharField("paragraph", max_length=100)
    # The report's own words that support `source_reference` (programme.report_source); a
    # database default too, so raw SQL inserts (imports, the trigger tests) need not name it.
    source_quote = models.TextField("quoted from the report", blank=True, default="", db_default="")
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "table"], name="stated_figure_unique_check"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.stated_text or '(blank)'}"


class CeilingProposal(models.Model):
    """A spending-ceiling change waiting for its second person (four eyes).

    One Cabinet member (or Admin) proposes, with the decision's reason, reference and date; a
    different one approves, and only then is the decision recorded and the ceiling changed
    (reserves.services.ceiling_propose / ceiling_approve). Both people are on the history of
    the proposal, the decision and the programme."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for a second approver"
        APPROVED = "approved", "Approved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    programme = models.ForeignKey(
        "programme.Programme", on_delete=models.PROTECT, related_name="ceiling_proposals"
    )
    new_ceiling = MoneyField("new spending ceiling")
    old_ceiling = MoneyField("spending ceiling when proposed")
    title = models.CharField("decision title", max_length=200)
    reason = models.TextField("what was decided, and why")
    decided_on = models.DateField("date of the decision")
    decision_maker = models.CharField(max_length=200, blank=True)
    decision_reference = models.CharField("decision reference", max_length=100)
    key_decision_reference = models.CharField(
        "key-decision reference",
        max_length=100,
        blank=True,
        help_text="Needed for a ceiling above the key-decision threshold",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    decision = models.OneToOneField(
        "programme.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ceiling_proposal",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            # Four eyes, in the database too: the approver is never the proposer.
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("proposed_by")),
                name="reserves_ceilingproposal_two_people",
            ),
            models.CheckConstraint(
                condition=models.Q(status="proposed")
                | models.Q(status="withdrawn")
                | models.Q(status="approved", approved_by__isnull=False, decision__isnull=False),
                name="reserves_ceilingproposal_approved_has_approver",
            ),
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(status="proposed"),
                name="reserves_ceilingproposal_one_open_per_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"Ceiling {self.old_ceiling} → {self.new_ceiling} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return f"CP-{self.pk:04d}" if self.pk else "CP-new"


# Actual spend from the finance ledger (models kept in their own module).
from .models_actuals import (  # noqa: E402, F401
    CostCentreMapping,
    LedgerChange,
    LedgerImport,
    LedgerMapping,
    LedgerStagingRow,
    LedgerTransaction,
    StageForecast,
)
