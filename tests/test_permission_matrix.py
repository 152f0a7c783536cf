"""The permission matrix: every URL pattern of the project, requested by every role with GET and
with POST, answers what ONE table below says — and a URL pattern missing from the table fails.

A POST with empty data — refused (403, 405, a redirect to sign in) or redisplayed with errors —
changes nothing: every history table and every domain table holds the same number of rows after
it as before. No request answers 500.

To see what the app answers now (e.g. after adding a URL), run with MATRIX_PRINT=1 and `-s`.
"""

import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests import demo_snapshot
from tests.conftest import make_user
from tests.helpers import all_url_patterns

# The demo world is built once per module (see `world`); each test runs in a savepoint on it.
pytestmark = pytest.mark.django_db

ROLES = ("anon", "officer", "finance", "cabinet", "admin")
SIGN_IN = 302  # anonymous users are sent to the sign-in page


def _answers(allowed, *, ok=200, refused=403, anon=SIGN_IN):
    """One method's answers: `ok` for the roles in `allowed`, `refused` for the others."""
    return {"anon": anon} | {r: (ok if r in allowed else refused) for r in ROLES[1:]}


EVERYONE = {"officer", "finance", "cabinet", "admin"}
OFFICERS = {"officer", "admin"}  # edit the record, stages, outputs, progress
RISK_EDITORS = {"officer", "finance", "admin"}
REQUESTERS = {"officer", "finance", "admin"}  # request a drawdown
FINANCE = {"finance", "admin"}  # reserves, cost profile, approvals
DECIDERS = {"cabinet", "admin"}  # decisions, gates, the ceiling

ALL_405 = dict.fromkeys(ROLES, 405)
ANON_405 = {"anon": SIGN_IN} | dict.fromkeys(ROLES[1:], 405)


def page(get_roles=EVERYONE, post=None):
    """A read-only page: GET 200 for `get_roles`, 403 for the rest; POST is not allowed (405
    for every signed-in role, before any permission is read; sign-in first for anonymous)."""
    return {"GET": _answers(get_roles), "POST": post or ANON_405}


def form(roles, *, post_ok=200):
    """A form page: GET shows it and an empty POST redisplays it with errors (`post_ok`)
    for `roles`; everyone else is refused with 403 before anything is read."""
    return {"GET": _answers(roles), "POST": _answers(roles, ok=post_ok)}


def action(roles, *, post_ok=200, get=None):
    """A POST-only action: GET is 405; an empty POST by `roles` answers `post_ok` (200: the
    page again with the form's errors; nothing this empty is ever accepted)."""
    return {"GET": get or ANON_405, "POST": _answers(roles, ok=post_ok)}


def download(roles=EVERYONE, post=None):
    return page(roles, post=post)


VIEW_ALL = page()
EDIT_OFFICER = form(OFFICERS)
EDIT_FINANCE = form(FINANCE)
DECIDE = form(DECIDERS)

