"""CSV and Excel exports of consultees, sign-offs and benefits carry the record's figures."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import GBP_FORMAT, csv_response, xlsx_workbook

pytestmark = pytest.mark.django_db


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_consultees_export_as_csv(client_for, finance, record):
    response = client_for(finance).get(
        reverse("programme:export", args=[record.slug, "consultations", "csv"])
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Consultee", "Date consulted", "Outcome", "Stance", "Report reference"]
    assert rows[1] == [
        "Council Leadership Team (CLT)",
        "2022-06-21",
        "Agreed to make some changes and sign off by proxy",
        "Supportive",
        "Consultees table",
    ]
    assert len(rows) == 4


def test_sign_offs_export_lists_all_eight_rows(client_for, cabinet, record):
    rows = _csv(
        client_for(cabinet).get(reverse("programme:export", args=[record.slug, "sign-offs", "csv"]))
    )
    assert len(rows) == 9
    assert rows[-1][:4] == [
        "Final approval",
        "Joanne Moore",
        "Interim Head of Strategic Finance (Deputy S151 Officer)",
        "2022-07-11",
    ]
    assert all(row[4] == "Signed" for row in rows[1:])


def test_benefits_export_as_excel_keeps_the_baselines(client_for, officer, record):
    response = client_for(officer).get(
        reverse("programme:export", args=[record.slug, "benefits", "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(response.content))["Benefits"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][3] == "nine call centres"
    assert values[2][4] == "16%"
    assert values[3][4] == "700"
    assert all(row[8] is True for row in values[1:])  # targets are demo figures


def test_the_whole_record_exports_as_one_workbook(client_for, officer, record):
    response = client_for(officer).get(
        reverse("programme:export", args=[record.slug, "record", "xlsx"])
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Consultees", "Sign-offs", "Benefits"]


def test_money_cells_carry_the_pound_format_and_formulas_are_made_inert():
    workbook = load_workbook(
        io.BytesIO(xlsx_workbook([("Money", ["Amount"], [[Decimal("490000.00")]])]))
    )
    cell = workbook["Money"]["A2"]
    assert cell.number_format == GBP_FORMAT
    assert round(Decimal(str(cell.value)), 2) == Decimal("490000.00")
    rows = _csv(csv_response("x.csv", ["Text"], [['=HYPERLINK("x")'], ["-5"]]))
    assert rows[1] == ['\'=HYPERLINK("x")'] and rows[2] == ["'-5"]
