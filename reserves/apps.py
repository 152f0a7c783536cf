"""The reserves app: reserves, drawdowns, the ledger and its ceiling guard."""

from django.apps import AppConfig
from django.db.models.signals import pre_save


class ReservesConfig(AppConfig):
    name = "reserves"
    verbose_name = "Reserves"

    def ready(self):
        from . import signals

        pre_save.connect(
            signals.guard_drawdown_ceiling,
            sender=self.get_model("Drawdown"),
            dispatch_uid="reserves.guard_drawdown_ceiling",
        )
