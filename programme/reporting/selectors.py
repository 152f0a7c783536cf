"""Reads for reports, the audit log and the reports page, each in a fixed number of queries.

`highlight_context(programme)` gathers the highlight report as a list of sections, one per
app selector; `changes_since(programme, since)` is "what changed since the last report" for the
report and the dashboard.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import models
from django.utils import timezone

from programme.models import Programme, ReportRun
from programme.money import format_gbp

from . import audit
from .sources import NOT_AVAILABLE, UNAVAILABLE, call_app_selector

CHANGES_LIMIT = 50
RUNS_LIMIT = 25


# Sections --------------------------------------------------------------------------------


@dataclass
class Section:
    """One part of a report: a titled table, or "Not available yet"."""

    key: str
    title: str
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    available: bool = True
    note: str = ""
    empty_text: str = "Nothing to show."

    @classmethod
    def from_data(cls, key: str, title: str, data, **extra) -> Section:
        if data is UNAVAILABLE:
            return cls(key=key, title=title, available=False, note=NOT_AVAILABLE, **extra)
        headers, rows = tabulate(data)
        return cls(key=key, title=title, headers=headers, rows=rows, **extra)

    @property
    def display_rows(self) -> list[list[str]]:
        """The rows as text, for the PDF: £490,000, 19 July 2022, Yes/No."""
        return [[display_cell(v) for v in row] for row in self.rows]

    @property
    def numeric_columns(self) -> set[int]:
        return {
            i
            for i in range(len(self.headers))
            if any(
                isinstance(r[i], Decimal | int) and not isinstance(r[i], bool) for r in self.rows
            )
        }

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


# What the selectors of other apps return is turned into rows here. Until the next round
# gives each section its own layout, any shape reads sensibly: mappings as item/value, lists of
# records as tables, nested lists as groups.
_SKIPPED_KEYS = ("_css", "css", "url", "modifier")


def display_cell(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return format_gbp(value)
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _humanise(name: str) -> str:
    return str(name).replace("_", " ").strip().capitalize()


def _cell(value):
    if value is None or isinstance(value, str | int | Decimal | date | bool):
        return value
    if isinstance(value, float):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "label") and hasattr(value, "value"):  # Choices members, bands
        return str(value.label)
    return _NESTED


_NESTED = object()


def _record(item) -> dict:
    if isinstance(item, Mapping):
        pairs = item.items()
    elif dataclasses.is_dataclass(item):
        pairs = ((f.name, getattr(item, f.name)) for f in dataclasses.fields(item))
    elif isinstance(item, models.Model):
        return {"Item": str(item)}
    elif isinstance(item, list | tuple):
        return {f"Column {i + 1}": _cell(v) for i, v in enumerate(item)}
    else:
        return {"Item": str(item)}
    pairs = list(pairs)
    worded = {str(k)[: -len("_word")] for k, _v in pairs if str(k).endswith("_word")}
    record = {}
    for key, value in pairs:
        # A code with a "<code>_word" beside it (rag / rag_word) shows as the word only.
        if str(key).endswith(_SKIPPED_KEYS) or str(key) in worded:
            continue
        cell = _cell(value)
        if cell is not _NESTED:
            record[_humanise(key)] = cell
    return record


def _heat_grid(data) -> tuple[list[str], list[list]] | None:
    """A likelihood × impact grid from anything with rows of cells (risks.heat_map)."""
    rows = getattr(data, "rows", None)
    if not rows or not all(hasattr(r, "cells") for r in rows):
        return None
    impacts = [c.impact for c in rows[0].cells]
    headers = ["Likelihood"] + [f"Impact {i}" for i in impacts]
    body = [
        [getattr(row, "label", None) or f"Likelihood {row.likelihood}"]
        + [cell.count for cell in row.cells]
        for row in rows
    ]
    return headers, body


def tabulate(data) -> tuple[list[str], list[list]]:
    """(headers, rows) for whatever a selector returned."""
    grid = _heat_grid(data)
    if grid:
        return grid
    if isinstance(data, Mapping):
        return ["Item", "Value"], [
            [_humanise(k), _cell(v)] for k, v in data.items() if _cell(v) is not _NESTED
        ]
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        groups = [
            (f.name, getattr(data, f.name))
            for f in dataclasses.fields(data)
            if isinstance(getattr(data, f.name), list | tuple)
        ]
        if groups:
            records = [
                {"Group": _humanise(name), **_record(item)}
                for name, items in groups
                for item in items
            ]
        else:
            return tabulate(_record(data))
    else:
        records = [_record(item) for item in (data or [])]
    headers: list[str] = []
    for record in records:
        headers += [k for k in record if k not in headers]
    return headers, [[record.get(h) for h in headers] for record in records]


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
            "Headroom below the threshold",
            programme.key_decision_threshold - programme.spending_ceiling,
        ),
        ("Funding reserve", reserve.name if reserve else ""),
    ]


# Changes since the last report -----------------------------------------------------------


@dataclass
class ChangeSet:
    since: datetime | None
    entries: list[audit.AuditEntry]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.entries), 0)


def last_report_finished_at(programme: Programme, *, before: ReportRun | None = None):
    """When the previous highlight report was finished (None if there was none)."""
    runs = ReportRun.objects.filter(
        programme=programme, kind=ReportRun.Kind.HIGHLIGHT, status=ReportRun.Status.DONE
    ).exclude(finished_at=None)
    if before is not None:
        runs = runs.exclude(pk=before.pk)
    return runs.order_by("-finished_at").values_list("finished_at", flat=True).first()


def changes_since(
    programme: Programme, since: datetime | None, *, limit: int = CHANGES_LIMIT
) -> ChangeSet:
    """Changes to the programme's records after `since` (all of them if None), newest first."""
    rows = audit.history_rows(
        programme,
        audit.HistoryFilter(after=since, exclude_kinds=frozenset(audit.NOT_PROGRAMME_CHANGES)),
    )
    total = rows.count()
    entries = audit.entries_for_rows(rows[:limit]) if total else []
    return ChangeSet(since=since, entries=entries, total=total)


