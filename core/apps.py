"""Core: what every app uses and nothing domain-specific (access, money, dates, names, charts,
exports, form rendering, template tags, health, the admin's common parts, the record of role
changes). Imports no domain app."""

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.contrib.auth import get_user_model

        from . import signals

        user_model = get_user_model()
        pre_delete.connect(
            signals.user_pre_delete, sender=user_model, dispatch_uid="core.refuse_user_deletion"
        )
        # Role grants leave a trace, by whatever path they come (decision 0160).
        m2m_changed.connect(
            signals.user_groups_changed,
            sender=user_model.groups.through,
            dispatch_uid="core.record_group_change",
        )
        pre_save.connect(
            signals.user_pre_save, sender=user_model, dispatch_uid="core.note_superuser"
        )
        post_save.connect(
            signals.user_post_save, sender=user_model, dispatch_uid="core.record_superuser"
        )
