"""Celery tasks of the programme app. Tasks are thin: they take ids and call services."""

from celery import shared_task


@shared_task(name="programme.ping")
def ping() -> str:
    """A round trip through the broker and a worker; used by the operations checks."""
    return "pong"