@dataclass(frozen=True)
class KindChanges:
    key: str  # "stages.output"
    label: str  # "Output"
    count: int
    latest: datetime


@dataclass
class ChangeSummary:
    """How many changes of each kind of record were made after `since` (one query).

    `basis` is "last_report" when `since` is the previous highlight report's finish, else
    "fallback" (the last 30 days); the page says which.
    """

    since: datetime
    basis: str
    kinds: list[KindChanges]

    @property
    def total(self) -> int:
        return sum(k.count for k in self.kinds)

    @property
    def since_last_report(self) -> bool:
        return self.basis == "last_report"


def change_summary(programme: Programme, since: datetime, *, basis: str) -> ChangeSummary:
    """Changes after `since` counted by kind of record, most numerous first: one GROUP BY over
    the audit log's UNION, so the count of queries does not depend on the kinds or rows."""
    from django.db import connection

    rows = audit.history_rows(
        programme,
        audit.HistoryFilter(after=since, exclude_kinds=frozenset(audit.NOT_PROGRAMME_CHANGES)),
    ).order_by()
    sql, params = rows.query.get_compiler(connection=connection).as_sql()
    grouped = (
        f"SELECT model_key, COUNT(*), MAX(history_date) FROM ({sql}) AS changes "  # noqa: S608
        "GROUP BY model_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(grouped, params)
        found = cursor.fetchall()
    kinds = []
    for key, count, latest in found:
        tracked = audit.tracked_model_by_key(key)
        if isinstance(latest, str):  # SQLite hands back text from a UNION's column
            latest = datetime.fromisoformat(latest)
        if timezone.is_naive(latest):
            latest = timezone.make_aware(latest, UTC)
        label = tracked.label if tracked else key
        kinds.append(KindChanges(key=key, label=label, count=count, latest=latest))
    kinds.sort(key=lambda k: (-k.count, k.label))
    return ChangeSummary(since=since, basis=basis, kinds=kinds)


# The highlight report --------------------------------------------------------------------


@dataclass
class HighlightContext:
    programme: Programme
    generated_at: datetime
    today: date
    facts: list[tuple[str, object]]
    sections: list[Section]
    changes: ChangeSet

    @property
    def facts_display(self) -> list[tuple[str, str]]:
        return [(label, display_cell(value) or "Not recorded") for label, value in self.facts]

    @property
    def footer(self) -> str:
        """The page footer, safe inside a CSS string (no quotes, backslashes or markup)."""
        text = f"{self.programme.get_classification_display()} – {self.programme.council}"
        text = text.replace("'", "\u2019").replace("&", "and")
        return "".join(c for c in text if c not in '"\\<>')

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def highlight_sections(programme: Programme, *, today: date) -> list[Section]:
    """The report's sections, each from the app that owns its figures."""
    reserve = programme.funding_reserve
    reserve_data = (
        call_app_selector("reserves.selectors.reserve_position", reserve, today=today)
        if reserve is not None
        else UNAVAILABLE
    )
    return [
        Section.from_data(
            "spend",
            "Spend against the ceiling",
            call_app_selector("reserves.selectors.programme_spend", programme),
        ),
        Section.from_data(
            "stages", "Stages", call_app_selector("stages.selectors.stage_summaries", programme)
        ),
        Section.from_data(
            "outputs_due",
            "Outputs overdue or due in the next 30 days",
            call_app_selector(
                "stages.selectors.outputs_due", programme, today=today, within_days=30
            ),
            empty_text="No outputs are overdue or due in the next 30 days.",
        ),
        Section.from_data("reserve", "Reserve position", reserve_data),
        Section.from_data(
            "top_risks",
            "The five highest risks",
            call_app_selector("risks.selectors.top_risks", programme, limit=5),
            empty_text="No live risks.",
        ),
        Section.from_data(
            "heat_map",
            "Residual risk heat map",
            call_app_selector("risks.selectors.heat_map", programme, basis="residual"),
        ),
    ]


def highlight_context(
    programme: Programme, *, today: date | None = None, run: ReportRun | None = None
) -> HighlightContext:
    """Everything the highlight report shows, gathered once for the PDF and the workbook."""
    today = today or timezone.localdate()
    since = last_report_finished_at(programme, before=run)
    return HighlightContext(
        programme=programme,
        generated_at=timezone.now(),
        today=today,
        facts=programme_facts(programme),
        sections=highlight_sections(programme, today=today),
        changes=changes_since(programme, since),
    )


# The reserve position statement ----------------------------------------------------------


def reserve_statement_sections(programme: Programme, *, today: date) -> list[Section]:
    """The reserve position statement for finance: the reserve, its position, the spend."""
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
            ["Reserve", reserve.name],
            ["Opening balance", reserve.opening_balance],
            ["Opening date", reserve.opening_date],
            ["Floor", reserve.floor],
            ["Statement date", today],
            ["Programme", programme.name],
            ["Programme spending ceiling", programme.spending_ceiling],
        ],
    )
    return [
        facts,
        Section.from_data(
            "position",
            "Reserve position",
            call_app_selector("reserves.selectors.reserve_position", reserve, today=today),
        ),
        Section.from_data(
            "spend",
            "Programme spend against the ceiling",
            call_app_selector("reserves.selectors.programme_spend", programme),
        ),
    ]


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
    from .sources import app_model

    model = app_model("reserves.DrawdownRefusal")
    if model is None:
        return Refusals(rows=[], total=0, available=False)
    if filters.kind and filters.kind != REFUSALS_KIND:
        return Refusals(rows=[], total=0)
    rows = model._default_manager.filter(programme_id=programme.pk)
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
            audit.person_name(refusal.user) if refusal.user_id else (refusal.username or "System"),
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
