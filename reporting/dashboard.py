"""The dashboard's reads and charts: where the programme stands, on one page and in the report.

`dashboard_context(programme, today=…)` asks each app's public selector for its part (spend,
reserve position, stages, outputs due, risks, benefits, stated figures, changes since the last
report) in a fixed number of queries, whatever the data; the highlight report is built from the
same object, so the page and the report never disagree. `dashboard_charts` draws its SVG charts
(no queries) through the shared `core.charts` module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import matplotlib
from django.utils import timezone
from matplotlib.ticker import FuncFormatter

from core.charts import BLUE, INK, SECONDARY_INK, cached_chart, chart_rc, figure_to_svg, new_figure
from core.money import format_gbp
from programme.benefit_chart import progress_svg
from programme.models import Programme
from programme.selectors import BenefitRow, number_text, programme_record_benefits
from reserves.charts import balance_svg
from reserves.ledger import ProgrammeMoney
from reserves.selectors import (
    programme_spend,
    reserve_position,
    stage_budget_lines,
    stated_figures,
)
from risks.selectors import heat_map, load_bands, top_risks
from stages.selectors import outputs_due, stage_summaries

from . import changes as report_changes

DUE_WITHIN_DAYS = 30
TOP_RISKS = 5
# The dashboard lists this many of each list of outputs due (the highlight report, all of
# them); the stages page and the outputs download have the rest.
OUTPUTS_SHOWN = 10
# Without an earlier highlight report, "changed since" covers this many days.
CHANGES_FALLBACK_DAYS = 30


@dataclass(frozen=True)
class Spend(ProgrammeMoney):
    """Committed and drawn money against the ceiling and the key-decision threshold: the
    ledger's own figures (reserves.ledger.ProgrammeMoney), with what the dashboard adds."""

    @property
    def remaining(self) -> Decimal:
        """Headroom under the ceiling: what may still be committed."""
        return self.headroom

    @property
    def planned(self) -> Decimal:
        """Committed but not yet drawn."""
        return self.committed - self.drawn

    @property
    def committed_percent(self) -> Decimal | None:
        if not self.ceiling:
            return None
        share = Decimal(100) * self.committed / self.ceiling
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def over_ceiling(self) -> bool:
        return self.committed > self.ceiling

    def rows(self) -> list[list]:
        """(item, amount) rows: the chart's table, the report's section, the workbook's sheet."""
        return [
            ["Spending ceiling", self.ceiling],
            ["Key-decision threshold", self.threshold],
            ["Committed (approved, scheduled and drawn)", self.committed],
            ["Drawn", self.drawn],
            ["Committed, not yet drawn", self.planned],
            ["Headroom under the ceiling", self.remaining],
            ["Headroom below the key-decision threshold", self.headroom_to_threshold],
        ]


@dataclass
class Dashboard:
    programme: Programme
    today: date
    spend: Spend
    reserve: dict | None  # reserves.selectors.reserve_position, or None without a reserve
    stages: list  # stages.selectors.StageSummary
    outputs: object  # stages.selectors.OutputsDue
    heat_map: object  # risks.selectors.HeatMap (residual)
    top_risks: list  # risks.models.Risk, decorated with bands
    benefits: list[BenefitRow]
    stated_figures: list[dict]
    changes: report_changes.ChangeSummary

    @property
    def due_within_days(self) -> int:
        return DUE_WITHIN_DAYS

    @property
    def outputs_shown(self) -> int:
        return OUTPUTS_SHOWN

    @property
    def benefit_rows(self) -> list[list]:
        return benefit_table(self.benefits)


def benefit_table(benefits: list[BenefitRow]) -> list[list]:
    """Benefit, baseline, target, latest actual and progress, as people write them."""
    rows = []
    for row in benefits:
        b = row.benefit
        rows.append(
            [
                b.title,
                b.baseline_text or number_text(b.baseline_value, b.unit),
                (number_text(b.target_value, b.unit) or "No target set")
                + (" (demo target)" if b.target_is_demo and b.target_value is not None else ""),
                b.target_date,
                number_text(row.latest.value, b.unit) if row.latest else "No actual yet",
                row.latest.measured_on if row.latest else None,
                f"{row.progress}%" if row.progress is not None else "",
            ]
        )
    return rows


BENEFIT_HEADERS = [
    "Benefit",
    "Baseline",
    "Target",
    "Target date",
    "Latest actual",
    "Measured on",
    "Progress to target",
]


def changes_since_last_report(
    programme: Programme, *, now: datetime | None = None, before=None
) -> report_changes.ChangeSummary:
    """Changes after the previous finished highlight report, or in the last 30 days if there
    has been none (the summary says which)."""
    since = report_changes.last_report_finished_at(programme, before=before)
    basis = "last_report"
    if since is None:
        now = now or timezone.now()
        since = now - timedelta(days=CHANGES_FALLBACK_DAYS)
        basis = "fallback"
    return report_changes.change_summary(programme, since, basis=basis)


