"""Random sequences of actions by random users never break the rules: outputs move only along
the allowed steps (or back to in progress when their evidence changes after submission),
acceptance is four-eyes, a refusal changes nothing, and a stage starts only through its
gate."""

import itertools
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.access import Role, roles_of
from stages import services
from stages.models import Output, Stage
from tests.hypothesis_profiles import examples

from .factories import OutputFactory

pytestmark = pytest.mark.django_db

ACTORS = ["owner", "other_officer", "admin", "cabinet", "finance"]
STATUSES = [*Output.Status.values, "archived"]  # one status that does not exist
output_actions = st.lists(
    st.one_of(
        st.tuples(st.just("move"), st.sampled_from(STATUSES), st.sampled_from(ACTORS)),
        # "forward": the next step on the way to acceptance, whatever the status now, so that
        # whole journeys (and attempts to accept one's own output) come up often.
        st.tuples(st.just("forward"), st.just(""), st.sampled_from(ACTORS)),
        st.tuples(st.just("forward"), st.just(""), st.sampled_from(ACTORS)),
        st.tuples(st.just("accept"), st.just(""), st.sampled_from(ACTORS)),
        st.tuples(st.just("evidence"), st.just(""), st.sampled_from(ACTORS)),
    ),
    max_size=14,
)
FORWARD = {
    Output.Status.NOT_STARTED: Output.Status.IN_PROGRESS,
    Output.Status.IN_PROGRESS: Output.Status.SUBMITTED,
    Output.Status.SUBMITTED: Output.Status.ACCEPTED,
    Output.Status.ACCEPTED: Output.Status.ACCEPTED,
}
_codes = itertools.count()
HYPOTHESIS = settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _snapshot(output: Output) -> tuple:
    row = Output.objects.get(pk=output.pk)
    return (
        row.status,
        row.owner_id,
        row.submitted_by_id,
        row.submitted_at,
        row.accepted_by_id,
        row.accepted_at,
        row.evidence_url,
    )


def _check_invariants(output: Output, users: dict) -> None:
    row = Output.objects.get(pk=output.pk)
    assert row.status in Output.Status.values
    if row.status == Output.Status.ACCEPTED:
        assert row.accepted_by_id and row.accepted_at
        acceptor = users["by_id"][row.accepted_by_id]
        if Role.ADMIN not in roles_of(acceptor):
            assert row.accepted_by_id not in (row.owner_id, row.submitted_by_id)
        assert Role.CABINET not in roles_of(acceptor) or Role.ADMIN in roles_of(acceptor)
    else:
        assert row.accepted_by_id is None and row.accepted_at is None
    if row.status in (Output.Status.SUBMITTED, Output.Status.ACCEPTED):
        assert row.submitted_by_id and row.has_evidence


@pytest.fixture
def users(officer, officer2, admin_user, cabinet, finance):
    named = {
        "owner": officer,
        "other_officer": officer2,
        "admin": admin_user,
        "cabinet": cabinet,
        "finance": finance,
    }
    return {**named, "by_id": {u.pk: u for u in named.values()}}


@HYPOTHESIS
@given(actions=output_actions, with_evidence=st.booleans())
def test_random_output_actions_never_break_the_rules(stages, users, actions, with_evidence):
    output = OutputFactory(
        stage=stages[1],
        code=f"p{next(_codes)}",
        owner=users["owner"],
        evidence_url="https://intranet.example.gov.uk/e" if with_evidence else "",
    )
    for kind, status, actor_name in actions:
        actor = users[actor_name]
        before = _snapshot(output)
        if kind == "forward":
            kind, status = "move", FORWARD[before[0]]
        try:
            if kind == "move":
                services.output_transition(output=output, actor=actor, to_status=status)
            elif kind == "accept":
                services.output_accept(output=output, actor=actor)
            else:
                services.output_update(
                    output=output, actor=actor, data={"evidence_url": "https://example.org/e"}
                )
        except (ValidationError, PermissionDenied):
            assert _snapshot(output) == before, (kind, status, actor_name)
        else:
            after = _snapshot(output)
            assert actor_name not in ("cabinet", "finance")
            if kind == "evidence":
                # Evidence is frozen once submitted: a change reopens the output and clears
                # its submission and any acceptance (decision 0083); no change, no move.
                reopened = after[-1] != before[-1] and before[0] in ("submitted", "accepted")
                expected = Output.Status.IN_PROGRESS if reopened else before[0]
                assert after[0] == expected, (before, after)
                if reopened:
                    assert after[2:6] == (None, None, None, None), after
            else:
                if after[0] != before[0]:
                    assert after[0] in services.TRANSITIONS[before[0]], (before[0], after[0])
                if before[0] == Output.Status.ACCEPTED:
                    assert after[0] == Output.Status.ACCEPTED
        _check_invariants(output, users)


