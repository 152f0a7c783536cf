"""Writes for stages: edit, start and complete a stage, record its approval and gate, manage
outputs and their status (four-eyes acceptance), post progress updates.

Every service has the shape of decision 0081: `actor` first, `require()` before anything
else (so a caller cannot forget), the write inside `transaction.atomic()` and
`acting_user(actor)` (so every history row names the actor, in a request or not), the
editable fields as one tuple that the form's `Meta.fields` imports, validated with
`full_clean()`: either the whole change is saved or nothing is. Refusals are
`PermissionDenied`; bad input is `ValidationError` keyed by the form's field names.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import Truncator

from core.access import Capability, Role, require, roles_of
from core.dates import govuk_date
from core.history import acting_user
from core.money import format_gbp, money_sum, to_money
from core.names import person_name
from core.outbox import email_queue
from core.services import assign_fields
from programme.models import Decision, Programme

from .models import Escalation, Output, ProgressUpdate, Stage, ToleranceException

STAGE_FIELDS = (
    "name",
    "description",
    "planned_start",
    "planned_end",
    "planned_dates_note",
    "procurement_route",
    "contract_basis",
    "supplier",
    "rag_scale",
    "source_reference",
)
OUTPUT_FIELDS = (
    "code",
    "title",
    "description",
    "owner",
    "due_date",
    "evidence_url",
    "evidence_file",
    "note",
    "source_reference",
)
PROGRESS_UPDATE_FIELDS = (
    "as_of",
    "rag",
    "percent_complete",
    "narrative",
    "next_steps",
    "escalation",
    "forecast_end",
    "forecast_cost",
)
# What Cabinet sets when it records tolerances: a stage's budget and its three tolerances;
# the programme has no budget field (its budget is the sum of its stages' budgets).
TOLERANCE_FIELDS = ("cost_tolerance_percent", "time_tolerance_days", "scope_tolerance_outputs")
STAGE_TOLERANCE_FIELDS = ("budget", *TOLERANCE_FIELDS)
TOLERANCE_DECISION_FIELDS = ("decided_on", "decision_maker", "summary")
EXCEPTION_REPORT_FIELDS = ("cause", "options", "recommendation")
EXCEPTION_DECISION_FIELDS = ("outcome", "decision_note")
ESCALATION_DECISION_FIELDS = ("decision",)
# A gate decision and a stage approval are Decision rows; the approval also has a title.
GATE_DECISION_FIELDS = ("decided_on", "decision_maker", "summary", "source_reference")
APPROVAL_DECISION_FIELDS = ("title", *GATE_DECISION_FIELDS)

# What a change of evidence does to a submitted or accepted output (issue 16, item 4).
EVIDENCE_CHANGED_REASON = (
    "Evidence changed after submission: back in progress, any acceptance cleared"
)

# The only moves an output's status may make. Accepted is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Output.Status.NOT_STARTED: frozenset({Output.Status.IN_PROGRESS}),
    Output.Status.IN_PROGRESS: frozenset({Output.Status.SUBMITTED}),
    Output.Status.SUBMITTED: frozenset({Output.Status.ACCEPTED, Output.Status.IN_PROGRESS}),
    Output.Status.ACCEPTED: frozenset(),
}

ALLOWED_EVIDENCE_EXTENSIONS = frozenset(
    {"pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "png", "jpg", "jpeg", "csv", "txt"}
)


def _listed(outputs) -> str:
    """`a) Case for change, b) …`: long titles shortened so a message stays readable."""
    return ", ".join(f"{o.code}) {Truncator(o.title.rstrip('.')).chars(70)}" for o in outputs)


def _locked(model, pk):
    """Re-read a row under a lock so two officers acting at once cannot both pass a check."""
    return model.objects.select_for_update().get(pk=pk)


def _output_data(data: dict[str, Any]) -> dict[str, Any]:
    """The output form's data as fields to set. A file input gives None or the stored file
    for "no new file" (so the stored one stays), False for "remove the file", else the new
    upload."""
    data = dict(data)
    if "evidence_file" in data:
        value = data["evidence_file"]
        if value is None or isinstance(value, FieldFile):
            del data["evidence_file"]
        elif value is False:
            data["evidence_file"] = ""
    return data


# Evidence --------------------------------------------------------------------------------


def evidence_file_validate(upload) -> None:
    """Refuse an evidence file of a type we do not take or larger than EVIDENCE_MAX_BYTES."""
    if not upload:
        return
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_EVIDENCE_EXTENSIONS:
        allowed = ", ".join(sorted(ALLOWED_EVIDENCE_EXTENSIONS))
        raise ValidationError(
            {"evidence_file": f"The evidence file must be one of these types: {allowed}."}
        )
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        megabytes = limit // (1024 * 1024)
        raise ValidationError(
            {"evidence_file": f"The evidence file must be {megabytes} MB or smaller."}
        )


# Stages ----------------------------------------------------------------------------------


def stage_update(*, actor, stage: Stage, data: dict[str, Any]) -> Stage:
    require(actor, Capability.UPDATE_STAGES)
    with transaction.atomic(), acting_user(actor):
        stage = _locked(Stage, stage.pk)
        assign_fields(stage, data, STAGE_FIELDS)
        stage.full_clean()
        stage.save()
    return stage


def stage_start_blockers(stage: Stage, previous_outputs: list[Output] | None = None) -> list[str]:
    """What still stands between `stage` and starting it, in words; empty when it may start.

    `previous_outputs` may be passed by a selector that has already fetched them.
    """
    blockers = []
    if stage.status != Stage.Status.NOT_STARTED:
        blockers.append(f"Stage {stage.number} has already started.")
        return blockers
    if stage.approved_by_decision_id is None:
        blockers.append(
            f"No decision has approved stage {stage.number} yet: a cabinet member must record one."
        )
    if stage.number > 1:
        if previous_outputs is None:
            previous_outputs = list(
                Output.objects.filter(
                    stage__programme_id=stage.programme_id, stage__number=stage.number - 1
                ).order_by("code")
            )
        waiting = [o for o in previous_outputs if o.status != Output.Status.ACCEPTED]
        if waiting:
            codes = _listed(waiting)
            blockers.append(
                f"Every output of stage {stage.number - 1} must be accepted first; "
                f"not yet accepted: {codes}."
            )
        if stage.gate_decision_id is None:
            blockers.append(
                f"The gate decision from stage {stage.number - 1} into stage {stage.number} "
                "has not been recorded by a cabinet member."
            )
    return blockers


def stage_start(*, actor, stage: Stage, actual_start: date) -> Stage:
    """Start a stage. Refused, with what is missing, before its gate is passed."""
    require(actor, Capability.UPDATE_STAGES)
    with transaction.atomic(), acting_user(actor):
        stage = _locked(Stage, stage.pk)
        blockers = stage_start_blockers(stage)
        if blockers:
            raise ValidationError(blockers)
        if actual_start > timezone.localdate():
            raise ValidationError({"actual_start": "The start date cannot be in the future."})
        stage.status = Stage.Status.IN_PROGRESS
        stage.actual_start = actual_start
        stage.full_clean()
        stage.save()
    return stage


def stage_complete(*, actor, stage: Stage, actual_end: date) -> Stage:
    """Close a stage once every one of its outputs is accepted."""
    require(actor, Capability.UPDATE_STAGES)
    with transaction.atomic(), acting_user(actor):
        stage = _locked(Stage, stage.pk)
        if stage.status != Stage.Status.IN_PROGRESS:
            raise ValidationError(f"Stage {stage.number} is not in progress, so it cannot end.")
        waiting = list(stage.outputs.exclude(status=Output.Status.ACCEPTED).order_by("code"))
        if waiting:
            codes = _listed(waiting)
            raise ValidationError(f"Every output must be accepted first; not yet: {codes}.")
        if actual_end > timezone.localdate():
            raise ValidationError({"actual_end": "The end date cannot be in the future."})
        stage.status = Stage.Status.COMPLETED
        stage.actual_end = actual_end
        stage.full_clean()
        stage.save()
    return stage


def stage_gate_record(*, actor, stage: Stage, data: dict[str, Any]) -> Decision:
    """A cabinet member records the gate decision that lets `stage` start.

    The gate is only recorded once every output of the previous stage is accepted: the gate
    is the cabinet's look at those outputs.
    """
    require(actor, Capability.RECORD_DECISION)
    with transaction.atomic(), acting_user(actor):
        stage = _locked(Stage, stage.pk)
        if stage.number <= 1:
            raise ValidationError(
                "Stage 1 has no gate: the decision that approved it lets it start."
            )
        if stage.gate_decision_id is not None:
            raise ValidationError(f"The gate into stage {stage.number} is already recorded.")
        waiting = list(
            Output.objects.filter(
                stage__programme_id=stage.programme_id, stage__number=stage.number - 1
            )
            .exclude(status=Output.Status.ACCEPTED)
            .order_by("code")
        )
        if waiting:
            codes = _listed(waiting)
            raise ValidationError(
                f"The gate needs every output of stage {stage.number - 1} accepted; "
                f"not yet: {codes}."
            )
        decision = Decision(
            programme=stage.programme,
            kind=Decision.Kind.STAGE_GATE,
            recorded_by=actor,
            title=f"Gate from stage {stage.number - 1} into stage {stage.number}",
        )
        assign_fields(decision, data, GATE_DECISION_FIELDS)
        decision.full_clean()
        decision.save()
        stage.gate_decision = decision
        stage.full_clean()
        stage.save()
    return decision


def stage_approval_record(
    *, actor, programme: Programme, stages: list[Stage], data: dict[str, Any]
) -> Decision:
    """Record one decision that approves one or more stages (and their spending)."""
    require(actor, Capability.RECORD_DECISION)
    if not stages:
        raise ValidationError({"stages": "Choose at least one stage this decision approves."})
    with transaction.atomic(), acting_user(actor):
        locked = list(
            Stage.objects.select_for_update()
            .filter(pk__in=[s.pk for s in stages])
            .order_by("number")
        )
        if any(s.programme_id != programme.pk for s in locked):
            raise ValidationError({"stages": "Every stage must belong to this programme."})
        already = [s for s in locked if s.approved_by_decision_id is not None]
        if already:
            numbers = ", ".join(str(s.number) for s in already)
            raise ValidationError({"stages": f"Already approved: stage {numbers}."})
        decision = Decision(
            programme=programme, kind=Decision.Kind.STAGE_APPROVAL, recorded_by=actor
        )
        assign_fields(decision, data, APPROVAL_DECISION_FIELDS)
        decision.full_clean()
        decision.save()
        for stage in locked:
            stage.approved_by_decision = decision
            stage.full_clean()
            stage.save()
    return decision


# Outputs ---------------------------------------------------------------------------------


def output_create(*, actor, stage: Stage, data: dict[str, Any]) -> Output:
    require(actor, Capability.UPDATE_STAGES)
    data = _output_data(data)
    evidence_file_validate(data.get("evidence_file"))
    with transaction.atomic(), acting_user(actor):
        output = Output(stage=stage)
        assign_fields(output, data, OUTPUT_FIELDS)
        output.full_clean()
        output.save()
    return output


def output_update(*, actor, output: Output, data: dict[str, Any]) -> Output:
    """Edit an output. Its evidence is frozen once submitted: a change of evidence sends a
    submitted (or accepted) output back to in progress and clears its submission and any
    acceptance, so nobody accepts evidence they did not see (the history row says why)."""
    require(actor, Capability.UPDATE_STAGES)
    data = _output_data(data)
    evidence_file_validate(data.get("evidence_file"))
    with transaction.atomic(), acting_user(actor):
        output = _locked(Output, output.pk)
        identity_before = _identity(output)
        evidence_before = _evidence(output)
        assign_fields(output, data, OUTPUT_FIELDS)
        if output.status == Output.Status.ACCEPTED and _identity(output) != identity_before:
            raise ValidationError("An accepted output's code, title and owner cannot change.")
        evidence_changed = _evidence(output) != evidence_before
        if evidence_changed and output.status in (
            Output.Status.SUBMITTED,
            Output.Status.ACCEPTED,
        ):
            if output.stage.status == Stage.Status.COMPLETED:
                raise ValidationError(
                    {
                        "evidence_url": f"Stage {output.stage.number} is complete: the "
                        "evidence its outputs were accepted on cannot change."
                    }
                )
            output.status = Output.Status.IN_PROGRESS
            output.submitted_by = None
            output.submitted_at = None
            output.accepted_by = None
            output.accepted_at = None
            output._change_reason = EVIDENCE_CHANGED_REASON
        output.full_clean()
        output.save()
    return output


def _identity(output: Output) -> tuple:
    # What an acceptance names besides the evidence: changing it afterwards would make the
    # acceptance vouch for something else.
    return (output.code, output.title, output.owner_id)


def _evidence(output: Output) -> tuple:
    return (output.evidence_url, output.evidence_file.name or "")


def evidence_seen(output: Output) -> str:
    """A short fingerprint of the evidence (and submission) a page showed, sent back with an
    acceptance so the service can refuse one made on evidence that changed since."""
    submitted = output.submitted_at.isoformat() if output.submitted_at else ""
    text = "\n".join([*_evidence(output), submitted])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _is_admin(user) -> bool:
    return Role.ADMIN in roles_of(user)


def output_accept(*, actor, output: Output, seen_evidence: str | None = None) -> Output:
    """Accept a submitted output: four eyes — never by its owner or the officer who submitted
    it, unless an Admin. From a page, `seen_evidence` is the `evidence_seen` fingerprint of
    the evidence the acceptor was shown; a different one now is refused."""
    require(actor, Capability.UPDATE_STAGES)
    with transaction.atomic(), acting_user(actor):
        output = _locked(Output, output.pk)
        if output.status != Output.Status.SUBMITTED:
            raise ValidationError(
                {
                    "status": "Only a submitted output can be accepted; this one is "
                    f"{output.get_status_display().lower()}."
                }
            )
        if not _is_admin(actor) and actor.pk in (output.owner_id, output.submitted_by_id):
            raise ValidationError(
                {
                    "status": "You cannot accept an output you own or submitted: another "
                    "officer (or an Admin) must accept it."
                }
            )
        if seen_evidence is not None and seen_evidence != evidence_seen(output):
            raise ValidationError(
                {
                    "status": "The evidence changed after this page was opened: look at the "
                    "evidence now on the page before accepting."
                }
            )
        output.status = Output.Status.ACCEPTED
        output.accepted_by = actor
        output.accepted_at = timezone.now()
        output.full_clean()
        output.save()
    return output


def output_transition(
    *, actor, output: Output, to_status: str, seen_evidence: str | None = None
) -> Output:
    """Move an output's status one allowed step; acceptance goes through `output_accept`."""
    require(actor, Capability.UPDATE_STAGES)
    if to_status not in Output.Status.values:
        raise ValidationError({"status": f"“{to_status}” is not a status an output can have."})
    if to_status == Output.Status.ACCEPTED:
        return output_accept(actor=actor, output=output, seen_evidence=seen_evidence)
    with transaction.atomic(), acting_user(actor):
        output = _locked(Output, output.pk)
        if to_status not in TRANSITIONS[output.status]:
            raise ValidationError(
                {
                    "status": f"An output that is {output.get_status_display().lower()} cannot "
                    f"move to {Output.Status(to_status).label.lower()}."
                }
            )
        if to_status == Output.Status.SUBMITTED:
            if not output.has_evidence:
                raise ValidationError(
                    {"status": "Add evidence (a link or a file) before submitting the output."}
                )
            output.submitted_by = actor
            output.submitted_at = timezone.now()
        if to_status == Output.Status.IN_PROGRESS:
            # Sent back (or first started): any earlier submission no longer stands.
            output.submitted_by = None
            output.submitted_at = None
        output.status = to_status
        output.full_clean()
        output.save()
    return output


