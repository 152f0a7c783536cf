"""Writes to the programme record: the report's facts, the decisions on its recommendations,
its sign-offs and approval, its benefits, and the spending ceiling.

Every service takes the acting user, checks the user may act (PermissionDenied otherwise),
validates with `full_clean()` inside one transaction and leaves a history row naming the user.
A refusal raises ValidationError (keyed by field where there is one) and saves nothing.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from core.access import Capability, require

from . import selectors
from .models import (
    Benefit,
    BenefitMeasure,
    Consultation,
    GlossaryTerm,
    Programme,
    Recommendation,
    ReportReview,
)

# Statuses a programme reaches only once its report is signed off and approved.
STATUSES_NEEDING_APPROVAL = {
    Programme.Status.APPROVED,
    Programme.Status.IN_DELIVERY,
    Programme.Status.CLOSED,
}


def _today() -> date:
    return timezone.localdate()


def _user_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _save(instance: models.Model, *, user, reason: str = "", update_fields=None) -> None:
    """Validate and save one row, its history row naming `user` (also outside a request)."""
    instance.full_clean()
    instance._history_user = user
    if reason:
        instance._change_reason = reason
    instance.save(update_fields=update_fields)


def _not_in_future(day: date | None, field: str, what: str) -> None:
    if day is not None and day > _today():
        raise ValidationError({field: f"{what} must be today or in the past."})


def _lock_programme(programme: Programme) -> Programme:
    """Lock the programme row. The ledger (reserves) locks the funding reserve before the
    programme; nothing here takes a reserve lock after this one, so the order holds."""
    return Programme.objects.select_for_update().get(pk=programme.pk)


# The record itself -------------------------------------------------------------------------


def programme_record_save(*, programme: Programme, user) -> Programme:
    """Save the decision summary an officer edited (never the ceiling or the status)."""
    require(user, Capability.EDIT_PROGRAMME)
    _not_in_future(programme.decision_date, "decision_date", "The decision date")
    with transaction.atomic():
        current = Programme.objects.select_for_update().get(pk=programme.pk)
        # The ceiling and the status have their own services; an edit of the record cannot
        # carry a change to either.
        programme.spending_ceiling = current.spending_ceiling
        programme.status = current.status
        _save(programme, user=user)
    return programme


def record_item_save(*, item: models.Model, user) -> models.Model:
    """Save one of the report's listed facts: a key-decision reason, a recommendation's text,
    an alternative option, an objective or a key consideration."""
    require(user, Capability.EDIT_PROGRAMME)
    with transaction.atomic():
        _save(item, user=user)
    return item


def consultation_save(*, consultation: Consultation, user) -> Consultation:
    require(user, Capability.EDIT_PROGRAMME)
    _not_in_future(consultation.consulted_on, "consulted_on", "The date consulted")
    with transaction.atomic():
        _save(consultation, user=user)
    return consultation


def glossary_term_save(*, term: GlossaryTerm, user) -> GlossaryTerm:
    require(user, Capability.EDIT_PROGRAMME)
    clash = (
        GlossaryTerm.objects.filter(programme_id=term.programme_id, term__iexact=term.term.strip())
        .exclude(pk=term.pk)
        .exists()
    )
    if clash:
        raise ValidationError({"term": f"“{term.term}” is already in the glossary."})
    with transaction.atomic():
        _save(term, user=user)
    return term


def benefit_save(*, benefit: Benefit, user) -> Benefit:
    require(user, Capability.EDIT_PROGRAMME)
    if benefit.target_value is not None and benefit.baseline_value is not None:
        if benefit.target_value == benefit.baseline_value:
            raise ValidationError(
                {
                    "target_value": "The target must differ from the baseline, or there is "
                    "nothing to gain."
                }
            )
        lower = benefit.direction == Benefit.Direction.DECREASE
        if lower and benefit.target_value > benefit.baseline_value:
            raise ValidationError(
                {
                    "target_value": "Lower is better for this benefit, so the target must be "
                    "below the baseline."
                }
            )
        if not lower and benefit.target_value < benefit.baseline_value:
            raise ValidationError(
                {
                    "target_value": "Higher is better for this benefit, so the target must be "
                    "above the baseline."
                }
            )
    baseline_date, target_date = benefit.baseline_date, benefit.target_date
    if baseline_date and target_date and target_date < baseline_date:
        raise ValidationError({"target_date": "The target date must be after the baseline date."})
    with transaction.atomic():
        _save(benefit, user=user)
    return benefit


def benefit_measure_add(*, measure: BenefitMeasure, user) -> BenefitMeasure:
    """Record a dated actual of a benefit's measure."""
    require(user, Capability.EDIT_PROGRAMME)
    _not_in_future(measure.measured_on, "measured_on", "The date measured")
    benefit = measure.benefit
    measured_on = measure.measured_on
    if benefit.baseline_date and measured_on and measured_on < benefit.baseline_date:
        raise ValidationError(
            {
                "measured_on": "An actual cannot be dated before the baseline "
                f"({benefit.baseline_date.day} {benefit.baseline_date:%B %Y})."
            }
        )
    if BenefitMeasure.objects.filter(benefit=benefit, measured_on=measure.measured_on).exists():
        raise ValidationError(
            {"measured_on": "There is already an actual on this date: each date has one."}
        )
    measure.recorded_by = user
    with transaction.atomic():
        _save(measure, user=user)
    return measure


