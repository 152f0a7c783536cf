"""Issue 14's journey in a real browser: Cabinet sets a stage's tolerances; an officer's
progress update forecasts past the cost tolerance and escalates an issue; both head Cabinet's
dashboard and page 1 of the highlight report; the officer writes the exception report;
Cabinet decides both; the officer sees the decisions, the history names each person, and the
next highlight report shows the decisions on page 1."""

import re
import subprocess

import pytest

from reporting import documents, selectors
from reporting.models import ReportRun
from stages.models import Escalation, ToleranceException
from tests.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESCALATION = "Need CLT decision on call centre data owners"


def first_page_text(programme, tmp_path) -> str:
    """Page 1 of the highlight report as pdftotext reads it."""
    pdf = tmp_path / "highlight.pdf"
    pdf.write_bytes(documents.highlight_pdf(selectors.highlight_context(programme)))
    out = subprocess.run(  # noqa: S603 - a fixed command on a file this test wrote
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(out.split())


def test_escalation_and_exception_reach_cabinet_who_decide_and_the_officer_sees_it(
    role_users, demo_programme, live_server, browser, login_page, tmp_path
):
    base = f"{live_server.url}/programmes/{demo_programme.slug}"
    cabinet = browser.new_context().new_page()
    officer = browser.new_context().new_page()
    login_page(cabinet, live_server, "cabinet")
    login_page(officer, live_server, "officer")

    # Cabinet sets stage 1's budget and cost tolerance: a recorded decision.
    cabinet.goto(f"{base}/stages/tolerances/")
    assert_no_axe_violations(cabinet)
    cabinet.get_by_role("link", name="Set stage 1's tolerances").click()
    cabinet.get_by_label("Stage budget").fill("200000")
    cabinet.get_by_label("Cost tolerance (%)").fill("-5")
    cabinet.get_by_role("button", name="Record the decision").click()
    assert cabinet.get_by_text("A tolerance cannot be negative.").first.is_visible()
    assert_no_axe_violations(cabinet)
    cabinet.get_by_label("Cost tolerance (%)").fill("5")
    cabinet.get_by_role("button", name="Record the decision").click()
    assert cabinet.get_by_text(
        "Tolerances for stage 1 recorded as Cabinet's decision."
    ).is_visible()

    # The officer's update forecasts past the tolerance and escalates an issue.
    officer.goto(f"{base}/stages/1/updates/new/")
    officer.get_by_role("radio", name=re.compile(r"^Amber: ")).check()
    officer.get_by_label("Percent complete").fill("60")
    officer.get_by_label("Progress since the last update").fill("Data cleansing took longer")
    officer.get_by_label("Issues needing escalation").fill(ESCALATION)
    officer.get_by_label("Forecast cost").fill("£230,000")
    officer.get_by_role("button", name="Post the update").click()
    assert officer.get_by_text("Progress update for stage 1 posted.").is_visible()

    # Both head Cabinet's dashboard, with their age.
    cabinet.goto(f"{base}/dashboard/")
    needs = cabinet.locator("section[aria-labelledby=needs-cabinet-heading]")
    text = needs.inner_text()
    assert "1 open exception and 1 escalation awaiting Cabinet" in text
    assert "£20,000 over" in text and ESCALATION in text
    assert "0 days open" in text and "0 days waiting" in text
    headings = cabinet.locator("main h2").all_inner_texts()
    assert headings[0] == "Needs Cabinet", headings
    assert_no_axe_violations(cabinet)

    # Page 1 of the highlight report holds them too.
    page_one = first_page_text(demo_programme, tmp_path)
    assert "Needs Cabinet: open exceptions" in page_one
    assert "£20,000 over" in page_one and ESCALATION in page_one
    assert "Demo data." in page_one and "illustrative (demo)" in page_one

    # The officer writes the exception report; a missing cause is an error by the field.
    officer.goto(f"{base}/stages/1/")
    officer.get_by_role("link", name="Cost tolerance, stage 1").click()
    assert_no_axe_violations(officer)
    officer.get_by_label("Recommendation").fill("Accept: the ceiling still holds")
    officer.get_by_role("button", name="Send the report to Cabinet").click()
    assert officer.get_by_text(
        "Say what caused the forecast to break the tolerance."
    ).first.is_visible()
    assert officer.get_by_label("Recommendation").input_value() == "Accept: the ceiling still holds"
    assert ToleranceException.objects.get().status == "open"
    officer.get_by_label("Cause").fill("Call centre data needed more cleansing than scoped")
    officer.get_by_role("button", name="Send the report to Cabinet").click()
    assert officer.get_by_text("Exception report sent to Cabinet.").is_visible()

    # Cabinet decides both from the dashboard.
    cabinet.goto(f"{base}/dashboard/")
    cabinet.get_by_role("link", name="Cost tolerance, stage 1").click()
    cabinet.get_by_role("radio", name="Accept the forecast").check()
    cabinet.get_by_label("Reasons for the decision").fill("Within the ceiling; watch stage 2")
    cabinet.get_by_role("button", name="Record the decision").click()
    assert cabinet.get_by_text("the exception is closed").is_visible()
    cabinet.goto(f"{base}/dashboard/")
    cabinet.get_by_role("link", name=ESCALATION).click()
    assert_no_axe_violations(cabinet)
    cabinet.get_by_label("Cabinet's decision").fill("CLT to name the data owners by 1 May")
    cabinet.get_by_role("button", name="Record the decision").click()
    assert cabinet.get_by_text("shown to the officer").is_visible()
    cabinet.goto(f"{base}/dashboard/")
    assert (
        "Nothing is waiting for Cabinet"
        in cabinet.locator("section[aria-labelledby=needs-cabinet-heading]").inner_text()
    )

    # The officer sees the decisions on the stage page.
    officer.goto(f"{base}/stages/1/")
    cabinet_section = officer.locator("#cabinet ~ *").all_inner_texts()
    seen = " ".join(cabinet_section)
    assert "CLT to name the data owners by 1 May" in seen
    assert "Accept the forecast" in seen

    # The history names each person; the next report shows the decisions on page 1.
    exception = ToleranceException.objects.get()
    assert {h.history_user.username for h in exception.history.all()} == {"officer", "cabinet"}
    escalation = Escalation.objects.get()
    assert {h.history_user.username for h in escalation.history.all()} == {"officer", "cabinet"}
    ReportRun.objects.create(
        programme=demo_programme,
        kind=ReportRun.Kind.HIGHLIGHT,
        status=ReportRun.Status.DONE,
        finished_at=exception.reported_at,
    )
    page_one = first_page_text(demo_programme, tmp_path)
    assert "Decided since the last report" in page_one
    assert "Accept the forecast" in page_one
    assert "CLT to name the data owners by 1 May" in page_one
    assert "No open exception" in page_one
