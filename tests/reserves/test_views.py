"""Every reserves page and form for every role; forms that keep what was typed; downloads;
and pages whose query count does not grow with the data."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone

from reserves import services
from reserves.models import CostLine, Drawdown, StatedFigure
from tests.helpers import all_url_patterns, query_count

from .factories import second_cabinet_member

pytestmark = pytest.mark.django_db

ROLES = ["officer", "finance", "cabinet", "admin"]
EVERYONE = set(ROLES)
REQUESTERS = {"officer", "finance", "admin"}
FINANCE = {"finance", "admin"}
DECIDERS = {"cabinet", "admin"}


@pytest.fixture
def world(programme, make_drawdown, finance):
    """A reserve, its programme, a drawdown in each state, a cost line and a stated figure."""
    drawdowns = {
        status: make_drawdown("10000", status=status, programme=programme)
        for status in ("requested", "approved", "scheduled", "drawn", "rejected", "cancelled")
    }
    line = CostLine.objects.create(
        programme=programme, label="Stage 1", financial_year="2022/23", amount=Decimal("200000")
    )
    StatedFigure.objects.create(
        programme=programme,
        reserve=programme.funding_reserve,
        kind=StatedFigure.Kind.RESERVE_REMAINING,
        label="Balance left",
        stated_text="approximately £5.9m",
        stated_amount=Decimal("5900000"),
        source_reference="Resource implications",
    )
    proposal = services.ceiling_propose(
        programme=programme,
        user=second_cabinet_member(),
        data={
            "new_ceiling": Decimal("480000"),
            "title": "Cut the ceiling",
            "reason": "Savings",
            "decided_on": date(2023, 1, 10),
            "decision_maker": "Cabinet",
            "decision_reference": "Minute 9",
            "key_decision_reference": "",
        },
    )
    return {
        "programme": programme,
        "reserve": programme.funding_reserve,
        "line": line,
        "proposal": proposal,
        **drawdowns,
    }


def _pages(w):
    """(url name, kwargs, roles that may open it)."""
    slug = w["programme"].slug
    reserve = w["reserve"].pk
    return [
        ("reserves:list", {}, EVERYONE),
        ("reserves:statement", {"pk": reserve}, EVERYONE),
        ("reserves:statement_export", {"pk": reserve, "fmt": "csv"}, EVERYONE),
        ("reserves:statement_export", {"pk": reserve, "fmt": "xlsx"}, EVERYONE),
        ("reserves:reserve_edit", {"pk": reserve}, FINANCE),
        ("reserves:drawdown_queue", {}, EVERYONE),
        ("reserves:drawdown_export", {"fmt": "csv"}, EVERYONE),
        ("reserves:drawdown_export", {"fmt": "xlsx"}, EVERYONE),
        ("reserves:drawdown_request", {}, REQUESTERS),
        ("reserves:drawdown_detail", {"pk": w["requested"].pk}, EVERYONE),
        ("reserves:refusals", {}, EVERYONE),
        ("reserves:cost_profile", {"slug": slug}, EVERYONE),
        ("reserves:cost_profile_export", {"slug": slug, "fmt": "csv"}, EVERYONE),
        ("reserves:cost_profile_export", {"slug": slug, "fmt": "xlsx"}, EVERYONE),
        ("reserves:cost_line_create", {"slug": slug}, FINANCE),
        ("reserves:cost_line_edit", {"slug": slug, "pk": w["line"].pk}, FINANCE),
        ("reserves:cost_line_delete", {"slug": slug, "pk": w["line"].pk}, FINANCE),
        ("reserves:stated_figures", {"slug": slug}, EVERYONE),
        ("reserves:programme_spend", {"slug": slug}, EVERYONE),
        ("reserves:ceiling_change", {"slug": slug}, DECIDERS),
        ("reserves:ceiling_approve", {"slug": slug, "pk": w["proposal"].pk}, DECIDERS),
    ]


# POST-only actions on a ceiling proposal.
CEILING_ACTIONS = {"reserves:ceiling_withdraw"}


# Actions are POST only: (url name, form data, roles allowed, the drawdown state used).
ACTIONS = [
    ("reserves:drawdown_approve", {}, FINANCE, "requested"),
    (
        "reserves:drawdown_reject",
        {"reject-reason": "Not now", "confirmed": "yes"},
        FINANCE,
        "requested",
    ),
    ("reserves:drawdown_schedule", {"schedule-scheduled_for": "2022-09-30"}, FINANCE, "approved"),
    ("reserves:drawdown_mark_drawn", {}, FINANCE, "approved"),
    (
        "reserves:drawdown_cancel",
        {"cancel-reason": "Re-scoped", "confirmed": "yes"},
        FINANCE,
        "approved",
    ),
]
# Approving has its own "check before you approve" page (GET); the others are POST only.
CHECK_PAGES = {"reserves:drawdown_approve"}


def test_every_reserves_url_is_in_the_role_matrix(world):
    # The actual-spend pages have their own rows in tests/test_permission_matrix.py.
    names = {
        name
        for _route, name in all_url_patterns()
        if name and name.startswith("reserves:") and not name.startswith("reserves:actuals")
    }
    covered = {name for name, _kw, _roles in _pages(world)} | {a[0] for a in ACTIONS}
    covered |= CEILING_ACTIONS
    assert names == covered


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_the_pages_it_may(role, world, role_users, client_for):
    client = client_for(role_users[role])
    for name, kwargs, allowed in _pages(world):
        response = client.get(reverse(name, kwargs=kwargs))
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (role, name, kwargs, response.status_code)


def test_anyone_signed_out_is_sent_to_sign_in(world, client_for):
    for name, kwargs, _allowed in _pages(world):
        response = client_for(None).get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_download_format_is_not_found(world, client_for, finance):
    url = reverse("reserves:drawdown_export", kwargs={"fmt": "pdf"})
    assert client_for(finance).get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "data", "allowed", "state"), ACTIONS)
def test_each_role_may_post_exactly_the_actions_it_may(
    role, name, data, allowed, state, world, role_users, client_for
):
    drawdown = world[state]
    if name == "reserves:drawdown_mark_drawn":
        data = {"drawn-drawn_on": timezone.localdate().isoformat(), "confirmed": "yes"}
    client = client_for(role_users[role])
    shown = client.get(reverse(name, kwargs={"pk": drawdown.pk})).status_code
    if name in CHECK_PAGES:
        assert shown == (200 if role in allowed else 403)
    else:
        assert shown == 405
    before = Drawdown.objects.get(pk=drawdown.pk).status
    response = client.post(reverse(name, kwargs={"pk": drawdown.pk}), data)
    after = Drawdown.objects.get(pk=drawdown.pk).status
    if role in allowed:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert after != before
    else:
        assert response.status_code == 403
        assert after == before


@pytest.mark.parametrize("role", ROLES)
def test_only_deciders_withdraw_a_ceiling_proposal(role, world, role_users, client_for):
    proposal = world["proposal"]
    url = reverse(
        "reserves:ceiling_withdraw", kwargs={"slug": world["programme"].slug, "pk": proposal.pk}
    )
    client = client_for(role_users[role])
    assert client.get(url).status_code == 405
    response = client.post(url)
    proposal.refresh_from_db()
    if role in DECIDERS:
        assert response.status_code == 302
        assert proposal.status == "withdrawn" and proposal.withdrawn_by == role_users[role]
    else:
        assert response.status_code == 403
        assert proposal.status == "proposed"


def test_an_officer_cancels_their_own_request_from_its_page(world, client_for, officer):
    drawdown = world["requested"]
    response = client_for(officer).post(
        reverse("reserves:drawdown_cancel", kwargs={"pk": drawdown.pk}),
        {"cancel-reason": "Not needed", "confirmed": "yes"},
    )
    assert response.status_code == 302
    assert Drawdown.objects.get(pk=drawdown.pk).status == "cancelled"


def test_finance_cannot_approve_their_own_request_through_the_page(programme, client_for, finance):
    from reserves import services

    drawdown = services.drawdown_request(
        reserve=programme.funding_reserve,
        programme=programme,
        purpose="x",
        amount="5",
        user=finance,
    )
    client = client_for(finance)
    page = client.get(reverse("reserves:drawdown_detail", kwargs={"pk": drawdown.pk}))
    assert "someone else in finance must approve" in page.content.decode()
    approve_url = reverse("reserves:drawdown_approve", kwargs={"pk": drawdown.pk})
    assert approve_url not in page.content.decode()
    assert approve_url not in client.get(reverse("reserves:drawdown_queue")).content.decode()
    response = client.post(reverse("reserves:drawdown_approve", kwargs={"pk": drawdown.pk}))
    assert response.status_code == 403
    assert Drawdown.objects.get(pk=drawdown.pk).status == "requested"


def test_an_approval_over_the_ceiling_shows_the_headroom_left(
    programme, make_drawdown, client_for, finance
):
    pending = make_drawdown("300000", programme=programme)
    make_drawdown("290000", status="approved", programme=programme)
    response = client_for(finance).post(
        reverse("reserves:drawdown_approve", kwargs={"pk": pending.pk}), {"return_to": "queue"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert (
        "This would take committed spend to £590,000, above the £490,000 ceiling: "
        "£200,000 of headroom is left." in html
    )
    assert Drawdown.objects.get(pk=pending.pk).status == "requested"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "The amount must be more than £0"),
        ("-5", "The amount must be more than £0"),
        ("lots", "Enter the amount as a number of pounds"),
        ("NaN", "Enter the amount as a number of pounds"),
        ("Infinity", "Enter the amount as a number of pounds"),
        ("12.345", "no more than 2 decimal places"),
        ("99999999999", "The amount must be £999,999,999.99 or less"),
        ("490000.01", "£490,000 of headroom is left"),
    ],
)
def test_the_request_form_refuses_a_bad_amount_and_keeps_what_was_typed(
    typed, message, programme, client_for, officer
):
    response = client_for(officer).post(
        reverse("reserves:drawdown_request"),
        {
            "reserve": programme.funding_reserve.pk,
            "programme": programme.pk,
            "purpose": "Stage 1",
            "amount": typed,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{typed}"' in html
    assert 'class="govuk-error-summary"' in html and 'href="#id_amount"' in html
    assert Drawdown.objects.count() == 0


def test_the_request_form_creates_a_request_and_shows_it(programme, client_for, officer):
    response = client_for(officer).post(
        reverse("reserves:drawdown_request"),
        {
            "reserve": programme.funding_reserve.pk,
            "programme": programme.pk,
            "purpose": "Stage 1 diagnostics",
            "amount": "£200,000",
            "needed_by": "2023-03-31",
        },
        follow=True,
    )
    drawdown = Drawdown.objects.get()
    assert (drawdown.amount, drawdown.requested_by, drawdown.needed_by) == (
        Decimal("200000.00"),
        officer,
        date(2023, 3, 31),
    )
    assert "has been requested" in response.content.decode()
    assert drawdown.history.get().history_user == officer


def test_a_rejection_without_a_reason_is_shown_next_to_the_field(world, client_for, finance2):
    drawdown = world["requested"]
    response = client_for(finance2).post(
        reverse("reserves:drawdown_reject", kwargs={"pk": drawdown.pk}), {"reject-reason": ""}
    )
    assert response.status_code == 200
    assert "Enter why the drawdown is rejected" in response.content.decode()
    assert Drawdown.objects.get(pk=drawdown.pk).status == "requested"


def test_marking_drawn_with_a_nonsense_date_keeps_it_and_says_so(world, client_for, finance2):
    drawdown = world["approved"]
    response = client_for(finance2).post(
        reverse("reserves:drawdown_mark_drawn", kwargs={"pk": drawdown.pk}),
        {"drawn-drawn_on_day": "31", "drawn-drawn_on_month": "2", "drawn-drawn_on_year": "2023"},
    )
    assert response.status_code == 200
    assert "must be a real date" in response.content.decode()
    assert 'name="drawn-drawn_on_day" type="text" inputmode="numeric" value="31"' in (
        response.content.decode()
    )
    assert Drawdown.objects.get(pk=drawdown.pk).status == "approved"


def test_the_reserve_form_saves_the_protocol_and_refuses_a_floor_too_high(
    world, client_for, finance
):
    reserve = world["reserve"]
    url = reverse("reserves:reserve_edit", kwargs={"pk": reserve.pk})
    base = {"owner": "Director", "purpose": "Resilience", "mtfs_years": "4"}
    response = client_for(finance).post(url, {**base, "floor": "17380001"})
    assert response.status_code == 200
    assert "The floor cannot be above £17,370,000" in response.content.decode()
    response = client_for(finance).post(
        url, {**base, "floor": "1000000", "next_review_date": "2023-02-28"}
    )
    assert response.status_code == 302
    reserve.refresh_from_db()
    assert (reserve.floor, reserve.purpose, reserve.next_review_date) == (
        Decimal("1000000.00"),
        "Resilience",
        date(2023, 2, 28),
    )


def test_finance_adds_changes_and_removes_a_cost_line(world, client_for, finance):
    programme = world["programme"]
    client = client_for(finance)
    create = reverse("reserves:cost_line_create", kwargs={"slug": programme.slug})
    response = client.post(
        create,
        {
            "table": "costs",
            "kind": "revenue",
            "label": "Stage 2",
            "financial_year": "2023/24",
            "amount": "12.345",
        },
    )
    assert "no more than 2 decimal places" in response.content.decode()
    response = client.post(
        create,
        {
            "table": "costs",
            "kind": "revenue",
            "label": "Stage 2",
            "financial_year": "2023/24",
            "amount": "290000",
            "is_estimate": "on",
        },
    )
    assert response.status_code == 302
    line = CostLine.objects.get(label="Stage 2")
    assert line.is_estimate and line.financial_year == "2023/24"
    edit = reverse("reserves:cost_line_edit", kwargs={"slug": programme.slug, "pk": line.pk})
    assert 'value="290000.00"' in client.get(edit).content.decode()
    client.post(
        edit,
        {
            "table": "costs",
            "kind": "capital",
            "label": "Stage 2",
            "financial_year": "future",
            "amount": "300000",
        },
    )
    line.refresh_from_db()
    assert (line.kind, line.financial_year, line.amount) == ("capital", "future", Decimal("300000"))
    remove = reverse("reserves:cost_line_delete", kwargs={"slug": programme.slug, "pk": line.pk})
    assert client.post(remove).status_code == 302
    assert not CostLine.objects.filter(pk=line.pk).exists()


def test_the_statement_downloads_as_csv_and_excel(world, client_for, cabinet):
    from openpyxl import load_workbook

    reserve = world["reserve"]
    client = client_for(cabinet)
    csv = client.get(reverse("reserves:statement_export", kwargs={"pk": reserve.pk, "fmt": "csv"}))
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Date,Drawdown,Purpose,Actual or planned,Amount,Balance after"
    assert "17370000.00" in text  # the balance after the three committed £10,000 drawdowns
    xlsx = client.get(
        reverse("reserves:statement_export", kwargs={"pk": reserve.pk, "fmt": "xlsx"})
    )
    book = load_workbook(BytesIO(xlsx.content))
    # The same tables, titles and headers as the reserve position statement (reporting).
    assert book.sheetnames == ["Reserve position", "Movements", "Reserve projection"]
    summary = {row[0].value: row[1] for row in book["Reserve position"].iter_rows(min_row=2)}
    assert round(summary["Available after everything committed"].value, 2) == 17370000
    assert summary["Available after everything committed"].number_format == '"£"#,##0.00'
    years = [row[0].value for row in book["Reserve projection"].iter_rows(min_row=1)]
    assert years[1] == "2022/23" and "Approved or scheduled" in [
        c.value for c in book["Reserve projection"][1]
    ]


def test_the_drawdown_list_downloads_with_who_did_what(world, client_for, officer):
    from openpyxl import load_workbook

    client = client_for(officer)
    text = client.get(reverse("reserves:drawdown_export", kwargs={"fmt": "csv"})).content.decode(
        "utf-8-sig"
    )
    lines = text.splitlines()
    assert len(lines) == 7
    assert "Officer Tester" in lines[1] and "Finance Tester" in text
    book = load_workbook(
        BytesIO(client.get(reverse("reserves:drawdown_export", kwargs={"fmt": "xlsx"})).content)
    )
    assert book["Drawdowns"].max_row == 7


def _urls(w):
    slug = w["programme"].slug
    return [
        reverse("reserves:list"),
        reverse("reserves:statement", kwargs={"pk": w["reserve"].pk}),
        reverse("reserves:drawdown_queue"),
        reverse("reserves:drawdown_detail", kwargs={"pk": w["approved"].pk}),
        reverse("reserves:cost_profile", kwargs={"slug": slug}),
        reverse("reserves:stated_figures", kwargs={"slug": slug}),
        reverse("reserves:refusals"),
    ]


def test_page_queries_do_not_grow_with_the_number_of_drawdowns(
    world, make_drawdown, client_for, finance
):
    client = client_for(finance)
    before = {url: query_count(client, url) for url in _urls(world)}
    programme = world["programme"]
    for status in ("requested", "approved", "drawn", "scheduled", "requested") * 3:
        make_drawdown("1000", status=status, programme=programme)
    CostLine.objects.create(
        programme=programme, label="Stage 2", financial_year="2023/24", amount=Decimal("1")
    )
    after = {url: query_count(client, url) for url in _urls(world)}
    assert after == before


def test_the_reserve_form_takes_a_floor_of_nothing_but_not_below_it(world, client_for, finance):
    reserve = world["reserve"]
    url = reverse("reserves:reserve_edit", kwargs={"pk": reserve.pk})
    base = {"owner": "Director", "mtfs_years": "4"}
    response = client_for(finance).post(url, {**base, "floor": "-1"})
    assert "The amount cannot be negative" in response.content.decode()
    assert client_for(finance).post(url, {**base, "floor": "0"}).status_code == 302
    reserve.refresh_from_db()
    assert reserve.floor == Decimal("0.00") and reserve.owner == "Director"
