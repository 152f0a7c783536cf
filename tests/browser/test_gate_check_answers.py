"""A cabinet member records a stage gate on a phone: the form, then "check your answers" with
what recording it will do, a way back to change the answers, and the button that acts. The
pages fit 320 px and pass axe."""

from datetime import date

import pytest
from playwright.sync_api import expect

from stages.models import Output, Stage
from tests.conftest import assert_no_axe_violations
from tests.helpers import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_cabinet_member_checks_the_gate_before_it_is_recorded(
    cabinet, demo_programme, live_server, page, login_page
):
    page.set_viewport_size({"width": 320, "height": 800})
    login_page(page, live_server, "cabinet")
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/stages/2/gate/")
    fill_date(page, "Date of the decision", date(2024, 6, 3))
    page.get_by_label("Decision maker").fill("Cabinet member for finance")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    accepted = Output.objects.filter(
        stage__programme=demo_programme, stage__number=1, status=Output.Status.ACCEPTED
    ).count()
    total = Output.objects.filter(stage__programme=demo_programme, stage__number=1).count()
    expect(page.locator("#effect")).to_contain_text(
        f"Stage 1 has {accepted} of {total} outputs accepted"
    )
    expect(page.locator("#effect")).to_contain_text("Cabinet member for finance")
    assert fits(page)
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Change your answers").click()
    expect(page.get_by_label("Decision maker")).to_have_value("Cabinet member for finance")
    page.get_by_label("Decision maker").fill("Leader of the council")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#effect")).to_contain_text("Leader of the council")

    page.get_by_role("button", name="Record the gate decision").click()
    stage = Stage.objects.get(programme=demo_programme, number=2)
    if accepted == total:
        expect(page.get_by_text("The gate into stage 2 is recorded.")).to_be_visible()
        assert stage.gate_decision.decision_maker == "Leader of the council"
    else:
        # The service checks again when it acts: refused, said next to the form, nothing kept.
        assert page.title().startswith("Error: ")
        expect(page.locator(".govuk-error-summary")).to_contain_text("accepted")
        assert stage.gate_decision_id is None
    assert fits(page)
