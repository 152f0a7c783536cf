"""Writes for reserves: a drawdown's life (request → approve/reject → schedule → drawn, or
cancelled), the reserve's protocol and floor, and the cost profile.

Each service takes the acting user, checks what that user may do (403 before anything
changes), and writes in one transaction, locking the reserve row and then the programme row
before the drawdown row. The ceiling itself is checked by the pre_save guard on every save
(reserves.guards), so a service cannot forget it.
"""

import re
from collections.abc import Callable, Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.access import Capability, can, require
from core.dates import govuk_date
from core.money import format_gbp, parse_money, to_money
from core.names import person_name
from programme.models import Decision, Programme

from . import ledger
from .audit import RefusalDetails, record_refusal, record_refusal_after_rollback
from .guards import CeilingBreach, limit_breaches, lock_reserve_and_programme
from .models import CeilingProposal, CostLine, Drawdown, Reserve


def _now():
    return timezone.now()


def _name(user) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


def _day(moment) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f" on {local.day} {local:%B %Y}"


# On a change of an existing drawdown these point at rows that exist (the reserve and
# programme are locked, the users are the acting user): checking each would cost a query per
# key while the reserve is locked, and the database's own foreign keys check them anyway.
_KEYS = [f.name for f in Drawdown._meta.concrete_fields if f.is_relation]


def _save(drawdown: Drawdown, *, user, source: str) -> None:
    drawdown._history_user = user
    drawdown._audit_source = source
    drawdown.full_clean(exclude=_KEYS if drawdown.pk else None)
    drawdown.save()


def _locked(drawdown: Drawdown) -> Drawdown:
    """Lock the reserve, the programme, then the drawdown; return the drawdown as stored."""
    ids = Drawdown.objects.filter(pk=drawdown.pk).values("reserve_id", "programme_id").get()
    lock_reserve_and_programme(
        reserve_id=ids["reserve_id"], programme_id=ids["programme_id"], using="default"
    )
    return (
        Drawdown.objects.select_for_update(of=("self",))
        .select_related("reserve", "programme", "requested_by", "approved_by")
        .get(pk=drawdown.pk)
    )


def _change(drawdown: Drawdown, *, user, source: str, apply: Callable[[Drawdown], None]):
    """Lock, apply a checked change, save (the guard checks the limits), commit.

    A limit breach rolls everything back; its refusal record is already durable on
    PostgreSQL, and on SQLite is written here once the block has rolled back.
    """
    try:
        with transaction.atomic():
            locked = _locked(drawdown)
            apply(locked)
            _save(locked, user=user, source=source)
    except CeilingBreach as breach:
        if not breach.recorded:
            record_refusal_after_rollback(breach.details)
        raise
    return locked


def _refuse_own(drawdown: Drawdown, user, action: str) -> None:
    if drawdown.requested_by_id is not None and drawdown.requested_by_id == user.pk:
        raise PermissionDenied(
            f"You requested {drawdown.reference}, so someone else in finance must {action} it."
        )


def _refuse_unless(drawdown: Drawdown, allowed: Iterable[str], action: str) -> None:
    if drawdown.status in allowed:
        return
    if drawdown.status == Drawdown.Status.DRAWN:
        raise ValidationError(
            f"{drawdown.reference} has been drawn: the money has left the reserve, so it "
            "cannot be changed.",
            code="drawn",
        )
    if drawdown.status == Drawdown.Status.APPROVED and action == "approve":
        raise ValidationError(
            f"{drawdown.reference} has already been approved by "
            f"{_name(drawdown.approved_by)}{_day(drawdown.approved_at)}.",
            code="already_approved",
        )
    done = {"approve": "approved", "reject": "rejected", "schedule": "scheduled"}.get(
        action, action
    )
    raise ValidationError(
        f"{drawdown.reference} is {drawdown.get_status_display().lower()}, so it cannot be {done}.",
        code="wrong_status",
    )


# Drawdowns ------------------------------------------------------------------------------


