"""The reports page: who may see and generate, bad input, htmx refresh, downloads, and the
`request_report` command doing what the button does."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reporting import services
from reporting.models import ReportRun
from tests.conftest import make_user
from tests.helpers import query_count
from tests.reporting.support import make_programme, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    return make_programme()


def _url(programme, name="reporting:reports", **kwargs):
    return reverse(name, kwargs={"slug": programme.slug, **kwargs})


@pytest.mark.parametrize("role", ["officer", "finance", "cabinet", "admin"])
def test_every_role_sees_the_reports_page_and_may_generate_a_report(
    role, role_users, client_for, programme, django_capture_on_commit_callbacks
):
    client = client_for(role_users[role])
    page = client.get(_url(programme))
    assert page.status_code == 200
    assert b"Generate report" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(programme, "reporting:report_request"), {"kind": "highlight"})
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert run.requested_by == role_users[role]
    assert run.status == ReportRun.Status.DONE


def test_a_user_without_a_role_is_refused_every_reports_page(client_for, programme):
    nobody = make_user("nobody", None)
    client = client_for(nobody)
    assert client.get(_url(programme)).status_code == 403
    assert (
        client.post(_url(programme, "reporting:report_request"), {"kind": "highlight"}).status_code
        == 403
    )
    assert not ReportRun.objects.exists()


def test_an_unknown_kind_of_report_is_refused_with_a_message(client_for, officer, programme):
    response = client_for(officer).post(
        _url(programme, "reporting:report_request"), {"kind": "everything"}
    )
    assert response.status_code == 400
    assert b"Choose which report to generate" in response.content
    assert b"govuk-error-summary" in response.content
    assert not ReportRun.objects.exists()


def test_the_page_polls_while_a_report_is_queued_and_stops_when_done(
    client_for, cabinet, programme
):
    run = ReportRun.objects.create(programme=programme, kind="highlight", requested_by=cabinet)
    client = client_for(cabinet)
    full = client.get(_url(programme)).content.decode()
    assert 'hx-trigger="every 2s"' in full
    partial = client.get(_url(programme), HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "<html" not in text and 'id="report-runs"' in text
    assert 'hx-trigger="every 2s"' in text
    assert "Queued" in text
    services.report_generate(run_id=run.pk)
    text = client.get(_url(programme), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in text
    assert "Done" in text and "Download PDF" in text
    assert 'hx-swap-oob="true"' in text  # the polite status message for screen readers
    assert partial["Vary"] and "HX-Request" in partial["Vary"]


def test_a_failed_run_shows_why(client_for, cabinet, programme):
    ReportRun.objects.create(
        programme=programme,
        kind="highlight",
        status=ReportRun.Status.FAILED,
        error="The report could not be produced: the request names no programme.",
    )
    page = client_for(cabinet).get(_url(programme)).content.decode()
    assert "Failed" in page
    assert "the request names no programme" in page


def test_a_done_report_downloads_through_the_access_check(client_for, cabinet, programme):
    run = ReportRun.objects.create(programme=programme, kind="highlight", requested_by=cabinet)
    services.report_generate(run_id=run.pk)
    client = client_for(cabinet)
    response = client.get(_url(programme, "reporting:report_download", pk=run.pk, fmt="pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert "Test programme" in pdf_text(body)
    xlsx = client.get(_url(programme, "reporting:report_download", pk=run.pk, fmt="xlsx"))
    assert xlsx.status_code == 200
    changes = client.get(_url(programme, "reporting:report_download", pk=run.pk, fmt="csv"))
    assert changes.status_code == 200  # the full change list (issue 14)
    # Not a format this kind makes, nor a run of another programme.
    assert (
        client.get(_url(programme, "reporting:report_download", pk=run.pk, fmt="ods")).status_code
        == 404
    )
    other = make_programme(slug="other", name="Other")
    assert (
        client.get(_url(other, "reporting:report_download", pk=run.pk, fmt="pdf")).status_code
        == 404
    )
    nobody = client_for(make_user("nobody", None))
    assert (
        nobody.get(_url(programme, "reporting:report_download", pk=run.pk, fmt="pdf")).status_code
        == 403
    )


def test_a_queued_report_has_nothing_to_download(client_for, cabinet, programme):
    run = ReportRun.objects.create(programme=programme, kind="highlight")
    response = client_for(cabinet).get(
        _url(programme, "reporting:report_download", pk=run.pk, fmt="pdf")
    )
    assert response.status_code == 404


def test_the_reports_page_query_count_does_not_grow_with_the_runs(client_for, cabinet, programme):
    client = client_for(cabinet)

    def add_runs(n):
        for _ in range(n):
            ReportRun.objects.create(
                programme=programme,
                kind="highlight",
                requested_by=cabinet,
                status=ReportRun.Status.DONE,
                finished_at=timezone.now() - timedelta(minutes=1),
            )

    add_runs(3)
    small = query_count(client, _url(programme))
    add_runs(30)
    assert query_count(client, _url(programme)) == small


def test_request_report_does_what_the_button_does_and_prints_the_id(programme, admin_user):
    out = io.StringIO()
    call_command("request_report", kind="highlight", programme=programme.slug, stdout=out)
    run_id = int(out.getvalue().strip().splitlines()[-1])
    run = ReportRun.objects.get(pk=run_id)
    assert run.kind == "highlight" and run.programme == programme
    assert run.requested_by == admin_user  # the first active superuser


def test_request_report_acts_as_the_named_user(programme, finance):
    out = io.StringIO()
    call_command(
        "request_report",
        "--kind",
        "reserve_position",
        "--programme",
        programme.slug,
        "--user",
        "finance",
        stdout=out,
    )
    run = ReportRun.objects.get(pk=int(out.getvalue().split()[-1]))
    assert run.requested_by == finance
    assert run.history.earliest().history_user == finance


def test_request_report_refuses_an_unknown_programme(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No programme"):
        call_command("request_report", kind="highlight", programme="nope", stdout=io.StringIO())
    assert not ReportRun.objects.exists()
