"""Wiring: the programme app's configuration and its guards."""

from django.apps import AppConfig
from django.db.models.signals import post_save, pre_delete
from simple_history.signals import post_create_historical_record


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = "Programme"

    def ready(self):
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth import get_user_model

        from . import page_cache, signals

        pre_delete.connect(
            signals.refuse_user_deletion,
            sender=get_user_model(),
            dispatch_uid="programme.refuse_user_deletion",
        )
        # Any change gives the cached pages a new data version (programme/page_cache.py).
        post_create_historical_record.connect(
            page_cache.bump_data_version, dispatch_uid="programme.page_cache.history"
        )
        post_save.connect(
            page_cache.bump_data_version, sender=LogEntry, dispatch_uid="programme.page_cache.log"
        )
