"""Decision 0081 in programme, stages, risks and reporting: every service a person calls takes
`actor` as its first keyword and checks the capability before anything else; a role without
the capability is refused (PermissionDenied, which a view answers 403) before any write; and
every history row a service writes names the actor, also when it is called outside a request
(no middleware, no `acting_user` around the call)."""

import ast
import inspect
import textwrap
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.money import ZERO
from programme import services as programme_services
from programme.models import Benefit, Consultation, GlossaryTerm, Objective, Recommendation
from reporting import services as reporting_services
from risks import services as risk_services
from risks.models import MitigationAction, RaidItem, Risk, RiskCategory
from stages import services as stage_services
from stages.models import Escalation, Output, Stage, ToleranceException
from tests.conftest import make_user
from tests.programme.conftest import ProgrammeFactory, signed_off
from tests.stages.factories import DecisionFactory, OutputFactory, StageFactory

SERVICE_MODULES = (programme_services, stage_services, risk_services, reporting_services)

# Public functions of those modules that are not a person's write, and why.
NOT_A_PERSONS_WRITE = {
    # Reads that pages use to decide what to offer (the services decide again).
    "may_withdraw_sign_off",
    "status_capability",
    "statuses_open_to",
    "stage_start_blockers",
    "allowed_next_statuses",
    "evidence_seen",
    "evidence_file_validate",
    "tolerance_breaches",
    "cost_bounds",
    # The report worker's steps: no person acts; each writes as the run's requester
    # (`acting_user(run.requested_by)`), or as no one for the monthly report.
    "report_send",
    "report_sweep",
    "report_claim",
    "report_finish",
    "report_fail",
    "report_generate",
    "highlight_email_cabinet",
    "monthly_highlight_reports",
    "render_files",
    "file_name",
    "download_name",
    "failure_message",
    "run_files",
    "cabinet_recipients",
}


def _services():
    for module in SERVICE_MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            own = function.__module__ == module.__name__ and not name.startswith("_")
            if own and name not in NOT_A_PERSONS_WRITE:
                yield f"{module.__name__}.{name}", function


def test_every_service_takes_actor_first_and_requires_a_capability_before_anything_else():
    checked = []
    for name, function in _services():
        parameters = list(inspect.signature(function).parameters.values())
        assert parameters[0].name == "actor", f"{name}: the first keyword is not `actor`"
        assert parameters[0].kind is inspect.Parameter.KEYWORD_ONLY, name
        assert not any(p.name in ("user", "by") for p in parameters), name
        body = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0].body
        if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        first = body[0]
        assert (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Call)
            and getattr(first.value.func, "id", "") == "require"
            and getattr(first.value.args[0], "id", "") == "actor"
        ), f"{name}: the first statement is not require(actor, …)"
        checked.append(name)
    assert len(checked) >= 26, checked


def test_no_service_sets_the_history_user_by_hand():
    for module in SERVICE_MODULES:
        assert "_history_user" not in inspect.getsource(module), module.__name__


# Every service, called as a role with and without its capability ---------------------------


@dataclass
class World:
    programme: Any
    stages: dict
    output: Output
    submitted: Output
    benefit: Benefit
    risk: Risk
    action: MitigationAction


@pytest.fixture
def world(db, officer):
    from risks.reference import ensure_reference_data

    ensure_reference_data()
    programme = ProgrammeFactory(slug="shape")
    approval = DecisionFactory(programme=programme)
    one = StageFactory(
        programme=programme,
        number=1,
        status=Stage.Status.IN_PROGRESS,
        actual_start=date(2024, 1, 8),
        approved_by_decision=approval,
    )
    two = StageFactory(programme=programme, number=2, approved_by_decision=approval)
    three = StageFactory(programme=programme, number=3)
    output = OutputFactory(
        stage=one,
        code="a",
        owner=officer,
        status=Output.Status.IN_PROGRESS,
        evidence_url="https://intranet.example.gov.uk/a",
    )
    submitted = OutputFactory(
        stage=one,
        code="b",
        owner=officer,
        status=Output.Status.SUBMITTED,
        evidence_url="https://intranet.example.gov.uk/b",
        submitted_by=officer,
        submitted_at=timezone.now(),
    )
    benefit = Benefit.objects.create(
        programme=programme,
        title="Fewer call centres",
        measure="Call centres",
        direction="decrease",
        baseline_value=Decimal("9"),
        baseline_text="nine",
        target_value=Decimal("1"),
    )
    risk = Risk.objects.create(
        programme=programme,
        number=1,
        kind=Risk.Kind.RISK,
        title="Supplier late",
        category=RiskCategory.objects.get(name="Operational"),
    )
    action = MitigationAction.objects.create(risk=risk, description="Weekly check")
    return World(programme, {1: one, 2: two, 3: three}, output, submitted, benefit, risk, action)


