"""Writes to the risk register: risks and opportunities, their reviews and mitigation actions.

Every service has the shape of decision 0081: `actor` first, `require(actor,
Capability.EDIT_RISKS)` before anything else, the write inside `transaction.atomic()` and
`acting_user(actor)` (so each history row, m2m rows included, names the actor in a request or
a command alike), the editable fields as one tuple that the form's `Meta.fields` imports, and
`full_clean()` whose refusals are keyed by the form's field names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.access import Capability, require
from core.dates import govuk_date
from core.history import acting_user
from core.services import assign_fields
from programme.models import Programme
from stages.models import Escalation

from .models import MitigationAction, RaidItem, Risk, RiskReview

# The fields of a risk a person may set (the risk form's fields, in its order). `stages` is a
# many-to-many: the services set it after the row is saved.
RISK_FIELDS = (
    "kind",
    "title",
    "cause",
    "effect",
    "category",
    "owner",
    "mitigation",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "residual_reason",
    "target_likelihood",
    "target_impact",
    "response",
    "proximity",
    "review_date",
    "stages",
    "status",
    "closing_note",
)
ACTION_FIELDS = ("description", "owner", "due_date", "done", "done_on")
RAID_FIELDS = (
    "kind",
    "title",
    "description",
    "owner",
    "priority",
    "raised_on",
    "due_date",
    "actions",
    "status",
)
REVIEW_FIELDS = (
    "reviewed_on",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "residual_reason",
    "notes",
    "next_review_date",
)


def _split_stages(data: Mapping[str, Any]) -> tuple[dict[str, Any], list | None]:
    """The risk's own fields, and the stages it affects (None when not given)."""
    fields = dict(data)
    stages = fields.pop("stages", None)
    return fields, stages


def _closing_date(risk: Risk, today: date) -> None:
    """A closed risk records when; reopening clears it."""
    if risk.status == Risk.Status.CLOSED and risk.closed_on is None:
        risk.closed_on = today
    elif risk.status != Risk.Status.CLOSED:
        risk.closed_on = None


def risk_create(
    *, actor, programme: Programme, data: Mapping[str, Any], today: date | None = None
) -> Risk:
    """Add a risk or opportunity to `programme`'s register, numbered after the last one."""
    require(actor, Capability.EDIT_RISKS)
    today = today or timezone.localdate()
    fields, stages = _split_stages(data)
    with transaction.atomic(), acting_user(actor):
        # Lock the programme row so two people adding risks at once get different numbers.
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        last = Risk.objects.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0
        risk = Risk(programme=programme, number=last + 1)
        assign_fields(risk, fields, RISK_FIELDS)
        _closing_date(risk, today)
        risk.full_clean()
        risk.save()
        if stages is not None:
            risk.stages.set(_programme_stages(programme, stages))
    return risk


def risk_update(*, actor, risk: Risk, data: Mapping[str, Any], today: date | None = None) -> Risk:
    """Change a risk; the history row names `actor`."""
    require(actor, Capability.EDIT_RISKS)
    today = today or timezone.localdate()
    fields, stages = _split_stages(data)
    with transaction.atomic(), acting_user(actor):
        risk = Risk.objects.select_for_update().get(pk=risk.pk)
        assign_fields(risk, fields, RISK_FIELDS)
        _closing_date(risk, today)
        risk.full_clean()
        risk.save()
        if stages is not None:
            wanted = set(_programme_stages(risk.programme, stages))
            if wanted != set(risk.stages.all()):
                risk.stages.set(wanted)
    return risk


def _programme_stages(programme: Programme, stages) -> list:
    stages = list(stages or [])
    foreign = [s for s in stages if s.programme_id != programme.pk]
    if foreign:
        raise ValidationError({"stages": "Link only stages of this programme"})
    return stages


def review_record(*, actor, risk: Risk, data: Mapping[str, Any]) -> RiskReview:
    """Record a dated review. A review newer than any before it also becomes the risk's
    current scoring and sets its next review date; an older one only fills in the trend."""
    require(actor, Capability.EDIT_RISKS)
    with transaction.atomic(), acting_user(actor):
        risk = Risk.objects.select_for_update().get(pk=risk.pk)
        review = RiskReview(risk=risk, reviewed_by=actor)
        assign_fields(review, data, REVIEW_FIELDS)
        review.full_clean()
        latest = risk.reviews.aggregate(d=Max("reviewed_on"))["d"]
        review.save()
        if latest is None or review.reviewed_on >= latest:
            if review.inherent_likelihood is not None:
                risk.inherent_likelihood = review.inherent_likelihood
                risk.inherent_impact = review.inherent_impact
            risk.residual_likelihood = review.residual_likelihood
            risk.residual_impact = review.residual_impact
            if review.residual_reason:
                risk.residual_reason = review.residual_reason
            if review.next_review_date is not None:
                risk.review_date = review.next_review_date
            risk._change_reason = f"Review on {govuk_date(review.reviewed_on)}"
            risk.full_clean()
            risk.save()
    return review


def action_create(*, actor, risk: Risk, data: Mapping[str, Any]) -> MitigationAction:
    require(actor, Capability.EDIT_RISKS)
    with transaction.atomic(), acting_user(actor):
        action = MitigationAction(risk=risk)
        assign_fields(action, data, ACTION_FIELDS)
        action.full_clean()
        action.save()
    return action


def action_update(*, actor, action: MitigationAction, data: Mapping[str, Any]) -> MitigationAction:
    require(actor, Capability.EDIT_RISKS)
    with transaction.atomic(), acting_user(actor):
        action = MitigationAction.objects.select_for_update().get(pk=action.pk)
        assign_fields(action, data, ACTION_FIELDS)
        action.full_clean()
        action.save()
    return action


# The RAID log: issues, assumptions, dependencies ------------------------------------------


def raid_item_save(*, actor, item: RaidItem, data: Mapping[str, Any]) -> RaidItem:
    """Add (`item` unsaved, its programme set) or change an issue, assumption or dependency."""
    require(actor, Capability.EDIT_RISKS)
    with transaction.atomic(), acting_user(actor):
        if item.pk:
            item = RaidItem.objects.select_for_update().get(pk=item.pk)
        assign_fields(item, data, RAID_FIELDS)
        item.full_clean()
        item.save()
    return item


def raid_issue_from_escalation(*, actor, escalation: Escalation) -> RaidItem:
    """Log an issue an officer escalated to Cabinet in the RAID log, linked back to it (and
    so to its progress update); once only."""
    require(actor, Capability.EDIT_RISKS)
    with transaction.atomic(), acting_user(actor):
        escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if RaidItem.objects.filter(escalation=escalation).exists():
            raise ValidationError("This escalation is already in the issues log.")
        item = RaidItem(
            programme_id=escalation.stage.programme_id,
            kind=RaidItem.Kind.ISSUE,
            title=escalation.text[:300],
            description=(
                f"Escalated to Cabinet from stage {escalation.stage.number}'s progress update "
                f"of {govuk_date(escalation.progress_update.as_of)}."
            ),
            owner=escalation.raised_by,
            priority=RaidItem.Priority.HIGH,
            raised_on=timezone.localdate(escalation.raised_at),
            escalation=escalation,
        )
        item.full_clean()
        item.save()
    return item
