"""Reads for reserve pages and for other apps: spend against a ceiling, reserve positions,
cost tables and stated-figure checks. Each fetches what it needs in a fixed number of queries."""

import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.money import (
    ZERO,
    financial_year_label,
    financial_year_start,
    format_gbp,
    format_gbp_millions,
    money_sum,
    to_money,
)
from programme.models import Programme
from stages.models import Output, Stage

from . import ledger
from .models import (
    CeilingProposal,
    CostLine,
    Drawdown,
    DrawdownRefusal,
    Reserve,
    StatedFigure,
)

FUTURE_YEARS = "future"
_COMMITTED = ledger.COMMITTED


def programme_spend(programme) -> dict[str, Decimal]:
    """Committed and drawn money for `programme` and its headroom under the ceiling (one
    query, reserves.ledger). `remaining` is the headroom: what finance may still approve."""
    money = ledger.programme_money(programme)
    return {"committed": money.committed, "drawn": money.drawn, "remaining": money.headroom}


@dataclass(frozen=True)
class BudgetLine:
    """One line of the cost table as it funds one stage."""

    label: str
    financial_year: str
    amount: Decimal
    is_estimate: bool
    kind: str
    source_reference: str
    # The other stages this line is shared with: the report budgets stages 2 and 3 together.
    shared_with: tuple[int, ...]


def stage_budget_lines(programme: Programme) -> dict[int, list[BudgetLine]]:
    """The cost table's lines by the id of each stage they fund (two queries)."""
    lines = (
        CostLine.objects.filter(programme=programme, table=CostLine.Table.COSTS)
        .prefetch_related(Prefetch("stages", queryset=Stage.objects.only("id", "number")))
        .order_by("financial_year", "id")
    )
    by_stage: dict[int, list[BudgetLine]] = {}
    for line in lines:
        funded = list(line.stages.all())
        for stage in funded:
            by_stage.setdefault(stage.pk, []).append(
                BudgetLine(
                    label=line.label,
                    financial_year=line.financial_year,
                    amount=line.amount,
                    is_estimate=line.is_estimate,
                    kind=line.get_kind_display(),
                    source_reference=line.source_reference,
                    shared_with=tuple(sorted(s.number for s in funded if s.pk != stage.pk)),
                )
            )
    return by_stage


# The key-decision guard warns once committed spend reaches this share of the threshold.
KEY_DECISION_WARNING_SHARE = Decimal("0.90")


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def key_decision_guard(programme: Programme) -> dict:
    """Committed spend against the ceiling and the key-decision threshold, whether to warn (at
    90% of the threshold) and the decision that set the ceiling now in force (two queries)."""
    money = ledger.programme_money(programme)
    threshold, ceiling, committed = money.threshold, money.ceiling, money.committed
    warning_at = to_money(threshold * KEY_DECISION_WARNING_SHARE)
    return {
        "threshold": threshold,
        "ceiling": ceiling,
        "committed": committed,
        "drawn": money.drawn,
        "remaining": money.headroom,
        "headroom_to_threshold": money.headroom_to_threshold,
        "warning_at": warning_at,
        "committed_share_of_threshold": _percent(committed, threshold),
        "committed_share_of_ceiling": _percent(committed, ceiling),
        "ceiling_share_of_threshold": _percent(ceiling, threshold),
        "warn": committed >= warning_at,
        "over_threshold": committed > threshold,
        "ceiling_decision": programme.decisions.exclude(new_spending_ceiling=None)
        .order_by("-decided_on", "-id")
        .first(),
    }


def ceiling_proposals(programme: Programme, *, limit: int = 10) -> dict:
    """The ceiling change waiting for its second person (if any) and the latest proposals,
    with who proposed, approved or withdrew each (one query)."""
    recent = list(
        CeilingProposal.objects.filter(programme=programme)
        .select_related("proposed_by", "approved_by", "withdrawn_by", "decision")
        .order_by("-proposed_at", "-id")[:limit]
    )
    waiting = next((p for p in recent if p.status == CeilingProposal.Status.PROPOSED), None)
    return {"waiting": waiting, "recent": recent}


def _local_date(moment) -> date | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def movement_date(drawdown: Drawdown) -> date | None:
    """When the money leaves (or is planned to leave) the reserve: drawn, scheduled, needed by,
    else the day it was approved."""
    return drawdown.movement_date or _local_date(drawdown.approved_at)


