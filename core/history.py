"""Helpers for django-simple-history: who a change is attributed to outside a web request, and
how a model's rows (and so its history rows) reach a programme through foreign keys."""

from contextlib import contextmanager
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from simple_history.models import HistoricalRecords


def is_forward_fk(f) -> bool:
    return getattr(f, "concrete", False) and (f.many_to_one or f.one_to_one)


def foreign_key_path(model, target_model, max_depth: int = 3) -> str | None:
    """The shortest chain of foreign keys from `model` to `target_model`, as a lookup
    ("stage__programme"); the primary key's name for the target itself; None if none."""
    if model is target_model:
        return model._meta.pk.name
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    frontier = [(model, "")]
    seen = {model}
    for _ in range(max_depth):
        following = []
        for current, prefix in frontier:
            for f in current._meta.get_fields():
                if not is_forward_fk(f):
                    continue
                target = f.related_model
                if target is target_model:
                    return f"{prefix}{f.name}"
                if target in seen or target is user_model:
                    continue
                seen.add(target)
                following.append((target, f"{prefix}{f.name}__"))
        frontier = following
    return None


def history_models() -> list[tuple[type, type]]:
    """(model, its history model) for every model that keeps simple-history rows."""
    found = []
    for model in apps.get_models():
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager_name:
            found.append((model, getattr(model, manager_name).model))
    return found


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
