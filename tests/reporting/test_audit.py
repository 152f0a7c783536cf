"""The audit history: per-object history, the programme-wide log with filters, the CSV
export, refused drawdowns beside the changes, and nobody able to alter history."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.history import acting_user
from programme.models import Decision, Programme
from reporting import audit, selectors
from reporting.models import ReportRun
from tests.conftest import make_user
from tests.helpers import query_count
from tests.reporting.support import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    return make_programme()


def _rename(programme, user, name, reason=""):
    with acting_user(user):
        programme.name = name
        if reason:
            programme._change_reason = reason
        programme.save()


def _decision(programme, user, title="Approve stage 1"):
    with acting_user(user):
        return Decision.objects.create(
            programme=programme,
            kind=Decision.Kind.STAGE_APPROVAL,
            title=title,
            decided_on=date(2022, 7, 19),
            recorded_by=user,
        )


def _refusal(programme, user, amount="30000.00", when=None):
    from reserves.models import DrawdownRefusal

    return DrawdownRefusal.objects.create(
        created_at=when or timezone.now(),
        user=user,
        username=user.username,
        programme=programme,
        drawdown_id=7,
        amount=Decimal(amount),
        attempted_status="approved",
        reason="It would take the programme above its £490,000 ceiling.",
    )


def _history_url(programme, obj):
    return reverse(
        "reporting:object_history",
        kwargs={
            "slug": programme.slug,
            "app_label": obj._meta.app_label,
            "model_name": obj._meta.model_name,
            "pk": obj.pk,
        },
    )


def test_every_history_tracked_model_is_found_and_reaches_a_programme():
    keys = {t.key for t in audit.tracked_models()}
    assert {"programme.programme", "programme.decision", "reporting.reportrun"} <= keys
    assert {"stages.stage", "stages.output", "reserves.reserve"} <= keys
    output = audit.tracked_model("stages", "output")
    assert output.scope == "stage__programme"
    reserve = audit.tracked_model("reserves", "reserve")
    assert reserve.programme_points_here == "funding_reserve"


def test_an_objects_history_shows_who_when_old_new_and_the_reason(
    client_for, officer, cabinet, programme
):
    _rename(programme, officer, "Digital programme", reason="Shorter name agreed at CLT")
    response = client_for(cabinet).get(_history_url(programme, programme))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Officer Tester" in page
    assert "Test programme" in page and "Digital programme" in page
    assert "→" in page
    assert "Shorter name agreed at CLT" in page
    entries = response.context["entries"]
    assert entries[0].action == "Changed"
    assert [(c.field, c.old, c.new) for c in entries[0].changes] == [
        ("Name", "Test programme", "Digital programme")
    ]
    assert entries[-1].action == "Created"


def test_money_choices_and_people_read_as_words_in_a_diff(client_for, officer, programme):
    with acting_user(officer):
        programme.key_decision_threshold = Decimal("510000.00")
        programme.status = Programme.Status.IN_DELIVERY
        programme.save()
    run = ReportRun.objects.create(programme=programme, kind="highlight")
    with acting_user(officer):
        run.requested_by = officer
        run.save()
    entries = audit.object_history(audit.tracked_model("programme", "programme"), programme.pk)
    changes = {c.field: (c.old, c.new) for c in entries[0].changes}
    assert changes["Key decision threshold"] == ("£500,000", "£510,000")
    assert changes["Status"] == ("Draft", "In delivery")
    run_changes = audit.object_history(audit.tracked_model("reporting", "reportrun"), run.pk)
    assert {(c.field, c.old, c.new) for c in run_changes[0].changes} == {
        ("Requested by", "(blank)", "Officer Tester")
    }


def test_history_of_another_programmes_record_is_not_found(client_for, cabinet, programme):
    other = make_programme(slug="other", name="Other")
    decision = _decision(other, cabinet)
    client = client_for(cabinet)
    assert client.get(_history_url(programme, decision)).status_code == 404
    assert client.get(_history_url(other, decision)).status_code == 200
    bad = reverse(
        "reporting:object_history",
        kwargs={"slug": programme.slug, "app_label": "auth", "model_name": "user", "pk": 1},
    )
    assert client.get(bad).status_code == 404


def test_the_audit_log_lists_changes_across_models_newest_first(
    client_for, officer, cabinet, programme
):
    _rename(programme, officer, "Renamed")
    _decision(programme, cabinet)
    other = make_programme(slug="other", name="Other programme")
    _decision(other, cabinet, title="Not this programme's")
    response = client_for(cabinet).get(reverse("reporting:audit", kwargs={"slug": programme.slug}))
    assert response.status_code == 200
    entries = response.context["entries"]
    kinds = [e.kind for e in entries]
    assert kinds[0] == "Decision"
    assert "Programme" in kinds
    assert all("Not this programme's" not in e.object_repr for e in entries)
    assert entries == sorted(entries, key=lambda e: (e.when, e.history_id), reverse=True)


def test_the_audit_log_filters_by_person_kind_and_dates(client_for, officer, cabinet, programme):
    _rename(programme, officer, "Renamed by the officer")
    _decision(programme, cabinet)
    client = client_for(cabinet)
    url = reverse("reporting:audit", kwargs={"slug": programme.slug})

    by_officer = client.get(url, {"person": officer.pk}).context["entries"]
    assert by_officer and all(e.user == officer for e in by_officer)

    decisions = client.get(url, {"kind": "programme.decision"}).context["entries"]
    assert decisions and all(e.kind == "Decision" for e in decisions)

    today = timezone.localdate()
    assert client.get(url, {"date_from": today.isoformat()}).context["entries"]
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert client.get(url, {"date_from": tomorrow}).context["entries"] == []
    yesterday = (today - timedelta(days=1)).isoformat()
    assert client.get(url, {"date_to": yesterday}).context["entries"] == []


def test_dates_out_of_order_are_refused_with_a_message_and_kept(client_for, cabinet, programme):
    url = reverse("reporting:audit", kwargs={"slug": programme.slug})
    response = client_for(cabinet).get(url, {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The end date must be the same as or after the start date" in page
    # What was typed stays in the GOV.UK date boxes (day, month, year).
    for part, value in (("day", "1"), ("month", "2"), ("year", "2026")):
        assert re.search(rf'name="date_to_{part}"[^>]*value="0?{value}"', page), part


def test_refused_drawdowns_show_beside_the_changes(client_for, finance, cabinet, programme):
    _refusal(programme, finance)
    other = make_programme(slug="other", name="Other")
    _refusal(other, finance, amount="99.00")
    response = client_for(cabinet).get(reverse("reporting:audit", kwargs={"slug": programme.slug}))
    page = response.content.decode()
    assert "Refused drawdowns" in page
    assert "£30,000" in page and "above its £490,000 ceiling" in page
    assert "£99" not in page
    kinds = client_for(cabinet).get(
        reverse("reporting:audit", kwargs={"slug": programme.slug}),
        {"kind": "programme.decision"},
    )
    assert kinds.context["refusals"].rows == []


def test_the_csv_export_holds_the_changes_and_the_refusals(client_for, officer, finance, programme):
    _rename(programme, officer, "Renamed", reason="Agreed")
    _refusal(programme, finance)
    response = client_for(finance).get(
        reverse("reporting:audit_export", kwargs={"slug": programme.slug})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["When", "Who", "Kind", "Object", "Action"]
    assert ["Name", "Test programme", "Renamed", "Agreed"] in [r[5:9] for r in rows]
    refused = [r for r in rows if r[2] == "Refused drawdown"]
    assert refused and refused[0][7] == "approved £30,000"


@pytest.mark.parametrize("role", ["officer", "finance", "cabinet", "admin"])
def test_every_role_reads_the_audit_pages(role, role_users, client_for, programme):
    """Each role gets the pages with the change in them, not only a 200."""
    _rename(programme, role_users["officer"], "Renamed for every role")
    client = client_for(role_users[role])
    log = client.get(reverse("reporting:audit", kwargs={"slug": programme.slug}))
    assert log.status_code == 200
    assert "Renamed for every role" in log.content.decode()
    export = client.get(reverse("reporting:audit_export", kwargs={"slug": programme.slug}))
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert ["Name", "Test programme", "Renamed for every role"] in [r[5:8] for r in rows]
    history = client.get(_history_url(programme, programme))
    assert history.status_code == 200
    assert history.context["entries"][0].changes[0].new == "Renamed for every role"


def test_a_user_without_a_role_is_refused_the_audit_pages(client_for, programme):
    client = client_for(make_user("nobody", None))
    for url in (
        reverse("reporting:audit", kwargs={"slug": programme.slug}),
        reverse("reporting:audit_export", kwargs={"slug": programme.slug}),
        _history_url(programme, programme),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nobody_can_alter_history_through_the_audit_pages(
    method, role_users, client_for, programme
):
    _rename(programme, role_users["officer"], "Renamed")
    history = Programme.history.model
    before = list(history.objects.order_by("history_id").values())
    urls = [
        reverse("reporting:audit", kwargs={"slug": programme.slug}),
        reverse("reporting:audit_export", kwargs={"slug": programme.slug}),
        _history_url(programme, programme),
    ]
    for user in role_users.values():
        client = client_for(user)
        for url in urls:
            response = getattr(client, method)(url, {"history_id": before[0]["history_id"]})
            assert response.status_code in (403, 405), (method, url, response.status_code)
    assert list(history.objects.order_by("history_id").values()) == before


def test_no_url_of_the_product_edits_or_deletes_history():
    from tests.helpers import all_url_patterns

    for route, name in all_url_patterns():
        if route.startswith("admin/"):
            continue
        assert "history" not in route or name == "reporting:object_history", route


def test_changes_since_lists_only_later_changes_and_not_report_runs(officer, programme):
    cut = timezone.now()
    ReportRun.objects.create(programme=programme, kind="highlight")
    _rename(programme, officer, "After the cut")
    changes = selectors.changes_since(programme, cut)
    assert changes.total == 1
    assert changes.entries[0].object_repr == "After the cut"
    everything = selectors.changes_since(programme, None)
    assert everything.total == 2  # created, renamed


def test_the_last_report_time_is_the_previous_done_highlight_report(programme):
    earlier = timezone.now() - timedelta(days=30)
    done = ReportRun.objects.create(
        programme=programme, kind="highlight", status="done", finished_at=earlier
    )
    ReportRun.objects.create(
        programme=programme, kind="reserve_position", status="done", finished_at=timezone.now()
    )
    current = ReportRun.objects.create(programme=programme, kind="highlight")
    assert selectors.last_report_finished_at(programme, before=current) == earlier
    assert selectors.last_report_finished_at(programme, before=done) is None


def test_the_audit_log_query_count_does_not_grow_with_the_history(
    client_for, officer, finance, cabinet, programme
):
    url = reverse("reporting:audit", kwargs={"slug": programme.slug})
    client = client_for(cabinet)

    def add(n):
        for i in range(n):
            _rename(programme, officer, f"Name {i}")
            _decision(programme, cabinet, title=f"Decision {i}")
            _refusal(programme, finance)

    # Enough renames and decisions to fill a page: the users' role grants (older, another kind of
    # record) are then on a later page, and both pages measured hold the same kinds.
    add(selectors.AUDIT_PAGE_SIZE // 2 + 1)
    small = query_count(client, url)
    add(40)
    assert query_count(client, url) == small
    assert query_count(client, url + "?page=2") == small