def reserve_position(reserve: Reserve, *, today: date) -> dict:
    """The reserve statement: opening balance, every committed movement with the running
    balance, what is drawn, committed and available, the projection by financial year across
    the MTFS period, and how long the reserve lasts at its planned rate. Two queries."""
    drawdowns = list(
        Drawdown.objects.filter(reserve=reserve)
        .filter(_COMMITTED | Q(status=Drawdown.Status.REQUESTED))
        .select_related("programme")
    )
    committed = [d for d in drawdowns if d.is_committed]
    pending = [d for d in drawdowns if d.status == Drawdown.Status.REQUESTED]
    far_future = date.max
    committed.sort(key=lambda d: (movement_date(d) or far_future, d.pk))

    balance = reserve.opening_balance
    movements = []
    for d in committed:
        balance -= d.amount
        when = movement_date(d)
        actual = d.status == Drawdown.Status.DRAWN
        movements.append(
            {
                "drawdown": d,
                "date": when,
                "kind": "actual" if actual else "planned",
                "overdue": (not actual) and when is not None and when < today,
                "amount": d.amount,
                "balance": balance,
                "below_floor": balance < reserve.floor,
            }
        )

    drawn_total = money_sum(d.amount for d in committed if d.status == Drawdown.Status.DRAWN)
    committed_total = money_sum(d.amount for d in committed)
    planned_total = committed_total - drawn_total
    pending_total = money_sum(d.amount for d in pending)
    available = reserve.opening_balance - committed_total
    available_above_floor = available - reserve.floor
    balance_today = reserve.opening_balance - money_sum(
        d.amount for d in committed if d.status == Drawdown.Status.DRAWN and d.drawn_on <= today
    )

    years = ledger.mtfs_years(reserve)
    buckets: dict = {start: [] for start in years}
    for m in movements:
        # Undated or earlier money counts in the first year; money due after the MTFS period
        # in its own row, never folded into the last year (reserves.ledger.year_bucket).
        buckets.setdefault(ledger.year_bucket(m["date"], years), []).append(m)
    by_year = []
    running = reserve.opening_balance
    for bucket, in_year in buckets.items():
        drawn = money_sum(m["amount"] for m in in_year if m["kind"] == "actual")
        planned = money_sum(m["amount"] for m in in_year if m["kind"] == "planned")
        opening = running
        running = opening - drawn - planned
        by_year.append(
            {
                "label": ledger.bucket_label(bucket),
                "start": bucket if bucket != ledger.AFTER_MTFS else None,
                "after_mtfs": bucket == ledger.AFTER_MTFS,
                "opening": opening,
                "drawn": drawn,
                "planned": planned,
                "closing": running,
                "above_floor": running - reserve.floor,
                "below_floor": running < reserve.floor,
            }
        )

    by_purpose = OrderedDict()
    for d in committed:
        key = d.programme.name if d.programme else d.purpose
        entry = by_purpose.setdefault(key, {"label": key, "drawn": ZERO, "planned": ZERO})
        entry["drawn" if d.status == Drawdown.Status.DRAWN else "planned"] += d.amount
    for entry in by_purpose.values():
        entry["total"] = entry["drawn"] + entry["planned"]

    return {
        "reserve": reserve,
        "today": today,
        "opening_balance": reserve.opening_balance,
        "opening_date": reserve.opening_date,
        "movements": movements,
        "drawn": drawn_total,
        "planned": planned_total,
        "committed": committed_total,
        "balance_today": balance_today,
        "available": available,
        "floor": reserve.floor,
        "available_above_floor": available_above_floor,
        "pending": pending_total,
        "pending_count": len(pending),
        "available_if_pending_approved": available - pending_total,
        "by_year": by_year,
        "by_purpose": list(by_purpose.values()),
        "mtfs_label": f"{financial_year_label(years[0])} to {financial_year_label(years[-1])}",
        "mtfs_end": ledger.mtfs_end(years),
        "lasts": _how_long_it_lasts(reserve, movements, available_above_floor, today),
    }