# The table. Keys are URL names; values give, per method, the status for each role.
EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    # Project pages
    # Everyone's home says what awaits them (Cabinet's too, with the dashboard one click away).
    "home": page(),
    "healthz": {"GET": dict.fromkeys(ROLES, 200), "POST": ALL_405},
    "accessibility": {"GET": dict.fromkeys(ROLES, 200), "POST": ALL_405},
    "login": {"GET": dict.fromkeys(ROLES, 200), "POST": dict.fromkeys(ROLES, 200)},
    "logout": {"GET": ANON_405, "POST": dict.fromkeys(ROLES, 302)},
    # The programme record
    "reporting:dashboard": page(),
    "programme:detail": page(),
    "programme:print": page(),
    "programme:edit": EDIT_OFFICER,
    # Officers keep the status; closing (and reopening) is cabinet's, so cabinet reaches it too.
    "programme:status": form(OFFICERS | DECIDERS),
    "programme:item_add": EDIT_OFFICER,
    "programme:item_edit": EDIT_OFFICER,
    "programme:consultation_add": EDIT_OFFICER,
    "programme:consultation_edit": EDIT_OFFICER,
    "programme:review_edit": EDIT_OFFICER,
    "programme:benefit_add": EDIT_OFFICER,
    "programme:benefit_edit": EDIT_OFFICER,
    "programme:measure_add": EDIT_OFFICER,
    "programme:glossary_add": EDIT_OFFICER,
    "programme:glossary_edit": EDIT_OFFICER,
    "programme:recommendation_decide": DECIDE,
    "reserves:ceiling_change": DECIDE,
    # Check and approve: the second Cabinet member (or Admin) approves another's proposal.
    "reserves:ceiling_approve": form(DECIDERS, post_ok=302),
    "reserves:ceiling_withdraw": action(DECIDERS, post_ok=302),
    "reserves:programme_spend": page(),
    "programme:export": download(),
    # Reports, audit, help
    "reporting:reports": page(),
    "reporting:report_request": action(EVERYONE, post_ok=400),
    "reporting:report_download": download(),
    "reporting:audit": page(),
    "reporting:audit_export": download(),
    "reporting:object_history": page(),
    "reporting:help": page(),
    "reporting:help_role": page(),
    # Stages
    "stages:list": page(),
    # "My outputs" lists the outputs an officer owns: only officers have any.
    "stages:my_outputs": page(OFFICERS),
    "stages:approve": DECIDE,
    "stages:export": download(),
    "stages:detail": page(),
    "stages:edit": EDIT_OFFICER,
    "stages:start": EDIT_OFFICER,
    "stages:complete": EDIT_OFFICER,
    "stages:gate": DECIDE,
    "stages:update_new": EDIT_OFFICER,
    "stages:output_new": EDIT_OFFICER,
    "stages:output_detail": page(),
    "stages:output_edit": EDIT_OFFICER,
    "stages:output_status": action(OFFICERS),
    "stages:evidence_download": download(),
    "risks:raid": page(),
    "risks:raid_create": form(RISK_EDITORS),
    "risks:raid_edit": form(RISK_EDITORS),
    # Without its confirmation an empty POST logs nothing and goes back to the log.
    "risks:raid_from_escalation": action(RISK_EDITORS, post_ok=302),
    "stages:tolerances": page(),
    "stages:tolerances_set": DECIDE,
    "stages:stage_tolerances_set": DECIDE,
    "stages:exceptions": page(),
    "stages:exception": page(),
    "stages:exception_report": action(OFFICERS),
    "stages:exception_decide": action(DECIDERS),
    "stages:escalation": page(),
    "stages:escalation_decide": action(DECIDERS),
    # Risks
    "risks:register": page(),
    "risks:export_csv": download(),
    "risks:export_xlsx": download(),
    "risks:create": form(RISK_EDITORS),
    "risks:detail": page(),
    "risks:edit": form(RISK_EDITORS),
    "risks:review_create": form(RISK_EDITORS),
    "risks:action_create": form(RISK_EDITORS),
    "risks:action_edit": form(RISK_EDITORS),
    # Reserves
    "reserves:list": page(),
    "reserves:statement": page(),
    "reserves:statement_export": download(),
    "reserves:reserve_edit": EDIT_FINANCE,
    "reserves:drawdown_queue": page(),
    "reserves:drawdown_export": download(),
    "reserves:drawdown_request": form(REQUESTERS),
    "reserves:drawdown_detail": page(),
    # Approval needs no data: an empty POST by finance approves (and redirects).
    # GET: "check before you approve", stating the effect; POST approves.
    "reserves:drawdown_approve": {"GET": _answers(FINANCE), "POST": _answers(FINANCE, ok=302)},
    "reserves:drawdown_reject": action(FINANCE),
    "reserves:drawdown_schedule": action(FINANCE),
    "reserves:drawdown_mark_drawn": action(FINANCE),
    # The requester may withdraw their own request, so every requesting role reaches the form.
    "reserves:drawdown_cancel": action(REQUESTERS),
    "reserves:refusals": page(),
    "reserves:cost_profile": page(),
    "reserves:cost_profile_export": download(),
    "reserves:cost_line_create": EDIT_FINANCE,
    "reserves:cost_line_edit": EDIT_FINANCE,
    "reserves:cost_line_delete": EDIT_FINANCE,
    "reserves:stated_figures": page(),
    "reserves:actuals": page(),
    "reserves:actuals_transparency": download(),
    "reserves:actuals_imports": form(FINANCE, post_ok=400),
    "reserves:actuals_import": page(FINANCE),
    "reserves:actuals_import_confirm": action(FINANCE, post_ok=302),
    "reserves:actuals_import_discard": action(FINANCE, post_ok=302),
    "reserves:actuals_columns": EDIT_FINANCE,
    "reserves:actuals_cost_centres": EDIT_FINANCE,
    "reserves:actuals_cost_centre_remove": action(FINANCE, post_ok=302),
    "reserves:actuals_forecast": EDIT_OFFICER,
}

