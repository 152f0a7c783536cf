"""Reads for reports, the audit log and the reports page, each in a fixed number of queries.

`highlight_context(programme)` gathers the highlight report from the dashboard's figures
(`reporting.dashboard.dashboard_context`) as titled tables that the PDF and the workbook both
render; what changed since the last report comes from `reporting.changes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from core.dates import govuk_date
from core.money import format_gbp
from core.names import person_name
from programme.demo import DEMO_NOTICE, is_demo
from programme.models import Programme
from reserves import statement
from reserves.models import DrawdownRefusal
from reserves.selectors import programme_spend, reserve_position

from . import audit
from .board_pack import board_summary, change_matters
from .changes import ChangeSet, change_summary, changes_since, last_report_finished_at
from .dashboard import (
    BENEFIT_HEADERS,
    CHANGES_FALLBACK_DAYS,
    Spend,
    dashboard_charts,
    dashboard_context,
)
from .models import ReportRun

RUNS_LIMIT = 25


# Sections --------------------------------------------------------------------------------


@dataclass
class Section:
    """One part of a report: a titled table that the PDF and the workbook both render."""

    key: str
    title: str
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    available: bool = True
    note: str = ""
    empty_text: str = "Nothing to show."
    sheet: str = ""  # the workbook's sheet title (Excel allows 31 characters); else `title`

    @property
    def sheet_title(self) -> str:
        return self.sheet or self.title

    @property
    def display_rows(self) -> list[list[str]]:
        """The rows as text, for the PDF: £490,000, 19 July 2022, Yes/No."""
        return [[display_cell(v) for v in row] for row in self.rows]

    @property
    def numeric_columns(self) -> set[int]:
        """Columns whose every filled cell is a number (right-aligned in the PDF)."""

        def numeric(value) -> bool:
            return isinstance(value, Decimal | int) and not isinstance(value, bool)

        columns = set()
        for i in range(len(self.headers)):
            filled = [r[i] for r in self.rows if r[i] not in (None, "")]
            if filled and all(numeric(v) for v in filled):
                columns.add(i)
        return columns

    @property
    def money_total(self) -> dict[str, Decimal]:
        """Column totals of the money columns: what the workbook's totals must equal."""
        totals: dict[str, Decimal] = {}
        for index, header in enumerate(self.headers):
            values = [row[index] for row in self.rows if index < len(row)]
            present = [v for v in values if v is not None]
            if present and all(isinstance(v, Decimal) for v in present):
                totals[header] = sum(present, Decimal("0.00"))
        return totals