def _how_long_it_lasts(reserve: Reserve, movements, above_floor: Decimal, today: date) -> dict:
    """How long the money above the floor lasts at the planned rate of use.

    The planned rate is the reserve's own planned use per year when finance has set one, else
    the rate committed so far: everything committed, spread over the financial years from the
    opening year to the last year with a committed movement.
    """
    dated = [m["date"] for m in movements if m["date"]]
    if reserve.planned_annual_use:
        rate = reserve.planned_annual_use
        basis = "the planned use per year"
    elif movements:
        first = financial_year_start(reserve.opening_date)
        last = max((financial_year_start(d) for d in dated), default=first)
        spread = max(last - first + 1, 1)
        rate = money_sum(m["amount"] for m in movements) / spread
        basis = (
            "the rate committed so far"
            if spread == 1
            else f"the rate committed so far, over {spread} years"
        )
    else:
        return {"rate": None, "text": "Nothing is committed and no planned use is set."}
    rate = to_money(rate)
    start = max([today, *dated])
    if above_floor <= 0:
        return {
            "rate": rate,
            "basis": basis,
            "months": 0,
            "until": start,
            "text": "Nothing is left above the floor: the reserve cannot fund more.",
        }
    days = int(above_floor * 365 / rate)
    months = int((above_floor * 12 / rate).to_integral_value())
    try:
        until = start + timedelta(days=days)
    except OverflowError:  # past the end of the calendar: it lasts as long as dates go
        until = date.max
    if months >= 24:
        span = f"about {months // 12} years"
    elif months >= 1:
        span = f"about {months} month{'s' if months != 1 else ''}"
    else:
        span = "less than a month"
    return {
        "rate": rate,
        "basis": basis,
        "months": months,
        "from": start,
        "until": until,
        "text": (
            f"At {format_gbp_millions(rate)} a year ({basis}), the "
            f"{format_gbp_millions(above_floor)} above the floor lasts {span} after "
            f"{start.day} {start:%B %Y}: until about {until:%B %Y}."
        ),
    }


def reserves_overview() -> dict:
    """The reserves list: each reserve with drawn, committed, pending and available, and each
    programme with its spend against its ceiling. Two queries."""
    reserves = list(
        Reserve.objects.annotate(
            committed=Sum(
                "drawdowns__amount", filter=Q(drawdowns__status__in=ledger.COMMITTED_STATUSES)
            ),
            drawn=Sum("drawdowns__amount", filter=Q(drawdowns__status=Drawdown.Status.DRAWN)),
            pending=Sum("drawdowns__amount", filter=Q(drawdowns__status=Drawdown.Status.REQUESTED)),
            pending_count=Count("drawdowns", filter=Q(drawdowns__status=Drawdown.Status.REQUESTED)),
        ).order_by("name")
    )
    for r in reserves:
        r.money = ledger.ReserveMoney(
            opening_balance=r.opening_balance,
            floor=r.floor,
            committed=to_money(r.committed or ZERO),
            drawn=to_money(r.drawn or ZERO),
        )
        r.committed, r.drawn = r.money.committed, r.money.drawn
        r.pending = to_money(r.pending or ZERO)
        r.available = r.money.available
        r.above_floor = r.money.above_floor
    programmes = list(
        Programme.objects.select_related("funding_reserve")
        .annotate(
            committed=Sum(
                "drawdowns__amount", filter=Q(drawdowns__status__in=ledger.COMMITTED_STATUSES)
            ),
            drawn=Sum("drawdowns__amount", filter=Q(drawdowns__status=Drawdown.Status.DRAWN)),
        )
        .order_by("name")
    )
    for p in programmes:
        p.money = ledger.ProgrammeMoney(
            ceiling=p.spending_ceiling,
            threshold=p.key_decision_threshold,
            committed=to_money(p.committed or ZERO),
            drawn=to_money(p.drawn or ZERO),
        )
        p.committed, p.drawn = p.money.committed, p.money.drawn
        p.remaining = p.money.headroom
    return {"reserves": reserves, "programmes": programmes}


def _with_people(queryset):
    return queryset.select_related(
        "reserve",
        "programme",
        "cost_line",
        "requested_by",
        "approved_by",
        "rejected_by",
        "scheduled_by",
        "drawn_by",
        "cancelled_by",
    )


def _limits_by_programme_and_reserve() -> tuple[dict, dict]:
    """Committed totals per programme and per reserve: two grouped queries."""
    return ledger.committed_by("programme_id"), ledger.committed_by("reserve_id")


