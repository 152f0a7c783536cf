"""Finance in a real browser: approves a drawdown and sees the statement change, is shown the
headroom left when an approval would breach the ceiling, and every reserve page passes
axe-core (WCAG 2.2 A and AA)."""

from decimal import Decimal

import pytest

from reserves import services
from tests.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ledger(officer, finance, cabinet, admin_user):
    from tests.reserves.factories import ProgrammeFactory, ReserveFactory

    reserve = ReserveFactory(name="Financial Resilience earmarked reserve")
    programme = ProgrammeFactory(
        name="Digital and customer services transformation",
        slug="digital",
        funding_reserve=reserve,
    )
    first, second = (
        services.drawdown_request(
            reserve=reserve,
            programme=programme,
            purpose=purpose,
            amount=amount,
            user=officer,
        )
        for purpose, amount in (("Stage 1 diagnostics", "300000"), ("Stages 2 and 3", "250000"))
    )
    return {"reserve": reserve, "programme": programme, "first": first, "second": second}


def _statement_figure(page, element_id):
    return page.locator(f"#{element_id}").inner_text().strip()


def test_finance_approves_a_drawdown_and_the_statement_changes(
    ledger, live_server, page, login_page
):
    reserve = ledger["reserve"]
    login_page(page, live_server, "finance")
    page.goto(f"{live_server.url}/reserves/{reserve.pk}/")
    assert _statement_figure(page, "statement-available") == "£17,400,000"
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Drawdowns", exact=True).first.click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name=f"Check and approve {ledger['first'].reference}").click()
    page.wait_for_load_state()
    # Check before you approve: the effect, before the button that does it.
    assert "goes from £0 to £300,000 of its £490,000 ceiling" in page.content()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Approve £300,000").click()
    page.wait_for_load_state()
    assert f"{ledger['first'].reference} has been approved." in page.content()

    page.goto(f"{live_server.url}/reserves/{reserve.pk}/")
    assert _statement_figure(page, "statement-planned") == "£300,000"
    assert _statement_figure(page, "statement-available") == "£17,100,000"
    page.get_by_text("The chart's figures: balance after each movement").click()
    assert "£17,100,000" in page.locator("#movements-table").inner_text()
    assert_no_axe_violations(page)


def test_an_over_ceiling_approval_shows_the_headroom_left(
    ledger, finance, live_server, page, login_page
):
    services.drawdown_approve(drawdown=ledger["first"], user=finance)
    second = ledger["second"]
    login_page(page, live_server, "finance")
    page.goto(f"{live_server.url}/reserves/drawdowns/{second.pk}/")
    page.get_by_role("link", name="Check and approve £250,000").click()
    page.wait_for_load_state()
    assert "This does not fit" in page.content()
    page.get_by_role("button", name="Approve £250,000").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert (
        "This would take committed spend to £550,000, above the £490,000 ceiling: "
        "£190,000 of headroom is left." in summary.inner_text()
    )
    assert_no_axe_violations(page)
    second.refresh_from_db()
    assert second.status == "requested"

    page.goto(f"{live_server.url}/reserves/refusals/")
    assert "£190,000 of headroom is left" in page.locator("#refusals").inner_text()
    assert_no_axe_violations(page)


def test_a_bad_amount_on_the_request_form_is_shown_and_kept(ledger, live_server, page, login_page):
    login_page(page, live_server, "officer")
    page.goto(f"{live_server.url}/reserves/drawdowns/new/")
    page.get_by_label("What the money is for").fill("Extra licences")
    page.get_by_label("Amount (£)").fill("12.345")
    page.get_by_role("button", name="Request the drawdown").click()
    page.wait_for_load_state()
    assert "no more than 2 decimal places" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Amount (£)").input_value() == "12.345"
    assert_no_axe_violations(page)


def test_every_reserve_page_passes_axe(ledger, live_server, page, login_page):
    reserve, programme = ledger["reserve"], ledger["programme"]
    from reserves.models import CostLine, StatedFigure

    CostLine.objects.create(
        programme=programme, label="Stage 1", financial_year="2022/23", amount=Decimal("200000")
    )
    StatedFigure.objects.create(
        programme=programme,
        reserve=reserve,
        kind=StatedFigure.Kind.RESERVE_REMAINING,
        label="Balance left",
        stated_text="approximately £5.9m",
        stated_amount=Decimal("5900000"),
        source_reference="Resource implications",
    )
    login_page(page, live_server, "finance")
    for path in [
        "/reserves/",
        f"/reserves/{reserve.pk}/edit/",
        f"/reserves/drawdowns/{ledger['first'].pk}/",
        "/reserves/drawdowns/?status=requested",
        "/reserves/programmes/digital/cost-profile/",
        "/reserves/programmes/digital/cost-profile/lines/new/",
        "/reserves/programmes/digital/stated-figures/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert_no_axe_violations(page)
