"""A cabinet member generates a highlight report in the browser, watches it finish and
downloads it; axe-core checks the reports, audit and help pages."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_no_axe_violations
from tests.helpers import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cabinet_member_generates_and_downloads_a_highlight_report(
    live_server, page, login_page, cabinet, demo_programme
):
    login_page(page, live_server, "cabinet")
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/reports/")
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Highlight report for Cabinet (PDF and Excel)").check()
    page.get_by_role("button", name="Generate report").click()
    expect(page.get_by_text("Highlight report requested")).to_be_visible()
    row = page.locator("#report-runs tbody tr").first
    expect(row.get_by_text("Done")).to_be_visible(timeout=30_000)
    assert_no_axe_violations(page)
    with page.expect_download() as info:
        row.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert download.suggested_filename.startswith(demo_programme.slug)
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"


def test_the_reports_page_refreshes_itself_until_the_report_is_done(
    live_server, page, login_page, cabinet, demo_programme
):
    from reporting import services
    from reporting.models import ReportRun

    run = ReportRun.objects.create(programme=demo_programme, kind="highlight", requested_by=cabinet)
    login_page(page, live_server, "cabinet")
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/reports/")
    row = page.locator(f"#report-run-{run.pk}")
    expect(row.get_by_text("Queued")).to_be_visible()
    # A worker finishes it while the page is open: htmx polling shows it without a reload.
    services.report_generate(run_id=run.pk)
    expect(row.get_by_text("Done")).to_be_visible(timeout=10_000)
    expect(row.get_by_role("link", name="Download Excel")).to_be_visible()
    expect(page.locator("#report-runs")).not_to_have_attribute("hx-trigger", "every 2s")


def test_the_audit_log_and_an_objects_history_pass_axe(
    live_server, page, login_page, officer, demo_programme
):
    login_page(page, live_server, "officer")
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/audit/")
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    assert_no_axe_violations(page)
    fill_date(page, "From", date(2020, 3, 1))
    fill_date(page, "To", date(2020, 2, 1))
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/audit/")
    page.locator("table a.govuk-link").first.click()
    expect(page.get_by_role("heading", name="History of")).to_be_visible()
    assert_no_axe_violations(page)


@pytest.mark.parametrize("guide", ["officer", "finance", "cabinet"])
def test_each_help_page_passes_axe_and_reaches_the_glossary(
    guide, live_server, page, login_page, finance, demo_programme
):
    login_page(page, live_server, "finance")
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/help/")
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/help/{guide}/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="glossary").first.click()
    assert page.url.endswith(f"/programmes/{demo_programme.slug}/#glossary")