def _headroom(
    d: Drawdown,
    per_programme: dict,
    per_reserve: dict,
    ahead_programme: dict | None = None,
    ahead_reserve: dict | None = None,
) -> dict:
    """What is left under the programme's ceiling and above the reserve's floor for `d`,
    after what is committed and (in the queue) the requests ahead of it that fit."""
    ahead_programme = ahead_programme or {}
    ahead_reserve = ahead_reserve or {}
    reserve_ahead = ahead_reserve.get(d.reserve_id, ZERO)
    programme_ahead = ahead_programme.get(d.programme_id, ZERO) if d.programme_id else ZERO
    money = ledger.ReserveMoney(
        opening_balance=d.reserve.opening_balance,
        floor=d.reserve.floor,
        committed=per_reserve.get(d.reserve_id, ZERO),
        drawn=ZERO,
    )
    reserve_left = money.above_floor - reserve_ahead
    programme_left = None
    if d.programme:
        programme_left = (
            ledger.ProgrammeMoney(
                ceiling=d.programme.spending_ceiling,
                threshold=d.programme.key_decision_threshold,
                committed=per_programme.get(d.programme_id, ZERO),
                drawn=ZERO,
            ).headroom
            - programme_ahead
        )
    fits = d.amount <= reserve_left and (programme_left is None or d.amount <= programme_left)
    return {
        "programme_left": programme_left,
        "reserve_left": reserve_left,
        "ahead": max(reserve_ahead, programme_ahead),
        "fits": fits,
    }


def all_drawdowns(*, status: str = ""):
    """Every drawdown, newest first (filtered by status), as a query to cut into pages."""
    rows = _with_people(Drawdown.objects.all()).order_by("-id")
    return rows.filter(status=status) if status else rows


def drawdown_queue(*, status: str = "") -> dict:
    """The finance queue: requests awaiting a decision, oldest first, with whether each fits
    once the requests ahead of it that fit are approved too; approvals awaiting the money;
    and the whole list (a query, filtered by status, for the page to cut into pages).
    Four queries, however many drawdowns there are."""
    awaiting = list(
        Drawdown.objects.filter(status=Drawdown.Status.REQUESTED)
        .select_related("reserve", "programme", "requested_by")
        .order_by("id")
    )
    per_programme, per_reserve = _limits_by_programme_and_reserve()
    ahead_programme: dict = {}
    ahead_reserve: dict = {}
    for d in awaiting:
        d.headroom = _headroom(d, per_programme, per_reserve, ahead_programme, ahead_reserve)
        if d.headroom["fits"]:
            # Approving the requests in turn: this one would take its share first.
            ahead_reserve[d.reserve_id] = ahead_reserve.get(d.reserve_id, ZERO) + d.amount
            if d.programme_id:
                ahead_programme[d.programme_id] = (
                    ahead_programme.get(d.programme_id, ZERO) + d.amount
                )
    to_draw = list(
        Drawdown.objects.filter(status__in=(Drawdown.Status.APPROVED, Drawdown.Status.SCHEDULED))
        .select_related("reserve", "programme")
        .order_by("id")
    )
    return {
        "awaiting": awaiting,
        "to_draw": to_draw,
        "drawdowns": all_drawdowns(status=status),
        "status": status,
    }


def drawdown_detail(pk: int) -> dict:
    """One drawdown with who did what when, its history rows, and the limits it meets."""
    drawdown = get_object_or_404(_with_people(Drawdown.objects.all()), pk=pk)
    history = list(drawdown.history.select_related("history_user").order_by("history_date"))
    per_programme, per_reserve = _limits_by_programme_and_reserve()
    refusals = list(DrawdownRefusal.objects.filter(drawdown_id=pk).order_by("-created_at")[:20])
    return {
        "drawdown": drawdown,
        "history": history,
        "headroom": _headroom(drawdown, per_programme, per_reserve),
        "refusals": refusals,
    }