def drawdown_request(
    *,
    reserve: Reserve,
    programme: Programme | None,
    purpose: str,
    amount,
    user,
    needed_by: date | None = None,
    cost_line: CostLine | None = None,
) -> Drawdown:
    """Ask for money from a reserve. Commits nothing yet; refused when the amount is more than
    the programme's headroom or the reserve's money above its floor already."""
    require(user, Capability.REQUEST_DRAWDOWN)
    errors = {}
    try:
        amount = parse_money(amount)
    except ValidationError as exc:
        errors["amount"] = exc.messages
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = ["Enter what the money is for"]
    if needed_by is not None and needed_by < reserve.opening_date:
        errors["needed_by"] = [
            f"The date must be on or after the reserve's opening date, "
            f"{reserve.opening_date.day} {reserve.opening_date:%B %Y}"
        ]
    if cost_line is not None and (programme is None or cost_line.programme_id != programme.pk):
        errors["cost_line"] = ["Choose a cost line of the same programme"]
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            messages, _ = limit_breaches(
                reserve_id=reserve.pk,
                programme_id=programme.pk if programme else None,
                amount=amount,
            )
            if messages:
                details = RefusalDetails(
                    reason=" ".join(messages),
                    source="drawdown request",
                    attempted_status=Drawdown.Status.REQUESTED,
                    amount=amount,
                    user=user,
                    reserve_id=reserve.pk,
                    programme_id=programme.pk if programme else None,
                )
                raise CeilingBreach(messages, details, recorded=record_refusal(details))
            drawdown = Drawdown(
                reserve=reserve,
                programme=programme,
                cost_line=cost_line,
                purpose=purpose,
                amount=amount,
                needed_by=needed_by,
                status=Drawdown.Status.REQUESTED,
                requested_by=user,
                requested_at=_now(),
            )
            _save(drawdown, user=user, source="drawdown request")
    except CeilingBreach as breach:
        if not breach.recorded:
            record_refusal_after_rollback(breach.details)
        raise
    return drawdown


def drawdown_approve(*, drawdown: Drawdown, user) -> Drawdown:
    """Finance approves a requested drawdown, committing its money. Never the requester's own;
    never twice; never above the ceiling or below the floor."""
    require(user, Capability.APPROVE_DRAWDOWN)
    _refuse_own(drawdown, user, "approve")

    def apply(d: Drawdown) -> None:
        _refuse_own(d, user, "approve")
        _refuse_unless(d, [Drawdown.Status.REQUESTED], "approve")
        d.status = Drawdown.Status.APPROVED
        d.approved_by = user
        d.approved_at = _now()

    return _change(drawdown, user=user, source="drawdown approval", apply=apply)


def drawdown_reject(*, drawdown: Drawdown, user, reason: str) -> Drawdown:
    require(user, Capability.APPROVE_DRAWDOWN)
    _refuse_own(drawdown, user, "reject")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Enter why the drawdown is rejected"]})

    def apply(d: Drawdown) -> None:
        _refuse_unless(d, [Drawdown.Status.REQUESTED], "reject")
        d.status = Drawdown.Status.REJECTED
        d.rejected_by = user
        d.rejected_at = _now()
        d.rejection_reason = reason

    return _change(drawdown, user=user, source="drawdown rejection", apply=apply)


def drawdown_schedule(*, drawdown: Drawdown, user, scheduled_for: date) -> Drawdown:
    """Set (or move) the date an approved drawdown is to be drawn."""
    require(user, Capability.APPROVE_DRAWDOWN)
    _refuse_own(drawdown, user, "schedule")
    if scheduled_for is None:
        raise ValidationError({"scheduled_for": ["Enter the date it is to be drawn"]})

    def apply(d: Drawdown) -> None:
        _refuse_unless(d, [Drawdown.Status.APPROVED, Drawdown.Status.SCHEDULED], "schedule")
        if scheduled_for < d.reserve.opening_date:
            raise ValidationError(
                {
                    "scheduled_for": [
                        "The date must be on or after the reserve's opening date, "
                        f"{d.reserve.opening_date.day} {d.reserve.opening_date:%B %Y}"
                    ]
                }
            )
        d.status = Drawdown.Status.SCHEDULED
        d.scheduled_for = scheduled_for
        d.scheduled_by = user
        d.scheduled_at = _now()

    return _change(drawdown, user=user, source="drawdown scheduling", apply=apply)


