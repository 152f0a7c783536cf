"""Core: what every app uses and nothing domain-specific (access, money, dates, names, charts,
exports, form rendering, template tags, health). Imports no domain app."""

from django.apps import AppConfig
from django.db.models.signals import pre_delete


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.contrib.auth import get_user_model

        from . import signals

        pre_delete.connect(
            signals.user_pre_delete,
            sender=get_user_model(),
            dispatch_uid="core.refuse_user_deletion",
        )