def allowed_next_statuses(output: Output, user) -> list[str]:
    """The statuses `user` could move `output` to now (for the form's choices)."""
    allowed = [s for s in Output.Status.values if s in TRANSITIONS[output.status]]
    own = user.pk in (output.owner_id, output.submitted_by_id)
    if Output.Status.ACCEPTED in allowed and own and not _is_admin(user):
        allowed.remove(Output.Status.ACCEPTED)
    if Output.Status.SUBMITTED in allowed and not output.has_evidence:
        allowed.remove(Output.Status.SUBMITTED)
    return allowed


# Progress updates ------------------------------------------------------------------------


def progress_update_create(*, actor, stage: Stage, data: dict[str, Any]) -> ProgressUpdate:
    require(actor, Capability.UPDATE_STAGES)
    with transaction.atomic(), acting_user(actor):
        stage = _locked(Stage, stage.pk)
        if stage.status == Stage.Status.NOT_STARTED:
            raise ValidationError(
                f"Stage {stage.number} has not started: progress is reported once it starts."
            )
        update = ProgressUpdate(stage=stage, author=actor)
        assign_fields(update, data, PROGRESS_UPDATE_FIELDS)
        as_of = update.as_of
        if as_of is not None and as_of > timezone.localdate():
            raise ValidationError({"as_of": "The date of the update cannot be in the future."})
        if as_of is not None and stage.actual_start and as_of < stage.actual_start:
            raise ValidationError(
                {"as_of": "The date of the update cannot be before the stage started."}
            )
        if (
            update.forecast_end is not None
            and stage.actual_start
            and update.forecast_end < stage.actual_start
        ):
            raise ValidationError(
                {"forecast_end": "The forecast end date cannot be before the stage started."}
            )
        update.full_clean()
        update.save()
        # The stage's forecasts are the latest ones an officer gave (kept when left blank).
        changed = False
        for name in ("forecast_end", "forecast_cost"):
            value = getattr(update, name)
            if value is not None and value != getattr(stage, name):
                setattr(stage, name, value)
                changed = True
        if changed:
            stage.save()
        now = timezone.now()
        exceptions = []
        for breach in tolerance_breaches(stage, as_of=update.as_of):
            if stage.exceptions.filter(tolerance=breach.tolerance).exclude(
                status=ToleranceException.Status.DECIDED
            ):
                continue  # one open exception per tolerance: the report already stands
            exception = ToleranceException.objects.create(
                stage=stage,
                tolerance=breach.tolerance,
                raised_from=update,
                raised_by=actor,
                raised_at=now,
                limit=breach.limit,
                forecast=breach.forecast,
                excess=breach.excess,
            )
            exceptions.append(exception)
        raised = []
        if update.escalation.strip():
            raised.append(
                Escalation.objects.create(
                    stage=stage,
                    progress_update=update,
                    text=update.escalation.strip(),
                    raised_by=actor,
                    raised_at=now,
                )
            )
        raised = exceptions + raised
        if raised:
            _notify_cabinet(stage, raised, actor=actor)
    return update