def dashboard_context(programme: Programme, *, today: date) -> Dashboard:
    """Everything the dashboard shows; the same number of queries however much data there is."""

    spent = programme_spend(programme)
    reserve = programme.funding_reserve
    bands = load_bands()
    return Dashboard(
        programme=programme,
        today=today,
        spend=Spend(
            ceiling=programme.spending_ceiling,
            threshold=programme.key_decision_threshold,
            committed=spent["committed"],
            drawn=spent["drawn"],
        ),
        reserve=reserve_position(reserve, today=today) if reserve is not None else None,
        stages=stage_summaries(
            programme, budgeted_stage_ids=frozenset(stage_budget_lines(programme))
        ),
        outputs=outputs_due(programme, today=today, within_days=DUE_WITHIN_DAYS),
        heat_map=heat_map(programme, basis="residual", bands=bands),
        top_risks=top_risks(programme, TOP_RISKS, bands=bands, today=today),
        benefits=programme_record_benefits(programme),
        stated_figures=stated_figures(programme),
        changes=changes_since_last_report(programme),
    )


# Charts ----------------------------------------------------------------------------------


def _pounds(amount: Decimal) -> int:
    # Whole pounds are exact enough to draw; money never becomes a float here.
    return int(amount.to_integral_value())


SPEND_TITLE = "Committed and drawn spend against the ceiling and the key-decision threshold"


@cached_chart(key=lambda spend, **kw: (spend, sorted(kw.items())))
def spend_svg(spend: Spend, *, title_id: str) -> str:
    """Two bars (drawn; committed) against the ceiling (solid line) and the threshold (dashed).

    Readable in greyscale: the bars differ by hatching and carry their amounts in words, and
    each line is labelled with its name and figure.
    """
    bars = [("Committed", spend.committed, "//"), ("Drawn", spend.drawn, "")]
    top = max(_pounds(spend.threshold), _pounds(spend.committed), 1)
    with matplotlib.rc_context(chart_rc("dashboard-spend")):
        figure = new_figure(figsize=(7.5, 2.8))
        axes = figure.add_subplot()
        positions = [1, 0]
        for y, (_label, amount, hatch) in zip(positions, bars, strict=True):
            axes.barh(
                y,
                _pounds(amount),
                height=0.5,
                color=BLUE if not hatch else "#ffffff",
                edgecolor=INK,
                hatch=hatch,
            )
            # A bar that reaches the lines gets its figure past them, where it can be read.
            near_lines = amount * 10 > spend.ceiling * 9
            end = max(_pounds(amount), _pounds(spend.threshold)) if near_lines else _pounds(amount)
            axes.text(
                end + top * 0.015,
                y,
                format_gbp(amount),
                va="center",
                ha="left",
                color=INK,
            )
        axes.axvline(_pounds(spend.ceiling), color=INK, linewidth=1.5)
        axes.axvline(
            _pounds(spend.threshold), color=SECONDARY_INK, linewidth=1.5, linestyle=(0, (4, 2))
        )
        axes.text(
            _pounds(spend.ceiling),
            1.55,
            f"Ceiling {format_gbp(spend.ceiling)}",
            ha="right",
            va="bottom",
            color=INK,
        )
        axes.text(
            _pounds(spend.threshold),
            -0.55,
            f"Key-decision threshold {format_gbp(spend.threshold)}",
            ha="right",
            va="top",
            color=SECONDARY_INK,
        )
        axes.set_yticks(positions, [label for label, _, _ in bars])
        axes.set_ylim(-0.9, 1.9)
        axes.set_xlim(0, top * 1.2)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"£{int(v) // 1000:,}k"))
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        return figure_to_svg(figure, title_id=title_id, title=SPEND_TITLE)


RESERVE_TITLE = "Projected reserve balance over the MTFS period, with its floor"
BENEFITS_TITLE = "Progress of each benefit from its baseline to its target"


def dashboard_charts(dashboard: Dashboard, *, prefix: str = "dashboard") -> dict[str, str]:
    """The dashboard's SVG charts by name (spend, reserve, benefits); no queries."""
    charts = {"spend": spend_svg(dashboard.spend, title_id=f"{prefix}-spend-chart")}
    if dashboard.reserve is not None:
        charts["reserve"] = balance_svg(
            dashboard.reserve, title_id=f"{prefix}-reserve-chart", title=RESERVE_TITLE
        )
    if dashboard.benefits:
        charts["benefits"] = progress_svg(
            [(row.benefit.title, row.progress) for row in dashboard.benefits],
            title_id=f"{prefix}-benefits-chart",
        )
    return charts
