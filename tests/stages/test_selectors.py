"""The public reads other apps use: `stage_summaries` and `outputs_due`, in a fixed number of
queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stages.selectors import outputs_due, stage_summaries

from .factories import OutputFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db
TODAY = date(2024, 3, 1)


def test_stage_summaries_give_rag_percent_dates_and_approval(stages, officer):
    ProgressUpdateFactory(stage=stages[1], as_of=date(2024, 2, 1), rag="green", percent_complete=20)
    ProgressUpdateFactory(
        stage=stages[1], as_of=date(2024, 2, 15), rag="amber", percent_complete=30
    )
    one, two, three = stage_summaries(stages[1].programme)
    assert (one.rag_word, one.rag_css, one.percent, one.as_of) == (
        "Amber",
        "app-rag--amber",
        30,
        date(2024, 2, 15),
    )
    assert one.actual_start == date(2024, 1, 8)
    assert (one.approval_state, one.approval_word) == ("approved", "Approved")
    assert one.approval.decision.decided_on == date(2022, 7, 19)
    assert (two.rag, two.rag_word, two.percent) == (None, "Not yet rated", None)
    assert three.approval_word == "Not yet approved"
    budgeted = stage_summaries(stages[1].programme, budgeted_stage_ids=frozenset({stages[3].pk}))
    assert budgeted[2].approval_word == "Budgeted, not yet approved"


def test_outputs_due_splits_overdue_and_due_soon_with_owners(stages, officer, officer2):
    OutputFactory(stage=stages[1], code="a", owner=officer, due_date=TODAY - timedelta(days=1))
    OutputFactory(stage=stages[1], code="b", owner=officer2, due_date=TODAY)
    OutputFactory(stage=stages[1], code="c", owner=officer, due_date=TODAY + timedelta(days=14))
    OutputFactory(stage=stages[1], code="d", owner=officer, due_date=TODAY + timedelta(days=15))
    OutputFactory(
        stage=stages[1],
        code="e",
        owner=officer,
        due_date=TODAY - timedelta(days=9),
        status="accepted",
        accepted_by=officer2,
        accepted_at="2024-02-01T12:00Z",
    )
    due = outputs_due(stages[1].programme, today=TODAY, within_days=14)
    assert [(r.output.code, r.days, r.output.owner) for r in due.overdue] == [("a", 1, officer)]
    assert [(r.output.code, r.days) for r in due.due_soon] == [("b", 0), ("c", 14)]


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_the_public_reads_take_a_fixed_number_of_queries(stages, officer, officer2):
    programme = stages[1].programme

    def both():
        for s in stage_summaries(programme):
            s.approval.decision, s.gate_decision  # noqa: B018
        for row in outputs_due(programme, today=TODAY).overdue:
            row.output.owner, row.output.stage  # noqa: B018

    small = _queries(both)
    for i in range(20):
        OutputFactory(
            stage=stages[1 + i % 2],
            owner=officer if i % 2 else officer2,
            due_date=TODAY - timedelta(days=i % 5),
        )
        ProgressUpdateFactory(stage=stages[1], as_of=date(2024, 1, 10) + timedelta(days=i))
    assert _queries(both) == small == 2
