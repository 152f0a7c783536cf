"""Reserves and the money drawn from them."""

from django.db import models
from simple_history.models import HistoricalRecords

from programme.money import ZERO, MoneyField


class Reserve(models.Model):
    """An earmarked reserve (**contract**: name, opening_balance, opening_date)."""

    name = models.CharField(max_length=200, unique=True)
    opening_balance = MoneyField()
    opening_date = models.DateField()
    # The balance below which the reserve may not go.
    floor = MoneyField(default=ZERO)
    owner = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
    source_reference = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords(m2m_fields=[stages])

    class Meta:
        ordering = ["programme", "table", "id"]

    def __str__(self) -> str:
        return f"{self.label} {self.financial_year}: {self.amount}"
