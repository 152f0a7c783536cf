"""Writes to the programme record: the report's facts, the decisions on its recommendations,
its sign-offs and approval, its benefits, and the programme's status.

Every service has the shape of decision 0081: `actor` first, `require()` before anything
else, the write inside `transaction.atomic()` and `acting_user(actor)` (so each history row
names the actor in a request, a task or a command alike), the fields a person may edit in one
tuple that the form's `Meta.fields` imports, and a refusal as `ValidationError` keyed by the
form's field names, which saves nothing.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from core.access import Capability, Role, can, require, roles_of
from core.dates import govuk_date
from core.history import acting_user
from core.names import person_name
from core.services import assign_fields

from . import selectors
from .models import (
    AlternativeOption,
    Benefit,
    BenefitMeasure,
    Consultation,
    GlossaryTerm,
    KeyConsideration,
    KeyDecisionReason,
    Objective,
    Programme,
    Recommendation,
    ReportReview,
)

# The fields each form edits (the form's Meta.fields is the same tuple). ---------------------

PROGRAMME_RECORD_FIELDS = (
    "report_title",
    "name",
    "council",
    "decision_maker",
    "decision_date",
    "report_author",
    "classification",
    "is_key_decision",
    "notice_served",
    "wards_affected",
    "purpose",
    "appendices",
    "background_papers",
)
KEY_REASON_FIELDS = ("test", "text", "position", "source_reference")
RECOMMENDATION_FIELDS = ("label", "text", "source_reference")
OPTION_FIELDS = ("number", "title", "reason", "is_recommended", "source_reference")
OBJECTIVE_FIELDS = ("position", "text", "source_reference")
CONSIDERATION_FIELDS = ("section", "position", "heading", "text", "source_reference")
CONSULTATION_FIELDS = ("body", "consulted_on", "outcome", "stance", "source_reference")
# Who signs and when is never typed: the signed-in user signs, today (decision 0082).
REPORT_REVIEW_FIELDS = ("reviewer_role",)
BENEFIT_FIELDS = (
    "title",
    "description",
    "kind",
    "measure",
    "unit",
    "direction",
    "baseline_text",
    "baseline_value",
    "baseline_date",
    "baseline_source",
    "target_value",
    "target_date",
    "target_is_demo",
    "source_reference",
)
BENEFIT_MEASURE_FIELDS = ("measured_on", "value", "note")
GLOSSARY_TERM_FIELDS = ("term", "meaning", "source_reference")

# The report's listed facts, edited by one service (`record_item_save`).
RECORD_ITEM_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    KeyDecisionReason: KEY_REASON_FIELDS,
    Recommendation: RECOMMENDATION_FIELDS,
    AlternativeOption: OPTION_FIELDS,
    Objective: OBJECTIVE_FIELDS,
    KeyConsideration: CONSIDERATION_FIELDS,
}

# Statuses a programme reaches only once its report is signed off and approved.
STATUSES_NEEDING_APPROVAL = {
    Programme.Status.APPROVED,
    Programme.Status.IN_DELIVERY,
    Programme.Status.CLOSED,
}


def _today() -> date:
    return timezone.localdate()


def _current(instance: models.Model) -> models.Model:
    """A saved row re-read under a lock (two people editing at once cannot both pass a check
    on what the other changed); a new row as it is."""
    if instance.pk is None:
        return instance
    return type(instance).objects.select_for_update().get(pk=instance.pk)


def _save(instance: models.Model, *, reason: str = "", update_fields=None) -> None:
    """Validate and save one row (inside the caller's `acting_user` block)."""
    instance.full_clean()
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


def programme_record_save(*, actor, programme: Programme, data: dict[str, Any]) -> Programme:
    """Save the decision summary an officer edited. The ceiling and the status have their own
    services and are not in PROGRAMME_RECORD_FIELDS, so an edit cannot carry either."""
    require(actor, Capability.EDIT_PROGRAMME)
    with transaction.atomic(), acting_user(actor):
        programme = _lock_programme(programme)
        assign_fields(programme, data, PROGRAMME_RECORD_FIELDS)
        _not_in_future(programme.decision_date, "decision_date", "The decision date")
        _save(programme)
    return programme


def record_item_save(*, actor, item: models.Model, data: dict[str, Any]) -> models.Model:
    """Save one of the report's listed facts: a key-decision reason, a recommendation's text,
    an alternative option, an objective or a key consideration (`item` is a new row with its
    programme set, or a saved one)."""
    require(actor, Capability.EDIT_PROGRAMME)
    fields = RECORD_ITEM_FIELDS[type(item)]
    with transaction.atomic(), acting_user(actor):
        item = _current(item)
        assign_fields(item, data, fields)
        _save(item)
    return item


def consultation_save(*, actor, consultation: Consultation, data: dict[str, Any]) -> Consultation:
    require(actor, Capability.EDIT_PROGRAMME)
    with transaction.atomic(), acting_user(actor):
        consultation = _current(consultation)
        assign_fields(consultation, data, CONSULTATION_FIELDS)
        _not_in_future(consultation.consulted_on, "consulted_on", "The date consulted")
        _save(consultation)
    return consultation


def glossary_term_save(*, actor, term: GlossaryTerm, data: dict[str, Any]) -> GlossaryTerm:
    require(actor, Capability.EDIT_PROGRAMME)
    with transaction.atomic(), acting_user(actor):
        term = _current(term)
        assign_fields(term, data, GLOSSARY_TERM_FIELDS)
        clash = (
            GlossaryTerm.objects.filter(
                programme_id=term.programme_id, term__iexact=term.term.strip()
            )
            .exclude(pk=term.pk)
            .exists()
        )
        if clash:
            raise ValidationError({"term": f"“{term.term}” is already in the glossary."})
        _save(term)
    return term


def _check_benefit_target(benefit: Benefit) -> None:
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


def benefit_save(*, actor, benefit: Benefit, data: dict[str, Any]) -> Benefit:
    require(actor, Capability.EDIT_PROGRAMME)
    with transaction.atomic(), acting_user(actor):
        benefit = _current(benefit)
        assign_fields(benefit, data, BENEFIT_FIELDS)
        _check_benefit_target(benefit)
        _save(benefit)
    return benefit


def benefit_measure_add(*, actor, benefit: Benefit, data: dict[str, Any]) -> BenefitMeasure:
    """Record a dated actual of a benefit's measure."""
    require(actor, Capability.EDIT_PROGRAMME)
    with transaction.atomic(), acting_user(actor):
        benefit = Benefit.objects.select_for_update().get(pk=benefit.pk)
        measure = BenefitMeasure(benefit=benefit, recorded_by=actor)
        assign_fields(measure, data, BENEFIT_MEASURE_FIELDS)
        measured_on = measure.measured_on
        _not_in_future(measured_on, "measured_on", "The date measured")
        if benefit.baseline_date and measured_on and measured_on < benefit.baseline_date:
            raise ValidationError(
                {
                    "measured_on": "An actual cannot be dated before the baseline "
                    f"({govuk_date(benefit.baseline_date)})."
                }
            )
        if BenefitMeasure.objects.filter(benefit=benefit, measured_on=measured_on).exists():
            raise ValidationError(
                {"measured_on": "There is already an actual on this date: each date has one."}
            )
        _save(measure)
    return measure


# Sign-offs and approval --------------------------------------------------------------------
# A sign-off made in the tracker is the signed-in user's own, dated the day they sign. The
# report's own sign-offs (typed names, loaded by the demo) stay exactly as written: they are
# neither signed again nor withdrawn here (decision 0082).


def report_review_sign(
    *, actor, programme: Programme, area: str, data: dict[str, Any]
) -> ReportReview:
    """`actor` signs off one area of the report, or gives the final approval, today.

    Every sign-off is dated on or before the final approval, so an area cannot be signed
    once the final approval is given (withdraw it first, while the programme is not
    approved)."""
    require(actor, Capability.EDIT_PROGRAMME)
    if area not in ReportReview.Area.values:
        raise ValidationError({"confirm": "There is no such area to sign off."})
    today = _today()
    with transaction.atomic(), acting_user(actor):
        # One sign-off at a time per programme, so the date rule cannot be raced.
        programme = _lock_programme(programme)
        reviews = {r.area: r for r in programme.reviews.select_related("signed_by")}
        review = reviews.get(area) or ReportReview(programme=programme, area=area)
        if review.is_signed:
            raise ValidationError(
                {
                    "confirm": f"{review.get_area_display()} is already signed by "
                    f"{review.signer_name} on {govuk_date(review.reviewed_on)}."
                }
            )
        final = reviews.get(ReportReview.Area.FINAL_APPROVAL)
        after_final = final is not None and final.is_signed and today > final.reviewed_on
        if not review.is_final_approval and after_final:
            raise ValidationError(
                {
                    "confirm": "A sign-off must be dated on or before the final approval "
                    f"({govuk_date(final.reviewed_on)}): the final approval must be "
                    "withdrawn before another area is signed."
                }
            )
        if review.is_final_approval:
            later = [
                r
                for r in reviews.values()
                if not r.is_final_approval and r.is_signed and r.reviewed_on > today
            ]
            if later:
                names = ", ".join(
                    f"{r.get_area_display()} ({govuk_date(r.reviewed_on)})" for r in later
                )
                raise ValidationError(
                    {"confirm": f"The final approval cannot be dated before a sign-off: {names}."}
                )
        assign_fields(review, data, REPORT_REVIEW_FIELDS)
        review.signed_by = actor
        review.reviewer = ""
        review.reviewed_on = today
        review.source_reference = ""
        what = "Final approval given" if review.is_final_approval else "Signed off"
        _save(review, reason=f"{what} by {person_name(actor)}")
    return review


def may_withdraw_sign_off(user, review: ReportReview) -> bool:
    """Whether the page offers `user` to withdraw `review` (the service decides again)."""
    return (
        review.is_signed
        and not review.is_from_report
        and (review.signed_by_id == user.pk or Role.ADMIN in roles_of(user))
        and review.programme.status not in STATUSES_NEEDING_APPROVAL
    )


def report_review_withdraw(*, actor, programme: Programme, area: str) -> ReportReview:
    """Withdraw a sign-off made in the tracker: only by the person who signed (or an Admin),
    and never once the programme is approved."""
    require(actor, Capability.EDIT_PROGRAMME)
    with transaction.atomic(), acting_user(actor):
        programme = _lock_programme(programme)
        review = (
            ReportReview.objects.select_for_update().filter(programme=programme, area=area).first()
        )
        if review is None or not review.is_signed:
            raise ValidationError(
                {"confirm": "This area is not signed, so there is nothing to withdraw."}
            )
        if review.is_from_report:
            raise ValidationError(
                {"confirm": "This sign-off is as recorded in the report, so it stays as written."}
            )
        if review.signed_by_id != actor.pk and Role.ADMIN not in roles_of(actor):
            raise PermissionDenied(
                f"Only {review.signer_name}, who signed, or an Admin may withdraw this sign-off."
            )
        if programme.status in STATUSES_NEEDING_APPROVAL:
            raise ValidationError(
                {
                    "confirm": f"The programme is {programme.get_status_display().lower()}: "
                    "its sign-offs cannot be withdrawn."
                }
            )
        signer = review.signer_name
        review.signed_by = None
        review.reviewed_on = None
        review.reviewer_role = ""
        _save(review, reason=f"Sign-off by {signer} withdrawn by {person_name(actor)}")
    return review


def status_capability(current: str, status: str) -> Capability:
    """Closing the programme, and reopening a closed one, is a decision (Cabinet or Admin);
    every other move is the record's keepers' (Officer or Admin)."""
    if Programme.Status.CLOSED in (current, status):
        return Capability.RECORD_DECISION
    return Capability.EDIT_PROGRAMME


def statuses_open_to(user, programme: Programme) -> list[str]:
    """The statuses `user` may move `programme` to (for the form's choices)."""
    return [
        s
        for s in Programme.Status.values
        if s != programme.status and can(user, status_capability(programme.status, s))
    ]


def programme_set_status(*, actor, programme: Programme, status: str) -> Programme:
    """Move the programme to `status`; approved and beyond need every sign-off and the final
    approval (the page lists what is missing). Closing needs the Cabinet (or Admin) role."""
    require(actor, status_capability(programme.status, status))
    if status not in Programme.Status.values:
        raise ValidationError({"status": "Choose a status from the list."})
    with transaction.atomic(), acting_user(actor):
        locked = _lock_programme(programme)
        # The page may be older than the row: the role the move needs is judged on the row.
        require(actor, status_capability(locked.status, status))
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
            reason=f"Status {previous} → {locked.get_status_display()}",
            update_fields=["status"],
        )
    programme.status = status
    return locked


# Decisions -------------------------------------------------------------------------------


def recommendation_decide(
    *, actor, recommendation: Recommendation, outcome: str, decided_on: date, notes: str = ""
) -> Recommendation:
    """Record the decision on one recommendation: outcome, date and who recorded it."""
    require(actor, Capability.RECORD_DECISION)
    decided = [o for o in Recommendation.Outcome.values if o != Recommendation.Outcome.PENDING]
    if outcome not in decided:
        raise ValidationError({"outcome": "Choose the decision taken."})
    if decided_on is None:
        raise ValidationError({"decided_on": "Enter the date of the decision."})
    _not_in_future(decided_on, "decided_on", "The date of the decision")
    with transaction.atomic(), acting_user(actor):
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        previous = locked.get_outcome_display()
        locked.outcome = outcome
        locked.decided_on = decided_on
        locked.outcome_notes = notes
        locked.decided_by = actor
        locked.decided_by_name = person_name(actor, nobody="")
        _save(locked, reason=f"Decision recorded: {previous} → {locked.get_outcome_display()}")
    return locked
