"""The stages part of `load_demo`: the report's three stages, their outputs, the decision that
approves stages 1 and 2, and a few progress updates marked as demo data.

Idempotent, and safe in either order with the reserves loader (which may create the stages
first): stages are found by (programme, number) and a field is filled only where it is empty;
outputs, the approval decision and the updates are added only when missing.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from programme.models import Decision

from .models import Output, ProgressUpdate, Stage
from .rag import Rag, RagScale

DEMO_NOTE = "Demo assumption: the report gives no dates for this stage."
LONDON = ZoneInfo("Europe/London")

STAGES = [
    {
        "number": 1,
        "name": "Diagnostics",
        "description": (
            "A diagnostics stage with clear outputs, commissioned through a compliant tender "
            "at a fixed price with very clear outcomes to be achieved within a defined "
            "timescale."
        ),
        "planned_start": date(2022, 9, 1),
        "planned_end": date(2023, 1, 31),
        "planned_dates_note": DEMO_NOTE,
        "procurement_route": (
            "Compliant tender under the council's contract procedure rules and the Public "
            "Contract Regulations 2015, staged"
        ),
        "contract_basis": Stage.ContractBasis.FIXED_PRICE,
        "rag_scale": RagScale.FIVE_POINT,
        "source_reference": "Paragraphs 21, 47 and 50",
    },
    {
        "number": 2,
        "name": "Design and implementation",
        "description": (
            "Design and implementation, awarded on commercial principles defined in the "
            "invitation to tender, as the total costs will not be known until stage 1 is "
            "complete."
        ),
        "planned_start": date(2023, 3, 1),
        "planned_end": date(2024, 3, 31),
        "planned_dates_note": DEMO_NOTE,
        "procurement_route": "Staged tender: awarded on commercial principles set in the tender",
        "contract_basis": Stage.ContractBasis.COMMERCIAL_PRINCIPLES,
        "rag_scale": RagScale.FIVE_POINT,
        "source_reference": "Paragraphs 25 and 48",
    },
    {
        "number": 3,
        "name": "Handover to business as usual",
        "description": (
            "Handover to business as usual. Once stage 2 is completed a further decision "
            "will set out future investment costs and the investment model."
        ),
        "planned_start": date(2024, 4, 1),
        "planned_end": date(2024, 9, 30),
        "planned_dates_note": DEMO_NOTE,
        "procurement_route": "",
        "contract_basis": Stage.ContractBasis.NOT_SET,
        "rag_scale": RagScale.FIVE_POINT,
        "source_reference": "Paragraph 25",
    },
]

# Stage 1's outputs, verbatim from paragraph 21. The report letters the seventh "e" again.
STAGE_1_OUTPUTS = [
    ("a", "A compelling case for change supported by strategic narrative"),
    (
        "b",
        "An agreement on strategic outputs which will need to be achieved through this change "
        "process",
    ),
    (
        "c",
        "A clear description of what the future looks like including the technological "
        "landscape, digital ways of working, culture and behaviours and a customer-led approach",
    ),
    ("d", "A roadmap to develop and implement the changes identified"),
    ("e", "A new model for customer services to improve the customer journey"),
    ("f", "A digital technological assessment with a gap analysis and potential solutions"),
    (
        "g",
        "A business case with estimated benefits including financial and non-financial, "
        "potential investment costs and a long list to a short list of identified gaps with "
        "suggested solutions and areas requiring further exploration across all areas of the "
        "customer and digital operation models.",
    ),
]
# Demo state of stage 1: (status, owner, due date). Demo assumptions throughout.
STAGE_1_DEMO = {
    "a": ("accepted", "officer", date(2022, 11, 18)),
    "b": ("accepted", "officer2", date(2022, 11, 18)),
    "c": ("accepted", "officer", date(2022, 12, 16)),
    "d": ("submitted", "officer2", date(2023, 1, 20)),
    "e": ("in_progress", "officer", date(2023, 1, 20)),
    "f": ("in_progress", "officer2", date(2023, 1, 13)),
    "g": ("not_started", "officer", date(2023, 1, 31)),
}
DEMO_DATA = "[Demo data]"

STAGE_2_OUTPUTS = [
    (
        "a",
        "Cultural transformation roadmap",
        "A cultural transformation roadmap to support the plans coming forward, as digital "
        "transformation is heavily tied up with the culture of the organisation.",
        "Paragraph 28",
        "",
        date(2023, 6, 30),
    ),
    (
        "b",
        "Communications plan",
        "Clear messaging and a communications plan, with the council's corporate "
        "communication service, to promote the benefits to residents and any engagement "
        "activity that may be required.",
        "Paragraph 27",
        "",
        date(2023, 5, 31),
    ),
    (
        "c",
        "Equality impact assessments",
        "Equality Impact Assessments included as the stages develop, to make sure the "
        "council takes equality implications into consideration.",
        "Paragraph 46",
        "",
        date(2023, 9, 29),
    ),
    (
        "d",
        "Detailed design of the new customer services model",
        f"{DEMO_DATA} The detailed design of the customer services model chosen in stage 1.",
        "",
        "Demo assumption: a sensible design output; the report names none for stage 2.",
        date(2023, 9, 29),
    ),
    (
        "e",
        "Implementation plan and first changes delivered",
        f"{DEMO_DATA} A bottom-up delivery plan and the first operational changes made.",
        "",
        "Demo assumption: a sensible implementation output; the report names none.",
        date(2024, 2, 29),
    ),
]
STAGE_3_OUTPUTS = [
    (
        "a",
        "Handover to business as usual",
        "The changes handed over to the services that will run them day to day.",
        "Paragraph 25",
        "",
        date(2024, 9, 30),
    ),
]

UPDATES = [
    (
        date(2022, 10, 14),
        Rag.GREEN,
        10,
        "Strategic partner mobilised after the tender; kick-off held with the council "
        "leadership team and interviews with service leads booked.",
        "Complete stakeholder interviews; gather call data from the nine call centres.",
        "",
    ),
    (
        date(2022, 11, 11),
        Rag.AMBER_GREEN,
        35,
        "Case for change and strategic outputs drafted and shared with leaders; the "
        "technology landscape survey is under way.",
        "Agree the strategic outputs; start the customer journey mapping.",
        "",
    ),
    (
        date(2022, 12, 9),
        Rag.AMBER,
        55,
        "Future-state description accepted. Call volume data from four of the nine call "
        "centres is late, which holds up the customer services model and the gap analysis.",
        "Chase the remaining call centres; re-plan the gap analysis workshops.",
        "Data from five call centres is late: ask CLT to direct services to supply it by "
        "16 December 2022.",
    ),
    (
        date(2023, 1, 13),
        Rag.AMBER_GREEN,
        75,
        "Call data now complete. Roadmap submitted for acceptance; the customer services "
        "model and the technology gap analysis are in progress.",
        "Accept the roadmap; finish the gap analysis; start the business case.",
        "",
    ),
]


def _aware(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def _fill_empty(instance, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) in (None, "") and value not in (None, ""):
            setattr(instance, name, value)
            changed = True
    return changed


def _stage(programme, spec: dict) -> Stage:
    values = {k: v for k, v in spec.items() if k != "number"}
    stage = Stage.objects.filter(programme=programme, number=spec["number"]).first()
    if stage is None:
        stage = Stage(programme=programme, number=spec["number"], **values)
        stage.full_clean()
        stage.save()
    elif _fill_empty(stage, values):
        stage.full_clean()
        stage.save()
    return stage


def _approval(programme, users) -> Decision:
    decision = Decision.objects.filter(
        programme=programme, kind=Decision.Kind.STAGE_APPROVAL, decided_on=date(2022, 7, 19)
    ).first()
    if decision is None:
        decision = Decision(
            programme=programme,
            kind=Decision.Kind.STAGE_APPROVAL,
            title="Approval of stages 1 and 2",
            summary=(
                "At the moment the decision paper is asking for stages 1 & 2 and once stage 2 "
                "is completed a further decision will be taken which will set out future "
                "investment costs."
            ),
            decided_on=date(2022, 7, 19),
            decision_maker=programme.decision_maker
            or "Cabinet member finance, corporate services and planning",
            recorded_by=users.get("cabinet") or users.get("admin"),
            source_reference="Paragraph 25",
        )
        decision.full_clean()
        decision.save()
    return decision


def load(*, programme, users) -> None:
    """Load this app's part of the decision report for `programme`."""
    stages = {spec["number"]: _stage(programme, spec) for spec in STAGES}
    decision = _approval(programme, users)
    for number in (1, 2):
        stage = stages[number]
        if stage.approved_by_decision_id is None:
            stage.approved_by_decision = decision
            stage.save()

    stage1 = stages[1]
    if stage1.status == Stage.Status.NOT_STARTED and not stage1.actual_start:
        # Demo assumption: the partner started on 3 October 2022.
        stage1.status = Stage.Status.IN_PROGRESS
        stage1.actual_start = date(2022, 10, 3)
        stage1.full_clean()
        stage1.save()

    _stage_1_outputs(stage1, users)
    for stage, rows in ((stages[2], STAGE_2_OUTPUTS), (stages[3], STAGE_3_OUTPUTS)):
        for code, title, description, source, note, due in rows:
            if Output.objects.filter(stage=stage, code=code).exists():
                continue
            output = Output(
                stage=stage,
                code=code,
                title=title,
                description=description,
                source_reference=source,
                note=note,
                due_date=due,
                owner=users.get("officer") if stage.number == 2 else None,
            )
            output.full_clean()
            output.save()

    if not stage1.progress_updates.exists():
        for as_of, rag, percent, narrative, next_steps, escalation in UPDATES:
            update = ProgressUpdate(
                stage=stage1,
                as_of=as_of,
                rag=rag,
                percent_complete=percent,
                narrative=f"{DEMO_DATA} {narrative}",
                next_steps=next_steps,
                escalation=escalation,
                author=users.get("officer"),
            )
            update.full_clean()
            update.save()


