"""The reconciliation and outturn figures against hand-computed ones, and the Transparency
Code file: its columns, the £500 threshold, redaction and inert formula text."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from reserves import services as reserve_services
from reserves.actuals import selectors, services

pytestmark = pytest.mark.django_db

ROWS = [
    # stage 1 (DT100): 1,000 + 2,500.50 − 200 credit = 3,300.50
    "GL-1,19/07/2022,DT100,5001,£1000.00,Acme Ltd,Company,Discovery workshops,0",
    'GL-2,03/08/2022,DT100,5001,"£2,500.50",Jane Smith,Individual,Interviews,0',
    "GL-3,30/08/2022,DT100,5001,-200.00,Acme Ltd,Company,Credit note,0",
    # stage 2 (DT200): 600 + 499.99 = 1,099.99
    'GL-4,14/04/2023,DT200,5001,600.00,Acme Ltd,Company,=HYPERLINK("http://x"),20.00',
    "GL-5,15/04/2023,DT200,5001,499.99,Acme Ltd,Company,Small,0",
]


def _drawdown(programme, amount, *, line, status, officer, finance):
    row = reserve_services.drawdown_request(
        reserve=programme.funding_reserve,
        programme=programme,
        purpose="Work",
        amount=Decimal(amount),
        user=officer,
    )
    row.cost_line = line
    row.save()
    if status in ("approved", "drawn"):
        row = reserve_services.drawdown_approve(drawdown=row, user=finance)
    if status == "drawn":
        row = reserve_services.drawdown_mark_drawn(
            drawdown=row, user=finance, drawn_on=timezone.localdate()
        )
    return row


@pytest.fixture
def world(upload, confirm, mapped, officer, finance):
    confirm(upload(ROWS))
    p = mapped
    _drawdown(p, "5000.00", line=p.line_one, status="drawn", officer=officer, finance=finance)
    _drawdown(p, "300000.00", line=p.line_two, status="approved", officer=officer, finance=finance)
    services.stage_forecast_save(
        actor=officer, stage=p.stage_two, data={"forecast_to_complete": Decimal("150000.00")}
    )
    return p


def test_reconciliation_and_outturn_match_the_figures_worked_by_hand(world):
    a = selectors.programme_actuals(world)
    assert a.spent == Decimal("4400.49")  # 3,300.50 + 1,099.99
    assert a.drawn == Decimal("5000.00")
    assert a.unspent_drawn == Decimal("599.51")  # drawn 5,000 − spent 4,400.49
    assert a.spent_not_drawn == Decimal("0.00")
    one, two = a.stages
    assert (one.actual, one.committed, one.committed_not_spent) == (
        Decimal("3300.50"),
        Decimal("5000.00"),
        Decimal("1699.50"),
    )
    assert one.outturn == Decimal("5000.00")  # 3,300.50 + 1,699.50 + 0
    assert one.variance == Decimal("145000.00")  # budget 150,000 − 5,000
    # 1,099.99 spent + (300,000 − 1,099.99) committed not spent + 150,000 to complete
    assert two.outturn == Decimal("450000.00")
    assert two.variance == Decimal("-110000.00") and two.over_budget
    assert a.outturn == Decimal("455000.00")
    assert a.ceiling_variance == Decimal("35000.00")  # ceiling 490,000
    assert a.ceiling_state == "within"
    by_line = {row["label"]: row for row in a.cost_lines}
    assert by_line["Implementation"]["spent_not_drawn"] == Decimal("1099.99")
    assert by_line["Diagnostics"]["unspent_drawn"] == Decimal("1699.50")
    # Months and financial years (April to March).
    assert [(m["month"], m["total"]) for m in a.months] == [
        (date(2022, 7, 1), Decimal("1000.00")),
        (date(2022, 8, 1), Decimal("2300.50")),
        (date(2023, 4, 1), Decimal("1099.99")),
    ]
    assert [(y["label"], y["total"]) for y in a.years] == [
        ("2022/23", Decimal("3300.50")),
        ("2023/24", Decimal("1099.99")),
    ]


def test_the_outturn_warns_before_it_passes_the_ceiling_and_says_when_it_has(
    world, officer, client_for, cabinet
):
    services.stage_forecast_save(
        actor=officer, stage=world.stage_two, data={"forecast_to_complete": Decimal("170000.00")}
    )
    a = selectors.programme_actuals(world)
    assert a.outturn == Decimal("475000.00") and a.ceiling_state == "near"  # ≥ 95% of 490,000
    page = client_for(cabinet).get(reverse("reserves:actuals", kwargs={"slug": world.slug}))
    assert "close to passing it" in page.content.decode()
    services.stage_forecast_save(
        actor=officer, stage=world.stage_two, data={"forecast_to_complete": Decimal("200000.00")}
    )
    assert selectors.programme_actuals(world).ceiling_state == "over"
    page = client_for(cabinet).get(reverse("reserves:actuals", kwargs={"slug": world.slug}))
    assert "it passes the ceiling" in page.content.decode()
    assert "Over the ceiling" in page.content.decode()  # in words, not colour alone


def _csv(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_transparency_file_has_the_codes_fields_over_500_with_individuals_redacted(
    world, client_for, cabinet
):
    url = reverse("reserves:actuals_transparency", kwargs={"slug": world.slug})
    q2 = _csv(client_for(cabinet).get(url, {"year": 2022, "quarter": 2}))  # July–September
    assert q2[0] == list(selectors.TRANSPARENCY_HEADERS)
    assert q2[1:] == [
        [
            "Testshire Council",
            "2022-07-19",
            "GL-1",
            "1000.00",
            "0.00",
            "Acme Ltd",
            "Customer Services",
            "Diagnostics",
            "Discovery workshops",
        ],
        [
            "Testshire Council",
            "2022-08-03",
            "GL-2",
            "2500.50",
            "0.00",
            "Redacted: personal data",
            "Customer Services",
            "Diagnostics",
            "Interviews",
        ],
    ]
    assert "Jane Smith" not in str(q2)
    q1 = _csv(client_for(cabinet).get(url, {"year": 2023, "quarter": 1}))
    # £499.99 is not over £500; the formula text stays text.
    assert [r[2] for r in q1[1:]] == ["GL-4"]
    assert q1[1][8] == '\'=HYPERLINK("http://x")'
    assert q1[1][4] == "20.00"


def test_a_quarter_that_is_not_one_is_not_found_and_none_means_the_quarter_in_progress(
    world, client_for, cabinet
):
    url = reverse("reserves:actuals_transparency", kwargs={"slug": world.slug})
    assert client_for(cabinet).get(url, {"year": 2022, "quarter": 5}).status_code == 404
    assert client_for(cabinet).get(url, {"year": "x", "quarter": 1}).status_code == 404
    with time_machine.travel(date(2022, 8, 10), tick=False):
        rows = _csv(client_for(cabinet).get(url))
    assert [r[2] for r in rows[1:]] == ["GL-1", "GL-2"]  # July to September 2022


def test_the_actuals_page_shows_the_reconciliation_named_and_who_imported(
    world, client_for, cabinet
):
    page = client_for(cabinet).get(reverse("reserves:actuals", kwargs={"slug": world.slug}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Drawn but not yet spent" in html and "£599.51" in html
    assert "Spent but not yet drawn from the reserve" in html
    assert "confirmed by Finance Tester" in html
    assert '<svg role="img"' in html
    assert "=HYPERLINK" not in html  # descriptions are not on this page at all
