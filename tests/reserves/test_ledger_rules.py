"""The ledger's rules hold on all three tables that decide the money, whatever the path:
the ORM, `QuerySet.update()`, bulk writes, raw SQL and the Django admin (issue 12, cases 1–3).
Each attack changes nothing, and each refusal that passes through Django is recorded."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from openpyxl import load_workbook

from programme.models import Programme
from reserves import ledger, selectors, services
from reserves.models import (
    CostLine,
    Drawdown,
    DrawdownRefusal,
    MoneyFieldsUpdateRefused,
    Reserve,
    StatedFigure,
)
from tests.core.html_forms import post_data

from .factories import ReserveFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _sql(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def _refusals():
    return DrawdownRefusal.objects.count()


# 1. The programme's ceiling and the reserve's opening balance and floor ---------------------


def test_a_ceiling_below_what_is_committed_is_refused_by_raw_sql(programme, make_drawdown):
    make_drawdown("400000", status="approved", programme=programme)
    with pytest.raises(IntegrityError, match="above a ceiling"):
        _sql(
            "UPDATE programme_programme SET spending_ceiling = 399999.99 WHERE id = %s",
            [programme.pk],
        )
    programme.refresh_from_db()
    assert programme.spending_ceiling == Decimal("490000.00")
    # A cut that still covers what is committed passes the database (the service is the
    # only Django path, and it needs two people).
    _sql("UPDATE programme_programme SET spending_ceiling = 400000 WHERE id = %s", [programme.pk])


def test_the_ceiling_cannot_be_changed_through_queryset_update(programme):
    with pytest.raises(PermissionError, match="two people"):
        Programme.objects.filter(pk=programme.pk).update(spending_ceiling=Decimal("999999999"))
    programme.refresh_from_db()
    assert programme.spending_ceiling == Decimal("490000.00")


def test_the_opening_balance_and_floor_cannot_be_changed_through_queryset_update(reserve):
    for field in ("opening_balance", "floor"):
        with pytest.raises(MoneyFieldsUpdateRefused):
            Reserve.objects.filter(pk=reserve.pk).update(**{field: Decimal("9000000")})
    reserve.refresh_from_db()
    assert reserve.opening_balance == Decimal("17400000.00")
    assert reserve.floor == Decimal("0.00")


def test_a_floor_above_what_is_available_is_refused_by_raw_sql(programme, make_drawdown):
    reserve = programme.funding_reserve
    make_drawdown("400000", status="approved", programme=programme)
    with pytest.raises(IntegrityError, match="below its floor"):
        _sql("UPDATE reserves_reserve SET floor = 17000000.01 WHERE id = %s", [reserve.pk])
    with pytest.raises(IntegrityError, match="below its floor"):
        _sql(
            "UPDATE reserves_reserve SET opening_balance = 399999 WHERE id = %s",
            [reserve.pk],
        )
    with pytest.raises(IntegrityError, match="negative"):
        _sql("UPDATE reserves_reserve SET floor = -1 WHERE id = %s", [reserve.pk])
    reserve.refresh_from_db()
    assert (reserve.opening_balance, reserve.floor) == (Decimal("17400000.00"), Decimal("0.00"))
    # Exactly nothing left above the floor is allowed.
    _sql("UPDATE reserves_reserve SET floor = 17000000 WHERE id = %s", [reserve.pk])


def test_a_floor_above_what_is_available_is_refused_through_the_orm_and_recorded(
    programme, make_drawdown, finance
):
    reserve = programme.funding_reserve
    make_drawdown("400000", status="approved", programme=programme)
    before = _refusals()
    stored = Reserve.objects.get(pk=reserve.pk)
    stored.floor = Decimal("17000000.01")
    stored._history_user = finance
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        stored.save()
    assert "floor" in refused.value.message_dict
    reserve.refresh_from_db()
    assert reserve.floor == Decimal("0.00")
    assert _refusals() == before + 1
    refusal = DrawdownRefusal.objects.order_by("-id").first()
    assert refusal.reserve_id == reserve.pk
    assert refusal.user_id == finance.pk
    assert "below the £17,000,000.01 floor" in refusal.reason


def test_the_admin_shows_a_floor_refusal_on_the_form_and_changes_nothing(
    client, admin_user, programme, make_drawdown
):
    reserve = programme.funding_reserve
    make_drawdown("400000", status="approved", programme=programme)
    client.force_login(admin_user)
    url = reverse("admin:reserves_reserve_change", args=[reserve.pk])
    data = post_data(client.get(url).content.decode(), form_id="reserve_form")
    data["opening_balance"] = "10000000.00"
    data["floor"] = "9800000.00"
    before = (_refusals(), reserve.history.count())
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "below the £9,800,000 floor" in page
    reserve.refresh_from_db()
    assert (reserve.opening_balance, reserve.floor) == (Decimal("17400000.00"), Decimal("0.00"))
    assert reserve.history.count() == before[1]
    assert _refusals() == before[0] + 1


def test_the_admin_cannot_change_the_ceiling(client, admin_user, programme):
    client.force_login(admin_user)
    url = reverse("admin:programme_programme_change", args=[programme.pk])
    assert "spending_ceiling" in site._registry[Programme].readonly_fields
    data = post_data(client.get(url).content.decode(), form_id="programme_form")
    data["spending_ceiling"] = "999999999.99"
    client.post(url, data)
    programme.refresh_from_db()
    assert programme.spending_ceiling == Decimal("490000.00")


# 2. Amounts of nothing or less -------------------------------------------------------------


def test_a_negative_committed_drawdown_is_refused_through_the_orm_and_recorded(programme, finance):
    before = _refusals()
    drawdown = Drawdown(
        reserve=programme.funding_reserve,
        programme=programme,
        purpose="Negative",
        amount=Decimal("-100000"),
        status=Drawdown.Status.APPROVED,
    )
    drawdown._history_user = finance
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        drawdown.save()
    assert "amount" in refused.value.message_dict
    assert Drawdown.objects.count() == 0
    assert _refusals() == before + 1
    assert DrawdownRefusal.objects.order_by("-id").first().user_id == finance.pk


@pytest.mark.parametrize("amount", ["-100000", "0"])
def test_a_raw_insert_of_nothing_or_less_is_refused(programme, amount):
    with pytest.raises(IntegrityError):
        _sql(
            "INSERT INTO reserves_drawdown (reserve_id, programme_id, purpose, amount, status, "
            "rejection_reason, cancellation_reason, source_reference) "
            "VALUES (%s, %s, 'raw', %s, 'approved', '', '', '')",
            [programme.funding_reserve.pk, programme.pk, amount],
        )
    assert Drawdown.objects.count() == 0


def test_a_raw_update_to_a_negative_amount_is_refused(programme, make_drawdown):
    drawdown = make_drawdown("1000", status="approved", programme=programme)
    with pytest.raises(IntegrityError):
        _sql("UPDATE reserves_drawdown SET amount = -1 WHERE id = %s", [drawdown.pk])
    assert Drawdown.objects.get(pk=drawdown.pk).amount == Decimal("1000.00")


# 3. Deleting what was committed ------------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "scheduled", "drawn", "cancelled"])
def test_a_drawdown_that_is_or_was_committed_cannot_be_deleted_through_the_orm(
    programme, make_drawdown, status
):
    # "cancelled" here was approved first, then cancelled: once committed.
    if status == "cancelled":
        drawdown = make_drawdown("200000", status="approved", programme=programme)
        drawdown = services.drawdown_cancel(
            drawdown=drawdown, user=drawdown.approved_by, reason="No longer needed"
        )
    else:
        drawdown = make_drawdown("200000", status=status, programme=programme)
    before = _refusals()
    with pytest.raises(ValidationError, match="cancel it instead"), transaction.atomic():
        Drawdown.objects.get(pk=drawdown.pk).delete()
    with pytest.raises(ValidationError), transaction.atomic():
        Drawdown.objects.filter(pk=drawdown.pk).delete()
    assert Drawdown.objects.filter(pk=drawdown.pk).exists()
    assert _refusals() == before + 2


@pytest.mark.parametrize("status", ["approved", "drawn"])
def test_a_committed_drawdown_cannot_be_deleted_by_raw_sql(programme, make_drawdown, status):
    drawdown = make_drawdown("200000", status=status, programme=programme)
    with pytest.raises(IntegrityError, match="cannot be deleted"):
        _sql("DELETE FROM reserves_drawdown WHERE id = %s", [drawdown.pk])
    assert Drawdown.objects.filter(pk=drawdown.pk).exists()


def test_a_request_never_committed_may_be_deleted(programme, make_drawdown):
    drawdown = make_drawdown("200000", status="requested", programme=programme)
    with transaction.atomic():
        drawdown.delete()
    assert not Drawdown.objects.filter(pk=drawdown.pk).exists()


def test_deleting_a_drawn_drawdown_frees_no_headroom(programme, make_drawdown, officer, finance):
    make_drawdown("290000", status="approved", programme=programme)
    drawn = make_drawdown("200000", status="drawn", programme=programme)
    with pytest.raises(IntegrityError):
        _sql("DELETE FROM reserves_drawdown WHERE id = %s", [drawn.pk])
    assert ledger.programme_money(programme).headroom == Decimal("0.00")


# The state machine and the frozen fields ---------------------------------------------------


def test_raw_sql_cannot_revive_a_rejected_drawdown(programme, make_drawdown):
    drawdown = make_drawdown("1000", status="rejected", programme=programme)
    with pytest.raises(IntegrityError, match="cannot move from rejected to approved"):
        _sql("UPDATE reserves_drawdown SET status = 'approved' WHERE id = %s", [drawdown.pk])
    assert Drawdown.objects.get(pk=drawdown.pk).status == "rejected"


def test_the_orm_cannot_revive_a_cancelled_drawdown(programme, make_drawdown):
    drawdown = make_drawdown("1000", status="cancelled", programme=programme)
    drawdown.status = Drawdown.Status.APPROVED
    with pytest.raises(ValidationError, match="cannot move"), transaction.atomic():
        drawdown.save()
    assert Drawdown.objects.get(pk=drawdown.pk).status == "cancelled"


# One fixed statement per frozen column (no SQL built from strings).
RAW_UPDATES = {
    "reserve_id": "UPDATE reserves_drawdown SET reserve_id = %s WHERE id = %s",
    "programme_id": "UPDATE reserves_drawdown SET programme_id = %s WHERE id = %s",
    "cost_line_id": "UPDATE reserves_drawdown SET cost_line_id = %s WHERE id = %s",
    "purpose": "UPDATE reserves_drawdown SET purpose = %s WHERE id = %s",
    "amount": "UPDATE reserves_drawdown SET amount = %s WHERE id = %s",
    "status": "UPDATE reserves_drawdown SET status = %s WHERE id = %s",
    "drawn_on": "UPDATE reserves_drawdown SET drawn_on = %s WHERE id = %s",
    "drawn_by_id": "UPDATE reserves_drawdown SET drawn_by_id = %s WHERE id = %s",
    "approved_by_id": "UPDATE reserves_drawdown SET approved_by_id = %s WHERE id = %s",
    "requested_by_id": "UPDATE reserves_drawdown SET requested_by_id = %s WHERE id = %s",
}


def test_every_frozen_field_has_an_attack():
    assert set(RAW_UPDATES) == set(ledger.DRAWN_FROZEN_FIELDS)


@pytest.mark.parametrize("column", ledger.DRAWN_FROZEN_FIELDS)
def test_every_frozen_field_of_a_drawn_drawdown_is_refused_by_both_guard_and_trigger(
    programme, make_drawdown, officer, column
):
    drawn = make_drawdown("1000", status="drawn", programme=programme)
    other = ReserveFactory()
    changes = {
        "reserve_id": other.pk,
        "programme_id": None,
        "cost_line_id": CostLine.objects.create(
            programme=programme, label="Line", financial_year="2022/23", amount=Decimal("1")
        ).pk,
        "purpose": "Changed",
        "amount": Decimal("1"),
        "status": "cancelled",
        "drawn_on": drawn.drawn_on.replace(year=drawn.drawn_on.year - 1),
        "drawn_by_id": officer.pk,
        "approved_by_id": officer.pk,
        "requested_by_id": None,
    }
    value = changes[column]
    assert getattr(drawn, column) != value
    with pytest.raises(IntegrityError, match="has been drawn"):
        _sql(RAW_UPDATES[column], [value, drawn.pk])
    setattr(drawn, column, value)
    with pytest.raises(ValidationError), transaction.atomic():
        drawn.save()
    stored = Drawdown.objects.get(pk=drawn.pk)
    assert stored.status == "drawn" and stored.amount == Decimal("1000.00")


def test_the_mtfs_period_is_one_to_ten_years_in_the_database(reserve):
    for years in (0, 11):
        with pytest.raises(IntegrityError):
            _sql("UPDATE reserves_reserve SET mtfs_years = %s WHERE id = %s", [years, reserve.pk])
    _sql("UPDATE reserves_reserve SET mtfs_years = 10 WHERE id = %s", [reserve.pk])


# 7. The stated-figure check says only true things -----------------------------------------


def test_the_stated_balance_check_never_claims_a_match_that_rounding_does_not_give(
    programme, make_drawdown
):
    reserve = programme.funding_reserve
    reserve.opening_balance = Decimal("5810000")
    reserve.save()
    make_drawdown("400000", status="approved", programme=programme)
    figure = StatedFigure.objects.create(
        programme=programme,
        reserve=reserve,
        kind=StatedFigure.Kind.RESERVE_REMAINING,
        label="Balance left",
        stated_text="approximately £5.9m",
        stated_amount=Decimal("5900000"),
        source_reference="para 9",
    )
    check = next(c for c in selectors.stated_figures(programme) if c["figure"] == figure)
    assert not check["matches"]
    # £5,810,000 rounds to £5.8m, not £5.9m: so no claim that the stated figure is it.
    assert check["difference"] == (
        "Does not match: the stated £5,900,000 is £490,000 more than the £5,410,000 the "
        "ledger computes"
    )


# 5. A request cannot skip the programme's ceiling by leaving the programme blank ------------


def test_the_request_form_starts_from_the_programme(programme, client_for, officer):
    page = client_for(officer).get(reverse("reserves:drawdown_request")).content.decode()
    assert f'<option value="{programme.pk}" selected>' in page


def test_a_request_with_the_programme_left_blank_is_refused(programme, client_for, officer):
    response = client_for(officer).post(
        reverse("reserves:drawdown_request"),
        {
            "reserve": programme.funding_reserve.pk,
            "programme": "",
            "purpose": "Stage 3",
            "amount": "3000000",
        },
    )
    assert response.status_code == 200
    assert "Choose the programme this money is for" in response.content.decode()
    assert response.content.decode().startswith("<!DOCTYPE html>")
    assert "<title>Error: " in response.content.decode()
    assert Drawdown.objects.count() == 0


def test_a_request_for_another_purpose_says_so_and_still_meets_the_floor(
    programme, client_for, officer
):
    reserve = programme.funding_reserve
    client = client_for(officer)
    data = {"reserve": reserve.pk, "programme": "", "no_programme": "on", "purpose": "Children's"}
    response = client.post(reverse("reserves:drawdown_request"), data | {"amount": "17400000.01"})
    assert response.status_code == 200
    assert "below its" in response.content.decode()
    assert Drawdown.objects.count() == 0
    response = client.post(reverse("reserves:drawdown_request"), data | {"amount": "1000"})
    assert response.status_code == 302
    drawdown = Drawdown.objects.get()
    assert drawdown.programme is None
    queue = client.get(reverse("reserves:drawdown_queue")).content.decode()
    assert "Other purpose: no programme ceiling" in queue


# Check before you act: every money action states its effect before the button ---------------


def test_approving_shows_its_effect_first_and_only_the_button_approves(
    programme, make_drawdown, client_for, finance
):
    make_drawdown("200000", status="approved", programme=programme)
    request = make_drawdown("200000", status="requested", programme=programme)
    client = client_for(finance)
    url = reverse("reserves:drawdown_approve", kwargs={"pk": request.pk})
    page = client.get(url).content.decode()
    assert "Committed spend on Digital and customer services transformation goes from " in page
    assert "£200,000 to £400,000 of its £490,000 ceiling" in page
    assert "goes from £17.2m to £17m" in page
    assert "<title>Check before you approve" in page
    assert Drawdown.objects.get(pk=request.pk).status == "requested"
    assert client.post(url).status_code == 302
    assert Drawdown.objects.get(pk=request.pk).status == "approved"


@pytest.mark.parametrize(
    ("name", "state", "data", "effect"),
    [
        ("reject", "requested", {"reject-reason": "No"}, "cannot be reopened"),
        ("cancel", "approved", {"cancel-reason": "No"}, "goes from £200,000 to £0"),
        ("mark_drawn", "approved", {}, "can never be changed, cancelled or deleted"),
    ],
)
def test_each_money_action_checks_first_and_changes_nothing_until_confirmed(
    programme, make_drawdown, client_for, finance2, name, state, data, effect
):
    drawdown = make_drawdown("200000", status=state, programme=programme)
    if name == "mark_drawn":
        data = {"drawn-drawn_on": drawdown.approved_at.date().isoformat()}
    client = client_for(finance2)
    url = reverse(f"reserves:drawdown_{name}", kwargs={"pk": drawdown.pk})
    check = client.post(url, data)
    assert check.status_code == 200
    assert effect in check.content.decode()
    assert 'name="confirmed" value="yes"' in check.content.decode()
    assert Drawdown.objects.get(pk=drawdown.pk).status == state
    done = client.post(url, data | {"confirmed": "yes"})
    assert done.status_code == 302
    assert Drawdown.objects.get(pk=drawdown.pk).status != state


# The queue: fits counts the requests ahead; Approve is offered only where it fits; pages -----


def test_the_queue_counts_the_requests_ahead_and_offers_approve_only_where_it_fits(
    programme, make_drawdown, client_for, finance2
):
    first = make_drawdown("300000", status="requested", programme=programme)
    second = make_drawdown("150000", status="requested", programme=programme)
    third = make_drawdown("200000", status="requested", programme=programme)
    queue = selectors.drawdown_queue()
    fits = {d.pk: d.headroom["fits"] for d in queue["awaiting"]}
    # £300,000 fits; £150,000 fits after it (£450,000); £200,000 would make £650,000.
    assert fits == {first.pk: True, second.pk: True, third.pk: False}
    page = client_for(finance2).get(reverse("reserves:drawdown_queue")).content.decode()
    approve = reverse("reserves:drawdown_approve", kwargs={"pk": third.pk})
    assert approve not in page
    assert reverse("reserves:drawdown_approve", kwargs={"pk": first.pk}) in page
    assert "after £450,000 requested ahead of it" in page


def test_the_queue_shows_25_of_each_list_a_page(programme, reserve, officer, client_for, finance):
    other = ReserveFactory()
    for n in range(30):
        with transaction.atomic():
            services.drawdown_request(
                reserve=other, programme=None, purpose=f"Item {n}", amount="10", user=officer
            )
    page = client_for(finance).get(reverse("reserves:drawdown_queue")).content.decode()
    assert page.count("Check and approve<span") == 25
    assert "Pages of requests awaiting approval" in page
    second = client_for(finance).get(reverse("reserves:drawdown_queue") + "?awaiting=2")
    assert second.content.decode().count("Check and approve<span") == 5


# 6. Money due after the MTFS period has its own row; far dates never crash ----------------


def _approved_due(programme, officer, finance, amount, due):
    with transaction.atomic():
        request = services.drawdown_request(
            reserve=programme.funding_reserve,
            programme=programme,
            purpose=f"Due {due}",
            amount=amount,
            user=officer,
            needed_by=due,
        )
    return services.drawdown_approve(drawdown=request, user=finance)


def test_money_due_after_the_mtfs_period_is_never_folded_into_its_last_year(
    programme, officer, finance, client_for
):
    reserve = programme.funding_reserve  # opens 1 April 2022; MTFS 4 years: to 2025/26
    _approved_due(programme, officer, finance, "100000", date(2026, 3, 31))
    _approved_due(programme, officer, finance, "20000", date(2027, 2, 28))
    _approved_due(programme, officer, finance, "30000", date(2027, 3, 31))
    position = selectors.reserve_position(reserve, today=date(2026, 11, 30))
    years = {y["label"]: y for y in position["by_year"]}
    assert list(years) == ["2022/23", "2023/24", "2024/25", "2025/26", "After the MTFS period"]
    assert years["2025/26"]["planned"] == Decimal("100000.00")
    assert years["After the MTFS period"]["planned"] == Decimal("50000.00")
    assert years["After the MTFS period"]["closing"] == position["available"]
    client = client_for(finance)
    page = client.get(reverse("reserves:statement", kwargs={"pk": reserve.pk}))
    assert "After the MTFS period" in page.content.decode()
    xlsx = client.get(
        reverse("reserves:statement_export", kwargs={"pk": reserve.pk, "fmt": "xlsx"})
    )
    book = load_workbook(BytesIO(xlsx.content))
    labels = [row[0] for row in book["Reserve projection"].iter_rows(min_row=2, values_only=True)]
    assert labels[-1] == "After the MTFS period"


def test_far_dates_never_crash_the_statement(programme, officer, finance, client_for):
    reserve = programme.funding_reserve
    _approved_due(programme, officer, finance, "1000", date(9999, 12, 31))
    with transaction.atomic():
        reserve.mtfs_years = 10
        reserve.save()
    position = selectors.reserve_position(reserve, today=date(2026, 11, 30))
    assert position["by_year"][-1]["label"] == "After the MTFS period"
    response = client_for(finance).get(reverse("reserves:statement", kwargs={"pk": reserve.pk}))
    assert response.status_code == 200
    assert selectors._year_sort_key("9999/00") < selectors._year_sort_key("future")
    assert selectors._year_sort_key("nonsense") > selectors._year_sort_key("future")


def test_the_mtfs_period_form_takes_one_to_ten_years(reserve, client_for, finance):
    url = reverse("reserves:reserve_edit", kwargs={"pk": reserve.pk})
    response = client_for(finance).post(url, {"mtfs_years": "11", "floor": "0"})
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
    reserve.refresh_from_db()
    assert reserve.mtfs_years == 4