# URL names whose GET answers a file, not a page (the accessibility test skips them).
DOWNLOADS = {
    "programme:export",
    "reporting:report_download",
    "reporting:audit_export",
    "stages:export",
    "stages:evidence_download",
    "risks:export_csv",
    "risks:export_xlsx",
    "reserves:statement_export",
    "reserves:drawdown_export",
    "reserves:cost_profile_export",
    "reserves:actuals_transparency",
}


def discovered_names() -> set[str]:
    """Every named URL pattern except the Django admin's own (checked separately below)."""
    names = set()
    for route, name in all_url_patterns():
        if route.startswith("admin/") or (name or "").startswith("admin:"):
            continue
        if route.startswith(("static/", "media/")):
            continue
        assert name, f"URL pattern {route!r} has no name: the matrix cannot list it"
        names.add(name)
    return names


def test_every_url_pattern_is_in_the_matrix():
    discovered = discovered_names()
    missing = discovered - EXPECTED.keys()
    assert not missing, (
        f"URL patterns missing from EXPECTED in {__name__}: {sorted(missing)} — "
        "add a row saying what each role gets for GET and POST"
    )
    stale = EXPECTED.keys() - discovered
    assert not stale, f"rows in EXPECTED for URL patterns that do not exist: {sorted(stale)}"


# The demo data every request runs against -------------------------------------------------


@dataclass
class World:
    users: dict
    kwargs: dict = field(default_factory=dict)


