"""Role grants leave a trace: every change to a user's groups, and to the superuser flag that
makes an Admin, becomes a `RoleChange` row naming who made it (decision 0160).

Called from core.signals: `m2m_changed` is the one hook that sees every path that changes a
user's groups (the admin's user and group forms, `user.groups.add()`, `group.user_set.remove()`,
`.set()`, `.clear()`), and it runs inside the same transaction as the change itself.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from simple_history.models import HistoricalRecords

from .models import RoleChange

SUPERUSER_ROLE = "Admin (superuser)"


def _actor():
    """The signed-in person making the change (the request, or core.history.acting_user)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _record(pairs, action: str) -> None:
    """`pairs` of (user id, role name), written as RoleChange rows by the acting person."""
    if not pairs:
        return
    actor = _actor()
    usernames = dict(
        get_user_model()
        .objects.filter(pk__in={user_id for user_id, _ in pairs})
        .values_list("pk", "username")
    )
    for user_id, role in sorted(pairs):
        change = RoleChange(
            user_id=user_id,
            username=usernames.get(user_id, ""),
            role=role,
            action=action,
            changed_by=actor,
        )
        change._history_user = actor
        change.save()


def _pairs(instance, reverse: bool, pk_set) -> set[tuple[int, str]]:
    """(user id, group name) for the links named by one m2m_changed signal."""
    if reverse:  # group.user_set.add(...): the instance is the group, pk_set holds users
        return {(user_id, instance.name) for user_id in pk_set}
    names = dict(Group.objects.filter(pk__in=pk_set).values_list("pk", "name"))
    return {(instance.pk, names[pk]) for pk in pk_set if pk in names}


def _present(instance, reverse: bool, pk_set) -> set[tuple[int, str]]:
    """The links that exist now, of those a remove or clear names (None: all of them)."""
    links = get_user_model().groups.through.objects.all()
    links = links.filter(group=instance) if reverse else links.filter(user=instance)
    if pk_set is not None:
        links = links.filter(**{"user_id__in" if reverse else "group_id__in": pk_set})
    return set(links.values_list("user_id", "group__name"))


def record_group_change(*, instance, action: str, reverse: bool, pk_set) -> None:
    """Record the groups granted or removed by one step of an m2m change."""
    if action == "post_add" and pk_set:
        # Django sends only the links it is about to add, never those already there.
        _record(_pairs(instance, reverse, pk_set), RoleChange.Action.GRANTED)
    elif action in ("pre_remove", "pre_clear"):
        # A remove names links that may not exist, and a clear names none: read which do now.
        instance._tracker_roles_removed = _present(
            instance, reverse, pk_set if action == "pre_remove" else None
        )
    elif action in ("post_remove", "post_clear"):
        removed = getattr(instance, "_tracker_roles_removed", set())
        instance._tracker_roles_removed = set()
        _record(removed, RoleChange.Action.REMOVED)


def note_superuser_before_save(user, *, update_fields=None) -> None:
    """Remember the stored superuser flag, so the save can say whether it changed."""
    if update_fields is not None and "is_superuser" not in update_fields:
        user._tracker_was_superuser = None  # a save of other fields (the last login time)
        return
    if user.pk is None:
        user._tracker_was_superuser = False
        return
    stored = type(user).objects.filter(pk=user.pk).values_list("is_superuser", flat=True)
    user._tracker_was_superuser = stored.first()


def record_superuser_change(user) -> None:
    before = getattr(user, "_tracker_was_superuser", None)
    user._tracker_was_superuser = None
    if before is None or bool(before) == bool(user.is_superuser):
        return
    action = RoleChange.Action.GRANTED if user.is_superuser else RoleChange.Action.REMOVED
    _record({(user.pk, SUPERUSER_ROLE)}, action)
