"""Writes to the risk register: each service validates (`full_clean`) inside one transaction
and attributes the history row to the acting user, whether called from a view or a command."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.history import acting_user
from programme.models import Programme

from .models import MitigationAction, Risk, RiskReview

# The fields of a Risk a person may set through risk_create / risk_update.
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
    "status",
    "closing_note",
    "proximity",
    "review_date",
)
ACTION_FIELDS = ("description", "owner", "due_date", "done", "done_on")


def _apply(instance, data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(data) - set(allowed) - {"stages"}
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name in allowed:
        if name in data:
            setattr(instance, name, data[name])


def _closing_date(risk: Risk, today: date) -> None:
    """A closed risk records when; reopening clears it."""
    if risk.status == Risk.Status.CLOSED and risk.closed_on is None:
        risk.closed_on = today
    elif risk.status != Risk.Status.CLOSED:
        risk.closed_on = None


def risk_create(
    *, programme: Programme, user, data: Mapping[str, Any], today: date | None = None
) -> Risk:
    """Add a risk or opportunity to `programme`'s register, numbered after the last one."""
    today = today or timezone.localdate()
    with transaction.atomic(), acting_user(user):
        # Lock the programme row so two people adding risks at once get different numbers.
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        last = Risk.objects.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0
        risk = Risk(programme=programme, number=last + 1)
        _apply(risk, data, RISK_FIELDS)
        _closing_date(risk, today)
        risk.full_clean()
        risk.save()
        if "stages" in data:
            risk.stages.set(_programme_stages(programme, data["stages"]))
    return risk


def risk_update(*, risk: Risk, user, data: Mapping[str, Any], today: date | None = None) -> Risk:
    """Change a risk; the history row names `user`."""
    today = today or timezone.localdate()
    with transaction.atomic(), acting_user(user):
        risk = Risk.objects.select_for_update().get(pk=risk.pk)
        _apply(risk, data, RISK_FIELDS)
        _closing_date(risk, today)
        risk.full_clean()
        risk.save()
        if "stages" in data:
            wanted = set(_programme_stages(risk.programme, data["stages"]))
            if wanted != set(risk.stages.all()):
                risk.stages.set(wanted)
    return risk


def _programme_stages(programme: Programme, stages) -> list:
    stages = list(stages or [])
    foreign = [s for s in stages if s.programme_id != programme.pk]
    if foreign:
        raise ValidationError({"stages": "Link only stages of this programme"})
    return stages


def review_record(
    *,
    risk: Risk,
    user,
    reviewed_on: date,
    residual_likelihood: int,
    residual_impact: int,
    inherent_likelihood: int | None = None,
    inherent_impact: int | None = None,
    residual_reason: str = "",
    notes: str = "",
    next_review_date: date | None = None,
) -> RiskReview:
    """Record a dated review. A review newer than any before it also becomes the risk's
    current scoring and sets its next review date; an older one only fills in the trend."""
    with transaction.atomic(), acting_user(user):
        risk = Risk.objects.select_for_update().get(pk=risk.pk)
        review = RiskReview(
            risk=risk,
            reviewed_on=reviewed_on,
            reviewed_by=user,
            inherent_likelihood=inherent_likelihood,
            inherent_impact=inherent_impact,
            residual_likelihood=residual_likelihood,
            residual_impact=residual_impact,
            residual_reason=residual_reason,
            notes=notes,
            next_review_date=next_review_date,
        )
        review.full_clean()
        latest = risk.reviews.aggregate(d=Max("reviewed_on"))["d"]
        review.save()
        if latest is None or reviewed_on >= latest:
            if inherent_likelihood is not None:
                risk.inherent_likelihood = inherent_likelihood
                risk.inherent_impact = inherent_impact
            risk.residual_likelihood = residual_likelihood
            risk.residual_impact = residual_impact
            if residual_reason:
                risk.residual_reason = residual_reason
            if next_review_date is not None:
                risk.review_date = next_review_date
            risk._change_reason = f"Review on {reviewed_on.day} {reviewed_on:%B %Y}"
            risk.full_clean()
            risk.save()
    return review


def action_create(*, risk: Risk, user, data: Mapping[str, Any]) -> MitigationAction:
    with transaction.atomic(), acting_user(user):
        action = MitigationAction(risk=risk)
        _apply(action, data, ACTION_FIELDS)
        action.full_clean()
        action.save()
    return action


def action_update(*, action: MitigationAction, user, data: Mapping[str, Any]) -> MitigationAction:
    with transaction.atomic(), acting_user(user):
        action = MitigationAction.objects.select_for_update().get(pk=action.pk)
        _apply(action, data, ACTION_FIELDS)
        action.full_clean()
        action.save()
    return action
