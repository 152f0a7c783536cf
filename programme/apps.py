"""The programme app: the programme record and the decisions that govern it."""

from django.apps import AppConfig
from django.db.models.signals import pre_save


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = "Programme"

    def ready(self):
        from . import signals

        pre_save.connect(
            signals.programme_pre_save,
            sender=self.get_model("Programme"),
            dispatch_uid="programme.ceiling_guard",
        )
