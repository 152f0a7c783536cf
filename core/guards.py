"""Guards on models that belong to no domain app (users). They refuse; they never do work
elsewhere."""

from django.core.exceptions import PermissionDenied


def refuse_user_deletion(instance) -> None:
    """Deleting a user would blank `history_user` on every change they made: deactivate."""
    raise PermissionDenied(
        f"User {instance.username!r} cannot be deleted: deactivate the account instead, so "
        "the history keeps their name."
    )
