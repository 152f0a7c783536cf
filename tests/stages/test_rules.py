"""The rules of stages and outputs, through the services: gates, four-eyes acceptance, status
moves, bad input refused with nothing saved, and history rows that name the user."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from programme.models import Decision
from stages import services
from stages.models import Output, ProgressUpdate, Stage

from .factories import OutputFactory

pytestmark = pytest.mark.django_db


def _submit(output, user):
    output.evidence_url = "https://intranet.example.gov.uk/evidence"
    output.save()
    services.output_transition(output=output, actor=user, to_status="in_progress")
    return services.output_transition(output=output, actor=user, to_status="submitted")


def _accept_all(outputs, acceptor, submitter):
    for output in outputs:
        _submit(output, submitter)
        services.output_accept(output=output, actor=acceptor)


# Gates -------------------------------------------------------------------------------------


def test_stage_2_cannot_start_while_stage_1_outputs_are_not_accepted(
    stages, stage1_outputs, officer
):
    with pytest.raises(ValidationError) as error:
        services.stage_start(stage=stages[2], actor=officer, actual_start=timezone.localdate())
    text = " ".join(error.value.messages)
    assert "not yet accepted: a) Output a, b) Output b, c) Output c" in text
    assert "gate decision from stage 1 into stage 2 has not been recorded" in text
    stages[2].refresh_from_db()
    assert stages[2].status == Stage.Status.NOT_STARTED
    assert stages[2].actual_start is None


def test_stage_2_cannot_start_with_outputs_accepted_but_no_gate_decision(
    stages, stage1_outputs, officer, officer2
):
    _accept_all(stage1_outputs, acceptor=officer2, submitter=officer)
    with pytest.raises(ValidationError) as error:
        services.stage_start(stage=stages[2], actor=officer, actual_start=timezone.localdate())
    assert error.value.messages == [
        "The gate decision from stage 1 into stage 2 has not been recorded by a cabinet member."
    ]


def test_the_gate_cannot_be_recorded_before_the_previous_outputs_are_accepted(
    stages, stage1_outputs, cabinet
):
    with pytest.raises(ValidationError, match="not yet: a\\) Output a"):
        services.stage_gate_record(
            actor=cabinet,
            stage=stages[2],
            data={"decided_on": date(2024, 5, 1), "decision_maker": "Cabinet"},
        )
    assert not Decision.objects.filter(kind=Decision.Kind.STAGE_GATE).exists()


def test_stage_2_starts_once_outputs_are_accepted_and_cabinet_records_the_gate(
    stages, stage1_outputs, officer, officer2, cabinet
):
    _accept_all(stage1_outputs, acceptor=officer2, submitter=officer)
    decision = services.stage_gate_record(
        actor=cabinet,
        stage=stages[2],
        data={
            "decided_on": date(2024, 5, 1),
            "decision_maker": "Cabinet member finance, corporate services and planning",
            "summary": "Stage 1 outputs reviewed; stage 2 may start.",
        },
    )
    assert decision.kind == Decision.Kind.STAGE_GATE
    assert decision.recorded_by == cabinet
    stage = services.stage_start(stage=stages[2], actor=officer, actual_start=date(2024, 6, 3))
    assert stage.status == Stage.Status.IN_PROGRESS
    assert stage.gate_decision == decision
    assert stage.actual_start == date(2024, 6, 3)


def test_an_officer_cannot_record_a_gate_decision(stages, stage1_outputs, officer, officer2):
    _accept_all(stage1_outputs, acceptor=officer2, submitter=officer)
    with pytest.raises(PermissionDenied):
        services.stage_gate_record(
            actor=officer,
            stage=stages[2],
            data={"decided_on": date(2024, 5, 1), "decision_maker": "x"},
        )
    assert not Decision.objects.filter(kind=Decision.Kind.STAGE_GATE).exists()


def test_stage_3_cannot_start_until_a_further_decision_approves_it(stages, officer, cabinet):
    blockers = services.stage_start_blockers(stages[3])
    assert blockers[0] == (
        "No decision has approved stage 3 yet: a cabinet member must record one."
    )
    services.stage_approval_record(
        actor=cabinet,
        programme=stages[3].programme,
        stages=[stages[3]],
        data={
            "decided_on": date(2025, 4, 1),
            "title": "Approval of stage 3",
            "decision_maker": "Cabinet member",
        },
    )
    stages[3].refresh_from_db()
    assert stages[3].approved_by_decision.title == "Approval of stage 3"
    assert not any("approved" in b for b in services.stage_start_blockers(stages[3]))


def test_a_stage_cannot_be_approved_twice(stages, cabinet):
    with pytest.raises(ValidationError, match="Already approved: stage 1"):
        services.stage_approval_record(
            actor=cabinet,
            programme=stages[1].programme,
            stages=[stages[1], stages[3]],
            data={
                "decided_on": date(2025, 4, 1),
                "title": "Again",
                "decision_maker": "Cabinet member",
            },
        )
    stages[3].refresh_from_db()
    assert stages[3].approved_by_decision is None
    assert Decision.objects.count() == 1


def test_a_stage_cannot_complete_with_outputs_not_accepted(stages, stage1_outputs, officer):
    with pytest.raises(ValidationError, match="Every output must be accepted first"):
        services.stage_complete(stage=stages[1], actor=officer, actual_end=timezone.localdate())
    stages[1].refresh_from_db()
    assert stages[1].status == Stage.Status.IN_PROGRESS


def test_a_stage_cannot_end_before_it_started(stages, stage1_outputs, officer, officer2):
    _accept_all(stage1_outputs, acceptor=officer2, submitter=officer)
    with pytest.raises(ValidationError) as error:
        services.stage_complete(
            stage=stages[1], actor=officer, actual_end=stages[1].actual_start - timedelta(days=1)
        )
    assert "actual_end" in error.value.message_dict
    stages[1].refresh_from_db()
    assert stages[1].status == Stage.Status.IN_PROGRESS
    assert stages[1].actual_end is None


def test_planned_end_before_planned_start_is_refused(stages, officer):
    with pytest.raises(ValidationError) as error:
        services.stage_update(
            stage=stages[2],
            actor=officer,
            data={"planned_start": date(2024, 6, 1), "planned_end": date(2024, 5, 1)},
        )
    assert error.value.message_dict["planned_end"] == [
        "The planned end must be on or after the planned start."
    ]
    stages[2].refresh_from_db()
    assert stages[2].planned_end == date(2025, 3, 31)


# Four eyes ---------------------------------------------------------------------------------


def test_an_officer_cannot_accept_an_output_they_own(stages, officer, officer2):
    output = OutputFactory(stage=stages[1], owner=officer)
    _submit(output, officer2)
    with pytest.raises(ValidationError, match="cannot accept an output you own or submitted"):
        services.output_accept(output=output, actor=officer)
    output.refresh_from_db()
    assert output.status == Output.Status.SUBMITTED
    assert output.accepted_by is None


def test_an_officer_cannot_accept_an_output_they_submitted(stages, officer, officer2):
    output = OutputFactory(stage=stages[1], owner=officer2)
    _submit(output, officer)
    with pytest.raises(ValidationError):
        services.output_accept(output=output, actor=officer)
    assert Output.objects.get(pk=output.pk).status == Output.Status.SUBMITTED


def test_another_officer_accepts_and_is_recorded_with_the_time(stages, officer, officer2):
    output = OutputFactory(stage=stages[1], owner=officer)
    _submit(output, officer)
    before = timezone.now()
    accepted = services.output_accept(output=output, actor=officer2)
    assert accepted.status == Output.Status.ACCEPTED
    assert accepted.accepted_by == officer2
    assert accepted.accepted_at >= before


def test_an_admin_may_accept_their_own_output(stages, admin_user):
    output = OutputFactory(stage=stages[1], owner=admin_user)
    _submit(output, admin_user)
    assert services.output_accept(output=output, actor=admin_user).accepted_by == admin_user


@pytest.mark.parametrize("role", ["finance", "cabinet"])
def test_finance_and_cabinet_cannot_accept_outputs(role, role_users, stages, officer):
    output = OutputFactory(stage=stages[1], owner=officer)
    _submit(output, officer)
    with pytest.raises(PermissionDenied):
        services.output_accept(output=output, actor=role_users[role])
    assert Output.objects.get(pk=output.pk).status == Output.Status.SUBMITTED


def test_an_output_cannot_be_submitted_without_evidence(stages, officer):
    output = OutputFactory(stage=stages[1], owner=officer, status=Output.Status.IN_PROGRESS)
    with pytest.raises(ValidationError, match="Add evidence"):
        services.output_transition(output=output, actor=officer, to_status="submitted")
    assert Output.objects.get(pk=output.pk).status == Output.Status.IN_PROGRESS


def test_an_unknown_status_is_refused(stages, officer):
    output = OutputFactory(stage=stages[1], owner=officer)
    with pytest.raises(ValidationError) as error:
        services.output_transition(output=output, actor=officer, to_status="done")
    assert "status" in error.value.message_dict
    assert Output.objects.get(pk=output.pk).status == Output.Status.NOT_STARTED


def test_an_accepted_output_keeps_its_title_and_evidence(stages, officer, officer2):
    output = OutputFactory(stage=stages[1], owner=officer)
    _submit(output, officer)
    services.output_accept(output=output, actor=officer2)
    with pytest.raises(ValidationError, match="cannot change"):
        services.output_update(output=output, actor=officer, data={"title": "Something else"})
    assert Output.objects.get(pk=output.pk).title == output.title
    # Its description may still be corrected.
    services.output_update(output=output, actor=officer, data={"description": "Typo fixed"})


def test_a_due_date_before_the_stage_starts_is_refused(stages, officer):
    with pytest.raises(ValidationError) as error:
        services.output_create(
            stage=stages[2],
            actor=officer,
            data={"code": "z", "title": "Early", "due_date": date(2024, 5, 31)},
        )
    assert error.value.message_dict["due_date"] == [
        "The due date must be on or after the day the stage starts (1 June 2024)."
    ]
    assert not Output.objects.filter(code="z").exists()


# Progress updates --------------------------------------------------------------------------


def test_the_stage_rag_and_percent_are_the_latest_updates(stages, officer):
    from stages.selectors import stage_summaries

    services.progress_update_create(
        actor=officer,
        stage=stages[1],
        data={
            "as_of": date(2024, 2, 1),
            "rag": "green",
            "percent_complete": 20,
            "narrative": "Started well",
        },
    )
    services.progress_update_create(
        actor=officer,
        stage=stages[1],
        data={
            "as_of": date(2024, 3, 1),
            "rag": "amber_red",
            "percent_complete": 30,
            "narrative": "Data is late",
        },
    )
    # An update posted later but dated earlier does not become the current one.
    services.progress_update_create(
        actor=officer,
        stage=stages[1],
        data={
            "as_of": date(2024, 1, 15),
            "rag": "green",
            "percent_complete": 10,
            "narrative": "Back-filled",
        },
    )
    summary = stage_summaries(stages[1].programme)[0]
    assert (summary.rag, summary.rag_word, summary.percent) == ("amber_red", "Amber/red", 30)
    assert summary.rag_css == "app-rag--amber-red"
    assert summary.rag_meaning == "Successful delivery is in doubt; urgent action is needed"


@pytest.mark.parametrize("percent", [-1, 101, 250])
def test_percent_outside_0_to_100_is_refused(stages, officer, percent):
    with pytest.raises(ValidationError) as error:
        services.progress_update_create(
            actor=officer,
            stage=stages[1],
            data={
                "as_of": date(2024, 2, 1),
                "rag": "green",
                "percent_complete": percent,
                "narrative": "x",
            },
        )
    assert "percent_complete" in error.value.message_dict
    assert not ProgressUpdate.objects.exists()


def test_a_rag_outside_the_stages_scale_is_refused(stages, officer):
    stages[1].rag_scale = "three"
    stages[1].save()
    with pytest.raises(ValidationError) as error:
        services.progress_update_create(
            actor=officer,
            stage=stages[1],
            data={
                "as_of": date(2024, 2, 1),
                "rag": "amber_green",
                "percent_complete": 5,
                "narrative": "x",
            },
        )
    assert error.value.message_dict["rag"] == [
        "This stage uses the green, amber, red scale: choose one of those."
    ]
    with pytest.raises(ValidationError):
        services.progress_update_create(
            actor=officer,
            stage=stages[1],
            data={
                "as_of": date(2024, 2, 1),
                "rag": "purple",
                "percent_complete": 5,
                "narrative": "x",
            },
        )
    assert not ProgressUpdate.objects.exists()


def test_progress_cannot_be_reported_on_a_stage_that_has_not_started(stages, officer):
    with pytest.raises(ValidationError, match="has not started"):
        services.progress_update_create(
            actor=officer,
            stage=stages[2],
            data={
                "as_of": date(2024, 2, 1),
                "rag": "green",
                "percent_complete": 5,
                "narrative": "x",
            },
        )
    assert not ProgressUpdate.objects.exists()


def test_an_update_cannot_be_dated_in_the_future(stages, officer):
    with pytest.raises(ValidationError) as error:
        services.progress_update_create(
            actor=officer,
            stage=stages[1],
            data={
                "as_of": timezone.localdate() + timedelta(days=1),
                "rag": "green",
                "percent_complete": 5,
                "narrative": "x",
            },
        )
    assert "as_of" in error.value.message_dict


# History -----------------------------------------------------------------------------------


def test_every_change_keeps_a_history_row_naming_the_user(
    stages, stage1_outputs, officer, officer2, cabinet
):
    """Services called outside a request (no middleware, no `acting_user` around them) name
    their actor on every history row they write."""
    services.stage_update(stage=stages[1], actor=officer, data={"supplier": "Partner Ltd"})
    update = services.progress_update_create(
        actor=officer,
        stage=stages[1],
        data={
            "as_of": date(2024, 2, 1),
            "rag": "green",
            "percent_complete": 5,
            "narrative": "x",
        },
    )
    for output in stage1_outputs:
        _submit(output, officer)
    for output in stage1_outputs:
        services.output_accept(output=output, actor=officer2)
    decision = services.stage_gate_record(
        actor=cabinet,
        stage=stages[2],
        data={"decided_on": date(2024, 5, 1), "decision_maker": "Cabinet"},
    )
    assert stages[1].history.latest().history_user == officer
    assert update.history.latest().history_user == officer
    for output in stage1_outputs:
        latest = output.history.latest()
        assert (latest.status, latest.history_user) == ("accepted", officer2)
        assert output.history.filter(status="submitted").get().history_user == officer
    assert decision.history.latest().history_user == cabinet
    assert stages[2].history.latest().history_user == cabinet
    assert stages[2].history.latest().gate_decision_id == decision.pk
