"""Reads for stage pages, the dashboard and reminders, each in a fixed number of queries.

`stage_summaries(programme)` and `outputs_due(programme, today=…, within_days=…)` are the
public reads other apps use (dashboard, highlight report, reminders).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, Subquery

from core.dates import govuk_date
from programme.models import Decision, Programme

from . import rag as rag_scale
from .models import Output, ProgressUpdate, Stage

DUE_SOON_DAYS = 14


# Shapes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    state: str  # "approved", "budgeted_not_approved", "not_approved"
    word: str
    tag_modifier: str
    decision: Decision | None


@dataclass
class StageSummary:
    """What the dashboard and the stage list show for one stage."""

    stage: Stage
    rag: str | None
    rag_word: str
    rag_css: str
    rag_meaning: str
    percent: int | None
    as_of: date | None
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None
    approval: Approval
    gate_decision: Decision | None
    outputs_total: int
    outputs_accepted: int

    @property
    def approval_state(self) -> str:
        return self.approval.state

    @property
    def approval_word(self) -> str:
        return self.approval.word


@dataclass(frozen=True)
class DueOutput:
    output: Output
    state: str  # "overdue", "due_soon" or ""
    days: int | None  # days overdue (positive) or days left (for due soon)


@dataclass(frozen=True)
class OutputsDue:
    overdue: list[DueOutput]
    due_soon: list[DueOutput]


@dataclass
class StagePage:
    stage: Stage
    summary: StageSummary
    outputs: list[DueOutput]
    updates: list[ProgressUpdate]
    previous_outputs: list[Output] | None
    history: list[dict]


# Helpers ---------------------------------------------------------------------------------


def approval_of(stage: Stage, *, budgeted: bool = False) -> Approval:
    """Approved by a recorded decision; else "budgeted, not yet approved" when the cost table
    funds it (the ledger knows that: `reserves.selectors.stage_budget_lines`), else not."""
    if stage.approved_by_decision_id:
        return Approval("approved", "Approved", "green", stage.approved_by_decision)
    if budgeted:
        return Approval("budgeted_not_approved", "Budgeted, not yet approved", "yellow", None)
    return Approval("not_approved", "Not yet approved", "grey", None)


def due_state(output: Output, today: date, within_days: int = DUE_SOON_DAYS) -> DueOutput:
    if output.due_date is None or output.status == Output.Status.ACCEPTED:
        return DueOutput(output, "", None)
    if output.due_date < today:
        return DueOutput(output, "overdue", (today - output.due_date).days)
    if output.due_date <= today + timedelta(days=within_days):
        return DueOutput(output, "due_soon", (output.due_date - today).days)
    return DueOutput(output, "", None)


def _latest_update():
    return ProgressUpdate.objects.filter(stage=OuterRef("pk")).order_by(
        "-as_of", "-created_at", "-id"
    )


def _summary(stage: Stage, *, rag, percent, as_of, total, accepted, budgeted) -> StageSummary:
    return StageSummary(
        stage=stage,
        rag=rag,
        rag_word=rag_scale.label(rag),
        rag_css=rag_scale.css_class(rag),
        rag_meaning=rag_scale.meaning(rag),
        percent=percent,
        as_of=as_of,
        planned_start=stage.planned_start,
        planned_end=stage.planned_end,
        actual_start=stage.actual_start,
        actual_end=stage.actual_end,
        approval=approval_of(stage, budgeted=budgeted),
        gate_decision=stage.gate_decision,
        outputs_total=total,
        outputs_accepted=accepted,
    )


# Public reads ----------------------------------------------------------------------------


def stage_summaries(
    programme: Programme, *, budgeted_stage_ids: frozenset[int] = frozenset()
) -> list[StageSummary]:
    """Every stage of `programme` with its current RAG and percent (the latest update's),
    dates and approval state. One query whatever the data.

    `budgeted_stage_ids`: the stages a cost line funds, from the ledger, for callers that know
    it (the dashboard); a stage page leaves it out and says "not yet approved"."""
    latest = _latest_update()
    stages = (
        Stage.objects.filter(programme=programme)
        .select_related("programme", "approved_by_decision", "gate_decision")
        .annotate(
            current_rag=Subquery(latest.values("rag")[:1]),
            current_percent=Subquery(latest.values("percent_complete")[:1]),
            current_as_of=Subquery(latest.values("as_of")[:1]),
            outputs_total=Count("outputs", distinct=True),
            outputs_accepted=Count(
                "outputs", filter=Q(outputs__status=Output.Status.ACCEPTED), distinct=True
            ),
        )
        .order_by("number")
    )
    return [
        _summary(
            stage,
            rag=stage.current_rag,
            percent=stage.current_percent,
            as_of=stage.current_as_of,
            total=stage.outputs_total,
            accepted=stage.outputs_accepted,
            budgeted=stage.pk in budgeted_stage_ids,
        )
        for stage in stages
    ]


def outputs_due(programme: Programme, *, today: date, within_days: int = DUE_SOON_DAYS):
    """Outputs not yet accepted that are overdue or due within `within_days` of `today`, with
    their stage and owner. One query."""
    horizon = today + timedelta(days=within_days)
    candidates = (
        Output.objects.filter(stage__programme=programme, due_date__lte=horizon)
        .exclude(status=Output.Status.ACCEPTED)
        .select_related("stage", "stage__programme", "owner")
        .order_by("due_date", "stage__number", "code")
    )
    overdue, due_soon = [], []
    for output in candidates:
        row = due_state(output, today, within_days)
        (overdue if row.state == "overdue" else due_soon).append(row)
    return OutputsDue(overdue=overdue, due_soon=due_soon)


def stage_page(stage: Stage, *, today: date) -> StagePage:
    """Everything the stage page shows; the same number of queries however many updates and
    outputs the stage has."""
    stage = Stage.objects.select_related("programme", "approved_by_decision", "gate_decision").get(
        pk=stage.pk
    )
    outputs = list(
        stage.outputs.select_related("owner", "accepted_by", "submitted_by").order_by("code")
    )
    updates = list(stage.progress_updates.select_related("author"))
    previous = None
    if stage.number > 1:
        previous = list(
            Output.objects.filter(
                stage__programme_id=stage.programme_id, stage__number=stage.number - 1
            ).order_by("code")
        )
    latest = updates[0] if updates else None
    summary = _summary(
        stage,
        rag=latest.rag if latest else None,
        percent=latest.percent_complete if latest else None,
        as_of=latest.as_of if latest else None,
        total=len(outputs),
        accepted=sum(o.status == Output.Status.ACCEPTED for o in outputs),
        budgeted=False,
    )
    return StagePage(
        stage=stage,
        summary=summary,
        outputs=[due_state(o, today) for o in outputs],
        updates=updates,
        previous_outputs=previous,
        history=stage_history(stage),
    )


HISTORY_LIMIT = 25


def stage_history(stage: Stage) -> list[dict]:
    """The latest changes to the stage, its outputs and its updates: who, when, what."""
    rows = []
    sources = (
        ("Stage", Stage.history.filter(id=stage.pk)),
        ("Output", Output.history.filter(stage_id=stage.pk)),
        ("Progress update", ProgressUpdate.history.filter(stage_id=stage.pk)),
    )
    for kind, queryset in sources:
        records = list(
            queryset.select_related("history_user").order_by("-history_date", "-history_id")[
                : HISTORY_LIMIT + 1
            ]
        )
        # prev_record would query once per row; pair each row with the next-older row of the
        # same object from what was already fetched (the oldest one fetched shows "Changed").
        by_object: dict[int, list] = {}
        for record in records:
            by_object.setdefault(record.id, []).append(record)
        for record in records[:HISTORY_LIMIT]:
            chain = by_object[record.id]
            index = chain.index(record)
            older = chain[index + 1] if index + 1 < len(chain) else None
            rows.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "kind": kind,
                    "object": _history_label(kind, record),
                    "change": _describe(record, older),
                    "reason": record.history_change_reason or "",
                }
            )
    rows.sort(key=lambda r: r["when"], reverse=True)
    return rows[:HISTORY_LIMIT]


def _history_label(kind: str, record) -> str:
    if kind == "Output":
        return f"{record.code}) {record.title}"
    if kind == "Progress update":
        return f"Update of {govuk_date(record.as_of)}"
    return f"Stage {record.number}: {record.name}"


def _describe(record, older) -> str:
    if record.history_type == "+":
        return "Created"
    if record.history_type == "-":
        return "Deleted"
    if older is None:
        return "Changed"
    delta = record.diff_against(older)
    model = record.instance_type
    names = [str(model._meta.get_field(c.field).verbose_name) for c in delta.changes]
    return ("Changed " + ", ".join(names)) if names else "Saved with no change"


def output_page(output: Output) -> dict:
    output = Output.objects.select_related(
        "stage", "stage__programme", "owner", "accepted_by", "submitted_by"
    ).get(pk=output.pk)
    records = list(
        Output.history.filter(id=output.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: HISTORY_LIMIT + 1]
    )
    history = [
        {
            "when": r.history_date,
            "who": r.history_user,
            "change": _describe(r, records[i + 1] if i + 1 < len(records) else None),
            "status": r.get_status_display(),
        }
        for i, r in enumerate(records[:HISTORY_LIMIT])
    ]
    return {"output": output, "history": history}


def my_outputs(user, programme: Programme, *, today: date) -> dict:
    """The officer's own outputs (with due state), and submitted outputs owned by others that
    the officer could accept. Two queries."""
    mine = (
        Output.objects.filter(stage__programme=programme, owner=user)
        .select_related("stage", "stage__programme", "accepted_by")
        .order_by("status", "due_date", "stage__number", "code")
    )
    rows = [due_state(o, today) for o in mine]
    # Overdue first, then due soon, then the rest; accepted last.
    order = {"overdue": 0, "due_soon": 1, "": 2}
    rows.sort(
        key=lambda r: (
            r.output.status == Output.Status.ACCEPTED,
            order[r.state],
            r.output.due_date or date.max,
            r.output.stage.number,
            r.output.code,
        )
    )
    to_accept = list(
        Output.objects.filter(stage__programme=programme, status=Output.Status.SUBMITTED)
        .exclude(owner=user)
        .exclude(submitted_by=user)
        .select_related("stage", "stage__programme", "owner", "submitted_by")
        .order_by("submitted_at", "stage__number", "code")
    )
    return {
        "rows": rows,
        "overdue": sum(r.state == "overdue" for r in rows),
        "due_soon": sum(r.state == "due_soon" for r in rows),
        "to_accept": to_accept,
    }


def outputs_for_export(programme: Programme) -> list[Output]:
    return list(
        Output.objects.filter(stage__programme=programme)
        .select_related("stage", "owner", "accepted_by", "submitted_by")
        .order_by("stage__number", "code")
    )


def updates_for_export(programme: Programme) -> list[ProgressUpdate]:
    return list(
        ProgressUpdate.objects.filter(stage__programme=programme)
        .select_related("stage", "author")
        .order_by("stage__number", "as_of", "created_at", "id")
    )
