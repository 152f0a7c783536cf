"""Celery tasks that belong to no domain app."""

from celery import shared_task

from . import outbox


@shared_task(name="core.ping")
def ping() -> str:
    """A round trip through the broker and a worker; used by the operations checks."""
    return "pong"


@shared_task(name="core.tasks.deliver_outbox_email", acks_late=True)
def deliver_outbox_email(email_id: int) -> str:
    """Send one outbox email; a second delivery of the same id sends nothing."""
    return outbox.outbox_deliver(email_id)


@shared_task(name="core.tasks.sweep_outbox")
def sweep_outbox() -> int:
    """Send again the emails the broker never took (it was away when they were written)."""
    return outbox.outbox_sweep()
