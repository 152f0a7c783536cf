"""Tolerances set by Cabinet, exceptions raised the moment a forecast breaks one, the
officer's exception report and Cabinet's decision; escalations in progress updates and
Cabinet's decision on them (issue 14)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from programme.models import Decision
from stages import services
from stages.models import Escalation, ProgressUpdate, Stage, ToleranceException

from .conftest import url
from .factories import OutputFactory

DECISION = {"decided_on": date(2024, 1, 5), "decision_maker": "Cabinet", "summary": "Board pack"}


def _set_stage_1(cabinet, stages, **data):
    return services.tolerances_set(
        actor=cabinet,
        programme=stages[1].programme,
        stage=stages[1],
        data={
            "budget": Decimal("200000"),
            "cost_tolerance_percent": Decimal("5"),
            "time_tolerance_days": 30,
            "scope_tolerance_outputs": 1,
            **DECISION,
            **data,
        },
    )


def _post(officer, stage, **data):
    return services.progress_update_create(
        actor=officer,
        stage=stage,
        data={
            "as_of": date(2024, 3, 1),
            "rag": "amber",
            "percent_complete": 40,
            "narrative": "Data owners not agreed.",
            **data,
        },
    )


def test_cabinet_sets_a_stages_tolerances_as_a_recorded_decision(cabinet, stages):
    decision = _set_stage_1(cabinet, stages)
    stage = Stage.objects.get(pk=stages[1].pk)
    assert decision.kind == Decision.Kind.TOLERANCES
    assert decision.recorded_by == cabinet
    assert stage.tolerance_decision == decision
    assert (stage.budget, stage.cost_tolerance_percent) == (Decimal("200000"), Decimal("5"))
    assert stage.history.latest().history_user == cabinet
    assert decision.history.latest().history_user == cabinet


def test_the_programmes_tolerances_are_a_decision_too(cabinet, stages):
    programme = stages[1].programme
    services.tolerances_set(
        actor=cabinet,
        programme=programme,
        data={"cost_tolerance_percent": Decimal("0"), "time_tolerance_days": 60, **DECISION},
    )
    programme.refresh_from_db()
    assert programme.time_tolerance_days == 60
    assert programme.tolerance_decision.kind == Decision.Kind.TOLERANCES


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"cost_tolerance_percent": Decimal("-1")}, "cost_tolerance_percent", "negative"),
        ({"time_tolerance_days": -3}, "time_tolerance_days", "negative"),
        ({"cost_tolerance_percent": Decimal("200")}, "cost_tolerance_percent", "ceiling"),
        ({"budget": Decimal("500000")}, "budget", "ceiling"),
        ({"time_tolerance_days": 400}, "time_tolerance_days", "programme's end"),
    ],
)
def test_a_bad_tolerance_is_a_field_error_and_nothing_is_saved(cabinet, stages, data, field, words):
    with pytest.raises(ValidationError) as refused:
        _set_stage_1(cabinet, stages, **data)
    assert words in " ".join(refused.value.message_dict[field])
    stage = Stage.objects.get(pk=stages[1].pk)
    assert stage.budget is None and stage.tolerance_decision is None
    assert not Decision.objects.filter(kind=Decision.Kind.TOLERANCES).exists()


def test_only_cabinet_sets_tolerances(officer, finance, stages):
    for user in (officer, finance):
        with pytest.raises(PermissionDenied):
            _set_stage_1(user, stages)
    assert not Decision.objects.filter(kind=Decision.Kind.TOLERANCES).exists()


def test_a_forecast_past_the_cost_tolerance_raises_an_exception_at_once(cabinet, officer, stages):
    _set_stage_1(cabinet, stages)
    update = _post(officer, stages[1], forecast_cost=Decimal("215000"))
    exception = ToleranceException.objects.get()
    assert exception.tolerance == "cost"
    assert exception.raised_by == officer
    assert exception.raised_from == update
    assert exception.excess == "£5,000 over"
    assert exception.forecast == "£215,000"
    assert "£190,000 to £210,000" in exception.limit
    assert exception.status == ToleranceException.Status.OPEN
    assert Stage.objects.get(pk=stages[1].pk).forecast_cost == Decimal("215000")
    assert exception.history.latest().history_user == officer


def test_a_forecast_within_tolerance_raises_nothing_and_one_exception_stands_per_tolerance(
    cabinet, officer, stages
):
    _set_stage_1(cabinet, stages)
    _post(officer, stages[1], forecast_cost=Decimal("209000"), forecast_end=date(2024, 6, 30))
    assert not ToleranceException.objects.exists()
    _post(officer, stages[1], forecast_cost=Decimal("230000"))
    _post(officer, stages[1], forecast_cost=Decimal("240000"))
    assert ToleranceException.objects.count() == 1


def test_time_and_scope_breaches_say_by_how_much(cabinet, officer, stages):
    _set_stage_1(cabinet, stages)
    for code in ("a", "b", "c"):
        OutputFactory(stage=stages[1], code=code, due_date=date(2024, 2, 1))
    _post(officer, stages[1], forecast_end=date(2024, 7, 10))
    found = {e.tolerance: e.excess for e in ToleranceException.objects.all()}
    assert found == {"time": "10 days late", "scope": "2 output(s) more than allowed"}


def test_exception_report_then_cabinet_decision_closes_it(cabinet, officer, stages):
    _set_stage_1(cabinet, stages)
    _post(officer, stages[1], forecast_cost=Decimal("215000"))
    exception = ToleranceException.objects.get()
    with pytest.raises(ValidationError) as early:
        services.exception_decide(
            actor=cabinet, exception=exception, data={"outcome": "accept", "decision_note": "Ok"}
        )
    assert "outcome" in early.value.message_dict
    with pytest.raises(ValidationError) as no_cause:
        services.exception_report(
            actor=officer,
            exception=exception,
            data={"cause": " ", "options": "", "recommendation": "Accept"},
        )
    assert "cause" in no_cause.value.message_dict
    assert ToleranceException.objects.get().status == "open"
    services.exception_report(
        actor=officer,
        exception=exception,
        data={"cause": "Data cleansing", "options": "Cut scope", "recommendation": "Accept"},
    )
    services.exception_decide(
        actor=cabinet,
        exception=exception,
        data={"outcome": "accept", "decision_note": "Within the ceiling"},
    )
    exception.refresh_from_db()
    assert (exception.status, exception.outcome) == ("decided", "accept")
    assert (exception.reported_by, exception.decided_by) == (officer, cabinet)
    users = {h.history_user for h in exception.history.all()}
    assert users == {officer, cabinet}
    with pytest.raises(ValidationError) as closed:
        services.exception_decide(
            actor=cabinet, exception=exception, data={"outcome": "stop", "decision_note": "No"}
        )
    assert "already decided" in closed.value.message_dict["outcome"][0]
    with pytest.raises(ValidationError) as closed_report:
        services.exception_report(
            actor=officer, exception=exception, data={"cause": "x", "recommendation": "y"}
        )
    assert "closed" in closed_report.value.message_dict["cause"][0]
    assert ToleranceException.objects.get().outcome == "accept"


def test_an_escalation_goes_to_cabinet_and_its_decision_is_recorded(cabinet, officer, stages):
    update = _post(officer, stages[1], escalation="Need CLT decision on call centre data owners")
    escalation = Escalation.objects.get()
    assert escalation.progress_update == update
    assert escalation.raised_by == officer
    assert escalation.status == Escalation.Status.AWAITING
    with pytest.raises(PermissionDenied):
        services.escalation_decide(actor=officer, escalation=escalation, data={"decision": "x"})
    with pytest.raises(ValidationError) as empty:
        services.escalation_decide(actor=cabinet, escalation=escalation, data={"decision": ""})
    assert "decision" in empty.value.message_dict
    services.escalation_decide(
        actor=cabinet, escalation=escalation, data={"decision": "CLT to name owners by May"}
    )
    escalation.refresh_from_db()
    assert escalation.decided_by == cabinet
    assert escalation.history.latest().history_user == cabinet


def test_an_update_without_escalation_raises_none(officer, stages):
    _post(officer, stages[1], escalation="   ")
    assert not Escalation.objects.exists()
    assert ProgressUpdate.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_cabinet_members_deciding_at_once_one_wins_the_other_is_told(officer, stages):
    from tests.conftest import make_user

    first, second = make_user("cab1", "Cabinet"), make_user("cab2", "Cabinet")
    escalation = Escalation.objects.create(
        stage=stages[1],
        progress_update=_post(officer, stages[1]),
        text="Decide",
        raised_by=officer,
        raised_at=ProgressUpdate.objects.get().created_at,
    )
    barrier = threading.Barrier(2)
    results = {}

    def decide(user):
        try:
            barrier.wait()
            services.escalation_decide(
                actor=user, escalation=escalation, data={"decision": f"By {user.username}"}
            )
            results[user.username] = "ok"
        except ValidationError as error:
            results[user.username] = error.message_dict["decision"][0]
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(u,)) for u in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values(), key=len)[0] == "ok"
    told = [v for v in results.values() if v != "ok"]
    assert len(told) == 1 and "already recorded" in told[0]
    assert Escalation.objects.get().history.filter(status="decided").count() == 1


# Pages --------------------------------------------------------------------------------------


def test_the_escalation_page_shows_the_decision_to_the_officer(
    client_for, cabinet, officer, stages
):
    _post(officer, stages[1], escalation="Need CLT decision")
    escalation = Escalation.objects.get()
    programme = stages[1].programme
    page = url(programme, "escalation", pk=escalation.pk)
    response = client_for(cabinet).post(
        url(programme, "escalation_decide", pk=escalation.pk), {"decision": ""}
    )
    assert b"Enter Cabinet" in response.content and b"govuk-error-message" in response.content
    response = client_for(cabinet).post(
        url(programme, "escalation_decide", pk=escalation.pk), {"decision": "CLT names owners"}
    )
    assert response.status_code == 302
    stage_page = client_for(officer).get(url(programme, "detail", number=1)).content.decode()
    assert "CLT names owners" in stage_page
    assert "CLT names owners" in client_for(officer).get(page).content.decode()
    refused = client_for(officer).post(
        url(programme, "escalation_decide", pk=escalation.pk), {"decision": "mine"}
    )
    assert refused.status_code == 403
    assert Escalation.objects.get().decision == "CLT names owners"


def test_the_progress_form_puts_a_bad_forecast_next_to_its_field(client_for, officer, stages):
    response = client_for(officer).post(
        url(stages[1].programme, "update_new", number=1),
        {
            "as_of": "2024-03-01",
            "rag": "amber",
            "percent_complete": "40",
            "narrative": "x",
            "forecast_cost": "-5",
            "forecast_end": "2023-01-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_forecast_cost-error"' in html or "forecast_cost-error" in html
    assert not ProgressUpdate.objects.exists()


def test_the_tolerance_form_refuses_a_tolerance_past_the_ceiling_by_the_field(
    client_for, cabinet, stages
):
    response = client_for(cabinet).post(
        url(stages[1].programme, "stage_tolerances_set", number=1),
        {
            "budget": "200000",
            "cost_tolerance_percent": "300",
            "decided_on": "2024-01-05",
            "decision_maker": "Cabinet",
        },
    )
    html = response.content.decode()
    assert "past the £490,000 spending ceiling" in html
    assert not Decision.objects.filter(kind="tolerances").exists()
