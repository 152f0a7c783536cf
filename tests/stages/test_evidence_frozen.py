"""Issue 16, item 4: evidence is frozen once an output is submitted. Changing it sends the
output back to in progress and clears any acceptance, with a history row and a message; the
second officer can no longer accept evidence they did not see.

Written through the pages (not the services' keywords), so they ran against the code before
the fix and failed there."""

import re
from datetime import date

import pytest
from django.utils import timezone

from stages.models import Output

from .conftest import url
from .factories import OutputFactory

pytestmark = pytest.mark.django_db

OLD_EVIDENCE = "https://intranet.example.gov.uk/plan-v1"
NEW_EVIDENCE = "https://intranet.example.gov.uk/plan-v2"


@pytest.fixture
def submitted(stages, officer):
    """Output 2a, owned and submitted by `officer` with the first version of its evidence."""
    return OutputFactory(
        stage=stages[2],
        code="a",
        title="Communications plan",
        owner=officer,
        due_date=date(2024, 9, 30),
        status=Output.Status.SUBMITTED,
        evidence_url=OLD_EVIDENCE,
        submitted_by=officer,
        submitted_at=timezone.now(),
    )


def _edit(client, output, evidence_url):
    return client.post(
        url(output.stage.programme, "output_edit", number=output.stage.number, code=output.code),
        {
            "code": output.code,
            "title": output.title,
            "owner": output.owner_id,
            "due_date": output.due_date.isoformat(),
            "evidence_url": evidence_url,
        },
        follow=True,
    )


def _status_form_fields(page, output) -> dict:
    """The hidden fields of the status form as the page rendered it."""
    html = page.content.decode()
    action = url(output.stage.programme, "output_status", number=2, code=output.code)
    form = html[html.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    hidden.pop("csrfmiddlewaretoken", None)
    return hidden


def test_changing_the_evidence_of_a_submitted_output_sends_it_back_to_in_progress(
    client_for, officer, submitted
):
    response = _edit(client_for(officer), submitted, NEW_EVIDENCE)
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.evidence_url == NEW_EVIDENCE
    assert submitted.status == Output.Status.IN_PROGRESS
    assert (submitted.submitted_by, submitted.submitted_at) == (None, None)
    latest = submitted.history.latest()
    assert (latest.status, latest.history_user) == ("in_progress", officer)
    assert "Evidence changed after submission" in latest.history_change_reason
    assert "back in progress" in response.content.decode()


def test_changing_the_evidence_of_an_accepted_output_clears_the_acceptance(
    client_for, officer, officer2, submitted
):
    submitted.status = Output.Status.ACCEPTED
    submitted.accepted_by = officer2
    submitted.accepted_at = timezone.now()
    submitted.save()
    _edit(client_for(officer), submitted, NEW_EVIDENCE)
    submitted.refresh_from_db()
    assert submitted.status == Output.Status.IN_PROGRESS
    assert (submitted.accepted_by, submitted.accepted_at) == (None, None)
    assert submitted.history.latest().history_user == officer


def test_saving_a_submitted_output_without_changing_its_evidence_keeps_it_submitted(
    client_for, officer, submitted
):
    _edit(client_for(officer), submitted, OLD_EVIDENCE)
    submitted.refresh_from_db()
    assert submitted.status == Output.Status.SUBMITTED
    assert submitted.submitted_by == officer


def test_the_second_officer_cannot_accept_evidence_they_did_not_see(
    client_for, officer, officer2, submitted
):
    """officer2 opens the page on version 1; the owner swaps in version 2 and submits again;
    officer2's accept (made on version 1) is refused and changes nothing."""
    detail = url(submitted.stage.programme, "output_detail", number=2, code="a")
    seen_page = client_for(officer2).get(detail)
    assert OLD_EVIDENCE in seen_page.content.decode()
    fields = _status_form_fields(seen_page, submitted)

    _edit(client_for(officer), submitted, NEW_EVIDENCE)
    client_for(officer).post(
        url(submitted.stage.programme, "output_status", number=2, code="a"),
        {"status": "submitted"},
    )
    submitted.refresh_from_db()
    assert submitted.status == Output.Status.SUBMITTED
    history_rows = submitted.history.count()

    response = client_for(officer2).post(
        url(submitted.stage.programme, "output_status", number=2, code="a"),
        {**fields, "status": "accepted"},
    )
    assert response.status_code == 200
    assert "evidence changed after this page was opened" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Output.Status.SUBMITTED
    assert submitted.accepted_by is None
    assert submitted.history.count() == history_rows

    # Looking again, at version 2, officer2 may accept it.
    fresh = _status_form_fields(client_for(officer2).get(detail), submitted)
    accepted = client_for(officer2).post(
        url(submitted.stage.programme, "output_status", number=2, code="a"),
        {**fresh, "status": "accepted"},
    )
    assert accepted.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.accepted_by) == ("accepted", officer2)


def test_a_stored_evidence_file_stays_when_no_new_file_is_chosen_and_clearing_it_reopens(
    client_for, officer, submitted
):
    from django.core.files.base import ContentFile

    submitted.evidence_url = ""
    submitted.evidence_file.save("plan.pdf", ContentFile(b"%PDF-1.4 plan"), save=True)
    stored = submitted.evidence_file.name
    address = url(submitted.stage.programme, "output_edit", number=2, code="a")
    form = {
        "code": "a",
        "title": submitted.title,
        "owner": officer.pk,
        "due_date": submitted.due_date.isoformat(),
        "note": "Typo fixed in the note",
    }
    assert client_for(officer).post(address, form).status_code == 302
    submitted.refresh_from_db()
    assert (submitted.evidence_file.name, submitted.status) == (stored, Output.Status.SUBMITTED)

    assert (
        client_for(officer).post(address, {**form, "evidence_file-clear": "on"}).status_code == 302
    )
    submitted.refresh_from_db()
    assert not submitted.evidence_file
    assert submitted.status == Output.Status.IN_PROGRESS