# Sign-offs and approval --------------------------------------------------------------------


def _format_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def report_review_save(*, review: ReportReview, user) -> ReportReview:
    """Record or correct one sign-off (or the final approval).

    Every sign-off is dated on or before the final approval; once the programme is approved,
    no sign-off may be withdrawn.
    """
    require(user, Capability.EDIT_PROGRAMME)
    _not_in_future(review.reviewed_on, "reviewed_on", "The date signed")
    if bool(review.reviewer.strip()) != (review.reviewed_on is not None):
        field = "reviewed_on" if review.reviewer.strip() else "reviewer"
        raise ValidationError({field: "Enter both who signed and the date, or leave both empty."})
    with transaction.atomic():
        # One sign-off at a time per programme, so the date rule cannot be raced.
        programme = _lock_programme(review.programme)
        others = [r for r in programme.reviews.all() if r.pk != review.pk]
        if review.is_final_approval:
            if review.reviewed_on:
                later = [r for r in others if r.reviewed_on and r.reviewed_on > review.reviewed_on]
                if later:
                    names = ", ".join(
                        f"{r.get_area_display()} ({_format_day(r.reviewed_on)})" for r in later
                    )
                    raise ValidationError(
                        {
                            "reviewed_on": "The final approval cannot be dated before a sign-off: "
                            f"{names}."
                        }
                    )
        else:
            final = next((r for r in others if r.is_final_approval and r.is_signed), None)
            if review.reviewed_on and final and review.reviewed_on > final.reviewed_on:
                raise ValidationError(
                    {
                        "reviewed_on": "A sign-off must be dated on or before the final approval "
                        f"({_format_day(final.reviewed_on)})."
                    }
                )
        if programme.status in STATUSES_NEEDING_APPROVAL and not review.is_signed:
            raise ValidationError(
                {
                    "reviewer": f"The programme is {programme.get_status_display().lower()}: its "
                    "sign-offs cannot be withdrawn."
                }
            )
        _save(review, user=user)
    return review


def programme_set_status(*, programme: Programme, status: str, user) -> Programme:
    """Move the programme to `status`; approved and beyond need every sign-off and the final
    approval (the page lists what is missing)."""
    require(user, Capability.EDIT_PROGRAMME)
    if status not in Programme.Status.values:
        raise ValidationError({"status": "Choose a status from the list."})
    with transaction.atomic():
        locked = _lock_programme(programme)
        if status in STATUSES_NEEDING_APPROVAL:
            gaps = selectors.approval_gaps(list(locked.reviews.all()))
            if gaps:
                raise ValidationError(
                    {"status": ["The report cannot be marked approved yet:", *gaps]}
                )
        if locked.status == status:
            return locked
        previous = locked.get_status_display()
        locked.status = status
        _save(
            locked,
            user=user,
            reason=f"Status {previous} → {locked.get_status_display()}",
            update_fields=["status"],
        )
    programme.status = status
    return locked


# Decisions -------------------------------------------------------------------------------


def recommendation_decide(
    *, recommendation: Recommendation, outcome: str, decided_on: date, user, notes: str = ""
) -> Recommendation:
    """Record the decision on one recommendation: outcome, date and who recorded it."""
    require(user, Capability.RECORD_DECISION)
    decided = [o for o in Recommendation.Outcome.values if o != Recommendation.Outcome.PENDING]
    if outcome not in decided:
        raise ValidationError({"outcome": "Choose the decision taken."})
    if decided_on is None:
        raise ValidationError({"decided_on": "Enter the date of the decision."})
    _not_in_future(decided_on, "decided_on", "The date of the decision")
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        previous = locked.get_outcome_display()
        locked.outcome = outcome
        locked.decided_on = decided_on
        locked.outcome_notes = notes
        locked.decided_by = user
        locked.decided_by_name = _user_name(user)
        _save(
            locked,
            user=user,
            reason=f"Decision recorded: {previous} → {locked.get_outcome_display()}",
        )
    return locked
