"""Actual spend from the council's finance ledger: the column mapping kept per council, the
cost-centre mapping to stages and cost lines, each import (a recorded event with its file),
the transactions it brought in, and the officer's forecast to complete per stage.

Imported here, registered through `reserves.models` (one import line there).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.money import ZERO, MoneyField

# The columns a mapping names: editable by Finance, imported by the form too.
MAPPING_FIELDS = (
    "reference_column",
    "posting_date_column",
    "cost_centre_column",
    "account_code_column",
    "amount_column",
    "credit_column",
    "supplier_column",
    "supplier_type_column",
    "description_column",
    "vat_column",
    "date_format",
)
COST_CENTRE_FIELDS = ("cost_centre", "account_code", "stage", "cost_line", "service_area")
FORECAST_FIELDS = ("forecast_to_complete", "note")
# The demo's generated ledger files are named so: every page that shows their figures says so.
ILLUSTRATIVE_PREFIX = "illustrative-"


class LedgerMapping(models.Model):
    """Which column of a council's general-ledger export holds what. Kept once per council
    (the export's layout belongs to the council's finance system, not to one programme)."""

    class DateFormat(models.TextChoices):
        DMY = "dmy", "dd/mm/yyyy (day first)"
        YMD = "ymd", "yyyy-mm-dd"

    council = models.CharField(max_length=200, unique=True)
    reference_column = models.CharField("transaction reference", max_length=100)
    posting_date_column = models.CharField("posting date", max_length=100)
    cost_centre_column = models.CharField("cost centre", max_length=100)
    account_code_column = models.CharField("account or subjective code", max_length=100, blank=True)
    amount_column = models.CharField(
        "amount (or debit)", max_length=100, help_text="Credits as negative amounts here"
    )
    credit_column = models.CharField(
        "credit",
        max_length=100,
        blank=True,
        help_text="Only if credits come in a column of their own",
    )
    supplier_column = models.CharField("supplier", max_length=100, blank=True)
    supplier_type_column = models.CharField(
        "supplier type",
        max_length=100,
        blank=True,
        help_text="Rows saying Individual or Sole trader have the supplier's name redacted "
        "in the Transparency Code file",
    )
    description_column = models.CharField("description", max_length=100, blank=True)
    vat_column = models.CharField("irrecoverable VAT", max_length=100, blank=True)
    date_format = models.CharField(
        "dates are written", max_length=3, choices=DateFormat.choices, default=DateFormat.DMY
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["council"]

    def __str__(self) -> str:
        return f"Ledger columns for {self.council}"

    def as_parser_mapping(self) -> dict:
        """The mapping as the parser reads it (also kept on each import as it was then)."""
        return {
            "reference": self.reference_column,
            "posting_date": self.posting_date_column,
            "cost_centre": self.cost_centre_column,
            "account_code": self.account_code_column,
            "amount": self.amount_column,
            "credit": self.credit_column,
            "supplier": self.supplier_column,
            "supplier_type": self.supplier_type_column,
            "description": self.description_column,
            "vat": self.vat_column,
            "date_format": self.date_format,
        }


class CostCentreMapping(models.Model):
    """A ledger cost centre (and optionally one account code in it) that is this programme's
    spend, and the stage and cost line it pays for. A blank code maps every code of the
    centre; an exact code wins over the blank one."""

    programme = models.ForeignKey(
        "programme.Programme", on_delete=models.PROTECT, related_name="cost_centre_mappings"
    )
    cost_centre = models.CharField(max_length=30)
    account_code = models.CharField(
        "account code", max_length=30, blank=True, help_text="Leave blank for every code"
    )
    stage = models.ForeignKey(
        "stages.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cost_line = models.ForeignKey(
        "reserves.CostLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_area = models.CharField(
        "service area",
        max_length=200,
        blank=True,
        help_text="As the Transparency Code file names it, e.g. Customer Services",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "cost_centre", "account_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "cost_centre", "account_code"],
                name="cost_centre_mapping_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cost_centre}/{self.account_code or '*'}"


class LedgerImport(models.Model):
    """One upload of a ledger export: a recorded event (who, when, the file's SHA-256, rows)
    with the file kept in storage. Checked in the background, shown to Finance with what it
    would change, applied only when Finance confirms; all or nothing."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be checked"
        CHECKING = "checking", "Being checked"
        READY = "ready", "Checked: waiting for you to confirm"
        REJECTED = "rejected", "Not imported: the file has errors"
        CONFIRMED = "confirmed", "Confirmed: waiting to be applied"
        APPLYING = "applying", "Being applied"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"
        DISCARDED = "discarded", "Discarded"

    IN_PROGRESS = (Status.QUEUED, Status.CHECKING, Status.CONFIRMED, Status.APPLYING)
    # A file in one of these states holds its digest: the same file cannot be uploaded again.
    HOLDS_DIGEST = (*IN_PROGRESS, Status.READY, Status.DONE)

    programme = models.ForeignKey(
        "programme.Programme", on_delete=models.PROTECT, related_name="ledger_imports"
    )
    file = models.FileField(upload_to="ledger-imports/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    digest = models.CharField("SHA-256", max_length=64)
    size = models.BigIntegerField()
    encoding = models.CharField(max_length=20, blank=True)
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    new_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    changes = models.JSONField(default=list, blank=True)
    file_total = MoneyField(default=ZERO, allow_negative=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["rows_read"])

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two uploads of the same file at once: the database lets one in.
            models.UniqueConstraint(
                fields=["programme", "digest"],
                condition=Q(
                    status__in=[
                        "queued",
                        "checking",
                        "confirmed",
                        "applying",
                        "ready",
                        "done",
                    ]
                ),
                name="ledger_import_one_live_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"Ledger import #{self.pk} ({self.get_status_display()})"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    @property
    def is_illustrative(self) -> bool:
        """The demo's generated ledger (`load_demo`): no real council's figures."""
        return self.original_name.startswith(ILLUSTRATIVE_PREFIX)

    @property
    def percent_read(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, self.rows_read * 100 // self.rows_total)


class LedgerStagingRow(models.Model):
    """A checked row of an import not yet confirmed: the working table the differences are
    computed from in SQL. Emptied when the import is applied, rejected or discarded."""

    ledger_import = models.ForeignKey(LedgerImport, on_delete=models.CASCADE, related_name="+")
    row_number = models.PositiveIntegerField()
    reference = models.CharField(max_length=100)
    posting_date = models.DateField()
    cost_centre = models.CharField(max_length=30)
    account_code = models.CharField(max_length=30, blank=True)
    amount = MoneyField(allow_negative=True)
    vat = MoneyField(allow_negative=True, default=ZERO)
    supplier = models.CharField(max_length=200, blank=True)
    supplier_is_individual = models.BooleanField(default=False)
    description = models.CharField(max_length=500, blank=True)
    stage = models.ForeignKey(
        "stages.Stage", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    cost_line = models.ForeignKey(
        "reserves.CostLine", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["ledger_import", "reference"])]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.reference}"


class LedgerTransaction(models.Model):
    """A general-ledger transaction of the programme, as the finance system exported it.

    Written only by an import (one SQL statement for a whole file), so simple-history keeps no
    row per transaction: the import is the event (who, when, file digest) and each value it
    replaced is kept in LedgerChange. Decision 0170."""

    programme = models.ForeignKey(
        "programme.Programme", on_delete=models.PROTECT, related_name="ledger_transactions"
    )
    reference = models.CharField("transaction number", max_length=100)
    posting_date = models.DateField()
    cost_centre = models.CharField(max_length=30)
    account_code = models.CharField(max_length=30, blank=True)
    amount = MoneyField(allow_negative=True)
    vat = MoneyField("irrecoverable VAT", allow_negative=True, default=ZERO)
    supplier = models.CharField(max_length=200, blank=True)
    supplier_is_individual = models.BooleanField(default=False)
    description = models.CharField(max_length=500, blank=True)
    stage = models.ForeignKey(
        "stages.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cost_line = models.ForeignKey(
        "reserves.CostLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_import = models.ForeignKey(
        LedgerImport, on_delete=models.PROTECT, related_name="+", null=True
    )
    last_import = models.ForeignKey(
        LedgerImport, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["posting_date", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"], name="ledger_transaction_unique_reference"
            )
        ]
        indexes = [models.Index(fields=["programme", "posting_date"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.posting_date} {self.amount}"


class LedgerChange(models.Model):
    """What a confirmed re-import replaced in one transaction: old and new values."""

    ledger_import = models.ForeignKey(LedgerImport, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=100)
    old_posting_date = models.DateField()
    new_posting_date = models.DateField()
    old_cost_centre = models.CharField(max_length=30)
    new_cost_centre = models.CharField(max_length=30)
    old_amount = MoneyField(allow_negative=True)
    new_amount = MoneyField(allow_negative=True)

    class Meta:
        ordering = ["ledger_import", "reference"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.old_amount} → {self.new_amount}"


class StageForecast(models.Model):
    """The officer's forecast of what a stage still needs to spend to complete."""

    stage = models.OneToOneField(
        "stages.Stage", on_delete=models.PROTECT, related_name="spend_forecast"
    )
    forecast_to_complete = MoneyField("forecast cost to complete")
    note = models.TextField("basis of the forecast", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Forecast to complete for stage {self.stage_id}: {self.forecast_to_complete}"
