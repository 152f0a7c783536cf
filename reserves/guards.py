"""The ceiling guard: no drawdown save may commit money above a programme's ceiling or take a
reserve below its floor, by whatever path it comes (services, admin, shell, scripts).

`enforce_drawdown_ceiling` is called by a one-line pre_save receiver (reserves.signals). It
locks the reserve row and then the programme row, always in that order so two approvals can
never deadlock, and sums the committed drawdowns only once it holds both locks: a concurrent
approval of the same programme or reserve waits for this transaction to end, then sees its
result. A plain check-then-save lets concurrent approvals through together, which is why it
refuses to run outside a transaction (a lock there would be released at once).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Q, Sum
from django.db.transaction import TransactionManagementError
from simple_history.models import HistoricalRecords

from core.money import ZERO, format_gbp, to_money
from programme.models import Programme

from .audit import RefusalDetails, record_refusal
from .models import Drawdown, Reserve

DEFAULT_SOURCE = "save() outside reserves.services"

# Fields a drawn drawdown may never change: the money has left the reserve.
_DRAWN_FIELDS = ("reserve_id", "programme_id", "amount", "status", "drawn_on", "purpose")


class CeilingBreach(ValidationError):
    """The save would breach a ceiling or floor. `recorded` says whether the refusal record
    is already durable (reserves.audit.record_refusal)."""

    def __init__(self, messages: list[str], details: RefusalDetails, recorded: bool):
        super().__init__({"amount": [ValidationError(m, code="ceiling") for m in messages]})
        self.details = details
        self.recorded = recorded


def ceiling_message(*, would_be: Decimal, ceiling: Decimal, committed_before: Decimal) -> str:
    headroom = max(ceiling - committed_before, ZERO)
    return (
        f"This would take committed spend to {format_gbp(would_be)}, above the "
        f"{format_gbp(ceiling)} ceiling: {format_gbp(headroom)} of headroom is left."
    )


def floor_message(*, reserve: Reserve, would_be: Decimal, available: Decimal) -> str:
    return (
        f"This would take the {reserve.name} to {format_gbp(would_be)}, below its "
        f"{format_gbp(reserve.floor)} floor: {format_gbp(max(available, ZERO))} is available "
        "above the floor."
    )


def _acting_user(drawdown: Drawdown):
    user = getattr(drawdown, "_history_user", None)
    if user is None:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _refuse_change_to_drawn(drawdown: Drawdown, using: str) -> None:
    if not drawdown.pk:
        return
    before = Drawdown.objects.using(using).filter(pk=drawdown.pk).values(*_DRAWN_FIELDS).first()
    if not before or before["status"] != Drawdown.Status.DRAWN:
        return
    changed = [name for name in _DRAWN_FIELDS if before[name] != getattr(drawdown, name)]
    if changed:
        raise ValidationError(
            f"{drawdown.reference} has been drawn: the money has left the reserve, so it "
            "cannot be changed.",
            code="drawn",
        )


def lock_reserve_and_programme(*, reserve_id: int, programme_id: int | None, using: str):
    """Lock the reserve row, then the programme row: always this order, so never a deadlock."""
    reserve = (
        Reserve.objects.using(using)
        .select_for_update()
        .only("name", "opening_balance", "floor")
        .get(pk=reserve_id)
    )
    programme = None
    if programme_id is not None:
        programme = (
            Programme.objects.using(using)
            .select_for_update()
            .only("name", "spending_ceiling")
            .get(pk=programme_id)
        )
    return reserve, programme


def limit_breaches(
    *,
    reserve_id: int,
    programme_id: int | None,
    amount: Decimal,
    exclude_pk: int | None = None,
    using: str = "default",
) -> tuple[list[str], Reserve]:
    """Lock, sum and compare: the messages for each limit that committing `amount` more
    would breach (empty when it fits). Call inside a transaction."""
    reserve, programme = lock_reserve_and_programme(
        reserve_id=reserve_id, programme_id=programme_id, using=using
    )
    # Summed only now, under both locks, so every earlier approval is already visible.
    others = Drawdown.objects.using(using).filter(status__in=Drawdown.COMMITTED_STATUSES)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    scope = Q(reserve_id=reserve.pk)
    if programme is not None:
        scope |= Q(programme_id=programme.pk)
    totals = others.filter(scope).aggregate(
        reserve_committed=Sum("amount", filter=Q(reserve_id=reserve.pk)),
        programme_committed=Sum("amount", filter=Q(programme_id=programme_id)),
    )
    reserve_committed = totals["reserve_committed"] or ZERO
    programme_committed = totals["programme_committed"] or ZERO

    messages = []
    if programme is not None and programme_committed + amount > programme.spending_ceiling:
        messages.append(
            ceiling_message(
                would_be=programme_committed + amount,
                ceiling=programme.spending_ceiling,
                committed_before=programme_committed,
            )
        )
    balance_after = reserve.opening_balance - reserve_committed - amount
    if balance_after < reserve.floor:
        messages.append(
            floor_message(
                reserve=reserve,
                would_be=balance_after,
                available=reserve.opening_balance - reserve_committed - reserve.floor,
            )
        )
    return messages, reserve


def enforce_drawdown_ceiling(drawdown: Drawdown) -> None:
    """Raise ValidationError (saving nothing) if saving `drawdown` would breach a limit.

    Must run inside `transaction.atomic`; raises TransactionManagementError otherwise.
    """
    using = router.db_for_write(Drawdown, instance=drawdown)
    if not connections[using].in_atomic_block:
        raise TransactionManagementError(
            "The drawdown ceiling guard refuses to run outside a transaction: its row locks "
            "would be released before the save. Use reserves.services, or wrap the save in "
            "transaction.atomic()."
        )
    _refuse_change_to_drawn(drawdown, using)
    if drawdown.status not in Drawdown.COMMITTED_STATUSES:
        return  # Nothing committed: no limit to check.
    try:
        amount = to_money(drawdown.amount)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"amount": "Enter the amount in pounds."}) from exc

    messages, reserve = limit_breaches(
        reserve_id=drawdown.reserve_id,
        programme_id=drawdown.programme_id,
        amount=amount,
        exclude_pk=drawdown.pk,
        using=using,
    )
    if not messages:
        return

    details = RefusalDetails(
        reason=" ".join(messages),
        source=getattr(drawdown, "_audit_source", DEFAULT_SOURCE),
        attempted_status=drawdown.status,
        amount=amount,
        user=_acting_user(drawdown),
        reserve_id=drawdown.reserve_id,
        programme_id=drawdown.programme_id,
        drawdown_id=drawdown.pk,
    )
    raise CeilingBreach(messages, details, recorded=record_refusal(details))
