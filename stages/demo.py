"""The stages part of `load_demo`: the report's three stages, their outputs, the decision that
approves stages 1 and 2, and a few progress updates marked as demo data.

Idempotent, and safe in either order with the reserves loader (which may create the stages
first): stages are found by (programme, number) and a field is filled only where it is empty;
outputs, the approval decision and the updates are added only when missing.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from programme.demo import illustrative_day
from programme.models import Decision
from programme.report_source import FRAGMENT_SEPARATOR, paragraph_text

from .models import Output, ProgressUpdate, Stage
from .rag import Rag, RagScale

DEMO_NOTE = (
    "Illustrative (demo): the report gives no dates for this stage; these are set from the day "
    "the demo was loaded."
)
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
        "source_quote": FRAGMENT_SEPARATOR.join(
            [
                "Stage one will be a diagnostics stage which will have clear outputs.",
                "The council will follow a compliant tender process for this stage",
                "The requirements for the first stage will be a fixed price with very clear "
                "outcomes to be achieved within a defined timescale.",
                "the Public Contract Regulations 2015",
            ]
        ),
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
        "source_quote": FRAGMENT_SEPARATOR.join(
            [
                "Stage 2 will be the design and implementation stages",
                "the second stage to be awarded based on a set of commercial principles that "
                "will be defined within the invitation to tender, this is necessary as the total "
                "costs will not be known until the 1st stage is complete.",
            ]
        ),
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
        "source_quote": FRAGMENT_SEPARATOR.join(
            [
                "stage 3 will be the handover to business as usual.",
                "once stage 2 is completed a further decision will be taken which will set out "
                "future investment costs",
            ]
        ),
    },
]
# Dates above and below are illustrative, written as at programme.demo.ILLUSTRATIVE_AS_AT and
# moved to the load date by `illustrative_day`.
ILLUSTRATIVE_DATES = ("planned_start", "planned_end")

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

# (code, title, description, reference, quote, note, due date, has an owner).
NO_STAGE = (
    "Demo assumption: the report ties this to no stage; the demo places it in stage 2 and its "
    "due date is illustrative."
)
ILLUSTRATIVE_OUTPUT = "Illustrative (demo): the report names no such output"
STAGE_2_OUTPUTS = [
    (
        "a",
        "Cultural transformation roadmap",
        "A cultural transformation roadmap to support the plans coming forward, as digital "
        "transformation is heavily tied up with the culture of the organisation.",
        "Paragraph 28",
        "In stage 2 of the commission the council will be asking for a cultural transformation "
        "roadmap to support the plans coming forward",
        "The due date is illustrative (demo).",
        date(2023, 6, 30),
        True,
    ),
    (
        "b",
        "Communications plan",
        "Clear messaging and a communications plan, with the council's corporate "
        "communication service, to promote the benefits to residents and any engagement "
        "activity that may be required.",
        "Paragraph 27",
        "The transformation team will work with the council's corporate communication service "
        "to establish clear messaging and a communications plan",
        NO_STAGE,
        date(2023, 5, 31),
        False,
    ),
    (
        "c",
        "Equality impact assessments",
        "Equality Impact Assessments included as the stages develop, to make sure the "
        "council takes equality implications into consideration.",
        "Paragraph 46",
        "As the stages develop Equality Impact Assessments will be included",
        "Demo assumption: the report says “as the stages develop”, not in one stage; the demo "
        "lists them under stage 2 and its due date is illustrative.",
        date(2023, 9, 29),
        False,
    ),
    (
        "d",
        "Detailed design of the new customer services model",
        f"{DEMO_DATA} The detailed design of the customer services model chosen in stage 1.",
        ILLUSTRATIVE_OUTPUT,
        "",
        "Demo assumption: a sensible design output; the report names none for stage 2.",
        date(2023, 9, 29),
        True,
    ),
    (
        "e",
        "Implementation plan and first changes delivered",
        f"{DEMO_DATA} A bottom-up delivery plan and the first operational changes made.",
        ILLUSTRATIVE_OUTPUT,
        "",
        "Demo assumption: a sensible implementation output; the report names none.",
        date(2024, 2, 29),
        True,
    ),
]
STAGE_3_OUTPUTS = [
    (
        "a",
        "Handover to business as usual",
        "The changes handed over to the services that will run them day to day.",
        "Paragraph 25",
        "stage 3 will be the handover to business as usual",
        "The due date is illustrative (demo).",
        date(2024, 9, 30),
        False,
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
        "Data from five call centres is late: ask CLT to direct services to supply it within "
        "a week.",
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


def _stage(programme, spec: dict, today: date) -> Stage:
    values = {k: v for k, v in spec.items() if k != "number"}
    for name in ILLUSTRATIVE_DATES:
        values[name] = illustrative_day(values[name], today=today)
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
            summary=paragraph_text(25),
            source_quote=paragraph_text(25),
            decided_on=date(2022, 7, 19),
            decision_maker=programme.decision_maker
            or "Cabinet member finance, corporate services and planning",
            recorded_by=users.get("cabinet") or users.get("admin"),
            source_reference="Paragraph 25",
        )
        decision.full_clean()
        decision.save()
    return decision


def load(*, programme, users, today: date | None = None) -> None:
    """Load this app's part of the decision report for `programme`; illustrative dates are
    set from `today` (the load date)."""
    today = today or timezone.localdate()

    def moved(day: date) -> date:
        return illustrative_day(day, today=today)

    stages = {spec["number"]: _stage(programme, spec, today) for spec in STAGES}
    decision = _approval(programme, users)
    for number in (1, 2):
        stage = stages[number]
        if stage.approved_by_decision_id is None:
            stage.approved_by_decision = decision
            stage.save()

    stage1 = stages[1]
    if stage1.status == Stage.Status.NOT_STARTED and not stage1.actual_start:
        # Illustrative: the partner started about fifteen weeks before the load date.
        stage1.status = Stage.Status.IN_PROGRESS
        stage1.actual_start = moved(date(2022, 10, 3))
        stage1.full_clean()
        stage1.save()

    _stage_1_outputs(stage1, users, moved)
    for stage, rows in ((stages[2], STAGE_2_OUTPUTS), (stages[3], STAGE_3_OUTPUTS)):
        for code, title, description, source, quote, note, due, has_owner in rows:
            if Output.objects.filter(stage=stage, code=code).exists():
                continue
            output = Output(
                stage=stage,
                code=code,
                title=title,
                description=description,
                source_reference=source,
                source_quote=quote,
                note=note,
                due_date=moved(due),
                owner=users.get("officer") if has_owner else None,
            )
            output.full_clean()
            output.save()

    if not stage1.progress_updates.exists():
        for as_of, rag, percent, narrative, next_steps, escalation in UPDATES:
            update = ProgressUpdate(
                stage=stage1,
                as_of=moved(as_of),
                rag=rag,
                percent_complete=percent,
                narrative=f"{DEMO_DATA} {narrative}",
                next_steps=next_steps,
                escalation=escalation,
                author=users.get("officer"),
            )
            update.full_clean()
            update.save()


def _stage_1_outputs(stage: Stage, users, moved) -> None:
    other = {"officer": "officer2", "officer2": "officer"}
    for code, title in STAGE_1_OUTPUTS:
        if Output.objects.filter(stage=stage, code=code).exists():
            continue
        status, owner_name, due = STAGE_1_DEMO[code]
        due = moved(due)
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
            source_quote=title,
            note="Owner, due date and status are illustrative (demo).",
        )
        if code == "g":
            output.note = (
                "The report letters this output “e” a second time (after a–f); it is stored "
                "as g so every output has its own letter. Owner, due date and status are "
                "illustrative (demo)."
            )
        if status in (Output.Status.SUBMITTED, Output.Status.ACCEPTED):
            output.evidence_url = (
                f"https://intranet.example.gov.uk/transformation/stage-1/output-{code}"
            )
            output.description = f"{DEMO_DATA} Evidence link is a placeholder."
            output.submitted_by = owner
            output.submitted_at = min(_aware(due), timezone.now())
        if status == Output.Status.ACCEPTED:
            output.accepted_by = acceptor
            output.accepted_at = min(_aware(due, 15), timezone.now())
        output.full_clean()
        output.save()
