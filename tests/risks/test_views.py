"""Pages: the role × page/form matrix, the register's filters, heat-map links, the
data-quality panel, exports, and a query count that does not grow with the data."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from risks.models import MitigationAction, Risk, RiskReview
from tests.helpers import query_count

from .conftest import register_url
from .factories import ActionFactory, ReviewFactory, RiskFactory, category

pytestmark = pytest.mark.django_db


def _urls(risk, action):
    slug, number = risk.programme.slug, risk.number
    return {
        "register": reverse("risks:register", kwargs={"slug": slug}),
        "export_csv": reverse("risks:export_csv", kwargs={"slug": slug}),
        "export_xlsx": reverse("risks:export_xlsx", kwargs={"slug": slug}),
        "detail": reverse("risks:detail", kwargs={"slug": slug, "number": number}),
        "create": reverse("risks:create", kwargs={"slug": slug}),
        "edit": reverse("risks:edit", kwargs={"slug": slug, "number": number}),
        "review_create": reverse("risks:review_create", kwargs={"slug": slug, "number": number}),
        "action_create": reverse("risks:action_create", kwargs={"slug": slug, "number": number}),
        "action_edit": reverse(
            "risks:action_edit", kwargs={"slug": slug, "number": number, "action_id": action.pk}
        ),
    }


READ_PAGES = ["register", "export_csv", "export_xlsx", "detail"]
FORMS = ["create", "edit", "review_create", "action_create", "action_edit"]


def _valid_posts(risk, user):
    today = timezone.localdate()
    return {
        "create": {
            "kind": "risk",
            "title": "New risk",
            "category": category().pk,
            "status": "open",
        },
        "edit": {
            "kind": "risk",
            "title": "Renamed",
            "category": category().pk,
            "status": "open",
            "inherent_likelihood": "4",
            "inherent_impact": "4",
        },
        "review_create": {
            "reviewed_on": today.isoformat(),
            "inherent_likelihood": "4",
            "inherent_impact": "4",
            "residual_likelihood": "2",
            "residual_impact": "2",
            "notes": "Reviewed",
        },
        "action_create": {"description": "Call the supplier", "owner": user.pk},
        "action_edit": {"description": "Changed action"},
    }


def _snapshot():
    return (
        list(Risk.objects.order_by("pk").values()),
        list(MitigationAction.objects.order_by("pk").values()),
        list(RiskReview.objects.order_by("pk").values()),
        Risk.history.count(),
        MitigationAction.history.count(),
        RiskReview.history.count(),
    )


@pytest.mark.parametrize("role", ["officer", "finance", "cabinet", "admin"])
def test_every_role_reads_the_register_risk_pages_and_exports(
    role, role_users, client_for, scored_risk
):
    action = ActionFactory(risk=scored_risk)
    client = client_for(role_users[role])
    for name in READ_PAGES:
        assert client.get(_urls(scored_risk, action)[name]).status_code == 200, name


@pytest.mark.parametrize("role", ["officer", "finance", "admin"])
@pytest.mark.parametrize("form", FORMS)
def test_editors_open_and_submit_every_risk_form(role, form, role_users, client_for, scored_risk):
    user = role_users[role]
    action = ActionFactory(risk=scored_risk)
    url = _urls(scored_risk, action)[form]
    client = client_for(user)
    assert client.get(url).status_code == 200
    before = _snapshot()
    response = client.post(url, _valid_posts(scored_risk, user)[form])
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _snapshot() != before
    histories = [Risk.history, MitigationAction.history, RiskReview.history]
    latest = max(
        (h.order_by("-history_date").first() for h in histories if h.exists()),
        key=lambda r: r.history_date,
    )
    assert latest.history_user == user


@pytest.mark.parametrize("form", FORMS)
def test_cabinet_is_refused_every_risk_form_and_nothing_changes(
    form, cabinet, officer, client_for, scored_risk
):
    action = ActionFactory(risk=scored_risk)
    url = _urls(scored_risk, action)[form]
    client = client_for(cabinet)
    before = _snapshot()
    assert client.get(url).status_code == 403
    assert client.post(url, _valid_posts(scored_risk, officer)[form]).status_code == 403
    assert _snapshot() == before


def test_cabinet_sees_no_edit_buttons(cabinet, client_for, scored_risk):
    page = client_for(cabinet).get(scored_risk.get_absolute_url()).content.decode()
    assert "Record a review" not in page
    register = client_for(cabinet).get(register_url(scored_risk.programme)).content.decode()
    assert "Add a risk or opportunity" not in register


def test_a_risk_of_another_programme_is_not_found(officer, client_for, scored_risk):
    from .factories import ProgrammeFactory

    other = ProgrammeFactory()
    url = reverse("risks:edit", kwargs={"slug": other.slug, "number": scored_risk.number})
    assert client_for(officer).get(url).status_code == 404


# Bad input through the forms ------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"inherent_likelihood": "7"}, "inherent_likelihood", "Enter a whole number from 1 to 5"),
        ({"residual_impact": "0"}, "residual_impact", "Enter a whole number from 1 to 5"),
        (
            {"residual_likelihood": "5", "residual_impact": "5"},
            "residual_reason",
            "Give a reason why the residual score (25) is above the inherent score (16)",
        ),
        ({"status": "closed"}, "closing_note", "Say why the risk is being closed"),
        ({"category": "99999"}, "category", "Choose a category from the list"),
        ({"category": "Cyber"}, "category", "Choose a category from the list"),
        ({"response": "exploit"}, "response", "A risk takes one of these responses"),
        ({"owner": "99999"}, "owner", "Choose an owner from the list"),
    ],
)
def test_bad_risk_input_shows_the_error_by_the_field_keeps_the_input_and_saves_nothing(
    changes, field, message, officer, client_for, scored_risk
):
    data = {
        "kind": "risk",
        "title": "Typed title",
        "category": scored_risk.category_id,
        "owner": officer.pk,
        "status": "open",
        "inherent_likelihood": "4",
        "inherent_impact": "4",
        "residual_likelihood": "3",
        "residual_impact": "3",
        **changes,
    }
    before = _snapshot()
    response = client_for(officer).post(
        reverse("risks:edit", kwargs={"slug": scored_risk.programme.slug, "number": 1}), data
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert f'id="id_{field}-error"' in page
    assert 'value="Typed title"' in page
    assert "govuk-error-summary" in page
    assert _snapshot() == before


def test_a_review_dated_in_the_future_is_refused_by_the_form(officer, client_for, scored_risk):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(officer).post(
        reverse("risks:review_create", kwargs={"slug": scored_risk.programme.slug, "number": 1}),
        {
            "reviewed_on": tomorrow.isoformat(),
            "inherent_likelihood": "4",
            "inherent_impact": "4",
            "residual_likelihood": "2",
            "residual_impact": "2",
            "notes": "Keep me",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reviewed_on"] == [
        "The date of review cannot be in the future"
    ]
    assert "Keep me" in response.content.decode()
    assert not RiskReview.objects.exists()


def test_a_review_residual_above_inherent_needs_a_reason(officer, client_for, scored_risk):
    response = client_for(officer).post(
        reverse("risks:review_create", kwargs={"slug": scored_risk.programme.slug, "number": 1}),
        {
            "reviewed_on": timezone.localdate().isoformat(),
            "inherent_likelihood": "2",
            "inherent_impact": "2",
            "residual_likelihood": "3",
            "residual_impact": "3",
        },
    )
    assert "residual_reason" in response.context["form"].errors
    assert not RiskReview.objects.exists()


# Filters --------------------------------------------------------------------------------


def _shown(client, programme, query):
    response = client.get(register_url(programme, query))
    assert response.status_code == 200
    return {r.title for r in response.context["register"].risks}


@pytest.fixture
def filter_world(programme, officer, finance):
    today = timezone.localdate()
    RiskFactory(
        programme=programme,
        title="A",
        kind="risk",
        category=category("Financial"),
        owner=officer,
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=4,
        residual_impact=4,
        target_likelihood=1,
        target_impact=1,
        review_date=today - timedelta(days=1),
    )
    RiskFactory(
        programme=programme,
        title="B",
        kind="risk",
        category=category("Legal"),
        owner=finance,
        inherent_likelihood=3,
        inherent_impact=3,
        residual_likelihood=2,
        residual_impact=2,
        target_likelihood=1,
        target_impact=1,
        review_date=today + timedelta(days=30),
    )
    RiskFactory(
        programme=programme,
        title="C",
        kind="opportunity",
        category=category("Strategic"),
        owner=officer,
        inherent_likelihood=3,
        inherent_impact=4,
        residual_likelihood=3,
        residual_impact=4,
        target_likelihood=1,
        target_impact=1,
        review_date=today + timedelta(days=3),
    )
    RiskFactory(programme=programme, title="D", kind="risk", category=None, owner=None)
    RiskFactory(
        programme=programme,
        title="E",
        kind="risk",
        category=category("Legal"),
        owner=finance,
        status="closed",
        closing_note="No longer applies",
        review_date=today - timedelta(days=100),
    )
    return programme  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"A", "B", "C", "D", "E"}),
        ("kind=opportunity", {"C"}),
        ("kind=risk", {"A", "B", "D", "E"}),
        ("category={Legal}", {"B", "E"}),
        ("owner={finance}", {"B", "E"}),
        ("status=live", {"A", "B", "C", "D"}),
        ("status=closed", {"E"}),
        ("band=very-high", {"A"}),
        ("band=high", {"C"}),
        ("band=low", {"B"}),
        ("band=very-high&basis=inherent", {"A"}),
        ("band=medium&basis=inherent", {"B"}),
        ("band=low&basis=target", {"A", "B", "C"}),
        ("overdue_review=on", {"A"}),
        ("basis=inherent&likelihood=3&impact=4", {"C"}),
        ("basis=residual&likelihood=4&impact=4", {"A"}),
        ("quality=any", {"D"}),
        ("quality=no_owner", {"D"}),
        ("kind=risk&category={Legal}&status=live", {"B"}),
    ],
)
def test_register_filters(query, expected, filter_world, officer, finance, client_for):
    query = query.format(Legal=category("Legal").pk, finance=finance.pk)
    assert _shown(client_for(officer), filter_world, query) == expected


def test_register_sorts_by_residual_score_highest_first_unscored_last(
    filter_world, officer, client_for
):
    response = client_for(officer).get(register_url(filter_world, "sort=-residual"))
    titles = [r.title for r in response.context["register"].risks]
    assert titles[:3] == ["A", "C", "B"]
    assert titles[3:] == ["D", "E"]  # both unscored: last, by reference


def test_an_unknown_filter_value_is_shown_as_an_error_not_a_failure(
    filter_world, officer, client_for
):
    response = client_for(officer).get(register_url(filter_world, "category=nope&band=purple"))
    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()
    assert len(response.context["register"].risks) == 5


def test_each_heat_map_cell_links_to_the_risks_in_it(filter_world, officer, client_for):
    client = client_for(officer)
    register = client.get(register_url(filter_world)).context["register"]
    residual = next(h for h in register.heat_maps if h.basis == "residual")
    for row in residual.rows:
        for cell in row.cells:
            if not cell.count:
                continue
            linked = client.get(cell.url).context["register"].risks
            assert len(linked) == cell.count
            assert {(r.residual_likelihood, r.residual_impact) for r in linked} == {
                (cell.likelihood, cell.impact)
            }
    assert residual.counts[(4, 4)] == 1 and residual.counts[(2, 2)] == 1


def test_register_pages_at_twenty_five_a_page(programme, officer, client_for):
    for _ in range(30):
        RiskFactory(programme=programme)
    client = client_for(officer)
    first = client.get(register_url(programme, "kind=risk")).context["register"]
    second = client.get(register_url(programme, "kind=risk&page=2")).context["register"]
    assert (len(first.risks), len(second.risks)) == (25, 5)
    assert "page=2" in client.get(register_url(programme, "kind=risk")).content.decode()


def test_overdue_reviews_and_actions_are_marked_on_the_register(programme, officer, client_for):
    risk = RiskFactory(programme=programme, review_date=timezone.localdate() - timedelta(days=2))
    ActionFactory(risk=risk, due_date=timezone.localdate() - timedelta(days=1))
    page = client_for(officer).get(register_url(programme)).content.decode()
    assert "Review overdue" in page
    assert "1 overdue" in page


# Query counts ---------------------------------------------------------------------------


def _grow(programme, users, size):
    for index in range(size):
        risk = RiskFactory(
            programme=programme,
            owner=users[index % len(users)],
            inherent_likelihood=1 + index % 5,
            inherent_impact=1 + (index // 5) % 5,
            residual_likelihood=1 + index % 5,
            residual_impact=1,
            review_date=date(2024, 1, 1) if index % 2 else None,
        )
        risk.stages.set(programme.stages.all())
        for _ in range(3):
            ActionFactory(risk=risk, owner=users[0], due_date=date(2024, 1, 1))
            ReviewFactory(risk=risk, reviewed_by=users[0])


@pytest.mark.parametrize("query", ["", "sort=-residual&band=low", "quality=any&overdue_review=on"])
def test_register_query_count_does_not_grow_with_risks_actions_and_reviews(
    programme, officer, finance, client_for, query
):
    client = client_for(officer)
    url = register_url(programme, query)
    _grow(programme, [officer, finance], 3)
    client.get(url)  # warm the session and content types
    small = query_count(client, url)
    _grow(programme, [officer, finance], 60)
    large = query_count(client, url)
    print(f"register ?{query}: {small} queries at 3 risks, {large} at 63 (x3 actions, reviews)")
    assert small == large, (small, large)


def test_risk_page_query_count_does_not_grow_with_actions_reviews_and_history(
    scored_risk, officer, client_for, programme
):
    from risks import services

    client = client_for(officer)
    url = scored_risk.get_absolute_url()
    client.get(url)
    small = query_count(client, url)
    for index in range(12):
        ActionFactory(risk=scored_risk, owner=officer)
        ReviewFactory(
            risk=scored_risk,
            reviewed_by=officer,
            reviewed_on=date(2024, 1, 1) + timedelta(days=index),
        )
        services.risk_update(risk=scored_risk, actor=officer, data={"title": f"Title {index}"})
    scored_risk.stages.set(programme.stages.all())
    large = query_count(client, url)
    print(f"risk page: {small} queries with no actions or reviews, {large} with 12 of each")
    assert small == large, (small, large)


# Exports --------------------------------------------------------------------------------


def test_csv_export_holds_the_filtered_register_with_bands(filter_world, officer, client_for):
    response = client_for(officer).get(
        reverse("risks:export_csv", kwargs={"slug": filter_world.slug}) + "?kind=risk"
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Title"] for r in rows] == ["A", "B", "D", "E"]
    first = rows[0]
    assert (first["Residual score"], first["Residual band"]) == ("16", "Very high")
    assert first["Review overdue"] == "yes"
    assert (
        rows[2]["Missing"] == "inherent score, residual score, target score, owner, "
        "review date, category"
    )


def test_excel_export_holds_the_register(filter_world, officer, client_for):
    from openpyxl import load_workbook

    response = client_for(officer).get(
        reverse("risks:export_xlsx", kwargs={"slug": filter_world.slug})
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    rows = [dict(zip(headers, [c.value for c in row], strict=True)) for row in sheet.iter_rows(2)]
    assert len(rows) == 5
    a = next(r for r in rows if r["Title"] == "A")
    assert (a["Inherent score"], a["Inherent band"], a["Category"]) == (
        25,
        "Very high",
        "Financial",
    )
