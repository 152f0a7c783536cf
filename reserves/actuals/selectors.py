"""Reads for actual spend: by stage, cost line, month and financial year; drawn from the reserve
against spent; forecast outturn per stage against budget and ceiling; the Transparency Code
file's rows. Each fetches what it needs in a fixed number of queries, whatever the data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from core.money import ZERO, financial_year, to_money
from programme.models import Programme
from stages.models import Stage

from ..models import (
    CostCentreMapping,
    CostLine,
    Drawdown,
    LedgerImport,
    LedgerMapping,
    LedgerTransaction,
    StageForecast,
)
from ..selectors import programme_spend, stage_budget_lines

# The outturn warns once the forecast reaches this share of the ceiling, before it passes it.
CEILING_WARNING_SHARE = Decimal("0.95")
TRANSPARENCY_THRESHOLD = Decimal("500.00")
REDACTED = "Redacted: personal data"
TRANSPARENCY_HEADERS = (
    "Body name",
    "Date",
    "Transaction number",
    "Amount",
    "Irrecoverable VAT",
    "Supplier name",
    "Service area",
    "Expenditure category",
    "Purpose of expenditure",
)


def _money(value) -> Decimal:
    return to_money(value if value is not None else ZERO)


@dataclass
class StageOutturn:
    stage_id: int | None
    number: int | None
    name: str
    budget: Decimal = ZERO
    budget_shared_with: tuple[int, ...] = ()
    actual: Decimal = ZERO
    committed: Decimal = ZERO
    forecast_to_complete: Decimal = ZERO
    forecast_note: str = ""
    forecast_by: object = None
    forecast_at: object = None
    has_forecast: bool = False

    @property
    def committed_not_spent(self) -> Decimal:
        return max(self.committed - self.actual, ZERO)

    @property
    def outturn(self) -> Decimal:
        return self.actual + self.committed_not_spent + self.forecast_to_complete

    @property
    def variance(self) -> Decimal:
        """Budget less forecast outturn: negative means forecast to overspend."""
        return self.budget - self.outturn

    @property
    def over_budget(self) -> bool:
        return self.stage_id is not None and self.outturn > self.budget


@dataclass
class Actuals:
    programme: Programme
    has_mapping: bool
    transactions: int
    spent: Decimal
    drawn: Decimal
    committed: Decimal
    ceiling: Decimal
    stages: list[StageOutturn]
    cost_lines: list[dict]
    months: list[dict]
    years: list[dict]
    latest_import: LedgerImport | None
    quarters: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def unspent_drawn(self) -> Decimal:
        """Drawn from the reserve but not (yet) spent in the ledger."""
        return max(self.drawn - self.spent, ZERO)

    @property
    def spent_not_drawn(self) -> Decimal:
        """Spent in the ledger but not (yet) drawn from the reserve."""
        return max(self.spent - self.drawn, ZERO)

    @property
    def outturn(self) -> Decimal:
        return sum((s.outturn for s in self.stages), ZERO)

    @property
    def ceiling_variance(self) -> Decimal:
        return self.ceiling - self.outturn

    @property
    def warning_at(self) -> Decimal:
        return to_money(self.ceiling * CEILING_WARNING_SHARE)

    @property
    def ceiling_state(self) -> str:
        """ "over" past the ceiling, "near" from 95% of it, else "within"."""
        if self.outturn > self.ceiling:
            return "over"
        if self.outturn >= self.warning_at:
            return "near"
        return "within"

    @property
    def outturn_share_of_ceiling(self) -> Decimal | None:
        if not self.ceiling:
            return None
        return (Decimal(100) * self.outturn / self.ceiling).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def _lowest_stage_by_line(programme: Programme) -> dict[int, int]:
    """Cost line id → the id of the lowest-numbered stage it funds. A drawdown for a line shared
    by stages 2 and 3 counts against stage 2 (decision 0171)."""
    lowest: dict[int, tuple[int, int]] = {}
    for line_id, stage_id, number in CostLine.stages.through.objects.filter(
        costline__programme=programme
    ).values_list("costline_id", "stage_id", "stage__number"):
        if line_id not in lowest or number < lowest[line_id][0]:
            lowest[line_id] = (number, stage_id)
    return {line: stage for line, (_, stage) in lowest.items()}


def programme_actuals(programme: Programme) -> Actuals:
    """Everything the actuals page, the statement, dashboard and report show (nine queries)."""
    ledger = LedgerTransaction.objects.filter(programme=programme)
    spend = programme_spend(programme)
    stages = list(Stage.objects.filter(programme=programme).order_by("number"))
    budgets = stage_budget_lines(programme)
    forecasts = {
        f.stage_id: f
        for f in StageForecast.objects.filter(stage__programme=programme).select_related(
            "recorded_by"
        )
    }
    by_stage = {
        row["stage_id"]: row["total"]
        for row in ledger.values("stage_id").annotate(total=Sum("amount")).order_by()
    }
    lowest = _lowest_stage_by_line(programme)
    committed_by_line = (
        Drawdown.objects.filter(programme=programme, status__in=Drawdown.COMMITTED_STATUSES)
        .values("cost_line_id")
        .annotate(total=Sum("amount"), drawn=Sum("amount", filter=Q(status="drawn")))
        .order_by()
    )
    committed_by_stage: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    drawn_by_line: dict[int | None, Decimal] = {}
    for row in committed_by_line:
        committed_by_stage[lowest.get(row["cost_line_id"])] += _money(row["total"])
        drawn_by_line[row["cost_line_id"]] = _money(row["drawn"])

    outturns = []
    for stage in stages:
        lines = budgets.get(stage.pk, [])
        forecast = forecasts.get(stage.pk)
        outturns.append(
            StageOutturn(
                stage_id=stage.pk,
                number=stage.number,
                name=stage.name,
                budget=sum((line.amount for line in lines), ZERO),
                budget_shared_with=tuple(sorted({n for li in lines for n in li.shared_with})),
                actual=_money(by_stage.get(stage.pk)),
                committed=committed_by_stage.get(stage.pk, ZERO),
                forecast_to_complete=forecast.forecast_to_complete if forecast else ZERO,
                forecast_note=forecast.note if forecast else "",
                forecast_by=forecast.recorded_by if forecast else None,
                forecast_at=forecast.recorded_at if forecast else None,
                has_forecast=forecast is not None,
            )
        )
    unassigned_actual = _money(by_stage.get(None))
    unassigned_committed = committed_by_stage.get(None, ZERO)
    if unassigned_actual or unassigned_committed:
        outturns.append(
            StageOutturn(
                stage_id=None,
                number=None,
                name="Not assigned to a stage",
                actual=unassigned_actual,
                committed=unassigned_committed,
            )
        )

    spent_by_line = {
        row["cost_line_id"]: _money(row["total"])
        for row in ledger.values("cost_line_id").annotate(total=Sum("amount")).order_by()
    }
    cost_lines = [
        {
            "label": line.label,
            "financial_year": line.financial_year,
            "budget": line.amount,
            "drawn": drawn_by_line.get(line.pk, ZERO),
            "spent": spent_by_line.get(line.pk, ZERO),
        }
        for line in CostLine.objects.filter(programme=programme, table=CostLine.Table.COSTS)
        if line.pk in spent_by_line or line.pk in drawn_by_line
    ]
    if None in spent_by_line or None in drawn_by_line:
        cost_lines.append(
            {
                "label": "Not assigned to a cost line",
                "financial_year": "",
                "budget": None,
                "drawn": drawn_by_line.get(None, ZERO),
                "spent": spent_by_line.get(None, ZERO),
            }
        )
    for row in cost_lines:
        row["unspent_drawn"] = max(row["drawn"] - row["spent"], ZERO)
        row["spent_not_drawn"] = max(row["spent"] - row["drawn"], ZERO)

    months = _months(ledger, stages)
    totals = ledger.aggregate(total=Sum("amount"), count=Count("id"))
    return Actuals(
        programme=programme,
        has_mapping=LedgerMapping.objects.filter(council=programme.council).exists(),
        transactions=totals["count"],
        spent=_money(totals["total"]),
        drawn=spend["drawn"],
        committed=spend["committed"],
        ceiling=to_money(programme.spending_ceiling),
        stages=outturns,
        cost_lines=cost_lines,
        months=months,
        years=_years(months, stages),
        latest_import=LedgerImport.objects.filter(programme=programme, status="done")
        .select_related("uploaded_by", "confirmed_by")
        .first(),
        quarters=_quarters(months),
    )


def _months(ledger, stages: list[Stage]) -> list[dict]:
    """Spend by calendar month, per stage and in total, with the running total."""
    rows = (
        ledger.annotate(month=TruncMonth("posting_date"))
        .values("month", "stage_id")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    by_month: dict[date, dict] = {}
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        entry = by_month.setdefault(month, {"month": month, "by_stage": defaultdict(lambda: ZERO)})
        entry["by_stage"][row["stage_id"]] += _money(row["total"])
    running = ZERO
    months = []
    for month in sorted(by_month):
        entry = by_month[month]
        total = sum(entry["by_stage"].values(), ZERO)
        running += total
        months.append(
            {
                "month": month,
                "financial_year": financial_year(month),
                "stages": [entry["by_stage"].get(s.pk, ZERO) for s in stages],
                "unassigned": entry["by_stage"].get(None, ZERO),
                "total": total,
                "cumulative": running,
            }
        )
    return months


def _years(months: list[dict], stages: list[Stage]) -> list[dict]:
    years: dict[str, dict] = {}
    for m in months:
        year = years.setdefault(
            m["financial_year"],
            {
                "label": m["financial_year"],
                "stages": [ZERO] * len(stages),
                "unassigned": ZERO,
                "total": ZERO,
            },
        )
        year["stages"] = [a + b for a, b in zip(year["stages"], m["stages"], strict=True)]
        year["unassigned"] += m["unassigned"]
        year["total"] += m["total"]
    return list(years.values())


def _quarters(months: list[dict]) -> list[tuple[int, int, str]]:
    """(financial year start, quarter 1–4, label) for each quarter with spend: Q1 is April–June."""
    seen = []
    for m in months:
        start = m["month"].year if m["month"].month >= 4 else m["month"].year - 1
        quarter = ((m["month"].month - 4) % 12) // 3 + 1
        if (start, quarter) not in seen:
            seen.append((start, quarter))
    return [(s, q, f"{financial_year(date(s, 4, 1))} quarter {q}") for s, q in seen]


def quarter_of(day: date) -> tuple[int, int]:
    """(financial year start, quarter 1–4) holding `day`."""
    start = day.year if day.month >= 4 else day.year - 1
    return start, ((day.month - 4) % 12) // 3 + 1


def quarter_bounds(start_year: int, quarter: int) -> tuple[date, date]:
    first_month = 4 + 3 * (quarter - 1)
    year = start_year + (first_month - 1) // 12
    month = (first_month - 1) % 12 + 1
    end_month = month + 2
    end = date(year, end_month + 1, 1) if end_month < 12 else date(year + 1, 1, 1)
    return date(year, month, 1), date.fromordinal(end.toordinal() - 1)


def transparency_rows(programme: Programme, start_year: int, quarter: int) -> list[list]:
    """The Local Government Transparency Code 2015 spend file: every transaction over £500 in
    the quarter, with the names of individual suppliers redacted (two queries)."""
    first, last = quarter_bounds(start_year, quarter)
    areas = {
        (m.cost_centre, m.account_code): m.service_area
        for m in CostCentreMapping.objects.filter(programme=programme)
    }
    rows = []
    for t in (
        LedgerTransaction.objects.filter(
            programme=programme,
            posting_date__range=(first, last),
            amount__gt=TRANSPARENCY_THRESHOLD,
        )
        .select_related("cost_line")
        .order_by("posting_date", "reference")
    ):
        area = areas.get((t.cost_centre, t.account_code)) or areas.get((t.cost_centre, ""))
        rows.append(
            [
                programme.council,
                t.posting_date,
                t.reference,
                t.amount,
                t.vat,
                REDACTED if t.supplier_is_individual else t.supplier,
                area or programme.name,
                t.cost_line.label if t.cost_line else t.account_code,
                t.description,
            ]
        )
    return rows


def imports_of(programme: Programme):
    return LedgerImport.objects.filter(programme=programme).select_related(
        "uploaded_by", "confirmed_by"
    )


def cost_centre_mappings(programme: Programme):
    return CostCentreMapping.objects.filter(programme=programme).select_related(
        "stage", "cost_line"
    )


def reserve_reconciliation(reserve) -> list[dict]:
    """For each programme the reserve funds: drawn from it against spent in the ledger (three
    queries, however many programmes)."""
    programmes = list(Programme.objects.filter(funding_reserve=reserve).order_by("name"))
    ids = [p.pk for p in programmes]
    drawn = dict(
        Drawdown.objects.filter(reserve=reserve, programme_id__in=ids, status="drawn")
        .values("programme_id")
        .annotate(total=Sum("amount"))
        .values_list("programme_id", "total")
        .order_by()
    )
    spent = dict(
        LedgerTransaction.objects.filter(programme_id__in=ids)
        .values("programme_id")
        .annotate(total=Sum("amount"))
        .values_list("programme_id", "total")
        .order_by()
    )
    rows = []
    for p in programmes:
        d, s = _money(drawn.get(p.pk)), _money(spent.get(p.pk))
        rows.append(
            {
                "programme": p,
                "drawn": d,
                "spent": s,
                "unspent_drawn": max(d - s, ZERO),
                "spent_not_drawn": max(s - d, ZERO),
            }
        )
    return rows