def display_cell(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return format_gbp(value)
    if isinstance(value, date):  # a datetime too: `19 July 2022 at 14:05`
        return govuk_date(value)
    return str(value)


# Facts -----------------------------------------------------------------------------------


def programme_facts(programme: Programme) -> list[tuple[str, object]]:
    """The programme's standing facts: always in the report, whatever else is available."""
    reserve = programme.funding_reserve
    return [
        ("Programme", programme.name),
        ("Council", programme.council),
        ("Decision maker", programme.decision_maker),
        ("Decision date", programme.decision_date),
        ("Status", programme.get_status_display()),
        ("Spending ceiling", programme.spending_ceiling),
        ("Key-decision threshold", programme.key_decision_threshold),
        (
            "Spending ceiling below the key-decision threshold",
            programme.key_decision_threshold - programme.spending_ceiling,
        ),
        ("Funding reserve", reserve.name if reserve else ""),
    ]


# The highlight report --------------------------------------------------------------------


@dataclass
class HighlightContext:
    programme: Programme
    generated_at: datetime
    today: date
    facts: list[tuple[str, object]]
    sections: list[Section]
    changes: ChangeSet
    dashboard: object = None  # reporting.dashboard.Dashboard: the figures the sections hold
    charts: dict[str, str] = field(default_factory=dict)
    since_last_report: bool = True
    # Page 1 (reporting.board_pack) and the changes counted by kind; the full list is the CSV.
    summary: object = None
    change_kinds: object = None

    @property
    def facts_display(self) -> list[tuple[str, str]]:
        return [(label, display_cell(value) or "Not recorded") for label, value in self.facts]

    @property
    def footer(self) -> str:
        """The page footer: text for the HTML (escaped there), never put into CSS."""
        return f"{self.programme.get_classification_display()} – {self.programme.council}"

    @property
    def is_demo(self) -> bool:
        return is_demo(self.programme)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


STAGE_HEADERS = [
    "Stage",
    "RAG",
    "Complete (%)",
    "Update of",
    "Planned start",
    "Planned end",
    "Actual start",
    "Actual end",
    "Outputs accepted",
    "Outputs",
    "Approval",
]
OUTPUT_HEADERS = ["State", "Output", "Stage", "Owner", "Due", "Days", "Status"]
RISK_HEADERS = [
    "Risk",
    "Title",
    "Owner",
    "Inherent score",
    "Inherent band",
    "Residual score",
    "Residual band",
    "Review by",
]
STATED_HEADERS = ["Figure", "Paragraph", "Stated", "Computed", "Difference", "Agrees"]


def spend_section(dash) -> Section:
    return Section(
        "spend",
        "Spend against the ceiling",
        ["Item", "Amount"],
        [list(row) for row in dash.spend.rows()],
    )


def stage_section(dash) -> Section:
    rows = [
        [
            str(s.stage),
            s.rag_word,
            s.percent,
            s.as_of,
            s.planned_start,
            s.planned_end,
            s.actual_start,
            s.actual_end,
            s.outputs_accepted,
            s.outputs_total,
            s.approval.word,
        ]
        for s in dash.stages
    ]
    return Section("stages", "Stages", STAGE_HEADERS, rows, empty_text="No stages are recorded.")


def outputs_section(dash) -> Section:
    rows = []
    for label, group in (("Overdue", dash.outputs.overdue), ("Due soon", dash.outputs.due_soon)):
        for due in group:
            output = due.output
            rows.append(
                [
                    label,
                    str(output),
                    output.stage.number,
                    person_name(output.owner, nobody="No owner"),
                    output.due_date,
                    due.days,
                    output.get_status_display(),
                ]
            )
    return Section(
        "outputs_due",
        f"Outputs overdue or due in the next {dash.due_within_days} days",
        OUTPUT_HEADERS,
        rows,
        empty_text=f"No outputs are overdue or due in the next {dash.due_within_days} days.",
        sheet="Outputs due",
    )


def reserve_sections(dash) -> list[Section]:
    p = dash.reserve
    if p is None:
        return [
            Section(
                "reserve",
                "Reserve position",
                available=False,
                note="No funding reserve is recorded for this programme.",
            )
        ]
    # The one statement builder (reserves.statement), as on the reserve page.
    return [_section(statement.position_table(p)), _section(statement.years_table(p))]


def _section(table: statement.StatementTable) -> Section:
    return Section(
        table.key,
        table.title,
        list(table.headers),
        [list(row) for row in table.rows],
        empty_text=table.empty_text,
        sheet=table.sheet,
    )


def risk_sections(dash) -> list[Section]:
    top = Section(
        "top_risks",
        "The five highest risks",
        RISK_HEADERS,
        [
            [
                r.reference,
                r.title,
                person_name(r.owner, nobody="No owner"),
                r.inherent_score,
                r.inherent_band.label if r.inherent_band else "Not scored",
                r.residual_score,
                r.residual_band.label if r.residual_band else "Not scored",
                r.review_date,
            ]
            for r in dash.top_risks
        ],
        empty_text="No live risks.",
        sheet="Top risks",
    )
    hm = dash.heat_map
    heat = Section(
        "heat_map",
        "Residual risk heat map (number of live risks)",
        ["Likelihood"] + [f"Impact {n}: {label}" for n, label in hm.impacts],
        [[f"{row.likelihood}: {row.label}"] + [c.count for c in row.cells] for row in hm.rows],
        sheet="Risk heat map",
    )
    return [top, heat]


def benefit_section(dash) -> Section:
    return Section(
        "benefits",
        "Benefits against target",
        BENEFIT_HEADERS,
        dash.benefit_rows,
        empty_text="No benefits are recorded.",
    )


def stated_section(dash) -> Section:
    return Section(
        "stated_figures",
        "Figures in the decision report, checked against the ledger",
        STATED_HEADERS,
        [
            [
                c["figure"].label,
                c["figure"].source_reference,
                c["figure"].stated_text or "(left blank)",
                c["computed"],
                c["difference"],
                c["matches"],
            ]
            for c in dash.stated_figures
        ],
        empty_text="No stated figures are recorded.",
        sheet="Stated figures",
    )


def highlight_sections(dash) -> list[Section]:
    """The report's sections, in the dashboard's order, each laid out once for both files."""
    return [
        spend_section(dash),
        *reserve_sections(dash),
        stage_section(dash),
        outputs_section(dash),
        *risk_sections(dash),
        benefit_section(dash),
        stated_section(dash),
    ]


def demo_facts(programme: Programme) -> list[tuple[str, str]]:
    """The cover line every report and export of the demo programme carries; none otherwise."""
    return [("Demo data", DEMO_NOTICE)] if is_demo(programme) else []


def highlight_context(
    programme: Programme, *, today: date | None = None, run: ReportRun | None = None
) -> HighlightContext:
    """Everything the highlight report shows, gathered once for the PDF and the workbook: the
    dashboard's figures and charts, and every change since the last report (or in the last 30
    days when there has been none)."""
    today = today or timezone.localdate()
    now = timezone.now()
    dash = dashboard_context(programme, today=today)
    since = last_report_finished_at(programme, before=run)
    since_last_report = since is not None
    if since is None:
        since = now - timedelta(days=CHANGES_FALLBACK_DAYS)
    changes = changes_since(programme, since, limit=None)
    summary = board_summary(programme, dash, today=today, since=since)
    summary.matters = change_matters(changes.entries)
    return HighlightContext(
        programme=programme,
        generated_at=now,
        today=today,
        facts=[*demo_facts(programme), *programme_facts(programme)],
        sections=highlight_sections(dash),
        changes=changes,
        dashboard=dash,
        charts=dashboard_charts(dash, prefix="report"),
        since_last_report=since_last_report,
        summary=summary,
        change_kinds=change_summary(
            programme, since, basis="last_report" if since_last_report else "fallback"
        ),
    )


# The reserve position statement ----------------------------------------------------------


def reserve_statement_sections(programme: Programme, *, today: date) -> list[Section]:
    """The reserve position statement for finance: the reserve, its position, every movement,
    the projection by year and the programme's spend against its ceiling."""
    reserve = programme.funding_reserve
    if reserve is None:
        facts = Section(
            "reserve", "Reserve", available=False, note="No funding reserve is recorded."
        )
        return [facts]
    facts = Section(
        "reserve",
        "Reserve",
        headers=["Item", "Value"],
        rows=[
            *[[label, text] for label, text in demo_facts(programme)],
            ["Reserve", reserve.name],
            ["Opening balance", reserve.opening_balance],
            ["Opening date", reserve.opening_date],
            ["Floor", reserve.floor],
            ["Statement date", today],
            ["Programme", programme.name],
            ["Programme spending ceiling", programme.spending_ceiling],
        ],
    )

    spent = programme_spend(programme)
    # Just the parts of the dashboard the shared section layouts read.
    dash = SimpleNamespace(
        reserve=reserve_position(reserve, today=today),
        spend=Spend(
            ceiling=programme.spending_ceiling,
            threshold=programme.key_decision_threshold,
            committed=spent["committed"],
            drawn=spent["drawn"],
        ),
    )
    position, movements, years = map(_section, statement.statement_tables(dash.reserve))
    spend = spend_section(dash)
    spend.title = "Programme spend against the ceiling"
    return [facts, position, movements, years, spend]


# The reports page ------------------------------------------------------------------------


def report_runs(programme: Programme, *, limit: int = RUNS_LIMIT) -> list[ReportRun]:
    """The latest report runs of a programme, newest first (one query)."""
    return list(
        ReportRun.objects.filter(programme=programme)
        .select_related("requested_by")
        .order_by("-created_at", "-id")[:limit]
    )


# The audit log ---------------------------------------------------------------------------

REFUSALS_KIND = "refusals"
AUDIT_PAGE_SIZE = 50


@dataclass
class Refusals:
    rows: list
    total: int
    available: bool = True

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)


