"""Reading ledger exports: each encoding and format real finance systems write."""

import io
from datetime import date
from decimal import Decimal

import pytest

from reserves.actuals import parsing

MAPPING = {
    "reference": "Ref",
    "posting_date": "Date",
    "cost_centre": "CC",
    "account_code": "",
    "amount": "Amount",
    "credit": "",
    "supplier": "Supplier",
    "supplier_type": "",
    "description": "Narrative",
    "vat": "",
    "date_format": "dmy",
}


def _rows(data: bytes, mapping=MAPPING, known=lambda cc, code: cc == "DT100"):
    stream = io.BytesIO(data)
    encoding = parsing.detect_encoding(stream)
    return encoding, list(parsing.parse_rows(stream, encoding, mapping, known))


def test_windows_1252_with_a_pound_sign_and_thousands_separators_is_read():
    data = (
        'Ref,Date,CC,Amount,Supplier,Narrative\r\nA1,19/07/2022,DT100,"£1,234.50",Café Ltd,Über\r\n'
    )
    encoding, rows = _rows(data.encode("cp1252"))
    assert encoding == "cp1252"
    (row,) = rows
    assert row.amount == Decimal("1234.50")
    assert row.supplier == "Café Ltd"
    assert row.description == "Über"
    assert row.posting_date == date(2022, 7, 19)


def test_utf8_with_a_byte_order_mark_is_read_and_the_mark_is_not_part_of_the_header():
    data = "Ref,Date,CC,Amount,Supplier,Narrative\nA1,01/04/2023,DT100,£25,Öko,x\n"
    encoding, rows = _rows(data.encode("utf-8-sig"))
    assert encoding == "utf-8-sig"
    assert rows[0].amount == Decimal("25.00")
    assert rows[0].supplier == "Öko"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-1,000.00", Decimal("-1000.00")),
        ("£-12.5", Decimal("-12.50")),
        ("-£12.50", Decimal("-12.50")),
        ("(2,500.00)", Decimal("-2500.00")),
        ("300.00 CR", Decimal("-300.00")),
        ("1 234.56", Decimal("1234.56")),
        ("", None),
    ],
)
def test_amounts_as_finance_systems_write_them(text, expected):
    assert parsing.parse_amount(text) == expected


@pytest.mark.parametrize("text", ["12,34", "ten pounds", "1.234", "NaN", "1e5", "£"])
def test_text_that_is_not_money_is_refused(text):
    with pytest.raises(ValueError, match="amount of money|decimal places"):
        parsing.parse_amount(text)


def test_credits_in_a_separate_column_become_negative_amounts():
    mapping = {**MAPPING, "amount": "Debit", "credit": "Credit"}
    data = (
        "Ref,Date,CC,Debit,Credit,Supplier,Narrative\n"
        "A1,19/07/2022,DT100,100.00,,S,x\n"
        "A2,19/07/2022,DT100,,40.00,S,refund\n"
    )
    _, rows = _rows(data.encode(), mapping)
    assert [r.amount for r in rows] == [Decimal("100.00"), Decimal("-40.00")]


def test_every_problem_of_a_row_is_named_with_its_row_number():
    data = (
        "Ref,Date,CC,Amount,Supplier,Narrative\n"
        "A1,31/02/2022,DT100,10,S,x\n"
        "A2,19/07/2022,ZZ999,ten,S,x\n"
    )
    _, rows = _rows(data.encode())
    problems = {(p.row_number, p.field) for p in rows}
    assert problems == {(2, "posting_date"), (3, "cost_centre"), (3, "amount")}
    messages = " ".join(p.message for p in rows)
    assert "not a date in the form dd/mm/yyyy" in messages
    assert "ZZ999 is not mapped" in messages
    assert "“ten” is not an amount of money" in messages


def test_an_empty_file_and_a_file_of_another_councils_columns_are_refused_whole():
    with pytest.raises(parsing.FileProblem, match="empty"):
        _rows(b"")
    with pytest.raises(parsing.FileProblem, match="“Ref”"):
        _rows(b"Reference,Posted,Centre,Value\nA1,19/07/2022,DT100,10\n")


def test_counting_rows_ignores_blank_lines_and_counts_quoted_newlines_once():
    data = b'Ref,Date,CC,Amount,Supplier,Narrative\nA1,19/07/2022,DT100,1,S,"two\nlines"\n\n'
    assert parsing.count_rows(io.BytesIO(data), "utf-8-sig") == 1
