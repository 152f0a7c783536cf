"""An officer posts a progress update in a real browser and sees it on the stage page; the
stage pages pass axe-core's WCAG 2.2 A/AA rules."""

import re

import pytest

from tests.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_posts_a_progress_update_and_sees_it_on_the_stage_page(
    role_users, demo_programme, live_server, page, login_page
):
    login_page(page, live_server, "officer")
    page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/stages/")
    assert page.get_by_role("heading", level=1).inner_text() == "Stages"
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Stage 1: Diagnostics").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Stage 1: Diagnostics"
    assert page.locator("figure svg[role=img]").count() == 1
    page.get_by_text("Show the chart's data as a table").click()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Post a progress update").click()
    assert_no_axe_violations(page)
    # Bad input first: the message sits next to the field and what was typed is kept.
    page.get_by_role("radio", name=re.compile(r"^Amber: ")).check()
    page.get_by_label("Percent complete").fill("150")
    page.get_by_label("Progress since the last update").fill("Gap analysis workshops held")
    page.get_by_role("button", name="Post the update").click()
    assert page.get_by_role("alert").get_by_text("There is a problem").is_visible()
    assert page.get_by_text("Percent complete must be 100 or less.").first.is_visible()
    assert page.get_by_label("Progress since the last update").input_value() == (
        "Gap analysis workshops held"
    )
    assert_no_axe_violations(page)

    page.get_by_label("Percent complete").fill("80")
    page.get_by_label("Issues needing escalation").fill("Business case needs CLT time")
    # Keyboard only: the submit button is reached and pressed without the mouse.
    page.get_by_role("button", name="Post the update").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert re.search(r"/stages/1/#updates$", page.url)
    assert page.get_by_text("Progress update for stage 1 posted.").is_visible()
    latest = page.locator("#updates ~ article").first
    assert "Amber, 80% complete" in latest.inner_text()
    assert "Gap analysis workshops held" in latest.inner_text()
    assert "Needs escalation: Business case needs CLT time" in latest.inner_text()
    assert "Posted by Officer Tester" in latest.inner_text()
    summary = page.locator("dl.govuk-summary-list").first.inner_text()
    assert "Amber" in summary and "80%" in summary
    assert_no_axe_violations(page)


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("officer", "my-outputs/"),
        ("officer", "1/outputs/g/"),
        ("officer", "1/edit/"),
        ("officer", "1/outputs/new/"),
        ("cabinet", "2/"),
        ("cabinet", "3/"),
        ("cabinet", "approve/"),
    ],
)
def test_the_other_stage_pages_pass_axe(
    username, path, role_users, demo_programme, live_server, page, login_page
):
    login_page(page, live_server, username)
    response = page.goto(f"{live_server.url}/programmes/{demo_programme.slug}/stages/{path}")
    assert response.status == 200
    assert_no_axe_violations(page)
