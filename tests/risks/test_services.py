"""Writes: bad input is refused field by field with nothing saved; every change keeps a
history row naming the user; reviews move the current scores."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from risks import services
from risks.models import MitigationAction, Risk, RiskReview

from .factories import RiskFactory, category

pytestmark = pytest.mark.django_db


def _data(**overrides):
    data = {"kind": Risk.Kind.RISK, "title": "Partner withdraws", "category": category()}
    data.update(overrides)
    return data


def test_risk_create_numbers_risks_per_programme_and_names_the_user(programme, officer):
    first = services.risk_create(programme=programme, actor=officer, data=_data())
    second = services.risk_create(
        programme=programme, actor=officer, data=_data(kind=Risk.Kind.OPPORTUNITY, title="Grant")
    )
    assert (first.reference, second.reference) == ("R1", "O2")
    record = first.history.get()
    assert record.history_type == "+"
    assert record.history_user == officer


def test_risk_update_keeps_a_history_row_naming_the_user(scored_risk, finance):
    services.risk_update(
        risk=scored_risk, actor=finance, data={"residual_likelihood": 2, "residual_impact": 2}
    )
    latest = scored_risk.history.order_by("-history_id").first()
    assert latest.history_user == finance
    assert (latest.residual_likelihood, latest.residual_impact) == (2, 2)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"inherent_likelihood": 6, "inherent_impact": 2}, "inherent_likelihood", "1 to 5"),
        ({"target_likelihood": 0, "target_impact": 2}, "target_likelihood", "1 to 5"),
        ({"residual_likelihood": 3, "residual_impact": None}, "residual_impact", "impact"),
        (
            {"residual_likelihood": 5, "residual_impact": 5},
            "residual_reason",
            "residual score (25) is above the inherent score (16)",
        ),
        ({"status": Risk.Status.CLOSED, "closing_note": ""}, "closing_note", "why"),
        ({"response": "exploit"}, "response", "tolerate"),
    ],
)
def test_bad_risk_input_is_a_field_error_and_saves_nothing(
    scored_risk, officer, changes, field, message
):
    before = scored_risk.history.count()
    with pytest.raises(ValidationError) as caught:
        services.risk_update(risk=scored_risk, actor=officer, data=changes)
    assert message in " ".join(caught.value.message_dict[field])
    scored_risk.refresh_from_db()
    assert (scored_risk.inherent_likelihood, scored_risk.residual_likelihood) == (4, 3)
    assert scored_risk.status == Risk.Status.OPEN
    assert scored_risk.history.count() == before


def test_residual_above_inherent_is_accepted_with_a_reason(scored_risk, officer):
    services.risk_update(
        risk=scored_risk,
        actor=officer,
        data={
            "residual_likelihood": 5,
            "residual_impact": 5,
            "residual_reason": "The supplier market collapsed after the inherent assessment",
        },
    )
    scored_risk.refresh_from_db()
    assert scored_risk.residual_score == 25


def test_closing_a_risk_needs_a_note_and_records_the_date(scored_risk, officer):
    services.risk_update(
        risk=scored_risk,
        actor=officer,
        data={"status": Risk.Status.CLOSED, "closing_note": "Supplier signed"},
        today=date(2024, 6, 1),
    )
    scored_risk.refresh_from_db()
    assert scored_risk.closed_on == date(2024, 6, 1)
    services.risk_update(risk=scored_risk, actor=officer, data={"status": Risk.Status.OPEN})
    scored_risk.refresh_from_db()
    assert scored_risk.closed_on is None


def test_stages_of_another_programme_cannot_be_linked(scored_risk, officer):
    from stages.models import Stage

    from .factories import ProgrammeFactory

    other = Stage.objects.create(programme=ProgrammeFactory(), number=1, name="Elsewhere")
    with pytest.raises(ValidationError):
        services.risk_update(risk=scored_risk, actor=officer, data={"stages": [other]})
    assert not scored_risk.stages.exists()


def test_linking_stages_keeps_a_history_row(scored_risk, programme, officer):
    stage = programme.stages.get(number=1)
    services.risk_update(risk=scored_risk, actor=officer, data={"stages": [stage]})
    assert list(scored_risk.stages.all()) == [stage]
    latest = scored_risk.history.order_by("-history_id").first()
    assert latest.history_user == officer
    assert [s.stage for s in latest.stages.all()] == [stage]


def test_a_review_becomes_the_current_scoring_and_sets_the_next_review(scored_risk, officer):
    today = timezone.localdate()
    review = services.review_record(
        actor=officer,
        risk=scored_risk,
        data={
            "reviewed_on": today,
            "inherent_likelihood": 4,
            "inherent_impact": 4,
            "residual_likelihood": 2,
            "residual_impact": 3,
            "notes": "Supplier confirmed start date",
            "next_review_date": today + timedelta(days=90),
        },
    )
    scored_risk.refresh_from_db()
    assert scored_risk.residual_score == 6
    assert scored_risk.review_date == today + timedelta(days=90)
    assert review.reviewed_by == officer
    assert review.history.get().history_user == officer
    assert scored_risk.history.order_by("-history_id").first().history_user == officer


def test_an_older_review_fills_in_the_trend_without_changing_the_current_scores(
    scored_risk, officer
):
    today = timezone.localdate()
    services.review_record(
        actor=officer,
        risk=scored_risk,
        data={"reviewed_on": today, "residual_likelihood": 2, "residual_impact": 2},
    )
    services.review_record(
        actor=officer,
        risk=scored_risk,
        data={
            "reviewed_on": today - timedelta(days=60),
            "residual_likelihood": 3,
            "residual_impact": 4,
        },
    )
    scored_risk.refresh_from_db()
    assert scored_risk.residual_score == 4
    assert scored_risk.reviews.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        # Functions of today's date, so the date is computed when the test runs, not at import.
        (lambda today: {"reviewed_on": today + timedelta(days=1)}, "reviewed_on"),
        (lambda today: {"residual_likelihood": 9}, "residual_likelihood"),
        (lambda today: {"residual_likelihood": 5, "residual_impact": 5}, "residual_reason"),
        (lambda today: {"next_review_date": date(2000, 1, 1)}, "next_review_date"),
    ],
)
def test_a_bad_review_is_refused_and_nothing_changes(scored_risk, officer, changes, field):
    changes = changes(timezone.localdate())
    kwargs = {
        "reviewed_on": timezone.localdate(),
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "residual_likelihood": 2,
        "residual_impact": 2,
    }
    kwargs.update(changes)
    with pytest.raises(ValidationError) as caught:
        services.review_record(actor=officer, risk=scored_risk, data=kwargs)
    assert field in caught.value.message_dict
    assert not RiskReview.objects.exists()
    scored_risk.refresh_from_db()
    assert scored_risk.residual_score == 9


def test_actions_need_a_done_date_not_in_the_future(scored_risk, officer):
    with pytest.raises(ValidationError) as caught:
        services.action_create(
            risk=scored_risk, actor=officer, data={"description": "x", "done": True}
        )
    assert "done_on" in caught.value.message_dict
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError):
        services.action_create(
            risk=scored_risk,
            actor=officer,
            data={"description": "x", "done": True, "done_on": tomorrow},
        )
    assert not MitigationAction.objects.exists()
    action = services.action_create(
        risk=scored_risk, actor=officer, data={"description": "Sign contract", "owner": officer}
    )
    services.action_update(
        action=action,
        actor=officer,
        data={"done": True, "done_on": timezone.localdate()},
    )
    assert [h.history_user for h in action.history.all()] == [officer, officer]


def test_the_database_refuses_scores_outside_one_to_five_even_by_update(scored_risk):
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=scored_risk.pk).update(residual_likelihood=7)


def test_the_database_refuses_a_closed_risk_without_a_note(scored_risk):
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=scored_risk.pk).update(status=Risk.Status.CLOSED)


def test_the_database_refuses_half_a_score(programme):
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactory(programme=programme, inherent_likelihood=3)
