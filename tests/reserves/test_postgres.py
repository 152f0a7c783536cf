"""PostgreSQL as the last line: the trigger refuses raw SQL that breaches a limit, refusal
records survive the rollback of the change they refused, and the ceiling and the floor hold
when 20 approvals race (30 times over)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from reserves import services
from reserves.models import Drawdown, DrawdownRefusal, Reserve
from reserves.selectors import programme_spend

from .factories import ProgrammeFactory, ReserveFactory

pytestmark = pytest.mark.postgres

INSERT = """
INSERT INTO reserves_drawdown (reserve_id, programme_id, purpose, amount, status,
    rejection_reason, cancellation_reason, source_reference)
VALUES (%s, %s, 'raw SQL', %s, %s, '', '', '')
"""


def _raw_insert(reserve, programme, amount, status="approved"):
    with connection.cursor() as cursor:
        cursor.execute(INSERT, [reserve.pk, programme.pk if programme else None, amount, status])


@pytest.mark.django_db
def test_a_raw_sql_insert_over_the_ceiling_is_refused_by_postgresql(programme, make_drawdown):
    make_drawdown("400000", status="approved", programme=programme)
    with pytest.raises(IntegrityError, match="above its ceiling"), transaction.atomic():
        _raw_insert(programme.funding_reserve, programme, Decimal("90000.01"))
    assert Drawdown.objects.count() == 1
    # The same insert that fits goes in: the trigger refuses breaches, not raw SQL.
    _raw_insert(programme.funding_reserve, programme, Decimal("90000.00"))
    assert programme_spend(programme)["committed"] == Decimal("490000.00")


@pytest.mark.django_db
def test_a_raw_sql_update_over_the_ceiling_is_refused_by_postgresql(programme, make_drawdown):
    pending = make_drawdown("100000", status="requested", programme=programme)
    make_drawdown("400000", status="approved", programme=programme)
    with (
        pytest.raises(IntegrityError, match="above its ceiling"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE reserves_drawdown SET status = 'approved' WHERE id = %s", [pending.pk]
        )
    assert Drawdown.objects.get(pk=pending.pk).status == "requested"


@pytest.mark.django_db
def test_a_raw_sql_insert_below_the_floor_is_refused_by_postgresql():
    reserve = ReserveFactory(opening_balance=Decimal("100000"), floor=Decimal("40000"))
    with pytest.raises(IntegrityError, match="below its floor"), transaction.atomic():
        _raw_insert(reserve, None, Decimal("60000.01"), status="drawn")
    assert Drawdown.objects.count() == 0


@pytest.mark.django_db
def test_a_raw_sql_change_to_a_drawn_drawdown_is_refused_by_postgresql(programme, make_drawdown):
    drawn = make_drawdown("1000", status="drawn", programme=programme)
    with (
        pytest.raises(IntegrityError, match="has been drawn"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE reserves_drawdown SET amount = 1 WHERE id = %s", [drawn.pk])
    assert Drawdown.objects.get(pk=drawn.pk).amount == Decimal("1000.00")


@pytest.mark.django_db(transaction=True)
def test_a_refusal_record_survives_the_rollback_of_the_refused_change(officer, finance):
    reserve = ReserveFactory()
    programme = ProgrammeFactory(funding_reserve=reserve)
    drawdown = services.drawdown_request(
        reserve=reserve, programme=programme, purpose="Too much", amount="300000", user=officer
    )
    with transaction.atomic():
        Drawdown.objects.create(
            reserve=reserve,
            programme=programme,
            purpose="Other",
            amount=Decimal("200000"),
            status="approved",
        )
    # An outer transaction the caller rolls back, with other work in it.
    with pytest.raises(ValidationError, match="£290,000 of headroom is left"), transaction.atomic():
        Reserve.objects.filter(pk=reserve.pk).update(owner="Changed in the same transaction")
        services.drawdown_approve(drawdown=drawdown, user=finance)
    assert Reserve.objects.get(pk=reserve.pk).owner == ""  # The whole transaction rolled back.
    assert Drawdown.objects.get(pk=drawdown.pk).status == "requested"
    refusal = DrawdownRefusal.objects.get()
    assert refusal.user == finance
    assert refusal.drawdown_id == drawdown.pk
    assert refusal.amount == Decimal("300000.00")
    assert refusal.attempted_status == "approved"
    assert refusal.source == "drawdown approval"
    assert refusal.reason == (
        "This would take committed spend to £500,000, above the £490,000 ceiling: "
        "£290,000 of headroom is left."
    )


@pytest.mark.django_db(transaction=True)
def test_a_refusal_from_the_shell_is_recorded_after_its_transaction_rolls_back(finance):
    reserve = ReserveFactory()
    programme = ProgrammeFactory(funding_reserve=reserve)
    drawdown = Drawdown(
        reserve=reserve,
        programme=programme,
        purpose="Shell",
        amount=Decimal("500000"),
        status="approved",
    )
    drawdown._history_user = finance
    with pytest.raises(ValidationError), transaction.atomic():
        drawdown.save()
    refusal = DrawdownRefusal.objects.get()
    assert (refusal.username, refusal.programme_id, refusal.drawdown_id) == (
        "finance",
        programme.pk,
        None,
    )
    assert refusal.source == "save() outside reserves.services"
    assert Drawdown.objects.count() == 0


# The race ------------------------------------------------------------------------------

THREADS = 20
ROUNDS = 30
AMOUNT = Decimal("30000.00")


def _storm(drawdown_ids, approver_id):
    """Approve every drawdown at once, one thread each, released together by a barrier."""
    barrier = threading.Barrier(len(drawdown_ids))
    approved, refused, errors = [], [], []

    def approve(pk):
        from django.db import connection as thread_connection

        try:
            user = get_user_model().objects.get(pk=approver_id)
            drawdown = Drawdown.objects.get(pk=pk)
            thread_connection.ensure_connection()
            barrier.wait(timeout=30)
            services.drawdown_approve(drawdown=drawdown, user=user)
            approved.append(pk)
        except ValidationError:
            refused.append(pk)
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            errors.append(repr(exc))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=approve, args=(pk,)) for pk in drawdown_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return approved, refused, errors


def _requests(officer, *, reserve, programme, count=THREADS):
    return [
        services.drawdown_request(
            reserve=reserve, programme=programme, purpose=f"Race {i}", amount=AMOUNT, user=officer
        ).pk
        for i in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_approvals_never_take_the_programme_above_its_ceiling(officer, finance):
    reserve = ReserveFactory()
    for round_number in range(ROUNDS):
        programme = ProgrammeFactory(spending_ceiling=Decimal("490000.00"), funding_reserve=reserve)
        ids = _requests(officer, reserve=reserve, programme=programme)
        approved, refused, errors = _storm(ids, finance.pk)
        committed = programme_spend(programme)["committed"]
        assert errors == [], (round_number, errors)
        assert committed <= programme.spending_ceiling, round_number
        # Exactly the 16 that fit (16 × £30,000 = £480,000), every time.
        assert len(approved) == 16 and len(refused) == 4, (round_number, approved, refused)
        assert committed == Decimal("480000.00")
        assert DrawdownRefusal.objects.filter(programme=programme).count() == 4


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_approvals_never_take_the_reserve_below_its_floor(officer, finance):
    for round_number in range(ROUNDS):
        # The floor binds: £300,000 above it, ceilings far away, and two programmes sharing it.
        reserve = ReserveFactory(opening_balance=Decimal("400000.00"), floor=Decimal("100000.00"))
        first = ProgrammeFactory(spending_ceiling=Decimal("10000000"), funding_reserve=reserve)
        second = ProgrammeFactory(spending_ceiling=Decimal("10000000"), funding_reserve=reserve)
        ids = _requests(officer, reserve=reserve, programme=first, count=10)
        ids += _requests(officer, reserve=reserve, programme=second, count=10)
        approved, refused, errors = _storm(ids, finance.pk)
        assert errors == [], (round_number, errors)
        committed = sum(
            Drawdown.objects.committed().filter(reserve=reserve).values_list("amount", flat=True),
            Decimal("0"),
        )
        assert reserve.opening_balance - committed >= reserve.floor, round_number
        assert len(approved) == 10 and len(refused) == 10, (round_number, approved, refused)
        assert committed == Decimal("300000.00")


@pytest.mark.django_db(transaction=True)
def test_a_drawdown_approved_twice_at_once_is_approved_once(officer, finance, finance2):
    reserve = ReserveFactory()
    programme = ProgrammeFactory(funding_reserve=reserve)
    for _ in range(10):
        pk = _requests(officer, reserve=reserve, programme=programme, count=1)[0]
        barrier = threading.Barrier(2)
        outcomes = []

        def approve(user_id, pk=pk, barrier=barrier, outcomes=outcomes):
            from django.db import connection as thread_connection

            try:
                user = get_user_model().objects.get(pk=user_id)
                drawdown = Drawdown.objects.get(pk=pk)
                barrier.wait(timeout=30)
                services.drawdown_approve(drawdown=drawdown, user=user)
                outcomes.append("approved")
            except ValidationError as exc:
                outcomes.append(exc.messages[0])
            finally:
                thread_connection.close()

        threads = [threading.Thread(target=approve, args=(u.pk,)) for u in (finance, finance2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert outcomes.count("approved") == 1, outcomes
        assert "has already been approved" in next(o for o in outcomes if o != "approved")
        assert Drawdown.objects.get(pk=pk).history.filter(status="approved").count() == 1
    assert date.today()  # the loop ran
