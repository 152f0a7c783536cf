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
from django.db.transaction import TransactionManagementError
from simple_history.models import HistoricalRecords

from core.money import ZERO, format_gbp, to_money
from programme.models import Programme

from . import ledger
from .audit import RefusalDetails, record_refusal
from .models import Drawdown, Reserve

DEFAULT_SOURCE = "save() outside reserves.services"


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


def _acting_user(instance):
    user = getattr(instance, "_history_user", None)
    if user is None:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _refuse(instance, *, field: str, message: str, code: str, **details) -> None:
    """Record the refusal durably (reserves.audit), then raise it as a field error."""
    record_refusal(
        RefusalDetails(
            reason=message,
            source=getattr(instance, "_audit_source", DEFAULT_SOURCE),
            user=_acting_user(instance),
            **details,
        )
    )
    raise ValidationError({field: [ValidationError(message, code=code)]})


def _refuse_change_to_drawn(drawdown: Drawdown, using: str) -> None:
    """A drawn drawdown's frozen fields never change, and every status change follows
    ledger.TRANSITIONS (the trigger refuses the same)."""
    if not drawdown.pk:
        return
    before = (
        Drawdown.objects.using(using)
        .filter(pk=drawdown.pk)
        .values(*ledger.DRAWN_FROZEN_FIELDS)
        .first()
    )
    if not before:
        return
    details = {
        "attempted_status": str(drawdown.status),
        "amount": drawdown.amount,
        "reserve_id": drawdown.reserve_id,
        "programme_id": drawdown.programme_id,
        "drawdown_id": drawdown.pk,
    }
    if before["status"] == Drawdown.Status.DRAWN:
        changed = [n for n in ledger.DRAWN_FROZEN_FIELDS if before[n] != getattr(drawdown, n)]
        if changed:
            _refuse(
                drawdown,
                field="__all__",
                message=f"{drawdown.reference} has been drawn: the money has left the reserve, "
                "so it cannot be changed.",
                code="drawn",
                **details,
            )
    if not ledger.may_move(before["status"], drawdown.status):
        _refuse(
            drawdown,
            field="status",
            message=f"{drawdown.reference} cannot move from {before['status']} to "
            f"{drawdown.status}.",
            code="transition",
            **details,
        )


def _refuse_nothing_or_less(drawdown: Drawdown) -> None:
    try:
        amount = to_money(drawdown.amount)
    except (TypeError, ValueError):
        amount = None
    if amount is not None and amount > ZERO:
        return
    _refuse(
        drawdown,
        field="amount",
        message="The amount must be more than £0.",
        code="min_value",
        attempted_status=str(drawdown.status),
        amount=amount,
        reserve_id=drawdown.reserve_id,
        programme_id=drawdown.programme_id,
        drawdown_id=drawdown.pk,
    )


def refuse_drawdown_delete(drawdown: Drawdown) -> None:
    """A drawdown that is or ever was committed is never deleted: it is cancelled, so the
    record of what was committed stays (the trigger refuses the same)."""
    stored = Drawdown.objects.filter(pk=drawdown.pk).values("status", "approved_at").first()
    if stored is None:
        return
    if stored["status"] in ledger.COMMITTED_STATUSES or stored["approved_at"] is not None:
        _refuse(
            drawdown,
            field="__all__",
            message=f"{drawdown.reference} is or was committed, so it cannot be deleted: "
            "cancel it instead.",
            code="committed",
            attempted_status="deleted",
            amount=drawdown.amount,
            reserve_id=drawdown.reserve_id,
            programme_id=drawdown.programme_id,
            drawdown_id=drawdown.pk,
        )


def enforce_reserve_floor(reserve: Reserve) -> None:
    """An opening balance or floor that leaves less than nothing available above the floor
    is refused, by whatever path it is saved (admin, shell, a script)."""
    if reserve.pk is None or reserve.opening_balance is None or reserve.floor is None:
        return
    using = router.db_for_write(Reserve, instance=reserve)
    money = ledger.reserve_money(reserve, using=using)
    if money.above_floor >= ZERO:
        return
    field = "floor"
    stored = Reserve.objects.using(using).filter(pk=reserve.pk).values("floor").first()
    if stored and stored["floor"] == reserve.floor:
        field = "opening_balance"
    _refuse(
        reserve,
        field=field,
        message=(
            f"This would leave {format_gbp(money.available)} in the {reserve.name} after the "
            f"{format_gbp(money.committed)} already committed, below the "
            f"{format_gbp(money.floor)} floor: the opening balance less what is committed "
            "must stay at or above the floor."
        ),
        code="floor",
        attempted_status="reserve edit",
        amount=money.above_floor,
        reserve_id=reserve.pk,
    )


def enforce_programme_ceiling(programme: Programme) -> None:
    """A spending ceiling below what the programme has committed is refused. Only the ceiling
    service changes the ceiling through Django (programme.guards refuses any other save that
    would), and it marks the instance with its decision: only then is there a sum to check."""
    if programme.pk is None or programme.spending_ceiling is None:
        return
    if getattr(programme, "_ceiling_decision", None) is None:
        return
    using = router.db_for_write(Programme, instance=programme)
    money = ledger.programme_money(programme, using=using)
    if money.headroom >= ZERO:
        return
    _refuse(
        programme,
        field="spending_ceiling",
        message=(
            f"{format_gbp(money.ceiling)} is below the {format_gbp(money.committed)} the "
            "programme has already committed."
        ),
        code="ceiling",
        attempted_status="ceiling",
        amount=money.ceiling,
        programme_id=programme.pk,
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
    reserve_committed, programme_committed = ledger.committed_sum(
        reserve_id=reserve.pk,
        programme_id=programme.pk if programme is not None else None,
        exclude_pk=exclude_pk,
        using=using,
    )

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
    _refuse_nothing_or_less(drawdown)
    _refuse_change_to_drawn(drawdown, using)
    if drawdown.status not in ledger.COMMITTED_STATUSES:
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
