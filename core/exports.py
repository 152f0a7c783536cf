"""CSV and Excel downloads of registers: one helper for every app, so exports look alike.

Money cells are `Decimal` (Excel shows them with a £ format); dates are `date`; anything else
is written as text. Text that a spreadsheet would run as a formula is kept as text in both
formats (formula injection): CSV prefixes an apostrophe, Excel stores a literal string. Control
characters, which an .xlsx file cannot hold, become U+FFFD (the replacement character).
"""

import csv
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone

GBP_FORMAT = '"£"#,##0.00'
DATE_FORMAT = "d mmmm yyyy"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell beginning with one of these is run as a formula by spreadsheet programs
# (formula injection). In CSV an apostrophe keeps the text as typed; in Excel the cell is
# stored as a string, so the text is unchanged.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Characters the .xlsx format cannot store (C0 controls but tab, newline and carriage return):
# openpyxl refuses a whole workbook for one of them in a title someone typed.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="minutes")  # 2022-07-19 14:05: machine-readable
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal | int):
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _disposition(filename: str) -> str:
    safe = "".join(c for c in filename if c.isalnum() or c in "-_.") or "export"
    return f'attachment; filename="{safe}"'


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """A UTF-8 CSV download (with a byte-order mark, so Excel reads £ correctly)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return response


def xlsx_workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """The bytes of an .xlsx file with one sheet per (title, headers, rows)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        # Excel limits sheet titles to 31 characters and forbids a few symbols.
        clean = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
        sheet = workbook.create_sheet(clean)
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [len(str(h)) for h in headers]
        for row in rows:
            values = []
            for value in row:
                if isinstance(value, datetime) and timezone.is_aware(value):
                    value = timezone.localtime(value).replace(tzinfo=None)
                elif value is not None and not isinstance(value, Decimal | int | date | bool):
                    value = _XLSX_ILLEGAL.sub("\ufffd", str(value))
                values.append(value)
            sheet.append(values)
            row_number = sheet.max_row
            for index, value in enumerate(values):
                cell = sheet.cell(row=row_number, column=index + 1)
                if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
                    # openpyxl stores text beginning "=" as a formula; force a literal string,
                    # and quotePrefix keeps it text if someone edits the cell in Excel.
                    cell.data_type = "s"
                    cell.quotePrefix = True
                elif isinstance(value, Decimal):
                    cell.number_format = GBP_FORMAT
                elif isinstance(value, date):
                    cell.number_format = DATE_FORMAT
                if index < len(widths):
                    widths[index] = max(widths[index], min(len(str(value or "")), 60))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width + 2
        sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]
) -> HttpResponse:
    """An Excel download; money cells (Decimal) get the `£#,##0.00` format."""
    response = HttpResponse(xlsx_workbook(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response