def drawdown_effect(drawdown: Drawdown, action: str) -> list[str]:
    """What an action on `drawdown` does to the money, in words, for the "check before you"
    page: the figures come from the ledger (two queries)."""
    amount = drawdown.amount
    reserve = ledger.reserve_money(drawdown.reserve)
    name = drawdown.reserve.name
    lines = []
    if drawdown.programme_id:
        prog = ledger.programme_money(drawdown.programme)
        if action == "approve":
            lines.append(
                f"Committed spend on {drawdown.programme.name} goes from "
                f"{format_gbp(prog.committed)} to {format_gbp(prog.committed + amount)} of its "
                f"{format_gbp(prog.ceiling)} ceiling (headroom {format_gbp(prog.headroom)} → "
                f"{format_gbp(prog.headroom - amount)})."
            )
        elif action == "cancel" and drawdown.is_committed:
            lines.append(
                f"Committed spend on {drawdown.programme.name} goes from "
                f"{format_gbp(prog.committed)} to {format_gbp(prog.committed - amount)} of its "
                f"{format_gbp(prog.ceiling)} ceiling."
            )
        else:
            lines.append(
                f"Committed spend on {drawdown.programme.name} stays "
                f"{format_gbp(prog.committed)} of its {format_gbp(prog.ceiling)} ceiling."
            )
    else:
        lines.append("This is for another purpose: it counts against no programme's ceiling.")
    if action == "approve":
        lines.append(
            f"The {name} available above its floor goes from "
            f"{format_gbp_millions(reserve.above_floor)} to "
            f"{format_gbp_millions(reserve.above_floor - amount)}."
        )
    elif action == "cancel" and drawdown.is_committed:
        lines.append(
            f"The {name} available above its floor goes from "
            f"{format_gbp_millions(reserve.above_floor)} to "
            f"{format_gbp_millions(reserve.above_floor + amount)}."
        )
    elif action == "drawn":
        lines.append(
            f"{format_gbp(amount)} leaves the {name}: drawn in total goes from "
            f"{format_gbp_millions(reserve.drawn)} to "
            f"{format_gbp_millions(reserve.drawn + amount)}. It was committed when approved, "
            "so what is available above the floor stays "
            f"{format_gbp_millions(reserve.above_floor)}."
        )
        lines.append("After this the drawdown can never be changed, cancelled or deleted.")
    else:
        lines.append(
            f"The {name} stays at {format_gbp_millions(reserve.above_floor)} above its floor."
        )
    if action == "reject":
        lines.append("The request closes and cannot be reopened.")
    if action == "approve":
        over_floor = reserve.above_floor - amount < 0
        over_ceiling = drawdown.programme_id and prog.headroom - amount < 0
        if over_floor or over_ceiling:
            lines.append(
                "This does not fit: it would take committed spend above the ceiling or the "
                "reserve below its floor, so approving it will be refused."
            )
    return lines


def refusals():
    """Refused drawdown attempts, newest first, as a query for the page to cut into pages."""
    return DrawdownRefusal.objects.select_related("reserve", "programme", "user").order_by(
        "-created_at", "-id"
    )


# Cost profile ---------------------------------------------------------------------------


def _year_sort_key(label: str):
    """Financial years in order, then "Future years"; anything else after them, never a crash."""
    if label == FUTURE_YEARS:
        return (1, 0, "")
    head = label[:4]
    return (0, int(head), "") if head.isdigit() else (2, 0, label)


def year_heading(label: str) -> str:
    return "Future years" if label == FUTURE_YEARS else label


def cost_profile(programme: Programme) -> dict:
    """The report's three tables with every total computed: per line, per revenue/capital,
    per year and overall. The columns are the report's (three years to the decision year, then
    future years) plus any other year a line uses. Two queries."""
    lines = list(
        CostLine.objects.filter(programme=programme).prefetch_related("stages").order_by("id")
    )
    if programme.decision_date:
        last = financial_year_start(programme.decision_date)
        years = {financial_year_label(y) for y in range(last - 2, last + 1)}
    else:
        years = set()
    years |= {line.financial_year for line in lines}
    years.add(FUTURE_YEARS)
    columns = sorted(years, key=_year_sort_key)

    tables = []
    for table_value, table_label in CostLine.Table.choices:
        table_lines = [line for line in lines if line.table == table_value]
        rows = OrderedDict()
        for line in table_lines:
            key = (line.kind, line.label, line.is_estimate)
            row = rows.setdefault(
                key,
                {
                    "kind": line.kind,
                    "kind_letter": "R" if line.kind == CostLine.Kind.REVENUE else "C",
                    "label": line.label,
                    "is_estimate": line.is_estimate,
                    "cells": dict.fromkeys(columns, ZERO),
                    "lines": [],
                    "stages": set(),
                    "source_reference": line.source_reference,
                },
            )
            row["cells"][line.financial_year] += line.amount
            row["lines"].append(line)
            row["stages"] |= {s.number for s in line.stages.all()}
        body = []
        for row in rows.values():
            row["values"] = [row["cells"][c] for c in columns]
            row["total"] = money_sum(row["values"])
            row["stages"] = sorted(row["stages"])
            body.append(row)

        def total_of(selected):
            values = [money_sum(r["cells"][c] for r in selected) for c in columns]
            return {"values": values, "total": money_sum(values)}

        kinds = []
        for kind_value, kind_label in CostLine.Kind.choices:
            of_kind = [r for r in body if r["kind"] == kind_value]
            if of_kind:
                kinds.append({"label": f"{kind_label} subtotal", **total_of(of_kind)})
        tables.append(
            {
                "key": table_value,
                "title": table_label,
                "rows": body,
                "subtotals": kinds if len(kinds) > 1 else [],
                "total": total_of(body),
            }
        )
    return {
        "programme": programme,
        "columns": columns,
        "headings": [year_heading(c) for c in columns],
        "tables": tables,
        "lines": lines,
    }


