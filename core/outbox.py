"""The email outbox: a row written inside the caller's transaction, handed to a Celery worker
once committed, sent at most once (the row is locked and marked), and sent again by a periodic
sweep when the broker was away — so a Redis outage delays an email but loses none."""

import logging
from datetime import timedelta
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .models import OutboxEmail

logger = logging.getLogger(__name__)

DELIVER_TASK = "core.tasks.deliver_outbox_email"
SWEEP_AFTER_SECONDS = 120
MAX_ATTEMPTS = 10


def email_queue(*, to: list[str], subject: str, body: str) -> OutboxEmail | None:
    """Write the email in the current transaction; it is sent after commit (or by the sweep).
    Nothing is written when there is no one to send it to."""
    to = sorted({address for address in to if address})
    if not to:
        return None
    email = OutboxEmail.objects.create(to="\n".join(to), subject=subject[:300], body=body)
    transaction.on_commit(partial(outbox_send, email.pk), robust=True)
    return email


def outbox_send(email_id: int) -> bool:
    """Give the email to the broker; False (and the row waits for the sweep) if it is away.
    Without a broker (`make run`, tests) the email is delivered here."""
    app = current_app
    if app.conf.task_always_eager:
        outbox_deliver(email_id)
        return True
    wait = getattr(settings, "BROKER_TIMEOUT_SECONDS", 1.0) / 4
    try:
        with app.pool.acquire(block=True, timeout=wait) as connection:
            app.send_task(DELIVER_TASK, args=[email_id], connection=connection)
    except Exception as exc:  # kombu/redis/socket errors all mean "not sent this time"
        logger.warning("Outbox email %s not sent to the broker (%s)", email_id, exc)
        return False
    return True


def outbox_deliver(email_id: int) -> str:
    """Send one email once: "sent", "skipped" (already sent, or another worker has it) or
    "failed" (kept for the sweep)."""
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, sent_at__isnull=True)
            .first()
        )
        if email is None:
            return "skipped"
        email.attempts += 1
        try:
            EmailMessage(
                email.subject,
                email.body,
                settings.DEFAULT_FROM_EMAIL,
                to=[settings.DEFAULT_FROM_EMAIL],
                bcc=email.to.split("\n"),
            ).send()
        except Exception as exc:  # an SMTP fault: record it; the sweep tries again
            logger.exception("Outbox email %s failed", email_id)
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            email.save(update_fields=["attempts", "last_error"])
            return "failed"
        email.sent_at = timezone.now()
        email.save(update_fields=["attempts", "sent_at"])
    return "sent"


def outbox_sweep(*, older_than_seconds: int = SWEEP_AFTER_SECONDS, limit: int = 200) -> int:
    """Send again the emails not sent after `older_than_seconds`; stop when the broker is away."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        OutboxEmail.objects.filter(
            sent_at__isnull=True, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS
        ).values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for email_id in ids:
        if not outbox_send(email_id):
            break
        sent += 1
    return sent
