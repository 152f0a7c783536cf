"""Helpers for django-simple-history: who a change is attributed to outside a web request."""

from contextlib import contextmanager
from types import SimpleNamespace

from simple_history.models import HistoricalRecords


@contextmanager
def acting_user(user):
    """Attribute every history row written inside the block to `user`.

    Web requests get this from HistoryRequestMiddleware; commands and Celery tasks use this,
    so no history row is left without a name.
    """
    previous = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del HistoricalRecords.context.request
        else:
            HistoricalRecords.context.request = previous