def drawdown_refusals(
    programme: Programme, filters: audit.HistoryFilter, *, limit: int | None = AUDIT_PAGE_SIZE
) -> Refusals:
    """Refused drawdowns for the programme matching the log's filters (two queries)."""
    if filters.kind and filters.kind != REFUSALS_KIND:
        return Refusals(rows=[], total=0)
    rows = DrawdownRefusal._default_manager.filter(programme_id=programme.pk)
    if filters.user_id:
        rows = rows.filter(user_id=filters.user_id)
    if filters.date_from:
        rows = rows.filter(created_at__gte=audit.day_start(filters.date_from))
    if filters.date_to:
        rows = rows.filter(created_at__lt=audit.day_start(filters.date_to + timedelta(days=1)))
    rows = rows.select_related("user", "reserve").order_by("-created_at", "-id")
    total = rows.count()
    listed = list(rows[:limit] if limit else rows) if total else []
    return Refusals(rows=listed, total=total)


def refusal_change_rows(refusals: Refusals) -> list[list]:
    """Refusals in the layout of the change rows, for the CSV export."""
    return [
        [
            refusal.created_at,
            person_name(refusal.user) if refusal.user_id else (refusal.username or "System"),
            "Refused drawdown",
            f"Drawdown {refusal.drawdown_id}" if refusal.drawdown_id else "New drawdown",
            "Refused",
            "Attempted",
            "",
            " ".join(
                part for part in (refusal.attempted_status, format_gbp(refusal.amount)) if part
            ),
            refusal.reason,
        ]
        for refusal in refusals.rows
    ]
