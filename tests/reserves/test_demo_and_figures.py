"""The seed's reserve figures as `load_demo` leaves them, the stated-figure checks, the cost
tables' computed totals, the statement's projection and its chart."""

from datetime import date
from decimal import Decimal

import pytest

from reserves import selectors
from reserves.charts import balance_svg
from reserves.models import CostLine, Drawdown, Reserve, StatedFigure

from .factories import ProgrammeFactory, ReserveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_programme):
    return demo_programme, Reserve.objects.get(name="Financial Resilience earmarked reserve")


def test_the_demo_reserve_holds_542m_after_this_programme_and_591m_before_it(demo):
    programme, reserve = demo
    assert programme.funding_reserve == reserve
    assert (reserve.opening_balance, reserve.opening_date, reserve.floor) == (
        Decimal("17400000.00"),
        date(2022, 4, 1),
        Decimal("0.00"),
    )
    position = selectors.reserve_position(reserve, today=date(2022, 7, 19))
    assert position["drawn"] == Decimal("5000000.00")
    assert position["planned"] == Decimal("6980000.00")
    assert position["available"] == Decimal("5420000.00")
    assert position["available"] + Decimal("490000") == Decimal("5910000.00")
    assert selectors.programme_spend(programme) == {
        "committed": Decimal("490000.00"),
        "drawn": Decimal("0.00"),
        "remaining": Decimal("0.00"),
    }


def test_the_demo_splits_the_490k_as_the_cost_table_does(demo):
    programme, _reserve = demo
    rows = Drawdown.objects.filter(programme=programme).order_by("amount")
    assert [(d.amount, d.status, d.cost_line.label) for d in rows] == [
        (Decimal("200000.00"), "approved", "Stage 1"),
        (Decimal("290000.00"), "approved", "Stage 2 & 3 (Estimate)"),
    ]
    children = Drawdown.objects.filter(programme=None).order_by("amount")
    assert [(d.amount, d.status) for d in children] == [
        (Decimal("5000000.00"), "drawn"),
        (Decimal("6490000.00"), "scheduled"),
    ]
    assert children[0].drawn_on < date(2022, 7, 19)
    assert children[1].scheduled_for.month == 9


def test_the_cost_table_funds_stage_1_alone_and_stages_2_and_3_together(demo):
    programme, _reserve = demo
    lines = selectors.stage_budget_lines(programme)
    by_number = {stage.number: lines.get(stage.pk, []) for stage in programme.stages.all()}
    [one] = by_number[1]
    assert (one.amount, one.is_estimate, one.shared_with) == (Decimal("200000.00"), False, ())
    [two], [three] = by_number[2], by_number[3]
    assert (three.amount, three.is_estimate, three.shared_with) == (
        Decimal("290000.00"),
        True,
        (2,),
    )
    assert two.shared_with == (3,)


def test_loading_the_demo_twice_adds_no_rows_and_no_history(demo):
    from django.core.management import call_command

    models = [Reserve, Drawdown, CostLine, StatedFigure]

    def counts():
        return [(m.objects.count(), m.history.count()) for m in models]

    before = counts()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before


def test_the_stated_figures_show_each_slip_with_its_paragraph(demo):
    programme, _reserve = demo
    checks = {c["figure"].label: c for c in selectors.stated_figures(programme)}
    remaining = checks["Balance left in the Financial Resilience earmarked reserve"]
    assert remaining["figure"].stated_text == "approximately £5.9m"
    assert remaining["value"] == Decimal("5420000.00")
    assert "(£5,910,000 without it)" in remaining["computed"]
    assert "£480,000 more than the £5,420,000 the ledger computes" in remaining["difference"]
    # True: £5,910,000 written to the nearest £100,000 is £5,900,000.
    assert "matches the balance without this programme's £490,000" in remaining["difference"]
    assert not remaining["matches"]

    total_row = checks["TOTAL row of the cost table (2022/23)"]
    assert total_row["computed"] == "£490,000" and total_row["matches"]
    blank = checks["Total column of the cost table"]
    assert blank["figure"].stated_text == ""
    assert (
        blank["computed"] == "Stage 1: £200,000; Stage 2 & 3 (Estimate): £290,000; Total: £490,000"
    )

    letters = checks["Stage 1 outputs and their letters"]
    assert letters["figure"].source_reference == "Paragraph 21"
    assert letters["computed"] == "7 outputs, lettered a) b) c) d) e) f) g)"
    assert letters["difference"] == "The report prints e) twice: output 7 is g) in the tracker"

    stages = checks["Stages the decision approves against stages the cost table prices"]
    assert "costed: stages 1, 2 and 3" in stages["computed"]
    assert stages["computed"] == (
        "Approved by a recorded decision: stages 1 and 2; costed: stages 1, 2 and 3"
    )
    assert stages["difference"] == "Stage 3 is costed but not approved: it needs a further decision"


