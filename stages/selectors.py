"""Reads for stage pages, the dashboard and reminders, each in a fixed number of queries.

`stage_summaries(programme)` and `outputs_due(programme, today=…, within_days=…)` are the
public reads other apps use (dashboard, highlight report, reminders).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page
from django.db.models import (
    Case,
    Count,
    DateField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from core.dates import govuk_date
from core.pagination import page_of
from programme.models import Decision, Programme

from . import rag as rag_scale
from .models import Escalation, Output, ProgressUpdate, Stage, ToleranceException

DUE_SOON_DAYS = 14
# A stage page shows this many outputs and progress updates at a time, and charts the latest
# CHART_POINTS updates (a point each, labelled with its percent: more would not be readable).
OUTPUTS_PER_PAGE = 25
UPDATES_PER_PAGE = 10
CHART_POINTS = 24
MY_OUTPUTS_PER_PAGE = 25


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
    outputs: Page  # of DueOutput
    updates: Page  # of ProgressUpdate, newest first
    chart_updates: list[ProgressUpdate]  # the latest CHART_POINTS, newest first
    updates_total: int
    previous_outputs: list[Output] | None  # of the stage before, not yet accepted
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


@dataclass(frozen=True)
class OutputsDuePages:
    overdue: Page  # of DueOutput
    due_soon: Page  # of DueOutput


def outputs_due_pages(
    programme: Programme,
    *,
    today: date,
    overdue_page: str | None = None,
    due_soon_page: str | None = None,
    within_days: int = DUE_SOON_DAYS,
    per_page: int = OUTPUTS_PER_PAGE,
) -> OutputsDuePages:
    """`outputs_due` a page at a time, for the stage list: four queries (a count and a page of
    each list) however many outputs are due."""
    horizon = today + timedelta(days=within_days)
    waiting = (
        Output.objects.filter(stage__programme=programme)
        .exclude(status=Output.Status.ACCEPTED)
        .select_related("stage", "stage__programme", "owner")
        .order_by("due_date", "stage__number", "code")
    )
    pages = []
    for rows, number in (
        (waiting.filter(due_date__lt=today), overdue_page),
        (waiting.filter(due_date__gte=today, due_date__lte=horizon), due_soon_page),
    ):
        page = page_of(rows, number, per_page=per_page)
        page.object_list = [due_state(o, today, within_days) for o in page.object_list]
        pages.append(page)
    return OutputsDuePages(*pages)


def stage_page(
    stage: Stage, *, today: date, outputs_page: str | None = None, updates_page: str | None = None
) -> StagePage:
    """Everything the stage page shows, one page of outputs and one of progress updates at a
    time: the same number of queries, and rows, however many updates and outputs the stage
    has."""
    stage = Stage.objects.select_related("programme", "approved_by_decision", "gate_decision").get(
        pk=stage.pk
    )
    counts = stage.outputs.aggregate(
        total=Count("id"), accepted=Count("id", filter=Q(status=Output.Status.ACCEPTED))
    )
    outputs = page_of(
        stage.outputs.select_related("owner", "accepted_by", "submitted_by").order_by("code"),
        outputs_page,
        per_page=OUTPUTS_PER_PAGE,
        count=counts["total"],
    )
    outputs.object_list = [due_state(o, today) for o in outputs.object_list]
    updates = page_of(
        stage.progress_updates.select_related("author"), updates_page, per_page=UPDATES_PER_PAGE
    )
    chart_updates = list(
        stage.progress_updates.only(
            "pk", "stage", "as_of", "created_at", "rag", "percent_complete"
        )[:CHART_POINTS]
    )
    previous = None
    if stage.number > 1 and stage.status == Stage.Status.NOT_STARTED:
        # Only a stage not yet started asks after the stage before, and only its outputs not
        # yet accepted stand in the way.
        previous = list(
            Output.objects.filter(
                stage__programme_id=stage.programme_id, stage__number=stage.number - 1
            )
            .exclude(status=Output.Status.ACCEPTED)
            .order_by("code")
        )
    latest = chart_updates[0] if chart_updates else None
    summary = _summary(
        stage,
        rag=latest.rag if latest else None,
        percent=latest.percent_complete if latest else None,
        as_of=latest.as_of if latest else None,
        total=counts["total"],
        accepted=counts["accepted"],
        budgeted=False,
    )
    return StagePage(
        stage=stage,
        summary=summary,
        outputs=outputs,
        updates=updates,
        chart_updates=chart_updates,
        updates_total=updates.paginator.count,
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


def my_outputs(
    user,
    programme: Programme,
    *,
    today: date,
    page: str | None = None,
    accept_page: str | None = None,
) -> dict:
    """The officer's own outputs (with due state), overdue first, then due soon, then the
    rest, accepted last; and submitted outputs owned by others that the officer could accept.
    One page of each, ordered and counted by the database: a fixed number of queries and rows
    however many outputs there are."""
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    not_accepted = ~Q(status=Output.Status.ACCEPTED)
    mine = Output.objects.filter(stage__programme=programme, owner=user).annotate(
        accepted_last=Case(
            When(status=Output.Status.ACCEPTED, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        due_rank=Case(
            When(not_accepted & Q(due_date__lt=today), then=Value(0)),
            When(not_accepted & Q(due_date__lte=horizon), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        due_or_never=Case(
            When(due_date__isnull=True, then=Value(date.max)),
            default="due_date",
            output_field=DateField(),
        ),
    )
    counts = mine.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=not_accepted & Q(due_date__lt=today)),
        due_soon=Count("id", filter=not_accepted & Q(due_date__gte=today, due_date__lte=horizon)),
    )
    rows = page_of(
        mine.select_related("stage", "stage__programme", "accepted_by").order_by(
            "accepted_last", "due_rank", "due_or_never", "stage__number", "code"
        ),
        page,
        per_page=MY_OUTPUTS_PER_PAGE,
        count=counts["total"],
    )
    rows.object_list = [due_state(o, today) for o in rows.object_list]
    to_accept = page_of(
        Output.objects.filter(stage__programme=programme, status=Output.Status.SUBMITTED)
        .exclude(owner=user)
        .exclude(submitted_by=user)
        .select_related("stage", "stage__programme", "owner", "submitted_by")
        .order_by("submitted_at", "stage__number", "code"),
        accept_page,
        per_page=MY_OUTPUTS_PER_PAGE,
    )
    return {
        "rows": rows,
        "overdue": counts["overdue"],
        "due_soon": counts["due_soon"],
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


# Tolerances, exceptions and escalations: what needs Cabinet ----------------------------------

AWAITING_SHOWN = 10
EXCEPTIONS_PER_PAGE = 20


def _age(item, today: date):
    item.age_days = max((today - timezone.localdate(item.raised_at)).days, 0)
    return item


def _exceptions(programme: Programme):
    return ToleranceException.objects.filter(stage__programme=programme).select_related(
        "stage", "raised_by", "reported_by", "decided_by", "raised_from"
    )


def _escalations(programme: Programme):
    return Escalation.objects.filter(stage__programme=programme).select_related(
        "stage", "raised_by", "decided_by", "progress_update"
    )


@dataclass
class Awaiting:
    """Open exceptions and escalations awaiting Cabinet, oldest first: at most AWAITING_SHOWN
    of each, with how many there are in all."""

    today: date
    exceptions: list
    exceptions_count: int
    escalations: list
    escalations_count: int
    recently_decided: list

    @property
    def any(self) -> bool:
        return bool(self.exceptions_count or self.escalations_count)

    @property
    def exceptions_more(self) -> int:
        return self.exceptions_count - len(self.exceptions)

    @property
    def escalations_more(self) -> int:
        return self.escalations_count - len(self.escalations)


def awaiting_cabinet(programme: Programme, *, today: date, limit: int = AWAITING_SHOWN) -> Awaiting:
    """Five queries however many there are."""
    open_exceptions = _exceptions(programme).exclude(status=ToleranceException.Status.DECIDED)
    awaiting = _escalations(programme).filter(status=Escalation.Status.AWAITING)
    decided = list(
        _escalations(programme)
        .filter(status=Escalation.Status.DECIDED)
        .order_by("-decided_at", "-id")[:limit]
    )
    return Awaiting(
        today=today,
        exceptions=[_age(e, today) for e in open_exceptions.order_by("raised_at", "id")[:limit]],
        exceptions_count=open_exceptions.count(),
        escalations=[_age(e, today) for e in awaiting.order_by("raised_at", "id")[:limit]],
        escalations_count=awaiting.count(),
        recently_decided=decided,
    )


@dataclass
class ExceptionLog:
    exceptions: Page
    escalations: Page


def exception_log(
    programme: Programme, *, today: date, exceptions_page=None, escalations_page=None
) -> ExceptionLog:
    """Every exception and escalation, those still open first, a page of each at a time."""
    open_first = Case(
        When(status__in=("decided",), then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    exceptions = page_of(
        _exceptions(programme).order_by(open_first, "-raised_at", "-id"),
        exceptions_page,
        per_page=EXCEPTIONS_PER_PAGE,
    )
    escalations = page_of(
        _escalations(programme).order_by(open_first, "-raised_at", "-id"),
        escalations_page,
        per_page=EXCEPTIONS_PER_PAGE,
    )
    for item in [*exceptions.object_list, *escalations.object_list]:
        _age(item, today)
    return ExceptionLog(exceptions=exceptions, escalations=escalations)


def stage_cabinet_items(stage: Stage, *, today: date, limit: int = AWAITING_SHOWN) -> dict:
    """The stage's latest exceptions and escalations with Cabinet's decisions, for the officer
    on the stage page (two queries)."""
    exceptions = list(
        ToleranceException.objects.filter(stage=stage)
        .select_related("stage", "decided_by", "raised_by")
        .order_by("-raised_at", "-id")[:limit]
    )
    escalations = list(
        Escalation.objects.filter(stage=stage)
        .select_related("stage", "decided_by", "raised_by")
        .order_by("-raised_at", "-id")[:limit]
    )
    for item in [*exceptions, *escalations]:
        _age(item, today)
    return {"exceptions": exceptions, "escalations": escalations}


def tolerance_page(programme: Programme) -> dict:
    """The programme's tolerances and each stage's budget, tolerances and forecasts, with the
    decisions that set them (two queries)."""
    stages = list(
        Stage.objects.filter(programme=programme)
        .select_related("tolerance_decision")
        .order_by("number")
    )
    decision = None
    if programme.tolerance_decision_id:
        decision = Decision.objects.filter(pk=programme.tolerance_decision_id).first()
    return {"programme_decision": decision, "stages": stages}


def latest_updates(programme: Programme) -> list[ProgressUpdate]:
    """Each stage's latest progress update (its narrative and next steps), by stage number:
    one query however many updates there are."""
    latest = (
        ProgressUpdate.objects.filter(stage=OuterRef("stage"))
        .order_by("-as_of", "-created_at", "-id")
        .values("id")[:1]
    )
    return list(
        ProgressUpdate.objects.filter(stage__programme=programme, id=Subquery(latest))
        .select_related("stage", "author")
        .order_by("stage__number")
    )


def decided_since(programme: Programme, since) -> dict:
    """Exceptions and escalations Cabinet decided after `since` (None: ever), latest first,
    at most AWAITING_SHOWN of each (two queries)."""
    exceptions = _exceptions(programme).filter(status=ToleranceException.Status.DECIDED)
    escalations = _escalations(programme).filter(status=Escalation.Status.DECIDED)
    if since is not None:
        exceptions = exceptions.filter(decided_at__gt=since)
        escalations = escalations.filter(decided_at__gt=since)
    return {
        "exceptions": list(exceptions.order_by("-decided_at", "-id")[:AWAITING_SHOWN]),
        "escalations": list(escalations.order_by("-decided_at", "-id")[:AWAITING_SHOWN]),
    }
