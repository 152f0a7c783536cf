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
