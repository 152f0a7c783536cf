"""Finance in a real browser: maps the ledger's columns and a cost centre, uploads an export,
sees what it would change, confirms it, and the reserve statement and actuals page show the
spend; a file with a bad row imports nothing and says which row. Each page passes axe."""

import pytest

from tests.conftest import assert_no_axe_violations
from tests.reserves.actuals.conftest import csv_bytes, make_council_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    'GL-1,19/07/2022,DT100,5001,"£1,000.00",Acme Ltd,Company,Discovery workshops,0',
    "GL-2,03/08/2022,DT100,5001,250.50,Jane Smith,Individual,Interviews,0",
]


@pytest.fixture
def council_programme(admin_user):
    return make_council_programme(admin_user)


def test_finance_maps_uploads_confirms_and_the_statement_shows_the_spend(
    council_programme, finance, live_server, page, login_page, tmp_path
):
    programme = council_programme
    base = f"{live_server.url}/reserves/programmes/{programme.slug}/actuals"
    login_page(page, live_server, "finance")

    page.goto(f"{base}/imports/")
    page.get_by_role("link", name="Set up the ledger columns").click()
    assert_no_axe_violations(page)
    for label, value in (
        ("Transaction reference", "Trans Ref"),
        ("Posting date", "Posting Date"),
        ("Cost centre", "Cost Centre"),
        ("Account or subjective code", "Subjective"),
        ("Amount (or debit)", "Amount"),
        ("Supplier", "Supplier"),
        ("Supplier type", "Supplier Type"),
        ("Description", "Narrative"),
        ("Irrecoverable VAT", "VAT"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save the columns").click()
    assert "The ledger columns for Testshire Council are saved" in page.content()

    page.goto(f"{base}/cost-centres/")
    page.get_by_label("Cost centre", exact=True).fill("DT100")
    page.get_by_label("Stage").select_option(label="Stage 1: Diagnostics")
    page.get_by_label("Cost line").select_option(label="Diagnostics (2022/23)")
    page.get_by_role("button", name="Map the cost centre").click()
    assert page.locator("#cost-centres").get_by_role("cell", name="DT100", exact=True).is_visible()
    assert_no_axe_violations(page)

    # A file with a bad last row: nothing imported, the row named.
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([*ROWS, "GL-3,32/08/2022,DT100,5001,10,X,Company,x,0"]))
    page.goto(f"{base}/imports/")
    page.get_by_label("Ledger export (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()
    assert page.locator("#import-status-text").inner_text() == "Not imported: the file has errors"
    assert "“32/08/2022” is not a date" in page.locator("#import-errors").inner_text()
    assert_no_axe_violations(page)

    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(ROWS, encoding="cp1252"))
    page.goto(f"{base}/imports/")
    page.get_by_label("Ledger export (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Upload and check").click()
    assert "add 2 new transactions" in page.locator("#import-changes").inner_text()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Confirm the import").click()
    assert page.locator("#import-status-text").inner_text() == "Imported"

    page.goto(f"{live_server.url}/reserves/{programme.funding_reserve_id}/")
    row = page.locator("#reserve-actuals tbody tr").first
    assert "£1,250.50" in row.inner_text()
    assert_no_axe_violations(page)

    page.goto(f"{base}/")
    assert page.locator("#recon-spent").inner_text() == "£1,250.50"
    assert_no_axe_violations(page)
