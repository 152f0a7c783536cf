"""An officer scores a report risk, records a review and sees the heat map change; the
register, heat map, risk page and forms pass axe-core (WCAG 2.2 A/AA)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import assert_no_axe_violations
from tests.helpers import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cell(page, basis, likelihood, impact):
    return page.locator(
        f'#heat-map-{basis} td[data-likelihood="{likelihood}"][data-impact="{impact}"]'
    )


def test_an_officer_scores_a_report_risk_records_a_review_and_sees_the_heat_map_change(
    role_users, demo_programme, live_server, page, login_page
):
    register = f"{live_server.url}/programmes/{demo_programme.slug}/risks/"
    login_page(page, live_server, "officer")
    page.goto(register)
    assert page.get_by_role("heading", level=1).inner_text() == "Risk and opportunity register"
    assert "Mitigation text is cut off in the report (para 54)" in page.inner_text(
        "#data-quality-list"
    )
    assert _cell(page, "residual", 3, 4).inner_text().startswith("0")
    assert_no_axe_violations(page)
    assert_no_axe_violations(page, context="#heat-map-residual")

    # Score R1 (unscored in the report).
    page.get_by_role(
        "link", name="The approach outlined in this paper is not supported"
    ).first.click()
    assert "R1" in page.inner_text(".govuk-caption-l")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Edit R1").click()
    page.select_option("#id_category", label="Strategic")
    page.select_option("#id_owner", label="Officer Tester")
    page.select_option("#id_inherent_likelihood", "4")
    page.select_option("#id_inherent_impact", "4")
    page.select_option("#id_residual_likelihood", "3")
    page.select_option("#id_residual_impact", "4")
    page.select_option("#id_target_likelihood", "2")
    page.select_option("#id_target_impact", "2")
    page.select_option("#id_response", "treat")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Save").click()
    assert "R1 saved" in page.inner_text("main")
    assert "12 High" in page.inner_text("#scores")

    # Record a review that lowers the residual likelihood.
    page.get_by_role("link", name="Record a review").click()
    page.select_option("#id_residual_likelihood", "2")
    page.fill("#id_notes", "Leadership team confirmed support at CLT")
    next_review = timezone.localdate() + timedelta(days=30)
    fill_date(page, "Next review date", next_review)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Record review").click()
    assert "Review of R1 recorded" in page.inner_text("main")
    assert "8 Medium" in page.inner_text("#scores")
    assert page.locator("figure svg[role=img] title").count() == 1
    assert "Leadership team confirmed support at CLT" in page.inner_text("#reviews")
    assert_no_axe_violations(page)

    # The heat map moved: residual 2×4 now counts R1; the cell links to it.
    page.goto(register)
    assert _cell(page, "residual", 2, 4).inner_text().startswith("1")
    assert _cell(page, "inherent", 4, 4).inner_text().startswith("1")
    assert "R1" not in page.inner_text("#data-quality-list")
    assert_no_axe_violations(page)
    _cell(page, "residual", 2, 4).get_by_role("link").click()
    assert page.locator("#register-table tbody tr").count() == 1
    assert "The approach outlined in this paper is not supported" in page.inner_text(
        "#register-table"
    )


def test_cabinet_reads_the_register_without_edit_controls_and_it_passes_axe(
    role_users, demo_programme, live_server, page, login_page
):
    login_page(page, live_server, "cabinet")
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/risks/")
    assert page.get_by_role("link", name="Add a risk or opportunity").count() == 0
    page.get_by_text("Filter and sort").click()
    page.select_option("#id_kind", "risk")
    page.get_by_role("button", name="Apply filters").click()
    assert "3 items match" in page.inner_text("#register-count")
    assert_no_axe_violations(page)
