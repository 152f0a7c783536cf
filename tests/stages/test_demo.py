"""The stages part of `load_demo`: the report's stages and outputs, the approval of stages 1
and 2, demo updates marked as such, and a second run that changes nothing."""

from datetime import date

import pytest
from django.core.management import call_command

from programme.models import Decision
from stages import demo
from stages.models import Output, ProgressUpdate, Stage
from stages.selectors import stage_summaries

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_three_stages_of_the_report(demo_programme):
    stages = list(Stage.objects.filter(programme=demo_programme).order_by("number"))
    assert [(s.number, s.name) for s in stages] == [
        (1, "Diagnostics"),
        (2, "Design and implementation"),
        (3, "Handover to business as usual"),
    ]
    assert stages[0].contract_basis == Stage.ContractBasis.FIXED_PRICE
    assert all(s.planned_dates_note.startswith("Demo assumption") for s in stages)


def test_stage_1_has_outputs_a_to_g_verbatim_with_the_second_e_stored_as_g(demo_programme):
    outputs = Output.objects.filter(stage__programme=demo_programme, stage__number=1)
    assert [(o.code, o.title) for o in outputs.order_by("code")] == demo.STAGE_1_OUTPUTS
    assert outputs.get(code="a").title == (
        "A compelling case for change supported by strategic narrative"
    )
    g = outputs.get(code="g")
    assert g.title.startswith("A business case with estimated benefits")
    assert "letters this output “e” a second time" in g.note


def test_stage_2_and_3_outputs_name_their_paragraphs_and_mark_demo_ones(demo_programme):
    stage2 = {
        o.title: o for o in Output.objects.filter(stage__programme=demo_programme, stage__number=2)
    }
    assert stage2["Cultural transformation roadmap"].source_reference == "Paragraph 28"
    assert stage2["Communications plan"].source_reference == "Paragraph 27"
    assert stage2["Equality impact assessments"].source_reference == "Paragraph 46"
    invented = [o for o in stage2.values() if not o.source_reference]
    assert invented and all(o.note.startswith("Demo assumption") for o in invented)
    stage3 = Output.objects.get(stage__programme=demo_programme, stage__number=3)
    assert stage3.title == "Handover to business as usual"


def test_one_decision_of_19_july_2022_approves_stages_1_and_2_only(demo_programme):
    decision = Decision.objects.get(programme=demo_programme, kind=Decision.Kind.STAGE_APPROVAL)
    assert decision.decided_on == date(2022, 7, 19)
    approved = Stage.objects.filter(programme=demo_programme, approved_by_decision=decision)
    assert sorted(approved.values_list("number", flat=True)) == [1, 2]
    assert Stage.objects.get(programme=demo_programme, number=3).approved_by_decision is None


def test_stage_3_is_not_approved_on_its_own_pages_and_budgeted_where_the_ledger_is_known(
    demo_programme,
):
    from reserves.selectors import stage_budget_lines

    assert stage_summaries(demo_programme)[2].approval_word == "Not yet approved"
    budgeted = frozenset(stage_budget_lines(demo_programme))
    summary = stage_summaries(demo_programme, budgeted_stage_ids=budgeted)[2]
    assert summary.approval_state == "budgeted_not_approved"
    assert summary.approval_word == "Budgeted, not yet approved"


def test_demo_progress_updates_are_marked_as_demo_data(demo_programme):
    updates = ProgressUpdate.objects.filter(stage__programme=demo_programme)
    assert updates.count() >= 3
    assert all(u.narrative.startswith("[Demo data]") for u in updates)


def test_a_second_load_changes_nothing(demo_programme):
    counts = (
        Stage.history.count(),
        Output.history.count(),
        ProgressUpdate.history.count(),
        Decision.objects.count(),
    )
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (
        Stage.history.count(),
        Output.history.count(),
        ProgressUpdate.history.count(),
        Decision.objects.count(),
    )


def test_the_loader_fills_stages_another_loader_created_first(db):
    """The reserves part of the demo may create the stages (name only) before this one runs."""
    from programme.demo import load as load_programme

    programme = load_programme(users={})
    Stage.objects.create(programme=programme, number=2, name="Design and implementation")
    demo.load(programme=programme, users={})
    stage2 = Stage.objects.get(programme=programme, number=2)
    assert stage2.planned_start == date(2023, 3, 1)
    assert stage2.approved_by_decision is not None
    # Without demo users nobody can have accepted an output (four eyes): none is accepted.
    assert not Output.objects.filter(status=Output.Status.ACCEPTED).exists()