def _stage_1_outputs(stage: Stage, users) -> None:
    other = {"officer": "officer2", "officer2": "officer"}
    for code, title in STAGE_1_OUTPUTS:
        if Output.objects.filter(stage=stage, code=code).exists():
            continue
        status, owner_name, due = STAGE_1_DEMO[code]
        owner = users.get(owner_name)
        acceptor = users.get(other[owner_name])
        if status == Output.Status.ACCEPTED and acceptor is None:
            # Without demo users nobody can have accepted it (four eyes): leave it submitted.
            status = Output.Status.SUBMITTED
        output = Output(
            stage=stage,
            code=code,
            title=title,
            owner=owner,
            due_date=due,
            status=status,
            source_reference=f"Paragraph 21 ({'e, second' if code == 'g' else code})",
        )
        if code == "g":
            output.note = (
                "The report letters this output “e” a second time (after a–f); it is stored "
                "as g so every output has its own letter."
            )
        if status in (Output.Status.SUBMITTED, Output.Status.ACCEPTED):
            output.evidence_url = (
                f"https://intranet.example.gov.uk/transformation/stage-1/output-{code}"
            )
            output.description = f"{DEMO_DATA} Evidence link is a placeholder."
            output.submitted_by = owner
            output.submitted_at = _aware(due)
        if status == Output.Status.ACCEPTED:
            output.accepted_by = acceptor
            output.accepted_at = _aware(due, 15)
        output.full_clean()
        output.save()
