"""The reserves app: reserves, drawdowns, the ledger and its guards."""

from django.apps import AppConfig
from django.db.models.signals import pre_delete, pre_save


class ReservesConfig(AppConfig):
    name = "reserves"
    verbose_name = "Reserves"

    def ready(self):
        from . import signals

        drawdown = self.get_model("Drawdown")
        pre_save.connect(
            signals.guard_drawdown_ceiling,
            sender=drawdown,
            dispatch_uid="reserves.guard_drawdown_ceiling",
        )
        pre_delete.connect(
            signals.guard_drawdown_delete,
            sender=drawdown,
            dispatch_uid="reserves.guard_drawdown_delete",
        )
        pre_save.connect(
            signals.guard_reserve_floor,
            sender=self.get_model("Reserve"),
            dispatch_uid="reserves.guard_reserve_floor",
        )
        pre_save.connect(
            signals.guard_programme_ceiling,
            sender="programme.Programme",
            dispatch_uid="reserves.guard_programme_ceiling",
        )
