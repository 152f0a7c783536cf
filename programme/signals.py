"""Guards on other apps' models. Guards only: they refuse, they never do work elsewhere."""

from django.core.exceptions import PermissionDenied


def refuse_user_deletion(sender, instance, **kwargs):
    """Deleting a user would blank `history_user` on every change they made: deactivate."""
    raise PermissionDenied(
        f"User {instance.username!r} cannot be deleted: deactivate the account instead, so "
        "the history keeps their name."
    )
