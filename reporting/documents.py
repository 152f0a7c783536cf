"""Report files: the highlight report as PDF (WeasyPrint) and Excel, the reserve position
statement as Excel and CSV. Each function takes gathered content and returns bytes; storing
them is the service's job."""

from __future__ import annotations

from collections.abc import Sequence

from django.template.loader import render_to_string

from core.exports import csv_response, xlsx_workbook
from core.pdf import render_pdf

from .selectors import HighlightContext, Section

PDF_TEMPLATE = "reporting/reports/highlight_pdf.html"


def highlight_pdf(context: HighlightContext, *, fetcher=None) -> bytes:
    """A4 tagged PDF with page numbers; fonts are Arial-metric (Liberation Sans on Debian).

    User text reaches the document only as HTML text (escaped), never inside its stylesheet;
    and the renderer fetches nothing but our own static files (core.pdf)."""
    html = render_to_string(PDF_TEMPLATE, {"report": context})
    return render_pdf(html, fetcher=fetcher)


def _section_sheet(section: Section) -> tuple[str, list[str], list[list]]:
    if not section.available:
        return section.sheet_title, ["Note"], [[section.note]]
    if not section.rows:
        return section.sheet_title, ["Note"], [[section.empty_text]]
    return section.sheet_title, section.headers, section.rows


CHANGE_HEADERS = [
    "When",
    "Who",
    "Kind",
    "Object",
    "Action",
    "Field",
    "Old value",
    "New value",
    "Reason",
]


def change_rows(entries) -> list[list]:
    """One row per field changed (one row for a change with no field detail)."""
    rows = []
    for entry in entries:
        base = [entry.when, entry.user_name, entry.kind, entry.object_repr, entry.action]
        if entry.changes:
            for change in entry.changes:
                rows.append([*base, change.field, change.old, change.new, entry.reason])
        else:
            rows.append([*base, "", "", "", entry.reason])
    return rows


def highlight_changes_csv(context: HighlightContext) -> bytes:
    """Every change since the last report, one row per field changed: the report's appendix,
    kept out of its body (which counts them by kind and by what matters)."""
    rows = change_rows(context.changes.entries)
    return csv_response("changes.csv", CHANGE_HEADERS, rows).content


def highlight_xlsx(context: HighlightContext) -> bytes:
    """The same content as the PDF: a summary sheet, one sheet per register, the changes."""
    sheets: list[tuple[str, Sequence[str], list]] = [
        ("Summary", ["Item", "Value"], [[label, value] for label, value in context.facts])
    ]
    sheets += [_section_sheet(section) for section in context.sections]
    sheets.append(
        ("Changes since last report", CHANGE_HEADERS, change_rows(context.changes.entries))
    )
    return xlsx_workbook(sheets)


def reserve_statement_xlsx(sections: list[Section]) -> bytes:
    return xlsx_workbook([_section_sheet(section) for section in sections])


def reserve_statement_csv(sections: list[Section]) -> bytes:
    """The statement's tables one under another, each under its title, as finance reads it."""
    rows: list[list] = []
    for index, section in enumerate(sections):
        if index:
            rows.append([])
        title, headers, body = _section_sheet(section)
        rows.append([title])
        rows.append(list(headers))
        rows += body
    # The shared CSV writer makes formula-like text inert and writes a byte-order mark.
    return csv_response("statement.csv", rows[0], rows[1:]).content