def _accept_stage_1(world, acceptor):
    Output.objects.filter(stage=world.stages[1]).update(
        status=Output.Status.ACCEPTED, accepted_by=acceptor, accepted_at=timezone.now()
    )


def _sign_everything(world):
    signed_off(world.programme)


def _set_cost_tolerance(world, users):
    stage_services.tolerances_set(
        actor=users["cabinet"],
        programme=world.programme,
        stage=world.stages[1],
        data={
            "budget": Decimal("200000"),
            "cost_tolerance_percent": Decimal("5"),
            "decided_on": date(2024, 1, 5),
        },
    )


def _raise_exception(world, users, *, report=False):
    stage_services.tolerances_set(
        actor=users["cabinet"],
        programme=world.programme,
        stage=world.stages[1],
        data={
            "budget": Decimal("200000"),
            "cost_tolerance_percent": Decimal("5"),
            "decided_on": date(2024, 1, 5),
        },
    )
    stage_services.progress_update_create(
        actor=users["officer"],
        stage=world.stages[1],
        data={
            "as_of": date(2024, 2, 1),
            "rag": "amber",
            "percent_complete": 10,
            "narrative": "Over",
            "forecast_cost": Decimal("250000"),
        },
    )
    if report:
        stage_services.exception_report(
            actor=users["officer"],
            exception=ToleranceException.objects.get(),
            data={"cause": "Data", "options": "", "recommendation": "Accept"},
        )


def _post_escalation(world, users):
    stage_services.progress_update_create(
        actor=users["officer"],
        stage=world.stages[1],
        data={
            "as_of": date(2024, 2, 1),
            "rag": "amber",
            "percent_complete": 10,
            "narrative": "Stuck",
            "escalation": "Need CLT decision",
        },
    )


