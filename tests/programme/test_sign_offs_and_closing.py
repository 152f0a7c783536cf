"""Issue 16, item 7: sign-offs and closing the programme are actions of signed-in users with
the right role. A new sign-off names the signed-in user who signed (no typed name); closing
the programme needs the Cabinet (or Admin) role; the report's own sign-offs stay as written,
labelled "as recorded in the report".

The first tests go through the pages (not the services' keywords), so they ran against the
code before the fix and failed there."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from programme import selectors, services
from programme.models import Programme, ReportReview
from tests.programme.conftest import ProgrammeFactory, history_count, row_count, signed_off

pytestmark = pytest.mark.django_db


def _status(client, programme, status):
    return client.post(reverse("programme:status", args=[programme.slug]), {"status": status})


# Closing the programme ---------------------------------------------------------------------


def test_one_officer_alone_cannot_close_the_programme(client_for, officer, record):
    assert record.status == Programme.Status.IN_DELIVERY
    rows, history = row_count(), history_count()
    response = _status(client_for(officer), record, "closed")
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == Programme.Status.IN_DELIVERY
    assert (row_count(), history_count()) == (rows, history)


def test_a_cabinet_member_closes_the_programme_and_history_names_them(client_for, cabinet, record):
    response = _status(client_for(cabinet), record, "closed")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Programme.Status.CLOSED
    latest = record.history.latest()
    assert latest.history_user == cabinet
    assert latest.history_change_reason == "Status In delivery → Closed"


def test_the_status_page_offers_each_role_only_its_own_moves(
    client_for, officer, cabinet, finance, record
):
    url = reverse("programme:status", args=[record.slug])
    officer_page = client_for(officer).get(url).content.decode()
    assert 'value="approved"' in officer_page and 'value="closed"' not in officer_page
    cabinet_page = client_for(cabinet).get(url).content.decode()
    assert 'value="closed"' in cabinet_page and 'value="approved"' not in cabinet_page
    assert client_for(finance).get(url).status_code == 403


def test_reopening_a_closed_programme_is_also_a_cabinet_decision(officer, cabinet, programme):
    signed_off(programme)
    services.programme_set_status(actor=cabinet, programme=programme, status="closed")
    with pytest.raises(PermissionDenied):
        services.programme_set_status(actor=officer, programme=programme, status="in_delivery")
    assert Programme.objects.get(pk=programme.pk).status == "closed"
    services.programme_set_status(actor=cabinet, programme=programme, status="in_delivery")
    assert Programme.objects.get(pk=programme.pk).status == "in_delivery"


def test_a_stale_page_cannot_carry_an_officer_past_a_cabinet_close(officer, cabinet, programme):
    """The officer's page was drawn before cabinet closed the programme: the move is judged on
    the row as it is now."""
    signed_off(programme)
    stale = Programme.objects.get(pk=programme.pk)
    services.programme_set_status(actor=cabinet, programme=programme, status="closed")
    with pytest.raises(PermissionDenied):
        services.programme_set_status(actor=officer, programme=stale, status="draft")
    assert Programme.objects.get(pk=programme.pk).status == "closed"


# Signing off -------------------------------------------------------------------------------


def _sign(client, programme, area, **data):
    url = reverse("programme:review_edit", args=[programme.slug, area])
    return client.post(url, {"confirm": "on", **data})


@time_machine.travel(date(2024, 3, 5))
def test_a_sign_off_names_the_signed_in_user(client_for, officer, programme):
    officer.first_name, officer.last_name = "Olive", "Officer"
    officer.save()
    response = _sign(client_for(officer), programme, "legal", reviewer_role="Head of Legal")
    assert response.status_code == 302
    review = ReportReview.objects.get(programme=programme, area="legal")
    assert review.signed_by == officer
    assert review.reviewer == ""  # no typed name
    assert review.reviewed_on == date(2024, 3, 5)
    assert review.reviewer_role == "Head of Legal"
    latest = review.history.latest()
    assert latest.history_user == officer
    assert latest.signed_by_id == officer.pk
    page = client_for(officer).get(programme.get_absolute_url()).content.decode()
    assert "Olive Officer" in page and "Signed in the tracker" in page


def test_a_typed_name_is_not_taken_as_the_signer(client_for, officer, programme):
    _sign(client_for(officer), programme, "risk", reviewer="Kevin Lloyd", reviewed_on="2022-07-05")
    review = ReportReview.objects.get(programme=programme, area="risk")
    assert (review.signed_by, review.reviewer) == (officer, "")


def test_signing_needs_the_confirmation_and_saves_nothing_without_it(
    client_for, officer, programme
):
    rows, history = row_count(), history_count()
    url = reverse("programme:review_edit", args=[programme.slug, "risk"])
    response = client_for(officer).post(url, {})
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert (row_count(), history_count()) == (rows, history)


def test_the_reports_own_sign_offs_stay_as_written_and_say_so(client_for, officer, record):
    reviews = {r.area: r for r in record.reviews.all()}
    assert (reviews["governance"].reviewer, reviews["governance"].reviewed_on) == (
        "John Coleman",
        date(2022, 7, 7),
    )
    assert all(r.signed_by is None and r.is_from_report for r in reviews.values())
    page = client_for(officer).get(record.get_absolute_url()).content.decode()
    assert page.count("As recorded in the report") == 8
    # Signing again over the report's own sign-off is refused; so is withdrawing it.
    rows, history = row_count(), history_count()
    response = _sign(client_for(officer), record, "governance")
    assert "already signed by John Coleman on 7 July 2022" in response.content.decode()
    url = reverse("programme:review_edit", args=[record.slug, "governance"])
    response = client_for(officer).post(url, {"action": "withdraw"})
    assert response.status_code == 200
    assert "as recorded in the report, so it stays as written" in response.content.decode()
    assert (row_count(), history_count()) == (rows, history)


def test_the_sign_off_export_says_how_each_was_recorded(officer, record):
    headers, rows = selectors.sign_off_rows(record)
    how = headers.index("How it was recorded")
    assert {row[how] for row in rows} == {"As recorded in the report"}
    assert rows[0][headers.index("Signed by")] == "John Coleman"


def test_a_database_row_cannot_hold_both_a_user_and_a_typed_name(officer, programme):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReportReview.objects.create(
            programme=programme,
            area="legal",
            reviewer="Someone Typed",
            signed_by=officer,
            reviewed_on=date(2022, 7, 1),
        )


def test_only_the_signer_or_an_admin_withdraws_a_sign_off(officer, officer2, admin_user):
    programme = ProgrammeFactory()
    services.report_review_sign(actor=officer, programme=programme, area="legal", data={})
    with pytest.raises(PermissionDenied):
        services.report_review_withdraw(actor=officer2, programme=programme, area="legal")
    services.report_review_withdraw(actor=officer, programme=programme, area="legal")
    review = ReportReview.objects.get(programme=programme, area="legal")
    assert not review.is_signed and review.signed_by is None
    assert review.history.latest().history_user == officer
    services.report_review_sign(actor=officer2, programme=programme, area="legal", data={})
    services.report_review_withdraw(actor=admin_user, programme=programme, area="legal")
    assert not ReportReview.objects.get(programme=programme, area="legal").is_signed


def test_an_area_cannot_be_signed_after_the_final_approval(officer, programme):
    signed_off(programme)  # final approval on 11 July 2022
    ReportReview.objects.filter(programme=programme, area="legal").delete()
    with pytest.raises(ValidationError) as refused:
        services.report_review_sign(actor=officer, programme=programme, area="legal", data={})
    assert "on or before the final approval (11 July 2022)" in str(refused.value.message_dict)
    assert not ReportReview.objects.filter(programme=programme, area="legal").exists()


def test_sign_offs_of_an_approved_programme_cannot_be_withdrawn(officer, programme):
    for area in ReportReview.Area.values:
        services.report_review_sign(actor=officer, programme=programme, area=area, data={})
    services.programme_set_status(actor=officer, programme=programme, status="approved")
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        services.report_review_withdraw(actor=officer, programme=programme, area="risk")
    assert ReportReview.objects.get(programme=programme, area="risk").signed_by == officer