# Stated figures -------------------------------------------------------------------------


def _outputs_of_stage_one(programme: Programme) -> list[str]:
    return list(
        Output.objects.filter(stage__programme=programme, stage__number=1)
        .order_by("code")
        .values_list("code", flat=True)
    )


def _stage_numbers(programme: Programme) -> tuple[list[int], list[int]]:
    """(approved by a recorded decision, costed in the cost table)."""
    stages = list(Stage.objects.filter(programme=programme).order_by("number"))
    approved = [s.number for s in stages if getattr(s, "approved_by_decision_id", None) is not None]
    costed = sorted(
        {
            number
            for number in CostLine.objects.filter(
                programme=programme, table=CostLine.Table.COSTS
            ).values_list("stages__number", flat=True)
            if number is not None
        }
    )
    return approved, costed


def _join(numbers: list[int]) -> str:
    if not numbers:
        return "none"
    if len(numbers) == 1:
        return str(numbers[0])
    return ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def stated_figures(programme: Programme) -> list[dict]:
    """Each figure the report states beside the one the ledger computes, and the difference.

    A fixed number of queries whatever the data: figures, one sum per reserve check, the cost
    profile (two), stage 1 outputs and stages (two each at most).
    """
    figures = list(
        StatedFigure.objects.filter(programme=programme)
        .select_related("reserve")
        .order_by("position", "id")
    )
    profile = cost_profile(programme) if figures else None
    tables = {t["key"]: t for t in profile["tables"]} if profile else {}
    results = []
    for figure in figures:
        if figure.kind == StatedFigure.Kind.RESERVE_REMAINING:
            result = _check_reserve_remaining(figure, programme)
        elif figure.kind == StatedFigure.Kind.TABLE_TOTAL:
            result = _check_table_total(figure, tables.get(figure.table))
        elif figure.kind == StatedFigure.Kind.TABLE_TOTAL_COLUMN:
            result = _check_total_column(figure, tables.get(figure.table))
        elif figure.kind == StatedFigure.Kind.OUTPUT_LETTERS:
            result = _check_output_letters(figure, programme)
        elif figure.kind == StatedFigure.Kind.OFFICER_TITLES:
            result = _check_officer_titles(figure)
        else:
            result = _check_stages(figure, programme)
        results.append({"figure": figure, **result})
    return results


