"""Celery tasks for reserves: checking and applying ledger imports. Thin: they take the
import's id and call the services, which claim the row so a second delivery does nothing."""

from celery import shared_task

from .actuals import services


def _redelivered(task) -> bool:
    # The broker hands a message out again only when the worker that had it died: the row it
    # left "checking" or "applying" is no one's now, so this delivery may take it over.
    return bool((task.request.delivery_info or {}).get("redelivered"))


@shared_task(name=services.CHECK_TASK, bind=True, acks_late=True)
def check_ledger_import(self, import_id: int) -> str:
    return services.ledger_import_check(import_id=import_id, take_over=_redelivered(self))


@shared_task(name=services.APPLY_TASK, bind=True, acks_late=True)
def apply_ledger_import(self, import_id: int) -> str:
    return services.ledger_import_apply(import_id=import_id, take_over=_redelivered(self))


@shared_task
def sweep_ledger_imports(older_than_seconds: int = services.SWEEP_AFTER_SECONDS) -> int:
    """Send again the imports still waiting (the broker was away) or left by a dead worker."""
    return services.ledger_import_sweep(older_than_seconds=older_than_seconds)
