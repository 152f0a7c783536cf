"""Guards only: one-line receivers that call the named, tested functions in reserves.guards.

They refuse; they never email, queue or write elsewhere.
"""

from .guards import (
    enforce_drawdown_ceiling,
    enforce_programme_ceiling,
    enforce_reserve_floor,
    refuse_drawdown_delete,
)


def guard_drawdown_ceiling(sender, instance, **kwargs):
    enforce_drawdown_ceiling(instance)


def guard_drawdown_delete(sender, instance, **kwargs):
    refuse_drawdown_delete(instance)


def guard_reserve_floor(sender, instance, **kwargs):
    enforce_reserve_floor(instance)


def guard_programme_ceiling(sender, instance, **kwargs):
    enforce_programme_ceiling(instance)
