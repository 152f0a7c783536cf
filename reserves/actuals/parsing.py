"""Reading a finance system's CSV export of general-ledger transactions, one row at a time.

Pure functions over a binary stream: no database. The file is read twice (once to learn its
encoding and count its rows, once to parse them), never held whole in memory, so a 200,000-row
export costs what a 20,000-row one does.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from core.forms import EARLIEST_DATE, LATEST_DATE
from core.money import MONEY_MAX, to_money

CHUNK = 1 << 16
# Fields the import reads, in the order the mapping form asks for them.
FIELDS = (
    "reference",
    "posting_date",
    "cost_centre",
    "account_code",
    "amount",
    "credit",
    "supplier",
    "supplier_type",
    "description",
    "vat",
)
REQUIRED_FIELDS = ("reference", "posting_date", "cost_centre", "amount")
# What a supplier-type column says for a person, whose name the Transparency Code file redacts.
INDIVIDUAL_SUPPLIER_TYPES = frozenset(
    {"individual", "person", "sole trader", "employee", "private individual"}
)
MAX_TEXT = {"reference": 100, "cost_centre": 30, "account_code": 30, "supplier": 200}
DESCRIPTION_MAX = 500


class FileProblem(ValueError):
    """The file as a whole cannot be read (empty, header only, columns missing)."""


@dataclass(frozen=True)
class ParsedRow:
    row_number: int  # as a spreadsheet numbers it: the header is row 1
    reference: str
    posting_date: date
    cost_centre: str
    account_code: str
    amount: Decimal
    vat: Decimal
    supplier: str
    supplier_is_individual: bool
    description: str


@dataclass(frozen=True)
class RowProblem:
    row_number: int
    field: str
    message: str


def detect_encoding(stream) -> str:
    """`utf-8-sig` when the bytes are UTF-8 (with or without a byte-order mark), else `cp1252`
    (what Windows finance systems write). Reads the stream through once, in chunks."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        stream.seek(0)
    return "utf-8-sig"


def _reader(stream, encoding: str):
    stream.seek(0)
    # cp1252 leaves five bytes undefined: show them as U+FFFD rather than refuse the file.
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    return text, csv.reader(text)


def count_rows(stream, encoding: str) -> int:
    """Data rows (after the header, not counting blank lines); FileProblem if none at all."""
    text, reader = _reader(stream, encoding)
    try:
        total = -1
        for row in reader:
            if any(cell.strip() for cell in row):
                total += 1
        if total < 0:
            raise FileProblem("The file is empty: it has no header row and no transactions.")
        return total
    finally:
        text.detach()
        stream.seek(0)


def _column_indexes(header: list[str], mapping: dict) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    indexes, missing = {}, []
    for field in FIELDS:
        column = (mapping.get(field) or "").strip()
        if not column:
            if field in REQUIRED_FIELDS:
                missing.append(field)
            continue
        try:
            indexes[field] = names.index(column.lower())
        except ValueError:
            missing.append(f"“{column}”")
    if missing:
        raise FileProblem(
            "The file's header row does not have the columns this council's mapping names: "
            + ", ".join(missing)
            + ". Check it is this council's export, or change the column mapping."
        )
    return indexes


_PLAIN = re.compile(r"^\d+(\.\d+)?$|^\d{1,3}(,\d{3})+(\.\d+)?$|^\.\d+$")


def parse_amount(text: str) -> Decimal | None:
    """`£1,234.50`, `-1234.5`, `(1,234.50)` or `1,234.50 CR` → Decimal; blank → None.
    Raises ValueError with the message people read."""
    raw = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if not raw:
        return None
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1]
    if raw.upper().endswith("CR"):
        negative, raw = not negative, raw[:-2]
    for sign in ("-", "−"):
        if raw.startswith(sign) or raw.startswith("£" + sign):
            negative = not negative
            raw = raw.replace(sign, "", 1)
    raw = raw.removeprefix("£")
    if not _PLAIN.match(raw):
        raise ValueError(f"“{text.strip()}” is not an amount of money")
    try:
        amount = Decimal(raw.replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"“{text.strip()}” is not an amount of money") from exc
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"“{text.strip()}” has more than 2 decimal places")
    if amount > MONEY_MAX:
        raise ValueError(f"“{text.strip()}” is larger than any ledger amount this accepts")
    amount = to_money(amount)
    return -amount if negative else amount


