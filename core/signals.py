"""Signal receivers of core: one line each, calling a named guard or recorder."""

from . import guards, roles


def user_pre_delete(sender, instance, **kwargs):
    guards.refuse_user_deletion(instance)


def user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    roles.record_group_change(instance=instance, action=action, reverse=reverse, pk_set=pk_set)


def user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if not raw:
        roles.note_superuser_before_save(instance, update_fields=update_fields)


def user_post_save(sender, instance, raw=False, **kwargs):
    if not raw:
        roles.record_superuser_change(instance)
