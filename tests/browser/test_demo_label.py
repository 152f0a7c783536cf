"""With the demo loaded, the dashboard, the highlight PDF and its workbook say so, and the
illustrative groups carry their label; with a database made without the demo, none does."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from programme.models import Programme
from reporting import services
from reporting.models import ReportRun
from tests.reporting.support import pdf_text, read_storage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _highlight(programme, user) -> tuple[str, list]:
    run = ReportRun.objects.create(programme=programme, kind="highlight", requested_by=user)
    services.report_generate(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    text = " ".join(pdf_text(read_storage(services.file_name(run, "pdf"))).split())
    book = load_workbook(io.BytesIO(read_storage(services.file_name(run, "xlsx"))))
    summary = [list(row) for row in book["Summary"].iter_rows(values_only=True)]
    return text, summary


def test_the_demo_says_it_is_demo_on_the_dashboard_the_pdf_and_the_workbook(
    live_server, page, login_page, officer, demo_programme
):
    login_page(page, live_server, "officer")
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/dashboard/")
    expect(page.locator("[data-demo-banner]")).to_contain_text("Demo data")
    labels = page.locator("[data-demo-label]")
    expect(labels.first).to_contain_text("Illustrative (demo)")
    # The page-wide line, and one each over stages, outputs and benefits.
    expect(labels).to_have_count(4)
    expect(page.locator("#benefits-table")).to_contain_text("(demo target)")

    text, summary = _highlight(demo_programme, officer)
    assert "Demo data" in text
    assert "illustrative (demo)" in text.lower()
    assert "(demo target)" in text
    assert summary[1][0] == "Demo data"

    # The programme record: a fact from the report opens to show the report's words.
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/#benefits")
    quote = page.locator("#benefits details").first
    quote.locator("summary").click()
    expect(quote).to_contain_text("Across the council there are nine call centres")


def test_a_database_without_the_demo_shows_no_demo_label(live_server, page, login_page, officer):
    programme = Programme.objects.create(
        name="Libraries transformation",
        slug="libraries-transformation",
        council="A council",
        spending_ceiling=Decimal("100000.00"),
    )
    login_page(page, live_server, "officer")
    page.goto(f"{live_server.url}/programmes/{programme.slug}/dashboard/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    body = page.locator("body")
    expect(body).not_to_contain_text("Demo data")
    expect(body).not_to_contain_text("Illustrative (demo)")
    expect(page.locator("[data-demo-banner], [data-demo-label]")).to_have_count(0)

    text, summary = _highlight(programme, officer)
    assert "demo" not in text.lower()
    assert all("demo" not in str(cell).lower() for row in summary for cell in row)