DATE_FORMATS = {"dmy": ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"), "ymd": ("%Y-%m-%d",)}


def parse_date(text: str, date_format: str) -> date:
    raw = (text or "").strip()
    # Exports from spreadsheets often carry a time: "19/07/2022 00:00".
    raw = raw.split(" ")[0] if raw else raw
    for fmt in DATE_FORMATS.get(date_format, DATE_FORMATS["dmy"]):
        try:
            day = datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ValueError(f"“{text.strip()}” is outside 2000 to 2100")
        return day
    shown = "dd/mm/yyyy" if date_format != "ymd" else "yyyy-mm-dd"
    raise ValueError(f"“{raw}” is not a date in the form {shown}")


def _cell(row: list[str], indexes: dict[str, int], field: str) -> str:
    index = indexes.get(field)
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def parse_rows(
    stream, encoding: str, mapping: dict, known_cost_centres
) -> Iterator[ParsedRow | RowProblem]:
    """Each data row as a ParsedRow, or one RowProblem per thing wrong with it.

    `known_cost_centres(cost_centre, account_code) -> bool` says whether the programme maps the
    pair. Raises FileProblem for an empty file or a header without the mapped columns.
    """
    text, reader = _reader(stream, encoding)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise FileProblem("The file is empty: it has no header row and no transactions.")
        indexes = _column_indexes(header, mapping)
        date_format = mapping.get("date_format") or "dmy"
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            yield from _parse_row(line, row, indexes, date_format, known_cost_centres)
    finally:
        text.detach()
        stream.seek(0)


def _parse_row(line, row, indexes, date_format, known_cost_centres):
    problems = []
    cells = {f: _cell(row, indexes, f) for f in FIELDS}
    for field, limit in MAX_TEXT.items():
        if len(cells[field]) > limit:
            problems.append(RowProblem(line, field, f"longer than {limit} characters"))
    if not cells["reference"]:
        problems.append(RowProblem(line, "reference", "no transaction reference"))
    try:
        posting_date = parse_date(cells["posting_date"], date_format)
    except ValueError as exc:
        problems.append(RowProblem(line, "posting_date", str(exc)))
        posting_date = None
    amount = None
    try:
        debit = parse_amount(cells["amount"])
        credit = parse_amount(cells["credit"]) if "credit" in indexes else None
        if debit is None and credit is None:
            problems.append(RowProblem(line, "amount", "no amount"))
        else:
            amount = (debit or Decimal("0.00")) - (credit or Decimal("0.00"))
    except ValueError as exc:
        problems.append(RowProblem(line, "amount", str(exc)))
    try:
        vat = parse_amount(cells["vat"]) or Decimal("0.00")
    except ValueError as exc:
        problems.append(RowProblem(line, "vat", str(exc)))
        vat = None
    if cells["cost_centre"] and not known_cost_centres(cells["cost_centre"], cells["account_code"]):
        code = f" with code {cells['account_code']}" if cells["account_code"] else ""
        problems.append(
            RowProblem(
                line,
                "cost_centre",
                f"cost centre {cells['cost_centre']}{code} is not mapped to this programme",
            )
        )
    elif not cells["cost_centre"]:
        problems.append(RowProblem(line, "cost_centre", "no cost centre"))
    if problems:
        yield from problems
        return
    yield ParsedRow(
        row_number=line,
        reference=cells["reference"],
        posting_date=posting_date,
        cost_centre=cells["cost_centre"],
        account_code=cells["account_code"],
        amount=amount,
        vat=vat,
        supplier=cells["supplier"],
        supplier_is_individual=cells["supplier_type"].lower() in INDIVIDUAL_SUPPLIER_TYPES,
        description=cells["description"][:DESCRIPTION_MAX],
    )
