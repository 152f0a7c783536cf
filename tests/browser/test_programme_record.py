"""The programme record in a real browser: an officer corrects a consultation, a cabinet
member records a decision, and axe-core finds no WCAG 2.2 A/AA violation on the way."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD, assert_no_axe_violations
from tests.helpers import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_edits_a_consultation_outcome(
    officer, demo_programme, live_server, page, login_page
):
    login_page(page, live_server, "officer")
    page.goto(f"{live_server.url}{demo_programme.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(demo_programme.name)
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Edit consultation with Political Groups Consultation").click()
    outcome = page.get_by_label("Outcome")
    expect(outcome).to_have_value(
        "Mixed views were received but in general supportive of the proposal"
    )
    outcome.fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator("#id_outcome-error")).to_contain_text("This field is required")
    assert_no_axe_violations(page)

    page.get_by_label("Outcome").fill("Supportive after the groups' questions were answered")
    page.get_by_label("Supportive").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The consultation is saved.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Political Groups Consultation"))
    expect(row).to_contain_text("Supportive after the groups' questions were answered")

    from programme.models import Consultation

    consultation = Consultation.objects.get(body="Political Groups Consultation")
    assert consultation.stance == "supportive"
    assert consultation.history.latest().history_user == officer


def test_a_cabinet_member_records_a_decision(
    cabinet, demo_programme, live_server, page, login_page
):
    login_page(page, live_server, "cabinet")
    page.goto(f"{live_server.url}{demo_programme.get_absolute_url()}")
    expect(page.get_by_role("link", name="Edit the decision summary")).to_have_count(0)
    page.get_by_role("link", name="Record decision on recommendation c").click()
    assert_no_axe_violations(page)
    page.get_by_label("Deferred").check()
    fill_date(page, "Date of the decision", date(2022, 7, 20))
    page.get_by_label("Notes (optional)").fill("Wait for the stage 1 outputs")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The decision on recommendation c) is recorded.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(r"^c\)"))
    expect(row).to_contain_text("Deferred")
    expect(row).to_contain_text("20 July 2022, Cabinet Tester")
    assert_no_axe_violations(page)

    from programme.models import Recommendation

    rec = Recommendation.objects.get(programme=demo_programme, label="c")
    assert (rec.outcome, rec.decided_by) == ("deferred", cabinet)
    assert rec.history.latest().history_user == cabinet


def test_the_printable_record_and_the_ceiling_page_pass_axe(
    admin_user, demo_programme, live_server, page, login_page
):
    login_page(page, live_server, "admin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/print/")
    expect(page.get_by_text("Nothing is missing")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/reserves/programmes/{demo_programme.slug}/ceiling/")
    page.get_by_label("New spending ceiling").fill("£600,000")
    page.get_by_label("Decision title").fill("Stage 3")
    fill_date(page, "Date of the decision", date(2023, 1, 10))
    page.get_by_label("Decision reference", exact=True).fill("Minute 12")
    page.get_by_label("What was decided, and why").fill("More money")
    page.get_by_role("button", name="Propose the new ceiling").click()
    expect(page.locator("#id_key_decision_reference-error")).to_contain_text(
        "only a new key decision can set it"
    )
    expect(page.get_by_label("New spending ceiling")).to_have_value("£600,000")
    assert_no_axe_violations(page)
