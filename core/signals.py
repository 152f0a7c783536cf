"""Signal receivers of core: one line each, calling a named guard."""

from . import guards


def user_pre_delete(sender, instance, **kwargs):
    guards.refuse_user_deletion(instance)