def test_output_letters_compare_the_report_with_the_recorded_outputs():
    from stages.models import Output, Stage

    programme = ProgrammeFactory()
    stage = Stage.objects.create(programme=programme, number=1, name="Diagnostics")
    for code in "abcdefg":
        Output.objects.create(stage=stage, code=code, title=f"Output {code}")
    StatedFigure.objects.create(
        programme=programme,
        kind=StatedFigure.Kind.OUTPUT_LETTERS,
        label="Letters",
        stated_text="a) b) c) d) e) f) e)",
        source_reference="Paragraph 21",
    )
    [check] = selectors.stated_figures(programme)
    assert check["computed"] == "7 outputs, lettered a) b) c) d) e) f) g)"
    assert check["difference"] == "The report prints e) twice: output 7 is g) in the tracker"


def test_every_cost_table_total_is_computed_by_row_column_and_kind():
    programme = ProgrammeFactory(decision_date=date(2022, 7, 19))
    for label, kind, year, amount in [
        ("Stage 1", "revenue", "2022/23", "200000"),
        ("Stage 2", "revenue", "2022/23", "100000"),
        ("Stage 2", "revenue", "future", "190000"),
        ("Kit", "capital", "2023/24", "50000.50"),
    ]:
        CostLine.objects.create(
            programme=programme, label=label, kind=kind, financial_year=year, amount=Decimal(amount)
        )
    profile = selectors.cost_profile(programme)
    assert profile["headings"] == ["2020/21", "2021/22", "2022/23", "2023/24", "Future years"]
    costs = profile["tables"][0]
    by_label = {row["label"]: row for row in costs["rows"]}
    assert by_label["Stage 2"]["values"] == [0, 0, Decimal("100000"), 0, Decimal("190000")]
    assert by_label["Stage 2"]["total"] == Decimal("290000.00")
    assert [s["label"] for s in costs["subtotals"]] == ["Revenue subtotal", "Capital subtotal"]
    assert costs["subtotals"][1]["total"] == Decimal("50000.50")
    assert costs["total"]["values"] == [
        0,
        0,
        Decimal("300000.00"),
        Decimal("50000.50"),
        Decimal("190000.00"),
    ]
    assert costs["total"]["total"] == Decimal("540000.50")
    assert profile["tables"][1]["rows"] == [] and profile["tables"][1]["total"]["total"] == 0


def test_the_projection_runs_year_by_year_across_the_mtfs_period(officer, finance):
    from reserves import services

    reserve = ReserveFactory(opening_balance=Decimal("1000000"), floor=Decimal("100000"))
    programme = ProgrammeFactory(spending_ceiling=Decimal("900000"), funding_reserve=reserve)
    for amount, needed_by in [("200000", date(2022, 10, 1)), ("300000", date(2024, 6, 1))]:
        drawdown = services.drawdown_request(
            reserve=reserve,
            programme=programme,
            purpose="Work",
            amount=amount,
            needed_by=needed_by,
            user=officer,
        )
        services.drawdown_approve(drawdown=drawdown, user=finance)
    position = selectors.reserve_position(reserve, today=date(2022, 7, 1))
    assert [(y["label"], y["planned"], y["closing"]) for y in position["by_year"]] == [
        ("2022/23", Decimal("200000"), Decimal("800000")),
        ("2023/24", Decimal("0"), Decimal("800000")),
        ("2024/25", Decimal("300000"), Decimal("500000")),
        ("2025/26", Decimal("0"), Decimal("500000")),
    ]
    assert position["mtfs_label"] == "2022/23 to 2025/26"
    assert [m["balance"] for m in position["movements"]] == [Decimal("800000"), Decimal("500000")]
    # £500,000 over three financial years is about £166,667 a year; £400,000 above the floor
    # lasts about 29 months from the last movement.
    lasts = position["lasts"]
    assert lasts["rate"] == Decimal("166666.67")
    assert lasts["months"] == 29
    assert "over 3 years" in lasts["text"] and "after 1 June 2024" in lasts["text"]


def test_a_planned_rate_of_use_set_by_finance_decides_how_long_it_lasts():
    reserve = ReserveFactory(
        opening_balance=Decimal("1200000"), planned_annual_use=Decimal("600000")
    )
    lasts = selectors.reserve_position(reserve, today=date(2022, 4, 1))["lasts"]
    assert lasts["months"] == 24
    assert lasts["text"].startswith("At £0.6m a year (the planned use per year)")


def test_the_chart_is_the_same_bytes_for_the_same_data_and_carries_no_inline_style(demo):
    _programme, reserve = demo
    position = selectors.reserve_position(reserve, today=date(2022, 7, 19))
    # Two real drawings: the cached wrapper would hand the first one back unchanged.
    first = balance_svg.uncached(position, title_id="t", title="Balance & floor")
    second = balance_svg.uncached(position, title_id="t", title="Balance & floor")
    assert first == second
    assert balance_svg(position, title_id="t", title="Balance & floor") == first
    assert first.startswith("<svg ") and 'role="img"' in first and 'aria-labelledby="t"' in first
    assert '<title id="t">Balance &amp; floor</title>' in first
    assert "style=" not in first and "<style" not in first
    assert "Floor £0m" in first and "£5.42m" in first
