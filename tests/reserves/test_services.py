"""A drawdown's life through the services: who may do what, who did it and when, and every
kind of bad input refused with a message and nothing saved."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reserves import selectors, services
from reserves.models import CostLine, Drawdown, DrawdownRefusal

pytestmark = pytest.mark.django_db


def _rows():
    return (Drawdown.objects.count(), Drawdown.history.count())


def test_a_drawdown_goes_from_request_to_drawn_with_who_and_when_at_each_step(
    programme, officer, finance
):
    drawdown = services.drawdown_request(
        reserve=programme.funding_reserve,
        programme=programme,
        purpose="Stage 1 diagnostics",
        amount="£200,000",
        needed_by=date(2023, 3, 31),
        user=officer,
    )
    assert (drawdown.status, drawdown.requested_by, drawdown.amount) == (
        "requested",
        officer,
        Decimal("200000.00"),
    )
    assert drawdown.requested_at is not None
    drawdown = services.drawdown_approve(drawdown=drawdown, user=finance)
    assert (drawdown.status, drawdown.approved_by) == ("approved", finance)
    drawdown = services.drawdown_schedule(
        drawdown=drawdown, user=finance, scheduled_for=date(2022, 9, 30)
    )
    assert (drawdown.status, drawdown.scheduled_for, drawdown.scheduled_by) == (
        "scheduled",
        date(2022, 9, 30),
        finance,
    )
    today = timezone.localdate()
    drawdown = services.drawdown_mark_drawn(drawdown=drawdown, user=finance, drawn_on=today)
    assert (drawdown.status, drawdown.drawn_on, drawdown.drawn_by) == ("drawn", today, finance)
    steps = [
        (h.status, h.history_user) for h in drawdown.history.order_by("history_date", "history_id")
    ]
    assert steps == [
        ("requested", officer),
        ("approved", finance),
        ("scheduled", finance),
        ("drawn", finance),
    ]


def test_the_requester_may_never_approve_their_own_request(programme, finance, finance2):
    drawdown = services.drawdown_request(
        reserve=programme.funding_reserve,
        programme=programme,
        purpose="Finance asks",
        amount="1000",
        user=finance,
    )
    before = _rows()
    for act in (
        lambda: services.drawdown_approve(drawdown=drawdown, user=finance),
        lambda: services.drawdown_reject(drawdown=drawdown, user=finance, reason="Mine"),
    ):
        with pytest.raises(PermissionDenied, match="someone else in finance"):
            act()
    assert _rows() == before
    assert services.drawdown_approve(drawdown=drawdown, user=finance2).approved_by == finance2


def test_the_requester_may_not_schedule_or_draw_their_own_request(programme, finance, finance2):
    drawdown = services.drawdown_request(
        reserve=programme.funding_reserve,
        programme=programme,
        purpose="x",
        amount="1",
        user=finance,
    )
    services.drawdown_approve(drawdown=drawdown, user=finance2)
    with pytest.raises(PermissionDenied):
        services.drawdown_schedule(drawdown=drawdown, user=finance, scheduled_for=date(2023, 1, 1))
    with pytest.raises(PermissionDenied):
        services.drawdown_mark_drawn(drawdown=drawdown, user=finance, drawn_on=timezone.localdate())
    assert Drawdown.objects.get(pk=drawdown.pk).status == "approved"


def test_approving_twice_is_refused_and_names_who_approved(programme, make_drawdown, finance2):
    drawdown = make_drawdown("1000", status="approved", programme=programme)
    before = _rows()
    with pytest.raises(ValidationError, match="has already been approved by Finance Tester"):
        services.drawdown_approve(drawdown=drawdown, user=finance2)
    assert _rows() == before


@pytest.mark.parametrize("role", ["officer", "cabinet"])
def test_only_finance_and_admin_may_approve(role, request, programme, make_drawdown):
    drawdown = make_drawdown("1000", programme=programme)
    with pytest.raises(PermissionDenied):
        services.drawdown_approve(drawdown=drawdown, user=request.getfixturevalue(role))
    assert Drawdown.objects.get(pk=drawdown.pk).status == "requested"


def test_admin_may_approve(programme, make_drawdown, admin_user):
    drawdown = make_drawdown("1000", programme=programme)
    assert services.drawdown_approve(drawdown=drawdown, user=admin_user).status == "approved"


def test_cabinet_may_not_request_a_drawdown(programme, cabinet):
    with pytest.raises(PermissionDenied):
        services.drawdown_request(
            reserve=programme.funding_reserve,
            programme=programme,
            purpose="x",
            amount="1",
            user=cabinet,
        )
    assert Drawdown.objects.count() == 0


def test_a_rejection_needs_a_reason_and_keeps_it(programme, make_drawdown, finance):
    drawdown = make_drawdown("1000", programme=programme)
    with pytest.raises(ValidationError) as refused:
        services.drawdown_reject(drawdown=drawdown, user=finance, reason="   ")
    assert refused.value.message_dict == {"reason": ["Enter why the drawdown is rejected"]}
    rejected = services.drawdown_reject(drawdown=drawdown, user=finance, reason="Not in budget")
    assert (rejected.status, rejected.rejected_by, rejected.rejection_reason) == (
        "rejected",
        finance,
        "Not in budget",
    )
    with pytest.raises(ValidationError, match="is rejected, so it cannot be approved"):
        services.drawdown_approve(drawdown=drawdown, user=finance)


def test_a_drawn_drawdown_cannot_be_changed_by_any_service(programme, make_drawdown, finance):
    drawdown = make_drawdown("1000", status="drawn", programme=programme)
    before = _rows()
    for act in (
        lambda: services.drawdown_cancel(drawdown=drawdown, user=finance, reason="Oops"),
        lambda: services.drawdown_schedule(
            drawdown=drawdown, user=finance, scheduled_for=date(2023, 1, 1)
        ),
        lambda: services.drawdown_mark_drawn(
            drawdown=drawdown, user=finance, drawn_on=timezone.localdate()
        ),
    ):
        with pytest.raises(ValidationError, match="has been drawn"):
            act()
    assert _rows() == before


def test_an_officer_may_cancel_their_own_request_but_not_an_approved_one(
    programme, make_drawdown, officer, officer2
):
    own = make_drawdown("1000", programme=programme)
    with pytest.raises(PermissionDenied):
        services.drawdown_cancel(drawdown=own, user=officer2, reason="Not mine")
    with pytest.raises(ValidationError):
        services.drawdown_cancel(drawdown=own, user=officer, reason="")
    cancelled = services.drawdown_cancel(drawdown=own, user=officer, reason="No longer needed")
    assert (cancelled.status, cancelled.cancelled_by) == ("cancelled", officer)
    approved = make_drawdown("1000", status="approved", programme=programme)
    with pytest.raises(PermissionDenied):
        services.drawdown_cancel(drawdown=approved, user=officer, reason="Changed my mind")


def test_cancelling_an_approval_frees_its_headroom(programme, make_drawdown, finance):
    approved = make_drawdown("490000", status="approved", programme=programme)
    with pytest.raises(ValidationError) as refused:  # the ceiling is fully committed...
        make_drawdown("490000", programme=programme)
    assert "above the £490,000 ceiling" in refused.value.message_dict["amount"][0]
    services.drawdown_cancel(drawdown=approved, user=finance, reason="Re-scoped")
    again = make_drawdown("490000", status="approved", programme=programme)  # ...until now
    assert again.status == Drawdown.Status.APPROVED
    assert selectors.programme_spend(programme)["committed"] == Decimal("490000.00")
    approved.refresh_from_db()
    assert approved.status == Drawdown.Status.CANCELLED


def test_dates_out_of_order_are_refused(programme, make_drawdown, finance):
    drawdown = make_drawdown("1000", status="approved", programme=programme)
    with pytest.raises(ValidationError) as refused:
        services.drawdown_schedule(drawdown=drawdown, user=finance, scheduled_for=date(2022, 3, 31))
    assert "opening date, 1 April 2022" in refused.value.message_dict["scheduled_for"][0]
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.drawdown_mark_drawn(drawdown=drawdown, user=finance, drawn_on=tomorrow)
    assert refused.value.message_dict == {"drawn_on": ["The date cannot be in the future"]}
    with pytest.raises(ValidationError) as refused:
        services.drawdown_mark_drawn(
            drawdown=drawdown, user=finance, drawn_on=timezone.localdate() - timedelta(days=1)
        )
    assert "on or after the day it was approved" in refused.value.message_dict["drawn_on"][0]
    assert Drawdown.objects.get(pk=drawdown.pk).status == "approved"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "The amount must be more than £0"),
        ("0.00", "The amount must be more than £0"),
        ("-30000", "The amount must be more than £0"),
        ("£-5", "The amount must be more than £0"),
        ("thirty thousand", "Enter the amount as a number of pounds, like 30000 or 30,000.50"),
        ("NaN", "Enter the amount as a number of pounds, like 30000 or 30,000.50"),
        ("Infinity", "Enter the amount as a number of pounds, like 30000 or 30,000.50"),
        ("-Infinity", "Enter the amount as a number of pounds, like 30000 or 30,000.50"),
        ("1e6", "Enter the amount as a number of pounds, like 30000 or 30,000.50"),
        ("30000.005", "Enter the amount to the nearest penny: no more than 2 decimal places"),
        ("1000000000", "The amount must be £999,999,999.99 or less"),
        ("9" * 60, "The amount must be £999,999,999.99 or less"),
        ("", "Enter the amount in pounds"),
        (Decimal("NaN"), "Enter the amount as a number of pounds, like 30000 or 30,000.50"),
        (Decimal("-1"), "The amount must be more than £0"),
    ],
)
def test_a_bad_amount_is_refused_with_a_field_message_and_nothing_saved(
    typed, message, programme, officer
):
    before = (_rows(), DrawdownRefusal.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.drawdown_request(
            reserve=programme.funding_reserve,
            programme=programme,
            purpose="Bad amount",
            amount=typed,
            user=officer,
        )
    assert refused.value.message_dict == {"amount": [message]}
    assert (_rows(), DrawdownRefusal.objects.count()) == before


def test_money_is_never_taken_from_a_float(programme, officer):
    with pytest.raises(TypeError):
        services.drawdown_request(
            reserve=programme.funding_reserve,
            programme=programme,
            purpose="Float",
            amount=30000.0,
            user=officer,
        )


def test_a_request_over_the_headroom_says_how_much_is_left_and_is_recorded(
    programme, make_drawdown, officer
):
    make_drawdown("450000", status="approved", programme=programme)
    before = _rows()
    with pytest.raises(ValidationError) as refused:
        services.drawdown_request(
            reserve=programme.funding_reserve,
            programme=programme,
            purpose="Too much",
            amount="50000",
            user=officer,
        )
    assert refused.value.message_dict == {
        "amount": [
            "This would take committed spend to £500,000, above the £490,000 ceiling: "
            "£40,000 of headroom is left."
        ]
    }
    assert _rows() == before
    refusal = DrawdownRefusal.objects.filter(programme=programme).latest("created_at")
    assert (refusal.user, refusal.attempted_status, refusal.source) == (
        officer,
        "requested",
        "drawdown request",
    )


def test_a_floor_above_what_the_reserve_will_hold_is_refused(reserve, make_drawdown, finance):
    make_drawdown("17000000", status="approved", reserve=reserve, programme=None)
    with pytest.raises(ValidationError) as refused:
        services.reserve_update(reserve=reserve, user=finance, data={"floor": Decimal("400001")})
    assert refused.value.message_dict["floor"] == [
        "The floor cannot be above £400,000: that is what the reserve holds after the drawdowns "
        "already committed"
    ]
    updated = services.reserve_update(
        reserve=reserve, user=finance, data={"floor": Decimal("400000"), "managed_by": "S151"}
    )
    assert updated.history.latest().history_user == finance


def test_only_finance_and_admin_edit_a_reserve(reserve, officer, cabinet):
    for user in (officer, cabinet):
        with pytest.raises(PermissionDenied):
            services.reserve_update(reserve=reserve, user=user, data={"owner": "Me"})


def test_setting_the_funding_reserve_keeps_a_history_row_naming_finance(reserve, finance, officer):
    from .factories import ProgrammeFactory

    programme = ProgrammeFactory()
    with pytest.raises(PermissionDenied):
        services.programme_funding_reserve_set(programme=programme, reserve=reserve, user=officer)
    services.programme_funding_reserve_set(programme=programme, reserve=reserve, user=finance)
    programme.refresh_from_db()
    assert programme.funding_reserve == reserve
    assert programme.history.latest().history_user == finance


def test_a_cost_line_is_saved_with_its_stages_and_a_bad_year_is_refused(programme, finance):
    from stages.models import Stage

    stage = Stage.objects.create(programme=programme, number=1, name="Diagnostics")
    with pytest.raises(ValidationError) as refused:
        services.cost_line_save(
            programme=programme,
            user=finance,
            data={"label": "Stage 1", "financial_year": "2022/24", "amount": "-1"},
        )
    assert set(refused.value.message_dict) == {"financial_year", "amount"}
    line = services.cost_line_save(
        programme=programme,
        user=finance,
        data={"label": "Stage 1", "financial_year": "2022/23", "amount": "200000"},
        stages=[stage],
    )
    assert list(line.stages.all()) == [stage]
    assert line.history.latest().history_user == finance
    assert CostLine.objects.get().amount == Decimal("200000.00")