# name: (the role that may, the roles that may not, setup, call)
CASES = {
    "programme_record_save": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: programme_services.programme_record_save(
            actor=a, programme=w.programme, data={"wards_affected": "All wards"}
        ),
    ),
    "record_item_save": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: programme_services.record_item_save(
            actor=a,
            item=Objective(programme=w.programme),
            data={"position": 1, "text": "Fewer numbers", "source_reference": "para 9"},
        ),
    ),
    "consultation_save": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: programme_services.consultation_save(
            actor=a,
            consultation=Consultation(programme=w.programme),
            data={
                "body": "Scrutiny",
                "consulted_on": date(2022, 6, 1),
                "outcome": "Supportive",
                "stance": "supportive",
                "source_reference": "",
            },
        ),
    ),
    "glossary_term_save": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: programme_services.glossary_term_save(
            actor=a,
            term=GlossaryTerm(programme=w.programme),
            data={"term": "CLT", "meaning": "Corporate leadership team", "source_reference": ""},
        ),
    ),
    "benefit_save": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: programme_services.benefit_save(
            actor=a, benefit=w.benefit, data={"title": "One front door"}
        ),
    ),
    "benefit_measure_add": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: programme_services.benefit_measure_add(
            actor=a,
            benefit=w.benefit,
            data={"measured_on": date(2023, 1, 1), "value": Decimal("7"), "note": ""},
        ),
    ),
    "report_review_sign": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: programme_services.report_review_sign(
            actor=a, programme=w.programme, area="legal", data={"reviewer_role": "Solicitor"}
        ),
    ),
    "report_review_withdraw": (
        "officer",
        ("finance", "cabinet"),
        lambda w, users: programme_services.report_review_sign(
            actor=users["officer"], programme=w.programme, area="legal", data={}
        ),
        lambda w, a: programme_services.report_review_withdraw(
            actor=a, programme=w.programme, area="legal"
        ),
    ),
    "programme_set_status": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: programme_services.programme_set_status(
            actor=a, programme=w.programme, status="under_review"
        ),
    ),
    "programme_set_status (closing)": (
        "cabinet",
        ("officer", "finance"),
        lambda w, users: _sign_everything(w),
        lambda w, a: programme_services.programme_set_status(
            actor=a, programme=w.programme, status="closed"
        ),
    ),
    "recommendation_decide": (
        "cabinet",
        ("officer", "finance"),
        lambda w, users: Recommendation.objects.create(
            programme=w.programme, label="a", text="Approve the approach."
        ),
        lambda w, a: programme_services.recommendation_decide(
            actor=a,
            recommendation=Recommendation.objects.get(programme=w.programme, label="a"),
            outcome="approved",
            decided_on=date(2022, 7, 19),
        ),
    ),
    "stage_update": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: stage_services.stage_update(
            actor=a, stage=w.stages[1], data={"supplier": "Partner Ltd"}
        ),
    ),
    "stage_start": (
        "officer",
        ("finance", "cabinet"),
        lambda w, users: Stage.objects.filter(pk=w.stages[1].pk).update(
            status=Stage.Status.NOT_STARTED, actual_start=None
        ),
        lambda w, a: stage_services.stage_start(
            actor=a, stage=w.stages[1], actual_start=date(2024, 1, 8)
        ),
    ),
    "stage_complete": (
        "officer",
        ("finance", "cabinet"),
        lambda w, users: _accept_stage_1(w, users["officer2"]),
        lambda w, a: stage_services.stage_complete(
            actor=a, stage=w.stages[1], actual_end=date(2024, 5, 31)
        ),
    ),
    "stage_gate_record": (
        "cabinet",
        ("officer", "finance"),
        lambda w, users: _accept_stage_1(w, users["officer2"]),
        lambda w, a: stage_services.stage_gate_record(
            actor=a,
            stage=w.stages[2],
            data={"decided_on": date(2024, 6, 1), "decision_maker": "Cabinet member"},
        ),
    ),
    "stage_approval_record": (
        "cabinet",
        ("officer", "finance"),
        None,
        lambda w, a: stage_services.stage_approval_record(
            actor=a,
            programme=w.programme,
            stages=[w.stages[3]],
            data={
                "title": "Approval of stage 3",
                "decided_on": date(2025, 4, 1),
                "decision_maker": "Cabinet member",
            },
        ),
    ),
    "output_create": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: stage_services.output_create(
            actor=a, stage=w.stages[1], data={"code": "z", "title": "Roadmap"}
        ),
    ),
    "output_update": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: stage_services.output_update(
            actor=a, output=w.output, data={"note": "Draft two"}
        ),
    ),
    "output_accept": (
        "officer2",
        ("finance", "cabinet"),
        None,
        lambda w, a: stage_services.output_accept(actor=a, output=w.submitted),
    ),
    "output_transition": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: stage_services.output_transition(
            actor=a, output=w.output, to_status="submitted"
        ),
    ),
    "progress_update_create": (
        "officer",
        ("finance", "cabinet"),
        None,
        lambda w, a: stage_services.progress_update_create(
            actor=a,
            stage=w.stages[1],
            data={
                "as_of": date(2024, 2, 1),
                "rag": "green",
                "percent_complete": 10,
                "narrative": "Started",
            },
        ),
    ),
    "tolerances_set": (
        "cabinet",
        ("officer", "finance"),
        None,
        lambda w, a: stage_services.tolerances_set(
            actor=a,
            programme=w.programme,
            stage=w.stages[1],
            data={
                "budget": Decimal("200000"),
                "cost_tolerance_percent": Decimal("5"),
                "decided_on": date(2024, 1, 5),
                "decision_maker": "Cabinet",
            },
        ),
    ),
    "exception_report": (
        "officer",
        ("finance", "cabinet"),
        lambda w, users: _raise_exception(w, users),
        lambda w, a: stage_services.exception_report(
            actor=a,
            exception=ToleranceException.objects.get(),
            data={"cause": "Data", "options": "", "recommendation": "Accept"},
        ),
    ),
    "exception_decide": (
        "cabinet",
        ("officer", "finance"),
        lambda w, users: _raise_exception(w, users, report=True),
        lambda w, a: stage_services.exception_decide(
            actor=a,
            exception=ToleranceException.objects.get(),
            data={"outcome": "accept", "decision_note": "Fine"},
        ),
    ),
    # A consequence of a ledger import or a forecast to complete (reserves.actuals), whose own
    # services check the capability; this one refuses only a user with no role at all.
    "outturn_exceptions_raise": (
        "finance",
        (),
        lambda w, users: _set_cost_tolerance(w, users),
        lambda w, a: stage_services.outturn_exceptions_raise(
            actor=a,
            programme=w.programme,
            outturns={w.stages[1].pk: stage_services.Outturn(Decimal("250000"), ZERO, ZERO)},
            programme_total=Decimal("250000"),
        ),
    ),
    "escalation_decide": (
        "cabinet",
        ("officer", "finance"),
        lambda w, users: _post_escalation(w, users),
        lambda w, a: stage_services.escalation_decide(
            actor=a, escalation=Escalation.objects.get(), data={"decision": "Go ahead"}
        ),
    ),
    "raid_item_save": (
        "finance",
        ("cabinet",),
        None,
        lambda w, a: risk_services.raid_item_save(
            actor=a,
            item=RaidItem(programme=w.programme),
            data={"kind": "assumption", "title": "Staff available", "raised_on": date(2024, 1, 8)},
        ),
    ),
    "raid_issue_from_escalation": (
        "officer",
        ("cabinet",),
        lambda w, users: _post_escalation(w, users),
        lambda w, a: risk_services.raid_issue_from_escalation(
            actor=a, escalation=Escalation.objects.get()
        ),
    ),
    "risk_create": (
        "finance",
        ("cabinet",),
        None,
        lambda w, a: risk_services.risk_create(
            actor=a,
            programme=w.programme,
            data={
                "kind": "risk",
                "title": "Data late",
                "category": RiskCategory.objects.get(name="Operational"),
                "stages": [w.stages[1]],
            },
        ),
    ),
    "risk_update": (
        "officer",
        ("cabinet",),
        None,
        lambda w, a: risk_services.risk_update(
            actor=a, risk=w.risk, data={"title": "Supplier very late", "stages": [w.stages[2]]}
        ),
    ),
    "review_record": (
        "officer",
        ("cabinet",),
        None,
        lambda w, a: risk_services.review_record(
            actor=a,
            risk=w.risk,
            data={
                "reviewed_on": date(2024, 3, 1),
                "inherent_likelihood": 4,
                "inherent_impact": 4,
                "residual_likelihood": 2,
                "residual_impact": 3,
                "notes": "Reviewed",
            },
        ),
    ),
    "action_create": (
        "finance",
        ("cabinet",),
        None,
        lambda w, a: risk_services.action_create(
            actor=a, risk=w.risk, data={"description": "Call the supplier"}
        ),
    ),
    "action_update": (
        "officer",
        ("cabinet",),
        None,
        lambda w, a: risk_services.action_update(
            actor=a, action=w.action, data={"done": True, "done_on": date(2024, 3, 2)}
        ),
    ),
    "report_request": (
        "cabinet",
        ("nobody",),
        None,
        lambda w, a: reporting_services.report_request(
            actor=a, programme=w.programme, kind="highlight"
        ),
    ),
}


