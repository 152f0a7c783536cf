"""The record's services: the spending ceiling changes only through a recorded decision,
within the key-decision rules and never below committed spend; approval waits for every
sign-off; refusals change nothing."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.urls import reverse

from programme import selectors, services
from programme.models import Decision, Programme, ReportReview
from reserves import selectors as reserves_selectors
from reserves import services as reserves_services
from tests.programme.conftest import ProgrammeFactory, history_count, row_count, signed_off
from tests.reserves.factories import ceiling_data, change_ceiling, second_cabinet_member


@pytest.fixture(autouse=True)
def _second_cabinet_member(db):
    """cabinet2 exists before any test counts rows: every ceiling change needs two people."""
    return second_cabinet_member()


def _decision(programme, amount, *, key=False, day=date(2023, 1, 10)):
    return Decision(
        programme=programme,
        kind=Decision.Kind.CEILING_CHANGE,
        title="Change the ceiling",
        summary="Because.",
        decided_on=day,
        decision_maker="Cabinet member",
        is_key_decision=key,
        new_spending_ceiling=Decimal(amount),
    )


def _committed(programme, amount, *, requester, approver):
    """A real approved drawdown of `amount` for `programme`, through the reserves services."""
    from reserves.models import Reserve
    from reserves.services import drawdown_approve, drawdown_request

    reserve, _ = Reserve.objects.get_or_create(
        name="Financial Resilience",
        defaults={"opening_balance": Decimal("17400000.00"), "opening_date": date(2022, 4, 1)},
    )
    drawdown = drawdown_request(
        reserve=reserve, programme=programme, purpose="Stage 1", amount=amount, user=requester
    )
    return drawdown_approve(drawdown=drawdown, user=approver)


@pytest.mark.django_db
def test_a_ceiling_above_the_threshold_needs_a_key_decision(cabinet, programme):
    rows, history = row_count(), history_count()
    with pytest.raises(ValidationError) as refused:
        change_ceiling(
            programme=programme, decision=_decision(programme, "500000.01"), user=cabinet
        )
    assert "key-decision threshold of £500,000" in str(refused.value.message_dict)
    assert (row_count(), history_count()) == (rows, history)
    programme.refresh_from_db()
    assert programme.spending_ceiling == Decimal("490000.00")


@pytest.mark.django_db
def test_a_ceiling_at_the_threshold_needs_no_key_decision(cabinet, programme):
    change_ceiling(programme=programme, decision=_decision(programme, "500000"), user=cabinet)
    programme.refresh_from_db()
    assert programme.spending_ceiling == Decimal("500000.00")


@pytest.mark.django_db
def test_a_key_decision_raises_the_ceiling_and_both_rows_name_the_user(cabinet, programme):
    decision = change_ceiling(
        programme=programme, decision=_decision(programme, "750000", key=True), user=cabinet
    )
    programme.refresh_from_db()
    assert programme.spending_ceiling == Decimal("750000.00")
    assert decision.recorded_by == cabinet and decision.is_key_decision
    assert programme.history.latest().history_user == cabinet
    assert decision.history.latest().history_user == cabinet
    assert "£490,000 → £750,000" in programme.history.latest().history_change_reason


@pytest.mark.django_db
def test_a_ceiling_below_committed_spend_is_refused(officer, finance, cabinet, programme):
    _committed(programme, "300000", requester=officer, approver=finance)
    assert reserves_selectors.programme_spend(programme)["committed"] == Decimal("300000.00")
    with pytest.raises(ValidationError) as refused:
        change_ceiling(
            programme=programme, decision=_decision(programme, "299999.99"), user=cabinet
        )
    assert "below the £300,000 the programme has already committed" in str(
        refused.value.message_dict["new_ceiling"]
    )
    change_ceiling(programme=programme, decision=_decision(programme, "300000"), user=cabinet)
    programme.refresh_from_db()
    assert programme.spending_ceiling == Decimal("300000.00")


@pytest.mark.django_db
def test_only_cabinet_and_admin_change_the_ceiling(officer, finance, programme):
    data = ceiling_data(_decision(programme, "400000"))
    proposal = reserves_services.ceiling_propose(
        programme=programme, user=second_cabinet_member(), data=data
    )
    for user in (officer, finance):
        with pytest.raises(PermissionDenied):
            reserves_services.ceiling_propose(programme=programme, user=user, data=data)
        with pytest.raises(PermissionDenied):
            reserves_services.ceiling_approve(proposal=proposal, user=user)
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_one_cabinet_member_alone_never_changes_the_ceiling(cabinet, programme):
    """Issue 12, case 4: a ceiling of £999,999,999.99 "decided" on 1 January 1900 by one
    account. The date is refused; and even a sane proposal waits for a second person."""
    absurd = ceiling_data(_decision(programme, "999999999.99", key=True, day=date(1900, 1, 1)))
    with pytest.raises(ValidationError) as refused:
        reserves_services.ceiling_propose(programme=programme, user=cabinet, data=absurd)
    assert "on or after the programme's own decision" in str(refused.value.message_dict)
    sane = ceiling_data(_decision(programme, "600000", key=True))
    proposal = reserves_services.ceiling_propose(programme=programme, user=cabinet, data=sane)
    with pytest.raises(PermissionDenied, match="different Cabinet member"):
        reserves_services.ceiling_approve(proposal=proposal, user=cabinet)
    programme.refresh_from_db()
    assert programme.spending_ceiling == Decimal("490000.00")
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_a_ceiling_decision_dated_in_the_future_is_refused(cabinet, programme):
    with pytest.raises(ValidationError):
        change_ceiling(
            programme=programme,
            decision=_decision(programme, "400000", day=date(2999, 1, 1)),
            user=cabinet,
        )


@pytest.mark.django_db
def test_saving_a_new_ceiling_any_other_way_is_refused(programme):
    programme.spending_ceiling = Decimal("900000")
    with pytest.raises(ValidationError):
        programme.save()
    programme.refresh_from_db()
    assert programme.spending_ceiling == Decimal("490000.00")
    programme.name = "Renamed"
    programme.save()  # other fields still save


@pytest.mark.django_db
def test_the_guard_warns_at_ninety_percent_of_the_threshold(officer, finance, programme):
    _committed(programme, "449999.99", requester=officer, approver=finance)
    assert not reserves_selectors.key_decision_guard(programme)["warn"]
    _committed(programme, "0.01", requester=officer, approver=finance)
    guard = reserves_selectors.key_decision_guard(programme)
    assert guard["warn"] and guard["committed"] == Decimal("450000.00")
    assert guard["committed_share_of_threshold"] == Decimal("90.0")
    assert guard["remaining"] == Decimal("40000.00")


@pytest.mark.django_db
def test_the_spend_page_shows_the_ninety_percent_warning(officer, finance, programme, client_for):
    _committed(programme, "460000", requester=officer, approver=finance)
    url = reverse("reserves:programme_spend", args=[programme.slug])
    html = client_for(officer).get(url).content.decode()
    assert "govuk-warning-text" in html
    assert "92.0% of the key-decision threshold" in html


@pytest.mark.django_db
def test_approval_waits_for_all_seven_sign_offs_and_the_final_approval(officer, programme):
    for area in ReportReview.SIGN_OFF_AREAS[:6]:
        ReportReview.objects.create(
            programme=programme, area=area, reviewer="A", reviewed_on=date(2022, 7, 1)
        )
    with pytest.raises(ValidationError) as refused:
        services.programme_set_status(programme=programme, status="approved", actor=officer)
    gaps = refused.value.message_dict["status"]
    assert "Risk: not signed off" in gaps and "Final approval: not recorded" in gaps
    ReportReview.objects.create(
        programme=programme, area="risk", reviewer="Kevin Lloyd", reviewed_on=date(2022, 7, 5)
    )
    ReportReview.objects.create(
        programme=programme, area="final_approval", reviewer="J", reviewed_on=date(2022, 7, 11)
    )
    services.programme_set_status(programme=programme, status="approved", actor=officer)
    programme.refresh_from_db()
    assert programme.status == "approved"
    assert programme.history.latest().history_user == officer


@pytest.mark.django_db
def test_a_sign_off_after_the_approval_shows_as_missing(programme):
    signed_off(programme)
    ReportReview.objects.filter(programme=programme, area="legal").update(
        reviewed_on=date(2022, 7, 12)
    )
    gaps = selectors.approval_gaps(list(programme.reviews.all()))
    assert gaps == ["Legal: signed 12 July 2022, after the final approval on 11 July 2022"]


@pytest.mark.django_db
def test_every_status_can_be_reached_once_signed_off(officer, cabinet, programme):
    signed_off(programme)
    # Closing, and reopening, is cabinet's; every other move the officer's.
    moves = [
        ("under_review", officer),
        ("approved", officer),
        ("in_delivery", officer),
        ("closed", cabinet),
        ("draft", cabinet),
    ]
    for status, actor in moves:
        services.programme_set_status(actor=actor, programme=programme, status=status)
        assert Programme.objects.get(pk=programme.pk).status == status


@pytest.mark.django_db
def test_recording_a_decision_needs_the_cabinet_capability(officer, finance, record):
    rec = record.recommendations.first()
    for user in (officer, finance):
        with pytest.raises(PermissionDenied):
            services.recommendation_decide(
                recommendation=rec, outcome="rejected", decided_on=date(2022, 7, 19), actor=user
            )
    rec.refresh_from_db()
    assert rec.outcome == "approved"


# PostgreSQL: the ceiling change locks the programme row ----------------------------------


def _in_thread(target):
    errors = []

    def run():
        try:
            target()
        except Exception as exc:  # noqa: BLE001 - the test inspects what happened
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_ceiling_cut_and_an_approval_racing_never_both_win(officer, finance, cabinet):
    """Approving £300k while the ceiling is cut to £200k: one of them must be refused.
    (Without the programme lock in the ceiling change, both win in most rounds.)"""
    from reserves.models import Drawdown, Reserve
    from reserves.services import drawdown_approve, drawdown_request

    reserve = Reserve.objects.create(
        name="Financial Resilience",
        opening_balance=Decimal("17400000.00"),
        opening_date=date(2022, 4, 1),
    )
    for _round in range(8):
        programme = ProgrammeFactory(funding_reserve=reserve)
        drawdown = drawdown_request(
            reserve=reserve, programme=programme, purpose="Stage 1", amount="300000", user=officer
        )
        barrier = threading.Barrier(2)

        def approve(drawdown=drawdown, barrier=barrier):
            barrier.wait()
            drawdown_approve(drawdown=drawdown, user=finance)

        proposal = reserves_services.ceiling_propose(
            programme=programme,
            user=second_cabinet_member(),
            data=ceiling_data(_decision(programme, "200000")),
        )

        def cut(proposal=proposal, barrier=barrier):
            barrier.wait()
            reserves_services.ceiling_approve(proposal=proposal, user=cabinet)

        (t1, e1), (t2, e2) = _in_thread(approve), _in_thread(cut)
        t1.join(20)
        t2.join(20)
        approved = Drawdown.objects.get(pk=drawdown.pk).status == "approved"
        ceiling = Programme.objects.get(pk=programme.pk).spending_ceiling
        assert approved != (ceiling == Decimal("200000.00")), (e1, e2)
        assert len(e1) + len(e2) == 1
        committed = reserves_selectors.programme_spend(programme)["committed"]
        assert committed <= ceiling
