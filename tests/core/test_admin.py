"""The Django admin never answers 500, and its history pages are read-only (issue 16, case 6).

Every model registered in the admin is walked as an Admin user on the demo world: list, add,
change (shown, and posted back as shown), history, one old version (shown; a POST is 405),
delete confirmation. A refusal by a guard or by the database is a message on the form."""

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.urls import NoReverseMatch, reverse
from simple_history.admin import SimpleHistoryAdmin

from core.admin import GuardedAdminMixin, HistoryAdmin
from programme.models import GlossaryTerm, Programme
from reserves.models import Drawdown
from tests.core.html_forms import post_data
from tests.test_permission_matrix import _build_world, row_counts

pytestmark = pytest.mark.django_db
PROJECT_APPS = {"core", "programme", "stages", "risks", "reserves", "reporting", "auth"}


@pytest.fixture
def world():
    built, _files = _build_world()
    return built


@pytest.fixture
def admin_client(client_for, world):
    client = client_for(world.users["admin"])
    client.raise_request_exception = False
    return client


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def history_record(model, obj):
    manager = getattr(model, model._meta.simple_history_manager_attribute)
    return manager.filter(**{model._meta.pk.attname: obj.pk}).order_by("history_id").first()


def test_every_admin_of_the_project_is_guarded_and_every_history_admin_read_only():
    for model, model_admin in site._registry.items():
        if model._meta.app_label in PROJECT_APPS:
            assert isinstance(model_admin, GuardedAdminMixin), model._meta.label
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert isinstance(model_admin, HistoryAdmin), model._meta.label


def test_no_admin_page_answers_a_server_error(admin_client):
    failures = []

    def check(method, url, data=None):
        response = admin_client.post(url, data or {}) if method == "POST" else admin_client.get(url)
        if response.status_code >= 500:
            failures.append(f"{method} {url}: {response.status_code}")
        return response

    walked = posted = 0
    for model, model_admin in sorted(site._registry.items(), key=lambda i: i[0]._meta.label):
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        check("GET", reverse(f"{info}_changelist"))
        check("GET", reverse(f"{info}_add"))
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        walked += 1
        change = reverse(f"{info}_change", args=[obj.pk])
        shown = check("GET", change)
        form_id = f"{model._meta.model_name}_form"
        if shown.status_code == 200 and f'id="{form_id}"' in shown.content.decode():
            # Posted back as shown: saved (302), or shown again with errors (200).
            check("POST", change, post_data(shown.content.decode(), form_id=form_id))
            posted += 1
        check("GET", reverse(f"{info}_history", args=[obj.pk]))
        check("GET", reverse(f"{info}_delete", args=[obj.pk]))
        if isinstance(model_admin, SimpleHistoryAdmin) and (rec := history_record(model, obj)):
            version = reverse(f"{info}_simple_history", args=[obj.pk, rec.history_id])
            check("GET", version)
            assert check("POST", version).status_code == 405, version
    assert walked >= 25 and posted >= 20, (walked, posted)
    assert failures == []


def test_a_drawdowns_old_version_is_shown_read_only_and_cannot_be_posted(admin_client):
    drawdown = Drawdown.objects.filter(status=Drawdown.Status.APPROVED).first()
    record = history_record(Drawdown, drawdown)
    url = reverse("admin:reserves_drawdown_simple_history", args=[drawdown.pk, record.history_id])
    page = admin_client.get(url).content.decode()
    for name in ("status", "amount", "approved_by", "purpose"):
        assert f'name="{name}"' not in page, f"{name} is editable on the history page"
    assert 'value="Revert"' not in page
    before = row_counts()
    response = admin_client.post(url, {"status": "requested", "amount": "1.00"})
    assert response.status_code == 405
    assert row_counts() == before
    drawdown.refresh_from_db()
    assert drawdown.status == Drawdown.Status.APPROVED


def test_reverting_the_programmes_ceiling_through_history_is_refused(admin_client):
    programme = Programme.objects.get()
    record = history_record(Programme, programme)
    url = reverse(
        "admin:programme_programme_simple_history", args=[programme.pk, record.history_id]
    )
    data = {"name": programme.name, "spending_ceiling": "9999999.00"}
    assert admin_client.post(url, data).status_code == 405
    programme.refresh_from_db()
    assert programme.spending_ceiling == record.spending_ceiling


def test_a_guards_refusal_is_shown_on_the_admin_form_and_nothing_is_saved(
    admin_client, monkeypatch
):
    programme = Programme.objects.get()
    # An admin that lets the ceiling be typed: the programme's guard still refuses the save.
    monkeypatch.setattr(site._registry[Programme], "readonly_fields", [])
    url = reverse("admin:programme_programme_change", args=[programme.pk])
    data = post_data(admin_client.get(url).content.decode(), form_id="programme_form")
    data["spending_ceiling"] = "500000.00"
    data["name"] = "Renamed in the admin"
    before = row_counts()
    response = admin_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The spending ceiling changes only through a recorded decision" in page
    assert 'value="Renamed in the admin"' in page  # what was typed is kept
    assert row_counts() == before
    programme.refresh_from_db()
    assert programme.name != "Renamed in the admin"


@pytest.fixture
def refusing_trigger():
    """A PostgreSQL trigger that refuses every change to glossary terms: the database's own
    last line, which the admin's form validation cannot see coming."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'Glossary terms are frozen for this test'; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse BEFORE UPDATE OR DELETE ON programme_glossaryterm "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse()"
        )


@pytest.mark.postgres
def test_a_database_refusal_is_a_message_on_the_form_not_a_500(admin_client, refusing_trigger):
    term = GlossaryTerm.objects.order_by("pk").first()
    url = reverse("admin:programme_glossaryterm_change", args=[term.pk])
    data = post_data(admin_client.get(url).content.decode(), form_id="glossaryterm_form")
    data["meaning"] = "Changed in the admin"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The database refused this change: Glossary terms are frozen for this test" in page
    assert "Changed in the admin" in page
    term.refresh_from_db()
    assert term.meaning != "Changed in the admin"

    delete = reverse("admin:programme_glossaryterm_delete", args=[term.pk])
    response = admin_client.post(delete, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert "Nothing was deleted: The database refused this change" in response.content.decode()
    assert GlossaryTerm.objects.filter(pk=term.pk).exists()

    changelist = reverse("admin:programme_glossaryterm_changelist")
    response = admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [term.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Nothing was deleted" in response.content.decode()
    assert GlossaryTerm.objects.filter(pk=term.pk).exists()


def test_a_broken_constraint_is_said_as_its_rule_never_its_code_name(admin_client, monkeypatch):
    from stages.models import Output

    output = Output.objects.exclude(status=Output.Status.ACCEPTED).order_by("pk").first()
    # An admin that lets the acceptor be left empty: the model's own constraint refuses it.
    monkeypatch.setattr(site._registry[Output], "readonly_fields", [])
    url = reverse("admin:stages_output_change", args=[output.pk])
    data = post_data(admin_client.get(url).content.decode(), form_id="output_form")
    data["status"] = "accepted"
    for name in ("accepted_by", "accepted_at_0", "accepted_at_1"):
        data[name] = ""
    response = admin_client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "An accepted output must say who accepted it and when." in page
    assert "output_accepted_has_acceptor" not in page
    output.refresh_from_db()
    assert output.status != Output.Status.ACCEPTED