def drawdown_mark_drawn(*, drawdown: Drawdown, user, drawn_on: date) -> Drawdown:
    """Record that the money has left the reserve. After this the drawdown never changes."""
    require(user, Capability.APPROVE_DRAWDOWN)
    _refuse_own(drawdown, user, "mark as drawn")
    if drawn_on is None:
        raise ValidationError({"drawn_on": ["Enter the date the money was drawn"]})

    def apply(d: Drawdown) -> None:
        _refuse_unless(d, [Drawdown.Status.APPROVED, Drawdown.Status.SCHEDULED], "drawn")
        if drawn_on > timezone.localdate():
            raise ValidationError({"drawn_on": ["The date cannot be in the future"]})
        earliest = d.reserve.opening_date
        if d.approved_at is not None:
            earliest = max(earliest, timezone.localtime(d.approved_at).date())
        if drawn_on < earliest:
            raise ValidationError(
                {
                    "drawn_on": [
                        "The date must be on or after the day it was approved and the "
                        f"reserve's opening date: {earliest.day} {earliest:%B %Y} or later"
                    ]
                }
            )
        d.status = Drawdown.Status.DRAWN
        d.drawn_on = drawn_on
        d.drawn_by = user
        d.drawn_at = _now()

    return _change(drawdown, user=user, source="drawdown marked drawn", apply=apply)


def drawdown_cancel(*, drawdown: Drawdown, user, reason: str) -> Drawdown:
    """Withdraw a drawdown not yet drawn. Finance may cancel any; the requester their own
    while it is still only requested."""
    own_request = drawdown.requested_by_id is not None and drawdown.requested_by_id == user.pk
    if not can(user, Capability.APPROVE_DRAWDOWN):
        require(user, Capability.REQUEST_DRAWDOWN)
        if not own_request or drawdown.status != Drawdown.Status.REQUESTED:
            raise PermissionDenied(
                "Only finance can cancel a drawdown once it is approved, or one someone else "
                "requested."
            )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Enter why the drawdown is cancelled"]})

    def apply(d: Drawdown) -> None:
        _refuse_unless(
            d,
            [Drawdown.Status.REQUESTED, Drawdown.Status.APPROVED, Drawdown.Status.SCHEDULED],
            "cancelled",
        )
        d.status = Drawdown.Status.CANCELLED
        d.cancelled_by = user
        d.cancelled_at = _now()
        d.cancellation_reason = reason

    return _change(drawdown, user=user, source="drawdown cancellation", apply=apply)


# Reserves and programmes ----------------------------------------------------------------

RESERVE_EDITABLE = (
    "owner",
    "floor",
    "purpose",
    "usage_rules",
    "managed_by",
    "controlled_by",
    "review_process",
    "next_review_date",
    "mtfs_years",
    "planned_annual_use",
)