def _rounded_like(value: Decimal, stated: Decimal) -> Decimal:
    """`value` rounded (half up) to the precision `stated` is written in: £5,900,000 is
    written to the nearest £100,000, so £5,810,000 reads as £5,800,000 at that precision."""
    unit = Decimal(1)
    while unit < 1_000_000 and stated and stated % (unit * 10) == 0:
        unit *= 10
    return (value / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit


def _check_reserve_remaining(figure: StatedFigure, programme: Programme) -> dict:
    """The stated balance against the ledger's: says whether they match and by how much, and
    names another balance only when the stated figure really is that balance, rounded."""
    reserve = figure.reserve or programme.funding_reserve
    if reserve is None:
        return {"computed": "No reserve is linked", "difference": "", "matches": False}
    totals = Drawdown.objects.filter(_COMMITTED, reserve=reserve).aggregate(
        all=Sum("amount"), this=Sum("amount", filter=Q(programme=programme))
    )
    this = to_money(totals["this"] or ZERO)
    after = ledger.ReserveMoney(
        opening_balance=reserve.opening_balance,
        floor=reserve.floor,
        committed=to_money(totals["all"] or ZERO),
        drawn=ZERO,
    ).available
    before = after + this
    stated = figure.stated_amount
    computed = (
        f"{format_gbp(after)} after everything committed, of which this programme's "
        f"{format_gbp(this)} ({format_gbp(before)} without it)"
    )
    if stated is None:
        return {"computed": computed, "difference": "", "matches": False, "value": after}
    gap = stated - after
    if gap == 0:
        return {"computed": computed, "difference": "None", "matches": True, "value": after}
    difference = (
        f"Does not match: the stated {format_gbp(stated)} is {format_gbp(abs(gap))} "
        f"{'more' if gap > 0 else 'less'} than the {format_gbp(after)} the ledger computes"
    )
    if this and _rounded_like(before, stated) == stated:
        difference += (
            f". It matches the balance without this programme's {format_gbp(this)}: "
            f"{format_gbp(before)}, which rounds to {format_gbp(stated)}"
        )
    elif _rounded_like(after, stated) == stated:
        difference += f" ({format_gbp(after)} rounds to {format_gbp(stated)})"
    return {"computed": computed, "difference": difference, "matches": False, "value": after}


def _check_table_total(figure: StatedFigure, table: dict | None) -> dict:
    total = table["total"]["total"] if table else ZERO
    stated = figure.stated_amount
    if stated is None:
        return {"computed": format_gbp(total), "difference": "Not stated", "matches": False}
    gap = stated - total
    return {
        "computed": format_gbp(total),
        "difference": "None" if gap == 0 else f"{format_gbp(gap)} between stated and computed",
        "matches": gap == 0,
        "value": total,
    }


def _check_total_column(figure: StatedFigure, table: dict | None) -> dict:
    if not table or not table["rows"]:
        return {"computed": "No lines recorded", "difference": "", "matches": False}
    parts = [f"{r['label']}: {format_gbp(r['total'])}" for r in table["rows"]]
    parts.append(f"Total: {format_gbp(table['total']['total'])}")
    return {
        "computed": "; ".join(parts),
        "difference": "The report leaves the Total column blank; the tracker computes it",
        "matches": False,
        "value": table["total"]["total"],
    }


def _check_output_letters(figure: StatedFigure, programme: Programme) -> dict:
    codes = _outputs_of_stage_one(programme)
    stated = re.findall(r"\b([a-z])\)", figure.stated_text)
    if not codes:
        return {
            "computed": "Stage 1 outputs are not recorded yet",
            "difference": "",
            "matches": False,
        }
    computed = f"{len(codes)} outputs, lettered {') '.join(codes)})"
    if stated == codes:
        return {"computed": computed, "difference": "None", "matches": True}
    notes = []
    seen = set()
    for position, letter in enumerate(stated, start=1):
        if letter in seen:
            label = codes[position - 1] if position <= len(codes) else "?"
            notes.append(
                f"the report prints {letter}) twice: output {position} is {label}) in the tracker"
            )
        seen.add(letter)
    if len(stated) != len(codes):
        notes.append(f"the report lists {len(stated)} outputs, the tracker {len(codes)}")
    difference = "; ".join(notes) or "The letters differ"
    return {
        "computed": computed,
        "difference": difference[0].upper() + difference[1:],
        "matches": False,
    }


def _check_officer_titles(figure: StatedFigure) -> dict:
    """A slip of wording only: nothing to compute, so it never "matches"; both are kept."""
    return {
        "computed": "The same officer, named two ways; the tracker keeps each as printed",
        "difference": "Two titles for one role",
        "matches": False,
    }


def _check_stages(figure: StatedFigure, programme: Programme) -> dict:
    approved, costed = _stage_numbers(programme)
    computed = (
        f"Approved by a recorded decision: stages {_join(approved)}; costed: stages {_join(costed)}"
    )
    unapproved = [n for n in costed if n not in approved]
    if unapproved:
        difference = (
            f"Stage {_join(unapproved)} is costed but not approved: it needs a further decision"
        )
    else:
        difference = "None"
    return {"computed": computed, "difference": difference, "matches": not unapproved}