def _build_world():
    """The demo programme, one user per role, and one object of each kind a URL needs."""
    from core.history import acting_user
    from programme.models import (
        Benefit,
        Consultation,
        GlossaryTerm,
        KeyConsideration,
        Programme,
        Recommendation,
    )
    from reporting import services as report_services
    from reporting.models import ReportRun
    from reserves import services as reserve_services
    from reserves.models import CostLine, Drawdown, Reserve
    from risks.models import MitigationAction, RaidItem, Risk
    from stages.models import Output

    demo_snapshot.restore_demo()
    users = {
        "officer": make_user("officer", "Officer"),
        "officer2": make_user("officer2", "Officer"),
        "finance": make_user("finance", "Finance"),
        "finance2": make_user("finance2", "Finance"),
        "cabinet": make_user("cabinet", "Cabinet"),
        "admin": make_user("admin", "Admin"),
    }
    programme = Programme.objects.get()
    slug = programme.slug
    reserve = Reserve.objects.get(pk=programme.funding_reserve_id)
    risk = Risk.objects.filter(programme=programme).order_by("number").first()
    with acting_user(users["officer"]), transaction.atomic():
        mitigation = MitigationAction.objects.create(
            risk=risk, description="Weekly check-in", owner=users["officer"]
        )
        # A request by someone other than the finance users, so finance may decide it; for no
        # programme, so the programme's ceiling (fully committed in the demo) does not refuse it.
        requested = Drawdown.objects.create(
            reserve=reserve,
            programme=None,
            purpose="Matrix: a requested drawdown",
            amount=Decimal("1000.00"),
            status=Drawdown.Status.REQUESTED,
            requested_by=users["officer2"],
        )
        run = ReportRun.objects.create(
            programme=programme,
            kind=ReportRun.Kind.HIGHLIGHT,
            status=ReportRun.Status.DONE,
            requested_by=users["officer"],
        )
    submitted = Output.objects.get(stage__programme=programme, stage__number=1, code="d")
    exception, escalation = cabinet_items(programme, users["officer"])
    with acting_user(users["officer"]):
        raid_item = RaidItem.objects.create(
            programme=programme,
            kind=RaidItem.Kind.DEPENDENCY,
            title="Matrix: the telephony contract renewal",
            raised_on=date(2024, 1, 8),
        )
    approved = Drawdown.objects.filter(status=Drawdown.Status.APPROVED).first()
    # A ceiling change proposed by a second Cabinet member, for the others to approve.
    proposal = reserve_services.ceiling_propose(
        programme=programme,
        user=make_user("cabinet2", "Cabinet"),
        data={
            "new_ceiling": programme.spending_ceiling + Decimal("5000"),
            "title": "Matrix: a ceiling change",
            "reason": "Matrix",
            "decided_on": programme.decision_date,
            "decision_maker": "Cabinet",
            "decision_reference": "Minute 1",
            "key_decision_reference": "",
        },
    )
    ledger_import, cost_centre = _actuals_world(programme, users)
    s = {"slug": slug}
    kw = {
        "home": {},
        "healthz": {},
        "accessibility": {},
        "login": {},
        "logout": {},
        "reporting:dashboard": s,
        "programme:detail": s,
        "programme:print": s,
        "programme:edit": s,
        "programme:status": s,
        "programme:item_add": s | {"kind": "objectives"},
        "programme:item_edit": s
        | {
            "kind": "considerations",
            "pk": KeyConsideration.objects.filter(programme=programme).first().pk,
        },
        "programme:consultation_add": s,
        "programme:consultation_edit": s
        | {"pk": Consultation.objects.filter(programme=programme).first().pk},
        "programme:review_edit": s | {"area": "legal"},
        "programme:benefit_add": s,
        "programme:benefit_edit": s | {"pk": Benefit.objects.filter(programme=programme)[0].pk},
        "programme:measure_add": s | {"pk": Benefit.objects.filter(programme=programme)[0].pk},
        "programme:glossary_add": s,
        "programme:glossary_edit": s
        | {"pk": GlossaryTerm.objects.filter(programme=programme).first().pk},
        "programme:recommendation_decide": s
        | {"pk": Recommendation.objects.filter(programme=programme).first().pk},
        "reserves:ceiling_change": s,
        "reserves:ceiling_approve": s | {"pk": proposal.pk},
        "reserves:ceiling_withdraw": s | {"pk": proposal.pk},
        "reserves:programme_spend": s,
        "programme:export": s | {"register": "benefits", "fmt": "csv"},
        "reporting:reports": s,
        "reporting:report_request": s,
        "reporting:report_download": s | {"pk": run.pk, "fmt": "pdf"},
        "reporting:audit": s,
        "reporting:audit_export": s,
        "reporting:object_history": s
        | {"app_label": "stages", "model_name": "output", "pk": submitted.pk},
        "reporting:help": s,
        "reporting:help_role": s | {"role": "officer"},
        "stages:list": s,
        "stages:my_outputs": s,
        "stages:approve": s,
        "stages:export": s | {"dataset": "outputs", "fmt": "csv"},
        "stages:detail": s | {"number": 1},
        "stages:edit": s | {"number": 1},
        "stages:start": s | {"number": 2},
        "stages:complete": s | {"number": 1},
        "stages:gate": s | {"number": 1},
        "stages:update_new": s | {"number": 1},
        "stages:output_new": s | {"number": 1},
        "stages:output_detail": s | {"number": 1, "code": "d"},
        "stages:output_edit": s | {"number": 1, "code": "d"},
        "stages:output_status": s | {"number": 1, "code": "d"},
        "stages:evidence_download": s | {"number": 1, "code": "d"},
        "risks:raid": s,
        "risks:raid_create": s,
        "risks:raid_edit": s | {"pk": raid_item.pk},
        "risks:raid_from_escalation": s | {"escalation_id": escalation.pk},
        "stages:tolerances": s,
        "stages:tolerances_set": s,
        "stages:stage_tolerances_set": s | {"number": 1},
        "stages:exceptions": s,
        "stages:exception": s | {"pk": exception.pk},
        "stages:exception_report": s | {"pk": exception.pk},
        "stages:exception_decide": s | {"pk": exception.pk},
        "stages:escalation": s | {"pk": escalation.pk},
        "stages:escalation_decide": s | {"pk": escalation.pk},
        "risks:register": s,
        "risks:export_csv": s,
        "risks:export_xlsx": s,
        "risks:create": s,
        "risks:detail": s | {"number": risk.number},
        "risks:edit": s | {"number": risk.number},
        "risks:review_create": s | {"number": risk.number},
        "risks:action_create": s | {"number": risk.number},
        "risks:action_edit": s | {"number": risk.number, "action_id": mitigation.pk},
        "reserves:list": {},
        "reserves:statement": {"pk": reserve.pk},
        "reserves:statement_export": {"pk": reserve.pk, "fmt": "csv"},
        "reserves:reserve_edit": {"pk": reserve.pk},
        "reserves:drawdown_queue": {},
        "reserves:drawdown_export": {"fmt": "csv"},
        "reserves:drawdown_request": {},
        "reserves:drawdown_detail": {"pk": requested.pk},
        "reserves:drawdown_approve": {"pk": requested.pk},
        "reserves:drawdown_reject": {"pk": requested.pk},
        "reserves:drawdown_schedule": {"pk": approved.pk},
        "reserves:drawdown_mark_drawn": {"pk": approved.pk},
        "reserves:drawdown_cancel": {"pk": approved.pk},
        "reserves:refusals": {},
        "reserves:cost_profile": s,
        "reserves:cost_profile_export": s | {"fmt": "csv"},
        "reserves:cost_line_create": s,
        "reserves:cost_line_edit": s | {"pk": CostLine.objects.filter(programme=programme)[0].pk},
        "reserves:cost_line_delete": s | {"pk": CostLine.objects.filter(programme=programme)[0].pk},
        "reserves:stated_figures": s,
        "reserves:actuals": s,
        "reserves:actuals_transparency": s,
        "reserves:actuals_imports": s,
        "reserves:actuals_import": s | {"pk": ledger_import.pk},
        "reserves:actuals_import_confirm": s | {"pk": ledger_import.pk},
        "reserves:actuals_import_discard": s | {"pk": ledger_import.pk},
        "reserves:actuals_columns": s,
        "reserves:actuals_cost_centres": s,
        "reserves:actuals_cost_centre_remove": s | {"pk": cost_centre.pk},
        "reserves:actuals_forecast": s | {"number": 1},
    }
    files = {
        "evidence": (submitted, "evidence/matrix-evidence.txt"),
        "report": (run, report_services.file_name(run, "pdf")),
    }
    return World(users=users, kwargs=kw), files