def reserve_update(*, reserve: Reserve, user, data: dict) -> Reserve:
    """Change a reserve's protocol, floor or planning figures. A floor above what the reserve
    will hold after its commitments is refused."""
    require(user, Capability.EDIT_RESERVES)
    unknown = set(data) - set(RESERVE_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    with transaction.atomic():
        locked = Reserve.objects.select_for_update().get(pk=reserve.pk)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.full_clean()
        after = ledger.reserve_money(locked).available
        if after < locked.floor:
            raise ValidationError(
                {
                    "floor": [
                        f"The floor cannot be above {format_gbp(after)}: that is what the "
                        "reserve holds after the drawdowns already committed"
                    ]
                }
            )
        locked._history_user = user
        locked.save()
    return locked


def programme_funding_reserve_set(*, programme: Programme, reserve: Reserve, user) -> Programme:
    """Name the reserve that funds a programme (finance's call)."""
    require(user, Capability.EDIT_RESERVES)
    with transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        if locked.funding_reserve_id != reserve.pk:
            locked.funding_reserve = reserve
            locked._history_user = user
            locked._change_reason = f"Funded from the {reserve.name}"
            locked.save(update_fields=["funding_reserve"])
    programme.funding_reserve = reserve
    return locked


# Cost profile ---------------------------------------------------------------------------

_FY = re.compile(r"^(\d{4})/(\d{2})$")
FUTURE_YEARS = "future"


def clean_financial_year(value: str) -> str:
    text = (value or "").strip().lower()
    if text in ("future", "future years"):
        return FUTURE_YEARS
    match = _FY.match(text)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValidationError(
            "Enter a financial year like 2022/23, or choose Future years", code="invalid"
        )
    return text


def cost_line_save(
    *,
    programme: Programme,
    user,
    data: dict,
    stages=(),
    cost_line: CostLine | None = None,
) -> CostLine:
    """Create or change one line of a cost table. Totals are never stored: they are summed."""
    require(user, Capability.EDIT_RESERVES)
    errors = {}
    try:
        data["amount"] = parse_money(data.get("amount"))
    except ValidationError as exc:
        errors["amount"] = exc.messages
    try:
        data["financial_year"] = clean_financial_year(data.get("financial_year", ""))
    except ValidationError as exc:
        errors["financial_year"] = exc.messages
    stages = list(stages)
    if any(stage.programme_id != programme.pk for stage in stages):
        errors["stages"] = ["Choose stages of this programme"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        line = cost_line or CostLine(programme=programme)
        if line.programme_id != programme.pk:
            raise PermissionDenied("That cost line belongs to another programme.")
        for name, value in data.items():
            setattr(line, name, value)
        line.full_clean()
        line._history_user = user
        line.save()
        if {s.pk for s in stages} != set(line.stages.values_list("pk", flat=True)):
            line.stages.set(stages)
    return line


def cost_line_delete(*, cost_line: CostLine, user) -> None:
    require(user, Capability.EDIT_RESERVES)
    if cost_line.drawdowns.exists():
        raise ValidationError("A drawdown pays for this line, so it cannot be removed.")
    with transaction.atomic():
        cost_line._history_user = user
        cost_line.stages.clear()
        cost_line.delete()


# The spending ceiling: two people ------------------------------------------------------------

# What the proposer types; the form imports the same tuple.
CEILING_PROPOSAL_FIELDS = (
    "new_ceiling",
    "title",
    "reason",
    "decided_on",
    "decision_maker",
    "decision_reference",
    "key_decision_reference",
)


def _ceiling_errors(programme: Programme, data: dict, *, committed) -> dict[str, list[str]]:
    """Every reason a ceiling change is refused, by field (empty when it may go ahead)."""
    errors: dict[str, list[str]] = {}
    new_ceiling = data["new_ceiling"]
    threshold = to_money(programme.key_decision_threshold)
    if new_ceiling > threshold and not (data.get("key_decision_reference") or "").strip():
        errors.setdefault("key_decision_reference", []).append(
            f"{format_gbp(new_ceiling)} is above the key-decision threshold of "
            f"{format_gbp(threshold)}: only a new key decision can set it. Enter the "
            "key decision's reference."
        )
    if new_ceiling < committed:
        errors.setdefault("new_ceiling", []).append(
            f"{format_gbp(new_ceiling)} is below the {format_gbp(committed)} the programme "
            "has already committed."
        )
    if new_ceiling == to_money(programme.spending_ceiling):
        errors.setdefault("new_ceiling", []).append(
            f"The ceiling is already {format_gbp(new_ceiling)}."
        )
    decided_on = data.get("decided_on")
    if decided_on is not None:
        if decided_on > timezone.localdate():
            errors.setdefault("decided_on", []).append(
                "The date of the decision must be today or in the past."
            )
        if programme.decision_date and decided_on < programme.decision_date:
            errors.setdefault("decided_on", []).append(
                "The date of the decision must be on or after the programme's own decision, "
                f"{govuk_date(programme.decision_date)}."
            )
    return errors


def ceiling_propose(*, programme: Programme, user, data: dict) -> CeilingProposal:
    """The first of the two people: propose a new spending ceiling, with the decision's reason,
    reference and date. Nothing changes until a different Cabinet member approves it."""
    require(user, Capability.RECORD_DECISION)
    unknown = set(data) - set(CEILING_PROPOSAL_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    data = dict(data)
    errors: dict[str, list[str]] = {}
    try:
        data["new_ceiling"] = parse_money(data.get("new_ceiling"))
    except ValidationError as exc:
        errors["new_ceiling"] = exc.messages
    for name, message in (
        ("title", "Enter the decision's title"),
        ("reason", "Enter what was decided, and why"),
        ("decision_reference", "Enter the decision's reference, such as its minute number"),
    ):
        data[name] = (data.get(name) or "").strip()
        if not data[name]:
            errors[name] = [message]
    if not data.get("decided_on"):
        errors["decided_on"] = ["Enter the date of the decision"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        if CeilingProposal.objects.filter(
            programme=locked, status=CeilingProposal.Status.PROPOSED
        ).exists():
            raise ValidationError(
                {
                    "new_ceiling": [
                        "A ceiling change is already waiting for approval: approve or "
                        "withdraw it first."
                    ]
                }
            )
        errors = _ceiling_errors(locked, data, committed=ledger.programme_money(locked).committed)
        if errors:
            raise ValidationError(errors)
        proposal = CeilingProposal(
            programme=locked,
            old_ceiling=locked.spending_ceiling,
            proposed_by=user,
            proposed_at=_now(),
            **data,
        )
        proposal.full_clean()
        proposal._history_user = user
        proposal._change_reason = (
            f"Proposed: spending ceiling {format_gbp(locked.spending_ceiling)} → "
            f"{format_gbp(proposal.new_ceiling)}"
        )[:100]
        proposal.save()
    return proposal


def _locked_proposal(proposal: CeilingProposal) -> tuple[CeilingProposal, Programme]:
    """Lock the funding reserve, the programme (the guard's order), then the proposal."""
    programme = Programme.objects.only("funding_reserve_id").get(pk=proposal.programme_id)
    if programme.funding_reserve_id:
        lock_reserve_and_programme(
            reserve_id=programme.funding_reserve_id, programme_id=programme.pk, using="default"
        )
    locked_programme = Programme.objects.select_for_update().get(pk=proposal.programme_id)
    locked = (
        CeilingProposal.objects.select_for_update(of=("self",))
        .select_related("proposed_by")
        .get(pk=proposal.pk)
    )
    return locked, locked_programme


def ceiling_approve(*, proposal: CeilingProposal, user) -> Decision:
    """The second person: approve a proposed ceiling. Records the decision (naming both
    people) and changes the ceiling, checked again under the locks against what is committed
    now. Never the proposer's own proposal."""
    require(user, Capability.RECORD_DECISION)
    if proposal.proposed_by_id == user.pk:
        raise PermissionDenied(
            "You proposed this ceiling change, so a different Cabinet member must approve it."
        )
    with transaction.atomic():
        locked, programme = _locked_proposal(proposal)
        if locked.proposed_by_id == user.pk:
            raise PermissionDenied(
                "You proposed this ceiling change, so a different Cabinet member must approve it."
            )
        if locked.status != CeilingProposal.Status.PROPOSED:
            raise ValidationError(
                f"{locked.reference} is {locked.get_status_display().lower()}: there is "
                "nothing to approve."
            )
        data = {name: getattr(locked, name) for name in CEILING_PROPOSAL_FIELDS}
        errors = _ceiling_errors(
            programme, data, committed=ledger.programme_money(programme).committed
        )
        if errors:
            raise ValidationError(errors)
        old_ceiling = programme.spending_ceiling
        people = f"proposed by {person_name(locked.proposed_by)}, approved by {person_name(user)}"
        decision = Decision(
            programme=programme,
            kind=Decision.Kind.CEILING_CHANGE,
            title=locked.title,
            summary=f"{locked.reason}\n\n(Ceiling change {locked.reference}: {people}.)",
            decided_on=locked.decided_on,
            decision_maker=locked.decision_maker,
            new_spending_ceiling=locked.new_ceiling,
            is_key_decision=bool(locked.key_decision_reference),
            source_reference=(locked.key_decision_reference or locked.decision_reference)[:100],
            recorded_by=user,
        )
        change = f"Spending ceiling {format_gbp(old_ceiling)} → {format_gbp(locked.new_ceiling)}"
        decision.full_clean()
        decision._history_user = user
        decision._change_reason = f"{change}, {people}"[:100]
        decision.save()
        locked.status = CeilingProposal.Status.APPROVED
        locked.approved_by = user
        locked.approved_at = _now()
        locked.decision = decision
        locked._history_user = user
        locked._change_reason = f"Approved: {change}"[:100]
        locked.save()
        programme.spending_ceiling = locked.new_ceiling
        # The programme's guard lets the ceiling change only with its decision.
        programme._ceiling_decision = decision
        programme._history_user = user
        # The history's reason holds 100 characters: the decision itself has the rest.
        programme._change_reason = f"{change}: {people}"[:100]
        programme.full_clean()
        programme.save(update_fields=["spending_ceiling"])
        del programme._ceiling_decision
    proposal.programme.spending_ceiling = locked.new_ceiling
    return decision


def ceiling_withdraw(*, proposal: CeilingProposal, user) -> CeilingProposal:
    """Withdraw a proposal still waiting for approval (any Cabinet member or Admin)."""
    require(user, Capability.RECORD_DECISION)
    with transaction.atomic():
        locked, _ = _locked_proposal(proposal)
        if locked.status != CeilingProposal.Status.PROPOSED:
            raise ValidationError(
                f"{locked.reference} is {locked.get_status_display().lower()}: it cannot be "
                "withdrawn."
            )
        locked.status = CeilingProposal.Status.WITHDRAWN
        locked.withdrawn_by = user
        locked.withdrawn_at = _now()
        locked._history_user = user
        locked._change_reason = "Withdrawn"
        locked.save()
    return locked