def _notify_cabinet(stage: Stage, raised: list, *, actor) -> None:
    """Email Cabinet members, with a link to each, through the outbox (core.outbox): written
    in this transaction, so nothing raised goes unannounced if the broker is away."""
    recipients = list(
        get_user_model()
        .objects.filter(groups__name=Role.CABINET.value, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    site = (settings.SITE_URL or "").rstrip("/")
    lines = [f"{person_name(actor)} has raised, for stage {stage.number}: {stage.name}:", ""]
    for item in raised:
        if isinstance(item, ToleranceException):
            lines.append(
                f"- An exception: the forecast {item.forecast} breaks the "
                f"{item.get_tolerance_display().lower()} tolerance ({item.limit}) by {item.excess}."
            )
        else:
            lines.append(f"- An issue escalated to Cabinet: {item.text}")
        lines.append(f"  {site}{item.get_absolute_url()}")
    lines += ["", settings.SERVICE_NAME]
    email_queue(
        to=recipients,
        subject=f"For Cabinet: {stage.programme.name}, stage {stage.number}",
        body="\n".join(lines),
    )


# Tolerances and exceptions ---------------------------------------------------------------


@dataclass(frozen=True)
class Breach:
    tolerance: str
    limit: str
    forecast: str
    excess: str


def cost_bounds(budget, percent) -> tuple[Decimal, Decimal]:
    """The lowest and highest cost within ±`percent` of `budget`."""
    margin = to_money(budget * percent / Decimal(100))
    return budget - margin, budget + margin


def tolerance_breaches(stage: Stage, *, as_of: date) -> list[Breach]:
    """Which of the stage's tolerances its current forecasts break, in words with figures."""
    breaches = []
    if (
        stage.forecast_cost is not None
        and stage.budget is not None
        and stage.cost_tolerance_percent is not None
    ):
        low, high = cost_bounds(stage.budget, stage.cost_tolerance_percent)
        percent = f"±{stage.cost_tolerance_percent.normalize():f}%"
        limit = f"{format_gbp(low)} to {format_gbp(high)} ({percent} of {format_gbp(stage.budget)})"
        if stage.forecast_cost > high:
            over = stage.forecast_cost - high
            breaches.append(
                Breach("cost", limit, format_gbp(stage.forecast_cost), f"{format_gbp(over)} over")
            )
        elif stage.forecast_cost < low:
            under = low - stage.forecast_cost
            breaches.append(
                Breach("cost", limit, format_gbp(stage.forecast_cost), f"{format_gbp(under)} under")
            )
    if (
        stage.forecast_end is not None
        and stage.planned_end is not None
        and stage.time_tolerance_days is not None
    ):
        latest = stage.planned_end + timedelta(days=stage.time_tolerance_days)
        if stage.forecast_end > latest:
            days = (stage.forecast_end - latest).days
            breaches.append(
                Breach(
                    "time",
                    f"{govuk_date(latest)} ({stage.time_tolerance_days} days after the planned "
                    f"end of {govuk_date(stage.planned_end)})",
                    govuk_date(stage.forecast_end),
                    f"{days} day{'s' if days != 1 else ''} late",
                )
            )
    if stage.scope_tolerance_outputs is not None:
        slipped = stage.outputs.filter(due_date__lt=as_of).exclude(status=Output.Status.ACCEPTED)
        count = slipped.count()
        if count > stage.scope_tolerance_outputs:
            extra = count - stage.scope_tolerance_outputs
            breaches.append(
                Breach(
                    "scope",
                    f"{stage.scope_tolerance_outputs} output(s) may slip past their due date",
                    f"{count} output(s) past their due date and not accepted",
                    f"{extra} output(s) more than allowed",
                )
            )
    return breaches


@dataclass(frozen=True)
class Outturn:
    """A stage's forecast outturn from the finance ledger (reserves.actuals): what was spent,
    committed but not yet spent, and the officer's forecast to complete."""

    actual: Decimal
    committed_not_spent: Decimal
    forecast_to_complete: Decimal
    # Without an officer's forecast to complete the outturn is only what is spent and committed
    # so far: it can show an overspend but not an underspend.
    forecast_given: bool = True

    @property
    def total(self) -> Decimal:
        return self.actual + self.committed_not_spent + self.forecast_to_complete

    def words(self) -> str:
        return (
            f"forecast outturn {format_gbp(self.total)} (spent {format_gbp(self.actual)}, "
            f"committed not yet spent {format_gbp(self.committed_not_spent)}, forecast to "
            f"complete {format_gbp(self.forecast_to_complete)})"
        )


def _outturn_breach(
    stage: Stage, outturn: Outturn, *, programme_total: Decimal, ceiling: Decimal | None
) -> Breach | None:
    """The cost breach a stage's forecast outturn makes: past its cost tolerance (either way),
    or, while the programme's outturn passes the spending ceiling, above the budget Cabinet
    set for it."""
    total = outturn.total
    parts_limit, parts_excess = [], []
    if stage.budget is not None and stage.cost_tolerance_percent is not None:
        low, high = cost_bounds(stage.budget, stage.cost_tolerance_percent)
        percent = f"±{stage.cost_tolerance_percent.normalize():f}%"
        parts_limit.append(
            f"{format_gbp(low)} to {format_gbp(high)} ({percent} of {format_gbp(stage.budget)})"
        )
        if total > high:
            parts_excess.append(f"{format_gbp(total - high)} over")
        elif total < low and outturn.forecast_given:
            parts_excess.append(f"{format_gbp(low - total)} under")
    # Past the ceiling: the stages Cabinet gave a budget and that are forecast above it; with no
    # budgets set the actuals page's ceiling warning is the only signal (no stage to answer).
    over_ceiling = ceiling is not None and programme_total > ceiling
    if over_ceiling and stage.budget is not None and total > stage.budget:
        parts_limit.append(f"the {format_gbp(ceiling)} spending ceiling")
        parts_excess.append(
            f"programme outturn {format_gbp(programme_total)} passes the ceiling by "
            f"{format_gbp(programme_total - ceiling)}"
        )
    if not parts_excess:
        return None
    return Breach(
        ToleranceException.Tolerance.COST,
        Truncator("; ".join(parts_limit)).chars(200),
        Truncator(outturn.words()).chars(200),
        Truncator("; ".join(parts_excess)).chars(200),
    )


def outturn_exceptions_raise(
    *, actor, programme: Programme, outturns: dict[int, Outturn], programme_total: Decimal
) -> list[ToleranceException]:
    """Raise, at once, a cost exception for each stage whose forecast outturn (from the finance
    ledger) breaks its cost tolerance or takes the programme past its spending ceiling; never a
    second while one is open for the stage's cost tolerance. Called by the write that changed
    the outturn (a ledger import applied, a forecast to complete saved), inside its transaction,
    after that write's own capability check: this one asks only that the actor is a tracker
    user, as the exception names them."""
    require(actor, Capability.VIEW)
    raised = []
    with transaction.atomic(), acting_user(actor):
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        stages = list(
            Stage.objects.select_for_update()
            .filter(programme=programme, pk__in=list(outturns))
            .order_by("number")
        )
        open_cost = set(
            ToleranceException.objects.filter(
                stage__in=stages, tolerance=ToleranceException.Tolerance.COST
            )
            .exclude(status=ToleranceException.Status.DECIDED)
            .values_list("stage_id", flat=True)
        )
        now = timezone.now()
        for stage in stages:
            if stage.pk in open_cost:
                continue  # one open exception per tolerance: the report already stands
            breach = _outturn_breach(
                stage,
                outturns[stage.pk],
                programme_total=programme_total,
                ceiling=programme.spending_ceiling,
            )
            if breach is None:
                continue
            exception = ToleranceException(
                stage=stage,
                tolerance=breach.tolerance,
                raised_by=actor,
                raised_at=now,
                limit=breach.limit,
                forecast=breach.forecast,
                excess=breach.excess,
            )
            exception.full_clean()
            exception.save()
            _notify_cabinet(stage, [exception], actor=actor)
            raised.append(exception)
    return raised


def _programme_end(programme: Programme, stages: list[Stage]):
    ends = [s.planned_end for s in stages if s.planned_end]
    if not ends:
        return None
    return max(ends) + timedelta(days=programme.time_tolerance_days or 0)


def tolerances_set(
    *, actor, programme: Programme, stage: Stage | None = None, data: dict[str, Any]
) -> Decision:
    """Cabinet sets the programme's tolerances (`stage` None) or one stage's budget and
    tolerances, as a recorded decision. Refused, by the field: a negative tolerance, a cost
    tolerance that would let spending pass the ceiling, a time tolerance past the programme's
    end."""
    require(actor, Capability.RECORD_DECISION)
    data = dict(data)
    decision_data = {k: data.pop(k) for k in TOLERANCE_DECISION_FIELDS if k in data}
    editable = STAGE_TOLERANCE_FIELDS if stage is not None else TOLERANCE_FIELDS
    with transaction.atomic(), acting_user(actor):
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        stages = list(Stage.objects.select_for_update().filter(programme=programme))
        target = programme
        if stage is not None:
            target = next(s for s in stages if s.pk == stage.pk)
        assign_fields(target, data, editable)
        errors = {}
        for name in TOLERANCE_FIELDS:
            value = getattr(target, name)
            if value is not None and value < 0:
                errors[name] = "A tolerance cannot be negative."
        ceiling = programme.spending_ceiling
        percent = target.cost_tolerance_percent
        if stage is not None:
            others = money_sum(s.budget for s in stages if s.pk != target.pk and s.budget)
            if target.budget is not None and target.budget + others > ceiling:
                errors["budget"] = (
                    f"The stages' budgets would total {format_gbp(target.budget + others)}, "
                    f"above the {format_gbp(ceiling)} spending ceiling."
                )
            budget = target.budget
        else:
            budget = money_sum(s.budget for s in stages if s.budget) or ceiling
        if "cost_tolerance_percent" not in errors and percent is not None and budget is not None:
            high = cost_bounds(budget, percent)[1]
            if high > ceiling:
                errors["cost_tolerance_percent"] = (
                    f"{percent.normalize():f}% of {format_gbp(budget)} allows up to "
                    f"{format_gbp(high)}, past the {format_gbp(ceiling)} spending ceiling."
                )
        if stage is not None and "time_tolerance_days" not in errors:
            end = _programme_end(programme, stages)
            days = target.time_tolerance_days
            if days is not None and target.planned_end and end:
                latest = target.planned_end + timedelta(days=days)
                if latest > end:
                    errors["time_tolerance_days"] = (
                        f"{days} days after the planned end is {govuk_date(latest)}, past the "
                        f"programme's end of {govuk_date(end)}."
                    )
        if errors:
            raise ValidationError(errors)
        what = f"stage {target.number}" if stage is not None else "the programme"
        decision = Decision(
            programme=programme,
            kind=Decision.Kind.TOLERANCES,
            recorded_by=actor,
            title=f"Tolerances for {what}",
        )
        assign_fields(decision, decision_data, TOLERANCE_DECISION_FIELDS)
        decision.full_clean()
        decision.save()
        target.tolerance_decision = decision
        target.full_clean()
        target.save()
    return decision


def exception_report(*, actor, exception: ToleranceException, data: dict[str, Any]):
    """The officer's exception report: cause, options and recommendation for Cabinet."""
    require(actor, Capability.UPDATE_STAGES)
    with transaction.atomic(), acting_user(actor):
        exception = _locked(ToleranceException, exception.pk)
        if exception.status == ToleranceException.Status.DECIDED:
            raise ValidationError(
                {"cause": "Cabinet has already decided this exception: it is closed."}
            )
        assign_fields(exception, data, EXCEPTION_REPORT_FIELDS)
        errors = {}
        if not exception.cause.strip():
            errors["cause"] = "Say what caused the forecast to break the tolerance."
        if not exception.recommendation.strip():
            errors["recommendation"] = "Say what you recommend Cabinet decides."
        if errors:
            raise ValidationError(errors)
        exception.status = ToleranceException.Status.REPORTED
        exception.reported_by = actor
        exception.reported_at = timezone.now()
        exception.full_clean()
        exception.save()
    return exception


def exception_decide(*, actor, exception: ToleranceException, data: dict[str, Any]):
    """Cabinet's decision on an exception report (accept, change the tolerance, stop), which
    closes it. Two members deciding at once: the first wins, the second is told who did."""
    require(actor, Capability.RECORD_DECISION)
    with transaction.atomic(), acting_user(actor):
        exception = _locked(ToleranceException, exception.pk)
        if exception.status == ToleranceException.Status.DECIDED:
            raise ValidationError(
                {
                    "outcome": f"{person_name(exception.decided_by)} already decided this "
                    f"exception on {govuk_date(exception.decided_at)}: "
                    f"{exception.get_outcome_display().lower()}. It is closed."
                }
            )
        if exception.status != ToleranceException.Status.REPORTED:
            raise ValidationError(
                {"outcome": "The officer has not written the exception report yet."}
            )
        assign_fields(exception, data, EXCEPTION_DECISION_FIELDS)
        errors = {}
        if exception.outcome not in ToleranceException.Outcome.values:
            errors["outcome"] = "Choose accept, change the tolerance or stop."
        if not exception.decision_note.strip():
            errors["decision_note"] = "Give the reasons for the decision."
        if errors:
            raise ValidationError(errors)
        exception.status = ToleranceException.Status.DECIDED
        exception.decided_by = actor
        exception.decided_at = timezone.now()
        exception.full_clean()
        exception.save()
    return exception


def escalation_decide(*, actor, escalation: Escalation, data: dict[str, Any]) -> Escalation:
    """Cabinet records its decision on an issue an officer escalated; the officer sees it on
    the stage. The first of two members deciding at once wins; the second is told."""
    require(actor, Capability.RECORD_DECISION)
    with transaction.atomic(), acting_user(actor):
        escalation = _locked(Escalation, escalation.pk)
        if escalation.status == Escalation.Status.DECIDED:
            raise ValidationError(
                {
                    "decision": f"{person_name(escalation.decided_by)} already recorded "
                    f"Cabinet's decision on {govuk_date(escalation.decided_at)}."
                }
            )
        assign_fields(escalation, data, ESCALATION_DECISION_FIELDS)
        if not escalation.decision.strip():
            raise ValidationError({"decision": "Enter Cabinet's decision."})
        escalation.status = Escalation.Status.DECIDED
        escalation.decided_by = actor
        escalation.decided_at = timezone.now()
        escalation.full_clean()
        escalation.save()
    return escalation