def _actuals_world(programme, users):
    """A rejected ledger import and a mapped cost centre (actual spend pages)."""
    from core.history import acting_user
    from reserves.models import CostCentreMapping, LedgerImport

    with acting_user(users["finance"]):
        ledger_import = LedgerImport.objects.create(
            programme=programme,
            file="ledger-imports/matrix.csv",
            original_name="matrix.csv",
            digest="0" * 64,
            size=10,
            status=LedgerImport.Status.REJECTED,
            error="Matrix: nothing imported",
            uploaded_by=users["finance"],
        )
        cost_centre = CostCentreMapping.objects.create(programme=programme, cost_centre="MX100")
    return ledger_import, cost_centre


def cabinet_items(programme, officer):
    """An exception awaiting Cabinet's decision and an escalation awaiting Cabinet (issue 14)."""
    from django.utils import timezone

    from core.history import acting_user
    from stages.models import Escalation, ProgressUpdate, Stage, ToleranceException

    stage = Stage.objects.get(programme=programme, number=1)
    with acting_user(officer), transaction.atomic():
        update = ProgressUpdate.objects.create(
            stage=stage,
            as_of=timezone.localdate(),
            rag="amber",
            percent_complete=50,
            narrative="Matrix update",
            escalation="Matrix: decide the data owners",
            author=officer,
        )
        exception = ToleranceException.objects.create(
            stage=stage,
            tolerance="cost",
            raised_from=update,
            raised_by=officer,
            raised_at=timezone.now(),
            limit="£190,000 to £210,000",
            forecast="£215,000",
            excess="£5,000 over",
            status=ToleranceException.Status.REPORTED,
            cause="Data cleansing",
            recommendation="Accept",
            reported_by=officer,
            reported_at=timezone.now(),
        )
        escalation = Escalation.objects.create(
            stage=stage,
            progress_update=update,
            text=update.escalation,
            raised_by=officer,
            raised_at=timezone.now(),
        )
    return exception, escalation


