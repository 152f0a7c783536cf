"""Writes for stages: edit, start and complete a stage, record its approval and gate, manage
outputs and their status (four-eyes acceptance), post progress updates.

Every function is keyword-only, takes the acting user, checks the capability itself (so a
caller cannot forget) and validates with `full_clean()` inside `transaction.atomic`: either
the whole change is saved or nothing is. Refusals are `PermissionDenied`; bad input is
`ValidationError` keyed by field name.
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from core.access import Capability, Role, require, roles_of
from programme.models import Decision, Programme

from .models import Output, ProgressUpdate, Stage

STAGE_EDITABLE_FIELDS = (
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
OUTPUT_EDITABLE_FIELDS = (
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


def _set_fields(instance, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        if name == "evidence_file":
            # A form gives None for "no new file" and False for "remove the file".
            if value is None:
                continue
            if value is False:
                value = ""
        setattr(instance, name, value)


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


def stage_update(*, stage: Stage, user, data: dict[str, Any]) -> Stage:
    require(user, Capability.UPDATE_STAGES)
    with transaction.atomic():
        stage = _locked(Stage, stage.pk)
        _set_fields(stage, data, STAGE_EDITABLE_FIELDS)
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


def stage_start(*, stage: Stage, user, actual_start: date) -> Stage:
    """Start a stage. Refused, with what is missing, before its gate is passed."""
    require(user, Capability.UPDATE_STAGES)
    with transaction.atomic():
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


def stage_complete(*, stage: Stage, user, actual_end: date) -> Stage:
    """Close a stage once every one of its outputs is accepted."""
    require(user, Capability.UPDATE_STAGES)
    with transaction.atomic():
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


def _decision_create(*, programme: Programme, user, kind: str, fields: dict[str, Any]) -> Decision:
    decision = Decision(programme=programme, kind=kind, recorded_by=user, **fields)
    decision.full_clean()
    decision.save()
    return decision


def stage_gate_record(
    *,
    stage: Stage,
    user,
    decided_on: date,
    decision_maker: str,
    summary: str = "",
    source_reference: str = "",
) -> Decision:
    """A cabinet member records the gate decision that lets `stage` start.

    The gate is only recorded once every output of the previous stage is accepted: the gate
    is the cabinet's look at those outputs.
    """
    require(user, Capability.RECORD_DECISION)
    with transaction.atomic():
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
        decision = _decision_create(
            programme=stage.programme,
            user=user,
            kind=Decision.Kind.STAGE_GATE,
            fields={
                "title": f"Gate from stage {stage.number - 1} into stage {stage.number}",
                "summary": summary,
                "decided_on": decided_on,
                "decision_maker": decision_maker,
                "source_reference": source_reference,
            },
        )
        stage.gate_decision = decision
        stage.full_clean()
        stage.save()
    return decision


def stage_approval_record(
    *,
    programme: Programme,
    stages: list[Stage],
    user,
    decided_on: date,
    title: str,
    decision_maker: str,
    summary: str = "",
    source_reference: str = "",
) -> Decision:
    """Record one decision that approves one or more stages (and their spending)."""
    require(user, Capability.RECORD_DECISION)
    if not stages:
        raise ValidationError({"stages": "Choose at least one stage this decision approves."})
    with transaction.atomic():
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
        decision = _decision_create(
            programme=programme,
            user=user,
            kind=Decision.Kind.STAGE_APPROVAL,
            fields={
                "title": title,
                "summary": summary,
                "decided_on": decided_on,
                "decision_maker": decision_maker,
                "source_reference": source_reference,
            },
        )
        for stage in locked:
            stage.approved_by_decision = decision
            stage.full_clean()
            stage.save()
    return decision


# Outputs ---------------------------------------------------------------------------------


def output_create(*, stage: Stage, user, data: dict[str, Any]) -> Output:
    require(user, Capability.UPDATE_STAGES)
    evidence_file_validate(data.get("evidence_file"))
    with transaction.atomic():
        output = Output(stage=stage)
        _set_fields(output, data, OUTPUT_EDITABLE_FIELDS)
        output.full_clean()
        output.save()
    return output


def output_update(*, output: Output, user, data: dict[str, Any]) -> Output:
    require(user, Capability.UPDATE_STAGES)
    evidence_file_validate(data.get("evidence_file"))
    with transaction.atomic():
        output = _locked(Output, output.pk)
        frozen_before = _accepted_frozen_values(output)
        _set_fields(output, data, OUTPUT_EDITABLE_FIELDS)
        if output.status == Output.Status.ACCEPTED and (
            _accepted_frozen_values(output) != frozen_before
        ):
            raise ValidationError(
                "An accepted output's code, title, owner and evidence cannot change."
            )
        output.full_clean()
        output.save()
    return output


def _accepted_frozen_values(output: Output) -> tuple:
    # What the acceptance vouched for: changing it afterwards would void the four-eyes check.
    return (
        output.code,
        output.title,
        output.owner_id,
        output.evidence_url,
        output.evidence_file.name or "",
    )


def _is_admin(user) -> bool:
    return Role.ADMIN in roles_of(user)


def output_accept(*, output: Output, user) -> Output:
    """Accept a submitted output: four eyes — never by its owner or the officer who submitted
    it, unless an Admin."""
    require(user, Capability.UPDATE_STAGES)
    with transaction.atomic():
        output = _locked(Output, output.pk)
        if output.status != Output.Status.SUBMITTED:
            raise ValidationError(
                {
                    "status": "Only a submitted output can be accepted; this one is "
                    f"{output.get_status_display().lower()}."
                }
            )
        if not _is_admin(user) and user.pk in (output.owner_id, output.submitted_by_id):
            raise ValidationError(
                {
                    "status": "You cannot accept an output you own or submitted: another "
                    "officer (or an Admin) must accept it."
                }
            )
        output.status = Output.Status.ACCEPTED
        output.accepted_by = user
        output.accepted_at = timezone.now()
        output.full_clean()
        output.save()
    return output


def output_transition(*, output: Output, user, to_status: str) -> Output:
    """Move an output's status one allowed step; acceptance goes through `output_accept`."""
    require(user, Capability.UPDATE_STAGES)
    if to_status not in Output.Status.values:
        raise ValidationError({"status": f"“{to_status}” is not a status an output can have."})
    if to_status == Output.Status.ACCEPTED:
        return output_accept(output=output, user=user)
    with transaction.atomic():
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
            output.submitted_by = user
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


def progress_update_create(
    *,
    stage: Stage,
    user,
    as_of: date,
    rag: str,
    percent_complete: int,
    narrative: str,
    next_steps: str = "",
    escalation: str = "",
) -> ProgressUpdate:
    require(user, Capability.UPDATE_STAGES)
    with transaction.atomic():
        stage = _locked(Stage, stage.pk)
        errors = {}
        if stage.status == Stage.Status.NOT_STARTED:
            raise ValidationError(
                f"Stage {stage.number} has not started: progress is reported once it starts."
            )
        if as_of > timezone.localdate():
            errors["as_of"] = "The date of the update cannot be in the future."
        elif stage.actual_start and as_of < stage.actual_start:
            errors["as_of"] = "The date of the update cannot be before the stage started."
        if errors:
            raise ValidationError(errors)
        update = ProgressUpdate(
            stage=stage,
            author=user,
            as_of=as_of,
            rag=rag,
            percent_complete=percent_complete,
            narrative=narrative,
            next_steps=next_steps,
            escalation=escalation,
        )
        update.full_clean()
        update.save()
    return update
