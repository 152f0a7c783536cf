"""Guards only: one-line receivers that call the named, tested functions in reserves.guards.

They refuse; they never email, queue or write elsewhere.
"""

from .guards import enforce_drawdown_ceiling


def guard_drawdown_ceiling(sender, instance, **kwargs):
    enforce_drawdown_ceiling(instance)
