"""The rows of the stages exports (outputs; progress updates), for CSV and Excel downloads
through `core.exports`."""

from django.utils import timezone

from core.names import person_name
from programme.models import Programme

from . import rag as rag_scale
from . import selectors


def outputs_rows(programme: Programme):
    today = timezone.localdate()
    headers = [
        "Stage",
        "Code",
        "Title",
        "Status",
        "Owner",
        "Due date",
        "Due state",
        "Evidence link",
        "Evidence file",
        "Submitted by",
        "Submitted at",
        "Accepted by",
        "Accepted at",
        "Note",
        "Source reference",
        "Quoted from the report",
    ]
    rows = []
    for output in selectors.outputs_for_export(programme):
        state = selectors.due_state(output, today).state
        rows.append(
            [
                output.stage.number,
                output.code,
                output.title,
                output.get_status_display(),
                person_name(output.owner, nobody=""),
                output.due_date,
                {"overdue": "Overdue", "due_soon": "Due soon"}.get(state, ""),
                output.evidence_url,
                output.evidence_file.name.rsplit("/", 1)[-1] if output.evidence_file else "",
                person_name(output.submitted_by, nobody=""),
                output.submitted_at,
                person_name(output.accepted_by, nobody=""),
                output.accepted_at,
                output.note,
                output.source_reference,
                output.source_quote,
            ]
        )
    return "Outputs", headers, rows


def updates_rows(programme: Programme):
    headers = [
        "Stage",
        "Date",
        "Delivery confidence",
        "Meaning",
        "Percent complete",
        "Progress",
        "Next steps",
        "Issues needing escalation",
        "Posted by",
        "Posted at",
    ]
    rows = [
        [
            update.stage.number,
            update.as_of,
            rag_scale.label(update.rag),
            rag_scale.meaning(update.rag),
            update.percent_complete,
            update.narrative,
            update.next_steps,
            update.escalation,
            person_name(update.author, nobody=""),
            update.created_at,
        ]
        for update in selectors.updates_for_export(programme)
    ]
    return "Progress updates", headers, rows


DATASETS = {"outputs": outputs_rows, "updates": updates_rows}
