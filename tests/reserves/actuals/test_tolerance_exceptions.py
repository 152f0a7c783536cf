"""The forecast outturn feeds the board pack's tolerances (issues 14 and 17): applying a ledger
import or saving an officer's forecast to complete raises a cost exception through the stages
service the moment a stage's outturn breaks its cost tolerance or the programme's outturn passes
the spending ceiling, and never a second while one is open. PostgreSQL, real tasks (eager)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from core.models import OutboxEmail
from reserves.actuals import services
from stages import services as stage_services
from stages.models import ToleranceException

pytestmark = pytest.mark.django_db

DECISION = {"decided_on": date(2024, 1, 5), "decision_maker": "Cabinet", "summary": "Tolerances"}


def _tolerance(cabinet, programme, stage, budget="100000", percent="5"):
    stage_services.tolerances_set(
        actor=cabinet,
        programme=programme,
        stage=stage,
        data={
            "budget": Decimal(budget),
            "cost_tolerance_percent": Decimal(percent) if percent is not None else None,
            **DECISION,
        },
    )


def _row(ref, amount, centre="DT100"):
    return f"GL-{ref},19/07/2022,{centre},5001,{amount},Acme Ltd,Company,Work,0"


def _exceptions(stage):
    return list(ToleranceException.objects.filter(stage=stage).order_by("pk"))


def test_an_import_past_the_cost_tolerance_raises_one_exception_and_a_second_import_no_more(
    mapped, upload, confirm, cabinet, finance
):
    stage = mapped.stage_one
    _tolerance(cabinet, mapped, stage)  # £95,000 to £105,000
    row = confirm(upload([_row(1, "60000.00"), _row(2, "40000.00")]))
    assert row.status == "done"
    assert _exceptions(stage) == []  # £100,000: within tolerance

    emails = OutboxEmail.objects.count()
    row = confirm(upload([_row(3, "6500.00")]))
    assert row.status == "done"
    [exception] = _exceptions(stage)
    assert exception.tolerance == "cost"
    assert exception.status == "open"
    assert exception.raised_by == finance
    assert exception.limit == "£95,000 to £105,000 (±5% of £100,000)"
    assert exception.excess == "£1,500 over"
    assert exception.forecast.startswith("forecast outturn £106,500 (spent £106,500")
    assert exception.history.first().history_user == finance
    assert OutboxEmail.objects.count() == emails + 1  # Cabinet told, through the outbox
    assert _exceptions(mapped.stage_two) == []

    row = confirm(upload([_row(4, "2000.00")]))
    assert row.status == "done"
    assert len(_exceptions(stage)) == 1  # still open: no duplicate
    assert OutboxEmail.objects.count() == emails + 1


def test_an_exception_once_decided_lets_the_next_breach_raise_a_new_one(
    mapped, upload, confirm, cabinet, officer
):
    stage = mapped.stage_one
    _tolerance(cabinet, mapped, stage)
    confirm(upload([_row(1, "110000.00")]))
    [first] = _exceptions(stage)
    stage_services.exception_report(
        actor=officer,
        exception=first,
        data={"cause": "Extra work", "options": "Accept", "recommendation": "Accept"},
    )
    stage_services.exception_decide(
        actor=cabinet, exception=first, data={"outcome": "accept", "decision_note": "Fine"}
    )
    confirm(upload([_row(2, "1.00")]))
    assert [e.status for e in _exceptions(stage)] == ["decided", "open"]


def test_an_officers_forecast_to_complete_raises_the_exception_at_once(
    mapped, upload, confirm, cabinet, officer
):
    stage = mapped.stage_two
    _tolerance(cabinet, mapped, stage, budget="200000", percent="10")  # £180,000 to £220,000
    confirm(upload([_row(1, "150000.00", "DT200")]))
    assert _exceptions(stage) == []  # spent so far only: an underspend is not yet a forecast
    with transaction.atomic():
        services.stage_forecast_save(
            actor=officer, stage=stage, data={"forecast_to_complete": Decimal("75000.00")}
        )
    [exception] = _exceptions(stage)
    assert exception.raised_by == officer
    assert exception.excess == "£5,000 over"
    assert "forecast to complete £75,000" in exception.forecast
    services.stage_forecast_save(
        actor=officer, stage=stage, data={"forecast_to_complete": Decimal("80000.00")}
    )
    assert len(_exceptions(stage)) == 1


def test_a_forecast_below_the_tolerance_is_an_underspend_exception(
    mapped, upload, confirm, cabinet, officer
):
    stage = mapped.stage_two
    _tolerance(cabinet, mapped, stage, budget="200000", percent="10")
    confirm(upload([_row(1, "100000.00", "DT200")]))
    services.stage_forecast_save(
        actor=officer, stage=stage, data={"forecast_to_complete": Decimal("50000.00")}
    )
    [exception] = _exceptions(stage)
    assert exception.excess == "£30,000 under"


def test_an_outturn_past_the_ceiling_raises_on_the_stage_over_its_budget(
    mapped, upload, confirm, cabinet
):
    # Ceiling £490,000; budgets £100,000 and £380,000 with no cost tolerance set on either.
    for stage, budget in ((mapped.stage_one, "100000"), (mapped.stage_two, "380000")):
        _tolerance(cabinet, mapped, stage, budget=budget, percent=None)
    confirm(upload([_row(1, "104000.00"), _row(2, "380000.00", "DT200")]))
    assert ToleranceException.objects.count() == 0  # £484,000: within the ceiling
    confirm(upload([_row(3, "11000.00")]))
    [exception] = ToleranceException.objects.all()
    assert exception.stage == mapped.stage_one  # over its budget; stage 2 is not
    assert exception.limit == "the £490,000 spending ceiling"
    assert exception.excess == "programme outturn £495,000 passes the ceiling by £5,000"
    confirm(upload([_row(4, "1000.00", "DT200")]))  # stage 2 now over its budget too
    assert [e.stage for e in ToleranceException.objects.order_by("pk")] == [
        mapped.stage_one,
        mapped.stage_two,
    ]


def test_without_budgets_from_cabinet_an_outturn_past_the_ceiling_raises_nothing(
    mapped, upload, confirm
):
    # No stage to hold to account: the actuals page's ceiling warning says it instead.
    confirm(upload([_row(1, "300000.00"), _row(2, "200000.00", "DT200")]))
    assert ToleranceException.objects.count() == 0
