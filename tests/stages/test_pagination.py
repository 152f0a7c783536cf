"""Long lists on the stage pages come a page at a time through the one GOV.UK pagination
partial (core/pagination.py, decision 0085): labelled for screen readers, turning one list
without losing the other, ordered by the database, never an error for a bad page number."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from stages import selectors
from stages.models import Output

from .conftest import url
from .factories import OutputFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db


def _updates(stage, officer, count):
    for day in range(count):
        ProgressUpdateFactory(
            stage=stage,
            author=officer,
            as_of=date(2024, 1, 1) + timedelta(days=day),
            percent_complete=day % 101,
            narrative=f"Update number {day}",
        )


def _pagination(html: str, label: str) -> str:
    found = re.search(
        rf'<nav class="govuk-pagination" aria-label="{label}">(.*?)</nav>', html, re.S
    )
    assert found, f"no pagination labelled {label!r}"
    return found.group(1)


def test_the_stage_page_shows_updates_newest_first_a_page_at_a_time(client_for, officer, stages):
    total = selectors.UPDATES_PER_PAGE * 2 + 3
    _updates(stages[1], officer, total)
    path = url(stages[1].programme, "detail", number=1)
    first = client_for(officer).get(path).content.decode()
    assert f"Update number {total - 1}" in first
    assert "Update number 0<" not in first
    nav = _pagination(first, "Pages of progress updates")
    assert 'aria-current="page">1<' in nav
    assert 'rel="next"' in nav and 'rel="prev"' not in nav
    assert f"Showing 1 to {selectors.UPDATES_PER_PAGE} of {total} progress updates" in first

    last = client_for(officer).get(path, {"updates": "3", "outputs": "1"}).content.decode()
    assert "Update number 0<" in last
    assert f"Update number {total - 1}" not in last
    nav = _pagination(last, "Pages of progress updates")
    # The link to another page keeps the other list where it was.
    assert "?updates=2&amp;outputs=1#updates" in nav


def test_the_chart_draws_the_latest_updates_and_says_where_the_rest_are(
    client_for, officer, stages
):
    _updates(stages[1], officer, selectors.CHART_POINTS + 5)
    html = client_for(officer).get(url(stages[1].programme, "detail", number=1)).content.decode()
    assert (
        f"each of the latest {selectors.CHART_POINTS} of {selectors.CHART_POINTS + 5} "
        "progress updates" in html
    )
    assert "dataset=updates" not in html  # the export link is a path, not a query
    assert url(stages[1].programme, "export", dataset="updates", fmt="csv") in html


@pytest.mark.parametrize(
    ("page", "shown"),
    # As Django's Paginator.get_page: not a number, the first page (the newest update); a
    # number out of range either way, the last page (the oldest, alone on it).
    [("0", "last"), ("-1", "last"), ("abc", "first"), ("999", "last")],
)
def test_a_bad_page_number_gives_a_page_not_an_error(client_for, officer, stages, page, shown):
    per_page = selectors.UPDATES_PER_PAGE
    _updates(stages[1], officer, per_page + 1)
    response = client_for(officer).get(
        url(stages[1].programme, "detail", number=1), {"updates": page}
    )
    assert response.status_code == 200
    html = response.content.decode()
    nav = _pagination(html, "Pages of progress updates")
    if shown == "first":
        assert f"Update number {per_page}<" in html and "Update number 0<" not in html
        assert 'aria-current="page">1<' in nav
    else:
        assert "Update number 0<" in html and f"Update number {per_page}<" not in html
        assert 'aria-current="page">2<' in nav


def test_my_outputs_are_ordered_by_the_database_across_pages(client_for, officer, stages):
    today = timezone.localdate()
    per_page = selectors.MY_OUTPUTS_PER_PAGE
    for index in range(per_page):
        OutputFactory(
            stage=stages[1],
            code=f"n{index:02d}",
            owner=officer,
            due_date=today + timedelta(days=40 + index),
        )
    OutputFactory(
        stage=stages[1],
        code="done",
        owner=officer,
        due_date=today - timedelta(days=90),
        status=Output.Status.SUBMITTED,
    )
    OutputFactory(stage=stages[1], code="late", owner=officer, due_date=today - timedelta(days=2))
    client = client_for(officer)
    first = client.get(url(stages[1].programme, "my_outputs"))
    codes = [row.output.code for row in first.context["rows"]]
    # Overdue first (the oldest due first), then the rest by due date.
    assert codes[:3] == ["done", "late", "n00"]
    assert len(codes) == per_page
    assert "2 overdue, 0 due in the next 14 days" in first.content.decode()
    second = client.get(url(stages[1].programme, "my_outputs"), {"page": "2"})
    assert [row.output.code for row in second.context["rows"]] == [
        f"n{per_page - 2:02d}",
        f"n{per_page - 1:02d}",
    ]
    _pagination(second.content.decode(), "Pages of your outputs")
