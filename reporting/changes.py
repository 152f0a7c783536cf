"""What changed in a programme's records since a moment (the previous highlight report, or
the last 30 days): listed for the report, counted by kind for the dashboard. Reads the audit
log's union over the history tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

from programme.models import Programme

from . import audit
from .models import ReportRun

CHANGES_LIMIT = 50


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
