"""Wiring: the programme app's configuration and its guards."""

from django.apps import AppConfig
from django.db.models.signals import pre_delete


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = "Programme"

    def ready(self):
        from django.contrib.auth import get_user_model

        from . import signals

        pre_delete.connect(
            signals.refuse_user_deletion,
            sender=get_user_model(),
            dispatch_uid="programme.refuse_user_deletion",
        )
