"""The ceiling guard on every save path, and the bulk paths refused (any database)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from reserves.guards import enforce_drawdown_ceiling
from reserves.models import BulkWriteRefused, Drawdown
from reserves.selectors import programme_spend

from .factories import ProgrammeFactory, ReserveFactory


def _drawdown(programme, amount, status="approved", reserve=None):
    return Drawdown(
        reserve=reserve or programme.funding_reserve,
        programme=programme,
        purpose="Shell script",
        amount=Decimal(amount),
        status=status,
    )


@pytest.mark.django_db
def test_an_approval_over_the_ceiling_is_refused_with_the_headroom_left(programme, make_drawdown):
    make_drawdown("470000", status="approved", programme=programme)
    with pytest.raises(ValidationError) as refused:
        _drawdown(programme, "50000").save()
    assert refused.value.message_dict["amount"] == [
        "This would take committed spend to £520,000, above the £490,000 ceiling: "
        "£20,000 of headroom is left."
    ]
    assert programme_spend(programme)["committed"] == Decimal("470000.00")
    assert Drawdown.objects.count() == 1


@pytest.mark.django_db
def test_an_approval_that_exactly_reaches_the_ceiling_is_allowed(programme, make_drawdown):
    make_drawdown("470000", status="approved", programme=programme)
    _drawdown(programme, "20000").save()
    assert programme_spend(programme) == {
        "committed": Decimal("490000.00"),
        "drawn": Decimal("0.00"),
        "remaining": Decimal("0.00"),
    }


@pytest.mark.django_db
def test_the_reserve_floor_binds_across_every_purpose(officer):
    reserve = ReserveFactory(opening_balance=Decimal("1000000"), floor=Decimal("200000"))
    big = ProgrammeFactory(spending_ceiling=Decimal("5000000"), funding_reserve=reserve)
    Drawdown(
        reserve=reserve,
        purpose="Children's transformation",
        amount=Decimal("700000"),
        status="drawn",
    ).save()
    with pytest.raises(ValidationError) as refused:
        _drawdown(big, "100000.01").save()
    assert refused.value.message_dict["amount"] == [
        f"This would take the {reserve.name} to £199,999.99, below its £200,000 floor: "
        "£100,000 is available above the floor."
    ]
    _drawdown(big, "100000").save()


@pytest.mark.django_db
def test_saving_a_committed_drawdown_again_does_not_count_it_twice(programme):
    drawdown = _drawdown(programme, "490000")
    drawdown.save()
    drawdown.purpose = "Renamed"
    drawdown.save()
    assert programme_spend(programme)["committed"] == Decimal("490000.00")


@pytest.mark.django_db
def test_requests_commit_nothing_so_the_guard_lets_them_be_saved(programme):
    _drawdown(programme, "900000", status="requested").save()
    _drawdown(programme, "900000", status="rejected").save()
    assert programme_spend(programme)["committed"] == Decimal("0.00")


@pytest.mark.django_db
def test_a_drawdown_for_another_purpose_has_no_programme_ceiling(reserve):
    Drawdown(
        reserve=reserve, purpose="Children's", amount=Decimal("5000000"), status="drawn"
    ).save()
    assert Drawdown.objects.committed().count() == 1


@pytest.mark.django_db
def test_a_drawn_drawdown_cannot_be_changed_even_from_the_shell(programme, make_drawdown):
    drawn = make_drawdown("1000", status="drawn", programme=programme)
    drawn.amount = Decimal("10")
    with pytest.raises(ValidationError, match="has been drawn"):
        drawn.save()
    drawn.refresh_from_db()
    drawn.status = "cancelled"
    with pytest.raises(ValidationError, match="has been drawn"):
        drawn.save()
    assert Drawdown.objects.get(pk=drawn.pk).amount == Decimal("1000.00")


@pytest.mark.django_db(transaction=True)
def test_the_guard_refuses_to_run_outside_a_transaction(reserve):
    assert not connection.in_atomic_block
    drawdown = Drawdown(reserve=reserve, purpose="No transaction", amount=Decimal("1"))
    with pytest.raises(TransactionManagementError, match="outside a transaction"):
        drawdown.save()
    with pytest.raises(TransactionManagementError):
        enforce_drawdown_ceiling(drawdown)
    assert Drawdown.objects.count() == 0
    with transaction.atomic():
        drawdown.save()
    assert Drawdown.objects.count() == 1


@pytest.mark.django_db
def test_queryset_update_is_refused_and_changes_nothing(programme, make_drawdown):
    make_drawdown("100000", status="requested", programme=programme)
    with pytest.raises(BulkWriteRefused):
        Drawdown.objects.update(status="approved", amount=Decimal("900000"))
    with pytest.raises(BulkWriteRefused):
        Drawdown.objects.filter(programme=programme).update(status="approved")
    with pytest.raises(BulkWriteRefused):
        Drawdown._base_manager.update(status="approved")
    assert list(Drawdown.objects.values_list("status", flat=True)) == ["requested"]


@pytest.mark.django_db
def test_bulk_create_is_refused_and_creates_nothing(programme):
    with pytest.raises(BulkWriteRefused):
        Drawdown.objects.bulk_create([_drawdown(programme, "300000") for _ in range(3)])
    assert Drawdown.objects.count() == 0


@pytest.mark.django_db
def test_bulk_update_is_refused_and_changes_nothing(programme, make_drawdown):
    rows = [make_drawdown("300000", programme=programme) for _ in range(2)]
    for row in rows:
        row.status = "approved"
    with pytest.raises(BulkWriteRefused):
        Drawdown.objects.bulk_update(rows, ["status"])
    assert programme_spend(programme)["committed"] == Decimal("0.00")
