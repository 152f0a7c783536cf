"""The stage pages and forms through the web: who may see and change what (403 and nothing
changed otherwise), bad input with messages next to the field, evidence files, exports,
"my outputs", history through requests and query counts that do not grow with the data."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from programme.models import Decision
from stages.models import Output, ProgressUpdate, Stage
from tests.helpers import query_count

from .conftest import url
from .factories import OutputFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

ROLES = ["officer", "finance", "cabinet", "admin"]
CAN_UPDATE = {"officer", "admin"}
CAN_DECIDE = {"cabinet", "admin"}


@pytest.fixture
def stage2_output(stages, officer):
    """An output of stage 2 (so stage 1, with no outputs, can complete)."""
    return OutputFactory(
        stage=stages[2],
        code="a",
        title="Communications plan",
        owner=officer,
        due_date=date(2024, 9, 30),
    )


def _state() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(Stage.objects.order_by("pk").values()),
        list(Output.objects.order_by("pk").values()),
        list(ProgressUpdate.objects.order_by("pk").values()),
        list(Decision.objects.order_by("pk").values()),
        Stage.history.count(),
        Output.history.count(),
        ProgressUpdate.history.count(),
        Decision.history.count(),
    )


def _history_since(before: tuple) -> list:
    counts = before[4:]
    rows = []
    for model, count in zip((Stage, Output, ProgressUpdate, Decision), counts, strict=True):
        history = model.history.order_by("history_id")
        rows += list(history.select_related("history_user")[count:])
    return rows


# Role × page -------------------------------------------------------------------------------

PAGES = [
    # (url name, kwargs, who gets 200; everyone else gets 403)
    ("list", {}, set(ROLES)),
    ("detail", {"number": 1}, set(ROLES)),
    ("detail", {"number": 3}, set(ROLES)),
    ("output_detail", {"number": 2, "code": "a"}, set(ROLES)),
    ("export", {"dataset": "outputs", "fmt": "csv"}, set(ROLES)),
    ("export", {"dataset": "updates", "fmt": "xlsx"}, set(ROLES)),
    ("my_outputs", {}, CAN_UPDATE),
    ("edit", {"number": 1}, CAN_UPDATE),
    ("start", {"number": 2}, CAN_UPDATE),
    ("complete", {"number": 1}, CAN_UPDATE),
    ("update_new", {"number": 1}, CAN_UPDATE),
    ("output_new", {"number": 1}, CAN_UPDATE),
    ("output_edit", {"number": 2, "code": "a"}, CAN_UPDATE),
    ("gate", {"number": 2}, CAN_DECIDE),
    ("approve", {}, CAN_DECIDE),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "kwargs", "allowed"),
    PAGES,
    ids=["-".join([p[0], *map(str, p[1].values())]) for p in PAGES],
)
def test_each_role_sees_only_the_pages_its_role_allows(
    role, name, kwargs, allowed, role_users, client_for, stages, stage2_output
):
    response = client_for(role_users[role]).get(url(stages[1].programme, name, **kwargs))
    assert response.status_code == (200 if role in allowed else 403)


def _gate_for_stage_2(stages, cabinet):
    stages[2].gate_decision = Decision.objects.create(
        programme=stages[2].programme,
        kind=Decision.Kind.STAGE_GATE,
        title="Gate",
        decided_on=date(2024, 5, 1),
        recorded_by=cabinet,
    )
    stages[2].save()


today = timezone.localdate
FORMS = [
    # (url name, kwargs, form data, who may, set-up)
    (
        "edit",
        {"number": 1},
        lambda: {
            "name": "Diagnostics",
            "planned_start": "2024-01-01",
            "planned_end": "2024-06-30",
            "rag_scale": "five",
            "supplier": "Partner Ltd",
        },
        CAN_UPDATE,
        None,
    ),
    (
        "update_new",
        {"number": 1},
        lambda: {
            "as_of": today().isoformat(),
            "rag": "amber",
            "percent_complete": "40",
            "narrative": "Interviews done",
        },
        CAN_UPDATE,
        None,
    ),
    (
        "output_new",
        {"number": 1},
        lambda: {"code": "h", "title": "Extra output", "due_date": "2024-03-01"},
        CAN_UPDATE,
        None,
    ),
    (
        "output_edit",
        {"number": 2, "code": "a"},
        lambda: {"code": "a", "title": "Communications plan v2", "due_date": "2024-10-31"},
        CAN_UPDATE,
        None,
    ),
    (
        "output_status",
        {"number": 2, "code": "a"},
        lambda: {"status": "in_progress"},
        CAN_UPDATE,
        None,
    ),
    (
        "complete",
        {"number": 1},
        lambda: {"actual_end": today().isoformat()},
        CAN_UPDATE,
        None,
    ),
    (
        "start",
        {"number": 2},
        lambda: {"actual_start": today().isoformat()},
        CAN_UPDATE,
        "gate",
    ),
    (
        "gate",
        {"number": 2},
        lambda: {"decided_on": "2024-05-01", "decision_maker": "Cabinet member", "confirm": "yes"},
        CAN_DECIDE,
        "no_stage_2_outputs",
    ),
    (
        "approve",
        {},
        lambda: {
            "stages": ["STAGE3"],
            "title": "Approval of stage 3",
            "decided_on": "2025-04-01",
            "decision_maker": "Cabinet member",
        },
        CAN_DECIDE,
        None,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "kwargs", "data", "allowed", "setup"), FORMS, ids=[f[0] for f in FORMS]
)
def test_each_form_changes_things_only_for_roles_that_may(
    role, name, kwargs, data, allowed, setup, role_users, client_for, stages, stage2_output
):
    if setup == "gate":
        stage2_output.delete()
        stages[2].refresh_from_db()
        _gate_for_stage_2(stages, role_users["cabinet"])
    if setup == "no_stage_2_outputs":
        stage2_output.delete()
    payload = data()
    if "stages" in payload:
        payload["stages"] = [stages[3].pk]
    before = _state()
    response = client_for(role_users[role]).post(url(stages[1].programme, name, **kwargs), payload)
    if role in allowed:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert _state() != before
        # Every history row the request wrote names the user who made the change.
        new_rows = _history_since(before)
        assert new_rows
        assert {row.history_user for row in new_rows} == {role_users[role]}
    else:
        assert response.status_code == 403
        assert _state() == before


# Bad input ---------------------------------------------------------------------------------


def _post(client, programme, name, data, **kwargs):
    return client.post(url(programme, name, **kwargs), data)


def _field_error(response, field: str) -> str:
    form = response.context.get("form") or response.context["status_form"]
    return " ".join(form.errors.get(field, []))


@pytest.mark.parametrize(
    ("percent", "message"),
    [
        ("150", "Percent complete must be 100 or less."),
        ("-5", "Percent complete must be 0 or more."),
        ("lots", "Enter a whole number from 0 to 100."),
    ],
)
def test_percent_outside_0_to_100_gets_a_message_and_keeps_what_was_typed(
    percent, message, client_for, officer, stages
):
    response = _post(
        client_for(officer),
        stages[1].programme,
        "update_new",
        {"as_of": "2024-02-01", "rag": "green", "percent_complete": percent, "narrative": "Hi"},
        number=1,
    )
    assert response.status_code == 200
    assert _field_error(response, "percent_complete") == message
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'value="{percent}"' in html
    assert "Hi</textarea>" in html
    assert not ProgressUpdate.objects.exists()


def test_an_unknown_rag_gets_a_message_and_nothing_is_saved(client_for, officer, stages):
    response = _post(
        client_for(officer),
        stages[1].programme,
        "update_new",
        {"as_of": "2024-02-01", "rag": "purple", "percent_complete": "5", "narrative": "x"},
        number=1,
    )
    assert _field_error(response, "rag") == "Choose one of the delivery confidence ratings listed."
    assert not ProgressUpdate.objects.exists()


def test_the_update_form_shows_each_colours_meaning_on_the_stages_scale(
    client_for, officer, stages
):
    html = client_for(officer).get(url(stages[1].programme, "update_new", number=1)).content
    html = html.decode()
    assert "Amber/green: successful delivery appears probable; constant attention is needed" in (
        html
    )
    assert "Red: successful delivery appears unachievable without re-scoping" in html
    stages[1].rag_scale = "three"
    stages[1].save()
    html = client_for(officer).get(url(stages[1].programme, "update_new", number=1)).content
    assert b"Amber/green" not in html
    assert b"Amber: successful delivery appears feasible" in html


def test_end_before_start_gets_a_message_next_to_the_end_date(client_for, officer, stages):
    response = _post(
        client_for(officer),
        stages[1].programme,
        "edit",
        {
            "name": "Diagnostics",
            "planned_start": "2024-03-01",
            "planned_end": "2024-02-01",
            "rag_scale": "five",
        },
        number=1,
    )
    assert _field_error(response, "planned_end") == (
        "The planned end must be on or after the planned start."
    )
    # What was typed stays in the date's boxes.
    html = response.content.decode()
    for part, value in (("day", "1"), ("month", "2"), ("year", "2024")):
        assert f'name="planned_end_{part}" type="text" inputmode="numeric" value="{value}"' in html
    stages[1].refresh_from_db()
    assert stages[1].planned_end == date(2024, 5, 31)


def test_a_due_date_before_the_stage_starts_gets_a_message(client_for, officer, stages):
    response = _post(
        client_for(officer),
        stages[1].programme,
        "output_new",
        {"code": "h", "title": "Early", "due_date": "2024-01-02"},
        number=1,
    )
    assert _field_error(response, "due_date") == (
        "The due date must be on or after the day the stage starts (8 January 2024)."
    )
    assert not Output.objects.filter(code="h").exists()


def test_an_unknown_status_gets_a_message(client_for, officer, stages, stage2_output):
    response = _post(
        client_for(officer),
        stages[1].programme,
        "output_status",
        {"status": "archived"},
        number=2,
        code="a",
    )
    assert response.status_code == 200
    assert _field_error(response, "status") == "Choose one of the statuses listed."
    stage2_output.refresh_from_db()
    assert stage2_output.status == "not_started"


def test_accepting_your_own_output_gets_a_message_and_changes_nothing(
    client_for, officer, stages, stage2_output
):
    stage2_output.status = "submitted"
    stage2_output.submitted_by = officer
    stage2_output.submitted_at = timezone.now()
    stage2_output.evidence_url = "https://intranet.example.gov.uk/plan"
    stage2_output.save()
    before = _state()
    response = _post(
        client_for(officer),
        stages[1].programme,
        "output_status",
        {"status": "accepted"},
        number=2,
        code="a",
    )
    assert response.status_code == 200
    assert "cannot accept an output you own or submitted" in _field_error(response, "status")
    assert _state() == before


def test_another_officer_accepts_through_the_page(
    client_for, officer, officer2, stages, stage2_output
):
    stage2_output.status = "submitted"
    stage2_output.submitted_by = officer
    stage2_output.evidence_url = "https://intranet.example.gov.uk/plan"
    stage2_output.save()
    page = client_for(officer2).get(url(stages[1].programme, "output_detail", number=2, code="a"))
    assert b'value="accepted"' in page.content
    own_page = client_for(officer).get(
        url(stages[1].programme, "output_detail", number=2, code="a")
    )
    assert b'value="accepted"' not in own_page.content
    assert b"another officer (or an Admin) must accept it" in own_page.content
    response = _post(
        client_for(officer2),
        stages[1].programme,
        "output_status",
        {"status": "accepted"},
        number=2,
        code="a",
    )
    assert response.status_code == 302
    stage2_output.refresh_from_db()
    assert (stage2_output.status, stage2_output.accepted_by) == ("accepted", officer2)
    assert stage2_output.history.latest().history_user == officer2


def test_starting_a_stage_before_its_gate_says_what_is_missing(
    client_for, officer, stages, stage2_output
):
    OutputFactory(stage=stages[1], code="a", title="Case for change")
    before = _state()
    response = _post(
        client_for(officer), stages[1].programme, "start", {"actual_start": "2024-06-03"}, number=2
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert (
        "Every output of stage 1 must be accepted first; not yet accepted: a) Case for change."
        in (errors)
    )
    assert (
        "The gate decision from stage 1 into stage 2 has not been recorded by a cabinet member."
        in errors
    )
    assert "There is a problem" in response.content.decode()
    assert _state() == before


def test_an_evidence_file_of_the_wrong_type_is_refused(client_for, officer, stages, stage2_output):
    upload = SimpleUploadedFile("plan.exe", b"MZ...", content_type="application/octet-stream")
    response = client_for(officer).post(
        url(stages[1].programme, "output_edit", number=2, code="a"),
        {"code": "a", "title": "Communications plan", "evidence_file": upload},
    )
    assert response.status_code == 200
    assert _field_error(response, "evidence_file").startswith(
        "The evidence file must be one of these types: csv, docx, jpeg, jpg, odp, ods, odt, pdf"
    )
    stage2_output.refresh_from_db()
    assert not stage2_output.evidence_file


def test_an_evidence_file_over_20_mb_is_refused(client_for, officer, stages, stage2_output):
    assert settings.EVIDENCE_MAX_BYTES == 20 * 1024 * 1024
    upload = SimpleUploadedFile(
        "plan.pdf", b"%PDF" + b"0" * settings.EVIDENCE_MAX_BYTES, content_type="application/pdf"
    )
    response = client_for(officer).post(
        url(stages[1].programme, "output_edit", number=2, code="a"),
        {"code": "a", "title": "Communications plan", "evidence_file": upload},
    )
    assert response.status_code == 200
    assert _field_error(response, "evidence_file") == "The evidence file must be 20 MB or smaller."
    stage2_output.refresh_from_db()
    assert not stage2_output.evidence_file


# Evidence files ----------------------------------------------------------------------------


def test_evidence_is_uploaded_through_storage_and_downloaded_only_through_the_checked_view(
    client_for, officer, cabinet, stages, stage2_output, client
):
    upload = SimpleUploadedFile("comms plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    response = client_for(officer).post(
        url(stages[1].programme, "output_edit", number=2, code="a"),
        {"code": "a", "title": "Communications plan", "evidence_file": upload},
    )
    assert response.status_code == 302
    stage2_output.refresh_from_db()
    assert stage2_output.evidence_file.name.endswith("/comms_plan.pdf")
    download = url(stages[1].programme, "evidence_download", number=2, code="a")
    got = client_for(cabinet).get(download)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == b"%PDF-1.4 plan"
    assert got["Content-Disposition"] == 'attachment; filename="comms_plan.pdf"'
    # Anonymous users are sent to log in; there is no public /media/ route to the file.
    assert client.get(download).status_code == 302
    media = client_for(cabinet).get(settings.MEDIA_URL + stage2_output.evidence_file.name)
    assert media.status_code == 404


# Exports -----------------------------------------------------------------------------------


def test_outputs_and_updates_export_as_csv_and_excel(client_for, cabinet, officer, stages):
    from openpyxl import load_workbook

    OutputFactory(stage=stages[1], code="a", title="=HYPERLINK(evil)", owner=officer)
    ProgressUpdateFactory(stage=stages[1], rag="amber_green", percent_complete=35, author=officer)
    client = client_for(cabinet)
    response = client.get(url(stages[1].programme, "export", dataset="outputs", fmt="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Stage", "Code", "Title", "Status", "Owner"]
    assert rows[1][:5] == ["1", "a", "'=HYPERLINK(evil)", "Not started", "Officer Tester"]
    response = client.get(url(stages[1].programme, "export", dataset="updates", fmt="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content))["Progress updates"]
    values = [c.value for c in sheet[2]]
    assert values[2:5] == [
        "Amber/green",
        "Successful delivery appears probable; constant attention is needed",
        35,
    ]
    assert client.get(url(stages[1].programme, "export", dataset="x", fmt="csv")).status_code == 404


# My outputs --------------------------------------------------------------------------------


def test_my_outputs_marks_overdue_and_due_within_14_days(client_for, officer, officer2, stages):
    now = timezone.localdate()
    stages[1].actual_start = now - timedelta(days=60)
    stages[1].save()
    OutputFactory(
        stage=stages[1], code="a", title="Late one", owner=officer, due_date=now - timedelta(days=3)
    )
    OutputFactory(
        stage=stages[1],
        code="b",
        title="Soon one",
        owner=officer,
        due_date=now + timedelta(days=14),
    )
    OutputFactory(
        stage=stages[1],
        code="c",
        title="Later one",
        owner=officer,
        due_date=now + timedelta(days=15),
    )
    OutputFactory(
        stage=stages[1],
        code="d",
        title="Not mine",
        owner=officer2,
        due_date=now - timedelta(days=3),
    )
    response = client_for(officer).get(url(stages[1].programme, "my_outputs"))
    html = response.content.decode()
    assert "1 overdue, 1 due in the next 14 days" in html
    assert "Overdue by 3 days" in html
    assert "Due in 14 days" in html
    assert "Not mine" not in html
    rows = response.context["rows"]
    assert [r.output.code for r in rows] == ["a", "b", "c"]
    assert [r.state for r in rows] == ["overdue", "due_soon", ""]


# History through requests ------------------------------------------------------------------


def test_a_progress_update_posted_in_the_browser_names_its_author_in_history(
    client_for, officer, stages
):
    response = _post(
        client_for(officer),
        stages[1].programme,
        "update_new",
        {
            "as_of": "2024-02-01",
            "rag": "amber_green",
            "percent_complete": "35",
            "narrative": "Case for change drafted",
            "escalation": "Data late from two call centres",
        },
        number=1,
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.author == officer
    assert update.history.get().history_user == officer
    page = client_for(officer).get(stages[1].get_absolute_url()).content.decode()
    assert "Case for change drafted" in page
    assert "Needs escalation: Data late from two call centres" in page
    assert "Officer Tester" in page


# Query counts ------------------------------------------------------------------------------


def _grow(stages, officer, officer2, *, outputs: int, updates: int):
    for i in range(outputs):
        OutputFactory(
            stage=stages[1],
            owner=officer if i % 2 else officer2,
            due_date=date(2024, 3, 1) + timedelta(days=i),
        )
    for i in range(updates):
        ProgressUpdateFactory(
            stage=stages[1],
            author=officer,
            rag="amber",
            percent_complete=min(i * 3, 100),
            as_of=date(2024, 1, 10) + timedelta(days=i),
        )


@pytest.mark.parametrize("page", ["detail", "list", "my_outputs", "export"])
def test_stage_pages_make_the_same_number_of_queries_at_two_data_sizes(
    page, client_for, officer, officer2, stages
):
    from core.history import acting_user

    client = client_for(officer)
    kwargs = {
        "detail": {"number": 1},
        "list": {},
        "my_outputs": {},
        "export": {"dataset": "outputs", "fmt": "csv"},
    }[page]
    address = url(stages[1].programme, page, **kwargs)
    with acting_user(officer):
        _grow(stages, officer, officer2, outputs=2, updates=2)
    small = query_count(client, address)
    with acting_user(officer2):
        _grow(stages, officer, officer2, outputs=25, updates=30)
    large = query_count(client, address)
    assert small == large, (small, large)
