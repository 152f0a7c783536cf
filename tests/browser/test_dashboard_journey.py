"""A Cabinet member signs in to the dashboard, goes to the reports page, generates a highlight
report, waits for it and downloads it; axe-core checks the dashboard."""

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cabinet_member_starts_at_the_dashboard_and_downloads_a_report(
    live_server, page, login_page, cabinet, demo_programme
):
    from tests.reporting.support import pdf_text

    login_page(page, live_server, "cabinet")
    page.goto(f"{live_server.url}/")
    # Cabinet's home says what awaits them and leads to the dashboard (issue 15).
    page.get_by_role("link", name=f"Dashboard of {demo_programme.name}").click()
    expect(page).to_have_url(f"{live_server.url}/programmes/{demo_programme.slug}/dashboard/")
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.locator("#stages-table").get_by_text("Amber/green")).to_be_visible()
    expect(page.get_by_role("img", name="Committed and drawn spend against")).to_be_visible()
    assert_no_axe_violations(page)

    # The chart's figures open by keyboard from the summary beside it.
    page.get_by_text("The chart's figures: spend, ceiling and threshold").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#spend-table")).to_contain_text("£490,000")
    assert_no_axe_violations(page)

    page.get_by_role("navigation").get_by_role("link", name="Reports").click()
    page.get_by_label("Highlight report for Cabinet (PDF and Excel)").check()
    page.get_by_role("button", name="Generate report").click()
    expect(page.get_by_text("Highlight report requested")).to_be_visible()
    row = page.locator("#report-runs tbody tr").first
    expect(row.get_by_text("Done")).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        row.get_by_role("link", name="Download PDF").click()
    with open(info.value.path(), "rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert "£490,000" in text and "Amber/green" in text


def test_the_dashboard_prints_without_the_navigation(
    live_server, page, login_page, cabinet, demo_programme
):
    login_page(page, live_server, "cabinet")
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/dashboard/")
    page.emulate_media(media="print")
    expect(page.locator(".govuk-header")).to_be_hidden()
    expect(page.get_by_text("Print this page")).to_be_hidden()
    expect(page.get_by_role("heading", name="Spend against the ceiling")).to_be_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
