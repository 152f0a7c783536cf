"""The shared export helper keeps text that a spreadsheet would run as a formula as text
(formula injection), in Excel as in CSV."""

import io

import pytest
from openpyxl import load_workbook

from core.exports import xlsx_workbook

DANGEROUS = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-5", "@SUM(A1)", "=1+1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_looks_like_a_formula_is_stored_in_excel_as_the_same_literal_text(text):
    workbook = load_workbook(io.BytesIO(xlsx_workbook([("Register", ["Title"], [[text]])])))
    cell = workbook["Register"]["A2"]
    assert cell.data_type == "s"
    assert cell.value == text


def test_ordinary_text_and_numbers_are_stored_as_before():
    workbook = load_workbook(
        io.BytesIO(xlsx_workbook([("Register", ["Title", "Count"], [["Savings plan", 3]])]))
    )
    sheet = workbook["Register"]
    assert (sheet["A2"].data_type, sheet["A2"].value) == ("s", "Savings plan")
    assert (sheet["B2"].data_type, sheet["B2"].value) == ("n", 3)
