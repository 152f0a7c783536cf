"""The highlight report holds the dashboard's figures (without a broker: files rendered in the
test), and the daily reminders read the stages and risks selectors for real."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone

from core.history import acting_user
from reporting import documents, reminders, selectors, services
from reporting.dashboard import dashboard_context
from reporting.models import ReportRun
from tests.reporting.support import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(demo_programme):
    return selectors.highlight_context(demo_programme, today=timezone.localdate())


def test_the_report_has_a_section_for_each_part_of_the_dashboard(report):
    titles = [s.title for s in report.sections]
    assert titles[:3] == [
        "Spend against the ceiling",
        "Reserve position",
        "Reserve projection, 2022/23 to 2025/26",
    ]
    assert {"Stages", "The five highest risks", "Benefits against target"} <= set(titles)
    assert all(s.available for s in report.sections)


def test_the_pdf_holds_the_figures_rag_words_charts_and_checks(report, demo_programme):
    html = render_to_string(documents.PDF_TEMPLATE, {"report": report})
    assert html.count("<svg ") == 3  # spend, reserve and benefits charts inline
    text = " ".join(pdf_text(documents.highlight_pdf(report)).split())
    assert "£490,000" in text and "£500,000" in text
    for summary in report.dashboard.stages:
        assert summary.rag_word in text
    for check in report.dashboard.stated_figures:
        assert check["figure"].label[:40] in text
    for risk in report.dashboard.top_risks:
        assert risk.reference in text
    assert "changes in the last 30 days" in text  # no earlier report: says which period


def test_the_workbook_has_the_same_figures_as_the_pdf(report):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(documents.highlight_xlsx(report)))
    assert book.sheetnames == [
        "Summary",
        "Spend against the ceiling",
        "Reserve position",
        "Reserve projection",
        "Stages",
        "Outputs due",
        "Top risks",
        "Risk heat map",
        "Benefits against target",
        "Stated figures",
        "Changes since last report",
    ]
    for section in report.sections:
        sheet = book[section.sheet_title]
        for header, total in section.money_total.items():
            column = section.headers.index(header) + 1
            cells = [sheet.cell(row=r, column=column).value for r in range(2, sheet.max_row + 1)]
            summed = sum((Decimal(str(c)) for c in cells if c is not None), Decimal("0"))
            assert round(summed, 2) == total, (section.title, header)
    heat = list(book["Risk heat map"].iter_rows(min_row=2, values_only=True))
    assert sum(sum(row[1:]) for row in heat) == report.dashboard.heat_map.total
    assert book["Spend against the ceiling"]["B2"].number_format == '"£"#,##0.00'


def test_the_report_lists_changes_since_the_previous_report(demo_programme, cabinet):
    from risks.models import Risk

    earlier = ReportRun.objects.create(
        programme=demo_programme,
        kind=ReportRun.Kind.HIGHLIGHT,
        status=ReportRun.Status.DONE,
        finished_at=timezone.now(),
    )
    risk = Risk.objects.filter(programme=demo_programme).order_by("number").first()
    with acting_user(cabinet):
        risk.title = "Retitled after the last report"
        risk.save()
    report = selectors.highlight_context(demo_programme)
    assert report.since_last_report and report.changes.since == earlier.finished_at
    assert [e.object_repr for e in report.changes.entries] == [str(risk)]
    text = " ".join(pdf_text(documents.highlight_pdf(report)).split())
    assert "when the last highlight report was produced" in text
    # The body counts the changes by kind (issue 14); the full list is the CSV appendix.
    assert "1 change in all" in text
    csv_text = documents.highlight_changes_csv(report).decode("utf-8-sig")
    assert "Retitled after the last report" in csv_text


def test_the_reserve_statement_lists_every_movement_and_the_projection(demo_programme):
    from openpyxl import load_workbook

    sections = selectors.reserve_statement_sections(demo_programme, today=date(2026, 11, 30))
    keys = [s.key for s in sections]
    assert keys == ["reserve", "reserve", "movements", "reserve_years", "spend"]
    book = load_workbook(io.BytesIO(documents.reserve_statement_xlsx(sections)))
    position = dashboard_context(demo_programme, today=date(2026, 11, 30)).reserve
    movements = list(book["Movements"].iter_rows(min_row=2, values_only=True))
    assert len(movements) == len(position["movements"])
    assert round(Decimal(str(movements[-1][5])), 2) == position["available"]
    csv_text = documents.reserve_statement_csv(sections).decode("utf-8-sig")
    assert "Movements" in csv_text and "Reserve projection" in csv_text


def test_a_highlight_run_through_the_service_stores_both_files(demo_programme, cabinet):
    run = ReportRun.objects.create(
        programme=demo_programme, kind=ReportRun.Kind.HIGHLIGHT, requested_by=cabinet
    )
    assert services.report_generate(run_id=run.pk) == "done"
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error


# Reminders through the real selectors -----------------------------------------------------


def test_reminders_reach_the_owners_of_overdue_outputs_reviews_and_actions_only(
    officer, officer2, finance, cabinet
):
    """Every default source (stages' outputs_due, risks' overdue_reviews_and_actions) across
    two programmes: each owner gets one email with only their own items."""
    from risks.models import MitigationAction, Risk
    from stages.models import Output, Stage
    from tests.reporting.support import make_programme

    today = date(2026, 11, 30)
    first = make_programme()
    second = make_programme(slug="second", name="Second programme")
    with acting_user(None):
        stage = Stage.objects.create(programme=first, number=1, name="Diagnostics")
        Output.objects.create(
            stage=stage, code="a", title="Late output", owner=officer, due_date=today - timedelta(1)
        )
        Output.objects.create(
            stage=stage,
            code="b",
            title="Accepted late output",
            owner=finance,
            due_date=today - timedelta(5),
            status=Output.Status.ACCEPTED,
            accepted_by=cabinet,
            accepted_at=timezone.now(),
        )
        Output.objects.create(
            stage=stage, code="c", title="Due later", owner=finance, due_date=today + timedelta(3)
        )
        late = Risk.objects.create(
            programme=second,
            kind=Risk.Kind.RISK,
            number=1,
            title="Review is late",
            owner=officer2,
            review_date=today - timedelta(2),
        )
        Risk.objects.create(
            programme=second,
            kind=Risk.Kind.RISK,
            number=2,
            title="Closed risk",
            owner=cabinet,
            review_date=today - timedelta(2),
            status=Risk.Status.CLOSED,
            closing_note="No longer applies.",
        )
        MitigationAction.objects.create(
            risk=late, description="Brief the CLT", owner=officer, due_date=today - timedelta(3)
        )
        MitigationAction.objects.create(
            risk=late, description="Not yet due", owner=finance, due_date=today + timedelta(3)
        )

    assert reminders.send_reminders(today=today) == 2
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert set(bodies) == {officer.email, officer2.email}
    assert "Late output" in bodies[officer.email] and "Brief the CLT" in bodies[officer.email]
    assert "Review is late" not in bodies[officer.email]
    assert "Risk review: R1: Review is late" in bodies[officer2.email]
    assert "Late output" not in bodies[officer2.email]
    for body in bodies.values():
        assert "Accepted late output" not in body and "Closed risk" not in body
        assert "Due later" not in body and "Not yet due" not in body
