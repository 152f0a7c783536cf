"""The dashboard: every role sees it, Cabinet members land on it, it shows the programme's
figures from the apps' selectors, and its query count does not grow with the data."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.history import acting_user
from reporting.dashboard import dashboard_context, spend_svg
from reporting.models import ReportRun
from tests.helpers import forget_page_fragments, query_count

pytestmark = pytest.mark.django_db


def dashboard_url(programme) -> str:
    return reverse("reporting:dashboard", kwargs={"slug": programme.slug})


# Who sees it ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "finance", "cabinet", "admin_user"])
def test_every_role_sees_the_dashboard(role, request, client_for, demo_programme):
    user = request.getfixturevalue(role)
    response = client_for(user).get(dashboard_url(demo_programme))
    assert response.status_code == 200
    assert b"Spend against the ceiling" in response.content


def test_someone_signed_out_is_sent_to_sign_in(client, demo_programme):
    response = client.get(dashboard_url(demo_programme))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_user_without_a_role_is_refused(client_for, demo_programme):
    from tests.conftest import make_user

    nobody = make_user("nobody", None)
    assert client_for(nobody).get(dashboard_url(demo_programme)).status_code == 403


def test_an_unknown_programme_is_not_found(client_for, cabinet, demo_programme):
    response = client_for(cabinet).get(reverse("reporting:dashboard", kwargs={"slug": "nope"}))
    assert response.status_code == 404


def test_a_cabinet_member_starts_at_a_home_that_leads_to_the_dashboard(
    client_for, cabinet, demo_programme
):
    """Issue 15: every role's home says what awaits them; Cabinet's links to the dashboard."""
    response = client_for(cabinet).get(reverse("home"))
    assert response.status_code == 200
    assert f'href="{dashboard_url(demo_programme)}"' in response.content.decode()


@pytest.mark.parametrize("role", ["officer", "finance", "admin_user"])
def test_other_roles_keep_the_home_page(role, request, client_for, demo_programme):
    response = client_for(request.getfixturevalue(role)).get(reverse("home"))
    assert response.status_code == 200
    assert b"Programmes" in response.content


def test_a_cabinet_member_with_no_programme_sees_the_home_page(client_for, cabinet):
    response = client_for(cabinet).get(reverse("home"))
    assert response.status_code == 200  # not a redirect to a dashboard that does not exist
    assert response.templates[0].name == "home.html"
    assert b"Programmes" in response.content


def test_the_dashboard_is_read_only(client_for, cabinet, demo_programme):
    assert client_for(cabinet).post(dashboard_url(demo_programme)).status_code == 405


# What it shows ----------------------------------------------------------------------------


def test_the_dashboard_shows_the_demo_figures(client_for, cabinet, demo_programme):
    html = client_for(cabinet).get(dashboard_url(demo_programme)).content.decode()
    assert "£490,000 committed of the £490,000 ceiling" in html
    assert "£500,000 key-decision threshold" in html
    # The demo's words, not the selector run again: stage 1's latest update is amber/green,
    # stages 2 and 3 have no update yet.
    assert html.count('app-rag--amber-green">Amber/green</strong>') == 1
    assert html.count('app-rag--none">Not yet rated</strong>') == 2
    assert 'id="heat-map-residual"' in html
    assert "Financial Resilience earmarked reserve" in html
    assert "above its floor of £" in html
    assert "Print this page" in html


def test_every_chart_is_a_captioned_figure_with_its_table_behind_it(
    client_for, cabinet, demo_programme
):
    html = client_for(cabinet).get(dashboard_url(demo_programme)).content.decode()
    assert html.count('<figure class="app-figure">') == 3
    assert html.count("<figcaption>") == 3
    for chart in ("dashboard-spend-chart", "dashboard-reserve-chart", "dashboard-benefits-chart"):
        assert f'aria-labelledby="{chart}"' in html
    for table in ("spend-table", "reserve-table", "benefits-table"):
        assert f'id="{table}"' in html
    assert html.count('<details class="govuk-details">') >= 3
    assert 'style="' not in html  # the CSP forbids inline styles: charts use attributes


def test_the_spend_chart_is_the_same_bytes_for_the_same_figures():
    from reporting.dashboard import Spend

    spend = Spend(
        ceiling=Decimal("490000.00"),
        threshold=Decimal("500000.00"),
        committed=Decimal("300000.00"),
        drawn=Decimal("120000.50"),
    )
    # Two real drawings (the cached wrapper would hand the first one back unchanged).
    first = spend_svg.uncached(spend, title_id="a")
    assert first == spend_svg.uncached(spend, title_id="a")
    assert spend_svg(spend, title_id="a") == first
    other = replace(spend, drawn=Decimal("120001.50"))
    assert spend_svg(other, title_id="a") != first  # the cache keys on every figure shown
    assert "£300,000" in first and "£120,000.50" in first
    assert "Ceiling £490,000" in first and "Key-decision threshold £500,000" in first
    assert "<style" not in first and 'style="' not in first


def test_spend_is_measured_against_the_ceiling_and_the_threshold(demo_programme):
    dash = dashboard_context(demo_programme, today=date(2026, 11, 30))
    # The demo commits £490,000 (stages 1 to 3) and has drawn nothing: figures from the
    # report, not the selector's own formula again.
    rows = dict(dash.spend.rows())
    assert rows["Spending ceiling"] == Decimal("490000.00")
    assert rows["Key-decision threshold"] == Decimal("500000.00")
    assert rows["Headroom under the ceiling"] == Decimal("0.00")
    assert rows["Headroom below the key-decision threshold"] == Decimal("10000.00")


def test_outputs_split_into_overdue_and_due_within_30_days(demo_programme):
    from stages.models import Output

    output = Output.objects.filter(stage__programme=demo_programme).order_by("id").first()
    today = date(2030, 1, 1)
    with acting_user(None):
        Output.objects.filter(stage__programme=demo_programme).exclude(pk=output.pk).update(
            due_date=today + timedelta(days=60)
        )
        output.due_date = today + timedelta(days=10)
        output.status = Output.Status.NOT_STARTED
        output.save()
    dash = dashboard_context(demo_programme, today=today)
    assert [d.output for d in dash.outputs.due_soon] == [output]
    assert dash.outputs.overdue == []


def test_changes_are_counted_since_the_last_report_or_the_last_30_days(
    client_for, cabinet, demo_programme
):
    from risks.models import Risk

    html = client_for(cabinet).get(dashboard_url(demo_programme)).content.decode()
    assert "No highlight report has been produced yet" in html

    ReportRun.objects.create(
        programme=demo_programme,
        kind=ReportRun.Kind.HIGHLIGHT,
        status=ReportRun.Status.DONE,
        finished_at=timezone.now(),
    )
    dash = dashboard_context(demo_programme, today=timezone.localdate())
    assert dash.changes.since_last_report and dash.changes.total == 0

    risk = Risk.objects.filter(programme=demo_programme).first()
    with acting_user(cabinet):
        risk.title = "A retitled risk"
        risk.save()
    dash = dashboard_context(demo_programme, today=timezone.localdate())
    assert [(k.label, k.count) for k in dash.changes.kinds] == [("Risk", 1)]
    html = client_for(cabinet).get(dashboard_url(demo_programme)).content.decode()
    assert "when the last highlight report was produced" in html
    assert "kind=risks.risk" in html


def test_a_programme_without_a_reserve_says_so(client_for, cabinet):
    from tests.reporting.support import make_programme

    programme = make_programme()
    html = client_for(cabinet).get(dashboard_url(programme)).content.decode()
    assert "No funding reserve is recorded for this programme." in html
    assert "No stages are recorded yet." in html


# Query count ------------------------------------------------------------------------------


def grow_tenfold(programme, officer, finance):
    """Ten times the demo's drawdowns, risks (with actions), progress updates and history rows,
    through the apps' services and factories."""
    from reporting.audit import tracked_models
    from reserves import services as reserve_services
    from reserves.models import Drawdown
    from risks.models import MitigationAction, Risk
    from stages.models import ProgressUpdate, Stage
    from tests.risks.factories import ActionFactory, RiskFactory
    from tests.stages.factories import OutputFactory, ProgressUpdateFactory

    def history_total() -> int:
        return sum(t.history_model.objects.count() for t in tracked_models())

    counts = {
        "drawdowns": Drawdown.objects.count(),
        "risks": Risk.objects.filter(programme=programme).count(),
        "updates": ProgressUpdate.objects.filter(stage__programme=programme).count(),
        "history": history_total(),
    }
    reserve = programme.funding_reserve
    stage = Stage.objects.filter(programme=programme).order_by("number").first()
    for n in range(max(counts["drawdowns"], 1) * 9):
        drawdown = reserve_services.drawdown_request(
            reserve=reserve, programme=None, purpose=f"Other work {n}", amount="1000", user=officer
        )
        if n % 2:
            drawdown = reserve_services.drawdown_approve(drawdown=drawdown, user=finance)
    with acting_user(officer):
        for n in range(max(counts["risks"], 1) * 9):
            risk = RiskFactory(
                programme=programme,
                number=1000 + n,
                owner=officer,
                residual_likelihood=1 + n % 5,
                residual_impact=1 + (n * 3) % 5,
                inherent_likelihood=5,
                inherent_impact=5,
            )
            ActionFactory(risk=risk, owner=officer, due_date=date(2023, 1, 1))
        for n in range(max(counts["updates"], 1) * 9):
            ProgressUpdateFactory(stage=stage, author=officer, as_of=date(2023, 1, 1), rag="amber")
            OutputFactory(stage=stage, owner=officer, due_date=date(2023, 2, 1) + timedelta(n))
        # More history rows: every risk retitled until the history has grown tenfold.
        risks = list(Risk.objects.filter(programme=programme))
        while history_total() < counts["history"] * 10:
            for risk in risks:
                risk.title = f"{risk.title[:150]}."
                risk.save()
    assert Drawdown.objects.count() >= counts["drawdowns"] * 10
    assert Risk.objects.filter(programme=programme).count() >= counts["risks"] * 10
    assert MitigationAction.objects.filter(risk__programme=programme).count() >= 9
    assert ProgressUpdate.objects.filter(stage__programme=programme).count() >= (
        counts["updates"] * 10
    )
    assert history_total() >= counts["history"] * 10


def test_the_query_count_is_the_same_with_ten_times_the_data(
    client_for, cabinet, officer, finance, demo_programme
):
    client = client_for(cabinet)
    url = dashboard_url(demo_programme)
    client.get(url)  # sessions and caches warmed, as for any later page
    at_demo_size = page_queries(client, url)
    grow_tenfold(demo_programme, officer, finance)
    at_ten_times = page_queries(client, url)
    extra = [q for q in at_ten_times if q not in at_demo_size]
    assert len(at_ten_times) == len(at_demo_size), extra
    assert len(at_demo_size) == query_count(client, url)  # the shared helper agrees


def page_queries(client, url) -> list[str]:
    """The SQL of one GET, literals blanked, so two sizes compare query by query."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    forget_page_fragments()  # the page drawn in full, as after any change
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [re.sub(r"\b\d+\b|'[^']*'", "?", q["sql"]) for q in ctx.captured_queries]
