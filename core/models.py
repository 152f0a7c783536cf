"""Core's one model: the record of every role granted or removed (decision 0160)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class RoleChange(models.Model):
    """A role (a group, or the superuser flag that makes an Admin) granted to or removed from
    a user: who, which role, by whom and when. Written by `core.roles` for every path (the
    admin, a command, code); never edited. Its history row puts it in the audit log."""

    class Action(models.TextChoices):
        GRANTED = "granted", "Granted"
        REMOVED = "removed", "Removed"

    # Users are deactivated, never deleted (core.guards refuses, with a message that says so):
    # DO_NOTHING lets that guard speak first; the database's foreign key still refuses.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="role_changes"
    )
    # The username at the time, so the record reads whole on its own (and in the audit log,
    # which names many of these on one page without reading each user).
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=150)
    action = models.CharField(max_length=10, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when no signed-in person made the change (a migration, a script).",
    )
    changed_at = models.DateTimeField(default=timezone.now)

    # Who and when are the history row's own history_user and history_date.
    history = HistoricalRecords(excluded_fields=["changed_by", "changed_at"])

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = "role change"

    def __str__(self) -> str:
        # The model's own fields only: the audit log names many of these on one page.
        if self.action == self.Action.GRANTED:
            return f"{self.role} role granted to {self.username}"
        return f"{self.role} role removed from {self.username}"


class OutboxEmail(models.Model):
    """An email written in the same transaction as what it tells of (an exception raised, an
    issue escalated): a down broker or a crashed worker loses none, because the sweep sends
    again every row not yet sent (core.outbox). Not domain data: no history."""

    to = models.TextField(help_text="Addresses, one a line")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_unsent",
            )
        ]

    def __str__(self) -> str:
        return self.subject