def store_files(files):
    """Put the evidence and report files in (this test's) storage, so downloads answer 200."""
    output, evidence_name = files["evidence"]
    saved = default_storage.save(evidence_name, ContentFile(b"matrix evidence\n"))
    type(output).objects.filter(pk=output.pk).update(evidence_file=saved)
    run, report_name = files["report"]
    if not default_storage.exists(report_name):
        default_storage.save(report_name, ContentFile(b"%PDF-1.4 matrix\n"))
    run.file.name = report_name
    type(run).objects.filter(pk=run.pk).update(file=report_name)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built, files = _build_world()
            built.files = files
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def matrix_db(world, django_db_blocker, _media_in_tmp):
    """Each test runs in a savepoint on top of the module's world, with its files stored."""
    with django_db_blocker.unblock(), transaction.atomic():
        store_files(world.files)
        yield world
        transaction.set_rollback(True)


def clients(world) -> dict[str, Client]:
    made = {"anon": Client()}
    for role in ROLES[1:]:
        made[role] = Client()
        made[role].force_login(world.users[role])
    return made


def history_models():
    return [m for m in apps.get_models() if m.__name__.startswith("Historical")]


def domain_models():
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"programme", "stages", "reserves", "risks", "auth"}
    ]


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in history_models() + domain_models()}


def request_once(client, method, url):
    """One request whose writes are undone afterwards, so the next starts from the world."""
    with transaction.atomic():
        if method == "GET":
            response, before, after = client.get(url), None, None
        else:
            before = row_counts()
            response = client.post(url, {})
            after = row_counts()
        transaction.set_rollback(True)
    return response, before, after


def url_for(world, name) -> str | None:
    try:
        return reverse(name, kwargs=world.kwargs[name])
    except NoReverseMatch:
        return None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role_gets_what_the_matrix_says(name, matrix_db):
    url = url_for(matrix_db, name)
    assert url is not None, f"{name} is in the matrix but does not resolve with its kwargs"
    logged_in = clients(matrix_db)
    got, problems = {}, []
    for method in ("GET", "POST"):
        for role in ROLES:
            response, before, after = request_once(logged_in[role], method, url)
            got.setdefault(method, {})[role] = response.status_code
            expected = EXPECTED[name][method][role]
            if response.status_code != expected:
                problems.append(f"{method} as {role}: {response.status_code}, expected {expected}")
            if response.status_code >= 500:
                problems.append(f"{method} as {role}: server error {response.status_code}")
            elif method == "POST" and before != after and not (role != "anon" and expected == 302):
                # Unless it is an allowed action that needs no data (answered with a redirect),
                # an empty POST — refused, or redisplayed with errors — leaves every table as it
                # was.
                changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                problems.append(f"empty POST as {role} changed rows: {changed}")
    if os.environ.get("MATRIX_PRINT"):
        print(f"\n{name!r}: {got},")
    assert not problems, f"{name} ({url}): " + "; ".join(problems)


def test_no_row_in_the_matrix_answers_a_server_error():
    """The table itself never expects a 500 (a 500 there would be a bug written down)."""
    for name, methods in EXPECTED.items():
        for method, answers in methods.items():
            assert set(answers) == set(ROLES), (name, method)
            assert all(code < 500 for code in answers.values()), (name, method)


@pytest.mark.parametrize("role", ["officer", "finance", "cabinet"])
def test_the_django_admin_refuses_everyone_but_the_admin(role, matrix_db):
    logged_in = clients(matrix_db)
    response = logged_in[role].get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = logged_in[role].get("/admin/reserves/drawdown/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    anon = logged_in["anon"].get("/admin/")
    assert anon.status_code == 302
    assert logged_in["admin"].get("/admin/").status_code == 200
    assert logged_in["admin"].get("/admin/reserves/drawdown/").status_code == 200