@pytest.fixture
def users(officer, officer2, finance, cabinet):
    return {
        "officer": officer,
        "officer2": officer2,
        "finance": finance,
        "cabinet": cabinet,
        "nobody": make_user("nobody", None),  # signed in, but holds no role
    }


def _history_tables():
    """The history tables with their own user (a many-to-many's history rows belong to the
    parent's history row, which names the user)."""
    return [
        m
        for m in apps.get_models()
        if m.__name__.startswith("Historical")
        and any(f.name == "history_user" for f in m._meta.fields)
    ]


def _snapshot() -> dict:
    """Every domain table's row count and every history table's highest id."""
    counts = {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("programme", "stages", "risks", "reserves", "reporting")
    }
    last = {
        m._meta.label: m.objects.order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
        or 0
        for m in _history_tables()
    }
    return {"rows": counts, "history": last}


def _new_history(before: dict) -> list:
    rows = []
    for model in _history_tables():
        rows += list(model.objects.filter(history_id__gt=before["history"][model._meta.label]))
    return rows


def test_every_service_of_the_four_apps_is_in_these_cases():
    covered = {name.split(" ")[0] for name in CASES}
    assert covered == {name.rsplit(".", 1)[1] for name, _function in _services()}


@pytest.mark.parametrize("case", list(CASES))
def test_a_role_without_the_capability_is_refused_before_any_write(case, world, users):
    _allowed, refused, setup, call = CASES[case]
    if setup:
        setup(world, users)
    before = _snapshot()
    for role in refused:
        with pytest.raises(PermissionDenied):
            call(world, users[role])
    assert _snapshot() == before


@pytest.mark.parametrize("case", list(CASES))
def test_history_names_the_actor_when_called_outside_a_request(case, world, users):
    allowed, _refused, setup, call = CASES[case]
    if setup:
        setup(world, users)
    before = _snapshot()
    call(world, users[allowed])
    written = _new_history(before)
    assert written, f"{case} wrote no history row"
    assert {row.history_user for row in written} == {users[allowed]}, [
        (row._meta.label, row.history_user) for row in written
    ]
