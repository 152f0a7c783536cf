"""The reserves part of `load_demo`: the Financial Resilience earmarked reserve, the Children's
transformation drawdowns, this programme's approved £490,000 split as the cost table splits
it, the three cost tables and the figures the report states. Idempotent: a second run adds no
rows and no history.

Where the report gives a month or a year but not a day, the day chosen is said in the row's
source reference.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from programme.demo import illustrative_day
from programme.report_source import FRAGMENT_SEPARATOR
from stages.models import Stage

from .models import CostLine, Drawdown, Reserve, StatedFigure
from .services import programme_funding_reserve_set

RESERVE_NAME = "Financial Resilience earmarked reserve"
LONDON = ZoneInfo("Europe/London")
STAGE_NAMES = {
    1: "Diagnostics",
    2: "Design and implementation",
    3: "Handover to business as usual",
}
RESOURCES = "Resource implications"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


# The reserve's protocol. The report gives its name, balance, purpose and who may approve a
# drawdown (paragraph 49); the rest (owner, manager, floor, review, the MTFS length) is
# illustrative and each text says so.
PROTOCOL_DEMO = (
    "Illustrative (demo): the report names no owner or manager, sets no floor (£0 here), "
    "describes no review and gives no length for the Medium Term Financial Strategy period "
    "(four years from 2022/23 here, which the balance projection uses)."
)


def _reserve(today: date) -> Reserve:
    reserve = Reserve.objects.filter(name=RESERVE_NAME).first()
    if reserve is not None:
        return reserve
    return Reserve.objects.create(
        name=RESERVE_NAME,
        opening_balance=Decimal("17400000.00"),
        opening_date=date(2022, 4, 1),
        floor=Decimal("0.00"),
        owner="Illustrative (demo): the report names no owner",
        purpose="To provide financial resilience over the Medium Term Financial Strategy period.",
        usage_rules=(
            "“The council's financial Procedure Rules state that all drawdowns from reserves "
            "can be approved by the Director of Assurance and Resources and reported to "
            "Cabinet.” (paragraph 49; recommendation c) calls the officer the Director for "
            "Resources and Assurance). Illustrative (demo): in this tracker finance approves "
            "each drawdown, never the person who requested it."
        ),
        managed_by="Illustrative (demo): strategic finance",
        controlled_by="Director of Assurance and Resources, reporting to Cabinet (paragraph 49)",
        review_process=PROTOCOL_DEMO,
        next_review_date=illustrative_day(date(2023, 2, 28), today=today),
        mtfs_years=4,
        source_reference=f"{RESOURCES}, below the tables; paragraph 49",
        source_quote=FRAGMENT_SEPARATOR.join(
            [
                "At 1 April 2022, the balance on this reserve was £17.4m",
                "to provide financial resilience over the Medium Term Financial Strategy period",
                "all drawdowns from reserves can be approved by the Director of Assurance and "
                "Resources and reported to Cabinet",
            ]
        ),
    )


def _stages(programme) -> dict[int, Stage]:
    stages = {}
    for number, name in STAGE_NAMES.items():
        stages[number], _ = Stage.objects.get_or_create(
            programme=programme, number=number, defaults={"name": name}
        )
    return stages


def _cost_line(
    programme, *, table, label, amount, quote, stages=(), is_estimate=False, stream_type=""
) -> CostLine:
    line, created = CostLine.objects.get_or_create(
        programme=programme,
        table=table,
        label=label,
        financial_year="2022/23",
        defaults={
            "kind": CostLine.Kind.REVENUE,
            "amount": Decimal(amount),
            "is_estimate": is_estimate,
            "source_reference": f"{RESOURCES}: {CostLine.Table(table).label.lower()} table",
            "source_quote": quote,
            "stream_type": stream_type,
        },
    )
    if created and stages:
        line.stages.set(stages)
    return line


def _cost_tables(programme, stages) -> dict[str, CostLine]:
    return {
        "stage1": _cost_line(
            programme,
            table=CostLine.Table.COSTS,
            label="Stage 1",
            amount="200000.00",
            quote="R Stage 1 200",
            stages=[stages[1]],
        ),
        "stage23": _cost_line(
            programme,
            table=CostLine.Table.COSTS,
            label="Stage 2 & 3 (Estimate)",
            amount="290000.00",
            quote="R Stage 2 & 3 (Estimate) 290",
            stages=[stages[2], stages[3]],
            is_estimate=True,
        ),
        "funding": _cost_line(
            programme,
            table=CostLine.Table.FUNDING,
            label=RESERVE_NAME,
            amount="490000.00",
            quote="Funding streams (indicate whether base budget / external / grant / capital "
            "borrowing) … Financial Resilience earmarked reserve 490",
            stream_type="Earmarked reserve (the report ticks none of the four types it lists)",
        ),
        "budget": _cost_line(
            programme,
            table=CostLine.Table.REVENUE_BUDGET,
            label=RESERVE_NAME,
            amount="490000.00",
            quote="Revenue budget implications … Financial Resilience earmarked reserve 490",
        ),
    }


def _drawdown(*, reserve, purpose, steps, earlier_purposes=(), **fields) -> Drawdown:
    """Create a drawdown and walk it through `steps` [(status, when, user, extra fields)], one
    saved history row per step, each dated when it happened. Skipped if it exists (under this
    purpose or one an earlier version of the loader gave it)."""
    existing = Drawdown.objects.filter(
        reserve=reserve, purpose__in=[purpose, *earlier_purposes]
    ).first()
    if existing is not None:
        return existing
    drawdown = Drawdown(reserve=reserve, purpose=purpose, **fields)
    with transaction.atomic():
        for status, when, user, extra in steps:
            drawdown.status = status
            for name, value in extra.items():
                setattr(drawdown, name, value)
            drawdown._history_user = user
            drawdown._history_date = when
            drawdown._audit_source = "load_demo"
            drawdown.full_clean()
            drawdown.save()
    return drawdown


def _drawdowns(programme, reserve, lines, users) -> None:
    officer = users.get("officer")
    finance = users.get("finance")
    requested = Drawdown.Status.REQUESTED
    approved = Drawdown.Status.APPROVED
    _drawdown(
        reserve=reserve,
        purpose="Children's transformation: first drawdown",
        programme=None,
        amount=Decimal("5000000.00"),
        source_reference=f"{RESOURCES}, below the tables (days illustrative: 1 July 2022)",
        source_quote="£5m has already been drawn down in 2022/23 to fund the Children's' "
        "transformation",
        steps=[
            (requested, _at(date(2022, 4, 4)), None, {"requested_at": _at(date(2022, 4, 4))}),
            (approved, _at(date(2022, 4, 11)), None, {"approved_at": _at(date(2022, 4, 11))}),
            (
                Drawdown.Status.DRAWN,
                _at(date(2022, 7, 1)),
                None,
                {"drawn_on": date(2022, 7, 1), "drawn_at": _at(date(2022, 7, 1))},
            ),
        ],
    )
    _drawdown(
        reserve=reserve,
        purpose="Children's transformation: further drawdown",
        programme=None,
        amount=Decimal("6490000.00"),
        source_reference=f"{RESOURCES}, below the tables (days illustrative: 1 September 2022)",
        source_quote="a further £6.49m scheduled to be drawn down in September",
        steps=[
            (requested, _at(date(2022, 4, 4)), None, {"requested_at": _at(date(2022, 4, 4))}),
            (approved, _at(date(2022, 4, 11)), None, {"approved_at": _at(date(2022, 4, 11))}),
            (
                Drawdown.Status.SCHEDULED,
                _at(date(2022, 4, 11), 11),
                None,
                {"scheduled_for": date(2022, 9, 1), "scheduled_at": _at(date(2022, 4, 11), 11)},
            ),
        ],
    )
    # The amounts are the cost table's; the report names no requester or approver and gives
    # no dates for them: the demo users and the decision-date timestamps are illustrative.
    for key, label, earlier, amount, quote in (
        (
            "stage1",
            "Stage 1: diagnostics (fixed price)",
            "Stage 1: diagnostics (fixed price)",
            "200000.00",
            "R Stage 1 200",
        ),
        (
            "stage23",
            "Stage 2: design and implementation, from the cost table's “Stage 2 & 3 "
            "(Estimate)” line (stage 3 awaits a further decision)",
            "Stages 2 and 3: design, implementation and handover (estimate)",
            "290000.00",
            "R Stage 2 & 3 (Estimate) 290 … the decision paper is asking for stages 1 & 2",
        ),
    ):
        _drawdown(
            reserve=reserve,
            purpose=f"Digital and customer services transformation, {label}",
            earlier_purposes=[f"Digital and customer services transformation, {earlier}"],
            programme=programme,
            cost_line=lines[key],
            amount=Decimal(amount),
            needed_by=date(2023, 3, 31),
            requested_by=officer,
            source_reference="Cost table and para 25; requester, approver and dates illustrative",
            source_quote=quote,
            steps=[
                (
                    requested,
                    _at(date(2022, 7, 19), 14),
                    officer,
                    {"requested_at": _at(date(2022, 7, 19), 14)},
                ),
                (
                    approved,
                    _at(date(2022, 7, 20)),
                    finance,
                    {"approved_by": finance, "approved_at": _at(date(2022, 7, 20))},
                ),
            ],
        )


def _stated_figures(programme, reserve) -> None:
    figures = [
        (
            StatedFigure.Kind.RESERVE_REMAINING,
            "",
            f"Balance left in the {RESERVE_NAME}",
            "approximately £5.9m",
            Decimal("5900000.00"),
            f"{RESOURCES}, below the tables",
            "This would leave a balance of approximately £5.9m remaining in this reserve",
        ),
        (
            StatedFigure.Kind.TABLE_TOTAL_COLUMN,
            CostLine.Table.COSTS,
            "Total column of the cost table",
            "",
            None,
            f"{RESOURCES}: cost table",
            "2022/23 Future Years Total",
        ),
        (
            StatedFigure.Kind.TABLE_TOTAL,
            CostLine.Table.COSTS,
            "TOTAL row of the cost table (2022/23)",
            "490 (£000)",
            Decimal("490000.00"),
            f"{RESOURCES}: cost table",
            "TOTAL 490",
        ),
        (
            StatedFigure.Kind.TABLE_TOTAL_COLUMN,
            CostLine.Table.FUNDING,
            "Total column of the funding streams table",
            "",
            None,
            f"{RESOURCES}: funding streams table",
            "2022/23 Future Years Total",
        ),
        (
            StatedFigure.Kind.TABLE_TOTAL,
            CostLine.Table.FUNDING,
            "TOTAL row of the funding streams table (2022/23)",
            "490 (£000)",
            Decimal("490000.00"),
            f"{RESOURCES}: funding streams table",
            "TOTAL 490",
        ),
        (
            StatedFigure.Kind.TABLE_TOTAL_COLUMN,
            CostLine.Table.REVENUE_BUDGET,
            "Total column of the revenue budget implications table",
            "",
            None,
            f"{RESOURCES}: revenue budget implications table",
            "2022/23 Future Years Total",
        ),
        (
            StatedFigure.Kind.TABLE_TOTAL,
            CostLine.Table.REVENUE_BUDGET,
            "TOTAL row of the revenue budget implications table (2022/23)",
            "490 (£000)",
            Decimal("490000.00"),
            f"{RESOURCES}: revenue budget implications table",
            "TOTAL 490",
        ),
        (
            StatedFigure.Kind.OUTPUT_LETTERS,
            "",
            "Stage 1 outputs and their letters",
            "a) b) c) d) e) f) e)",
            None,
            "Paragraph 21",
            "- f) A digital technological assessment with a gap analysis and potential "
            "solutions - e) A business case",
        ),
        (
            StatedFigure.Kind.STAGES_APPROVED,
            "",
            "Stages the decision approves against stages the cost table prices",
            "The decision asks for stages 1 & 2; the cost table prices 'Stage 2 & 3 (Estimate)'",
            None,
            "Paragraph 25 and the cost table",
            "the decision paper is asking for stages 1 & 2 … R Stage 2 & 3 (Estimate)",
        ),
        (
            StatedFigure.Kind.OFFICER_TITLES,
            "",
            "The officer who may approve drawdowns, in recommendation c) and paragraph 49",
            "Recommendation c): Director for Resources and Assurance; paragraph 49: Director "
            "of Assurance and Resources",
            None,
            "Recommendation(s) c) and paragraph 49",
            "the Director for Resources and Assurance … the Director of Assurance and Resources",
        ),
    ]
    for position, (kind, table, label, stated, amount, source, quote) in enumerate(
        figures, start=1
    ):
        StatedFigure.objects.get_or_create(
            programme=programme,
            kind=kind,
            table=table,
            defaults={
                "reserve": reserve if kind == StatedFigure.Kind.RESERVE_REMAINING else None,
                "label": label,
                "stated_text": stated,
                "stated_amount": amount,
                "source_reference": source,
                "source_quote": quote,
                "position": position,
            },
        )


def load(*, programme, users, today: date | None = None) -> None:
    """Load this app's part of the decision report for `programme`."""
    reserve = _reserve(today or timezone.localdate())
    finance = users.get("finance")
    if programme.funding_reserve_id != reserve.pk:
        if finance is not None:
            programme_funding_reserve_set(programme=programme, reserve=reserve, user=finance)
        else:
            programme.funding_reserve = reserve
            programme.save(update_fields=["funding_reserve"])
    stages = _stages(programme)
    lines = _cost_tables(programme, stages)
    _drawdowns(programme, reserve, lines, users)
    _stated_figures(programme, reserve)