gate_actions = st.lists(
    st.one_of(
        st.tuples(st.just("complete_output"), st.integers(0, 2), st.sampled_from(ACTORS)),
        # Every output accepted by someone allowed to: the state in which a missing gate check
        # would show.
        st.tuples(st.just("complete_all"), st.just(0), st.sampled_from(["other_officer", "admin"])),
        st.tuples(st.just("record_gate"), st.just(0), st.sampled_from(ACTORS)),
        st.tuples(st.just("start_stage_2"), st.just(0), st.sampled_from(ACTORS)),
        st.tuples(st.just("reopen_output"), st.integers(0, 2), st.sampled_from(ACTORS)),
    ),
    max_size=10,
)


@HYPOTHESIS
@given(actions=gate_actions)
def test_stage_2_never_starts_before_its_gate(programme, users, actions):
    from .factories import StageFactory

    n = next(_codes)
    prog = type(programme).objects.create(
        name=f"Gate {n}", slug=f"gate-{n}", spending_ceiling=programme.spending_ceiling
    )
    approval = programme.decisions.model.objects.create(
        programme=prog, kind="stage_approval", title="Approve", decided_on=date(2022, 7, 19)
    )
    one = StageFactory(
        programme=prog,
        number=1,
        status=Stage.Status.IN_PROGRESS,
        actual_start=date(2024, 1, 1),
        approved_by_decision=approval,
    )
    two = StageFactory(programme=prog, number=2, approved_by_decision=approval)
    outputs = [
        OutputFactory(stage=one, code=c, owner=users["owner"], evidence_url="https://e.org/x")
        for c in "abc"
    ]
    for kind, index, actor_name in actions:
        actor = users[actor_name]
        try:
            if kind in ("complete_output", "complete_all"):
                for output in outputs if kind == "complete_all" else [outputs[index]]:
                    if Output.objects.get(pk=output.pk).status == Output.Status.ACCEPTED:
                        continue
                    for step in ("in_progress", "submitted"):
                        if Output.objects.get(pk=output.pk).status != step:
                            services.output_transition(
                                output=output, actor=users["owner"], to_status=step
                            )
                    services.output_accept(output=output, actor=actor)
            elif kind == "reopen_output":
                services.output_transition(
                    output=outputs[index], actor=actor, to_status="in_progress"
                )
            elif kind == "record_gate":
                services.stage_gate_record(
                    actor=actor,
                    stage=two,
                    data={"decided_on": date(2024, 6, 1), "decision_maker": "Cabinet"},
                )
            else:
                services.stage_start(stage=two, actor=actor, actual_start=date(2024, 6, 2))
        except (ValidationError, PermissionDenied):
            pass
        two.refresh_from_db()
        accepted = Output.objects.filter(stage=one, status=Output.Status.ACCEPTED).count()
        if two.gate_decision_id:
            # The gate is only ever recorded over three accepted outputs, by cabinet or admin.
            assert accepted == 3
            assert roles_of(users["by_id"][two.gate_decision.recorded_by_id]) & {
                Role.CABINET,
                Role.ADMIN,
            }
        if two.status != Stage.Status.NOT_STARTED:
            assert two.gate_decision_id is not None
            assert two.approved_by_decision_id is not None
            assert accepted == 3
