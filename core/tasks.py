"""Celery tasks that belong to no domain app."""

from celery import shared_task


@shared_task(name="core.ping")
def ping() -> str:
    """A round trip through the broker and a worker; used by the operations checks."""
    return "pong"
