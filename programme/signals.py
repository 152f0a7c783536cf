"""Signal receivers of the programme app: one line each, calling a named guard."""

from . import guards


def programme_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if not raw:
        guards.refuse_ceiling_change_without_decision(instance, update_fields=update_fields)
