"""The stages part of `load_demo`: the report's stages and outputs, the approval of stages 1
and 2, demo updates marked as such, and a second run that changes nothing."""

from datetime import date

import pytest
from django.core.management import call_command

from programme.demo import load as load_programme
from programme.models import Decision
from reporting.demo_users import ensure_demo_users
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
    assert all(s.planned_dates_note.startswith("Illustrative (demo)") for s in stages)


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
    invented = [o for o in stage2.values() if not o.source_quote]
    assert invented and all(o.source_reference.startswith("Illustrative (demo)") for o in invented)
    assert all(o.note.startswith("Demo assumption") for o in invented)
    # The report ties neither the communications plan nor the EIAs to a stage: no owner, and
    # the note says the placing is the demo's.
    for title in ("Communications plan", "Equality impact assessments"):
        assert stage2[title].owner is None
        assert "the demo" in stage2[title].note
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


def test_illustrative_dates_put_the_programme_in_flight_on_the_load_day(db):
    """Loaded any day, stage 1 is under way, its last update is a week old and no more than
    one output is overdue; the report's own dates (the decision) do not move."""
    today = date(2031, 5, 14)
    users = ensure_demo_users("x-demo-password")
    programme = load_programme(users=users, today=today)
    demo.load(programme=programme, users=users, today=today)
    stage1 = Stage.objects.get(programme=programme, number=1)
    assert stage1.actual_start < today < stage1.planned_end
    latest = ProgressUpdate.objects.filter(stage=stage1).order_by("-as_of").first()
    assert (today - latest.as_of).days == 7
    overdue = Output.objects.filter(stage__programme=programme, due_date__lt=today).exclude(
        status=Output.Status.ACCEPTED
    )
    assert overdue.count() == 1
    assert Decision.objects.get(
        programme=programme, kind=Decision.Kind.STAGE_APPROVAL
    ).decided_on == date(2022, 7, 19)


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
    programme = load_programme(users={})
    Stage.objects.create(programme=programme, number=2, name="Design and implementation")
    demo.load(programme=programme, users={}, today=date(2023, 1, 20))
    stage2 = Stage.objects.get(programme=programme, number=2)
    # Loaded on the day the demo was written as at: the dates as written.
    assert stage2.planned_start == date(2023, 3, 1)
    assert stage2.approved_by_decision is not None
    # Without demo users nobody can have accepted an output (four eyes): none is accepted.
    assert not Output.objects.filter(status=Output.Status.ACCEPTED).exists()
