"""Reads: heat-map counts, the dashboard's top risks and overdue lists, in fixed queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from risks.models import Risk
from risks.selectors import heat_map, load_bands, overdue_reviews_and_actions, top_risks

from .conftest import TODAY
from .factories import ActionFactory, ProgrammeFactory, RiskFactory

pytestmark = pytest.mark.django_db


def _risk(programme, inherent, residual, **extra):
    return RiskFactory(
        programme=programme,
        inherent_likelihood=inherent[0],
        inherent_impact=inherent[1],
        residual_likelihood=residual[0] if residual else None,
        residual_impact=residual[1] if residual else None,
        **extra,
    )


def test_heat_map_counts_live_risks_in_their_cells(programme):
    _risk(programme, (4, 4), (3, 3))
    _risk(programme, (4, 4), (3, 3))
    _risk(programme, (5, 5), (2, 1))
    _risk(programme, (2, 2), None)  # no residual score yet
    _risk(programme, (4, 4), (3, 3), status=Risk.Status.CLOSED, closing_note="Gone")
    _risk(programme, (4, 4), (3, 3), kind=Risk.Kind.OPPORTUNITY)
    _risk(ProgrammeFactory(), (4, 4), (3, 3))  # another programme

    inherent = heat_map(programme, basis="inherent")
    residual = heat_map(programme, basis="residual")

    assert {k: v for k, v in inherent.counts.items() if v} == {(4, 4): 2, (5, 5): 1, (2, 2): 1}
    assert {k: v for k, v in residual.counts.items() if v} == {(3, 3): 2, (2, 1): 1}
    assert (residual.total, residual.unscored) == (3, 1)
    opportunities = heat_map(programme, basis="residual", kind=Risk.Kind.OPPORTUNITY)
    assert {k: v for k, v in opportunities.counts.items() if v} == {(3, 3): 1}


def test_heat_map_rows_run_from_likelihood_five_down_with_banded_cells(programme):
    grid = heat_map(programme, basis="residual")
    assert [row.likelihood for row in grid.rows] == [5, 4, 3, 2, 1]
    assert [cell.impact for cell in grid.rows[0].cells] == [1, 2, 3, 4, 5]
    top_right = grid.rows[0].cells[-1]
    assert (top_right.score, top_right.band.label) == (25, "Very high")
    assert "likelihood=5" in top_right.url and "impact=5" in top_right.url
    assert "basis=residual" in top_right.url


def test_heat_map_refuses_an_unknown_basis(programme):
    with pytest.raises(ValueError, match="basis"):
        heat_map(programme, basis="gut feeling")


def test_top_risks_orders_by_residual_then_inherent_with_unscored_last(programme):
    low = _risk(programme, (2, 2), (1, 1))
    unscored = RiskFactory(programme=programme)
    high = _risk(programme, (5, 5), (4, 4))
    tie_higher_inherent = _risk(programme, (5, 4), (3, 3))
    tie = _risk(programme, (3, 3), (3, 3))
    _risk(programme, (5, 5), (5, 5), status=Risk.Status.CLOSED, closing_note="done")
    _risk(programme, (5, 5), (5, 5), kind=Risk.Kind.OPPORTUNITY)

    result = top_risks(programme, limit=5)

    assert result == [high, tie_higher_inherent, tie, low, unscored]
    assert result[0].residual_band.label == "Very high"


def _overdue_world(programme, officer, size):
    for _ in range(size):
        risk = RiskFactory(programme=programme, owner=officer, review_date=date(2024, 5, 1))
        ActionFactory(risk=risk, owner=officer, due_date=date(2024, 5, 1))
        ActionFactory(risk=risk, owner=officer, due_date=date(2024, 7, 1))  # not yet due
        ActionFactory(risk=risk, due_date=date(2024, 5, 1), done=True, done_on=date(2024, 5, 2))


def test_overdue_reviews_and_actions_with_their_owners(programme, officer):
    _overdue_world(programme, officer, 2)
    RiskFactory(programme=programme, review_date=date(2024, 6, 1))  # due today: not overdue
    RiskFactory(
        programme=programme,
        review_date=date(2024, 1, 1),
        status=Risk.Status.CLOSED,
        closing_note="closed",
    )

    overdue = overdue_reviews_and_actions(programme, today=TODAY)

    assert len(overdue.reviews) == 2
    assert len(overdue.actions) == 2
    assert {r.owner for r in overdue.reviews} == {officer}
    assert {a.owner for a in overdue.actions} == {officer}
    assert overdue


@pytest.mark.parametrize("size", [1, 8])
def test_dashboard_selectors_use_a_fixed_number_of_queries(programme, officer, size):
    _overdue_world(programme, officer, size)
    bands = load_bands()
    with CaptureQueriesContext(connection) as ctx:
        grid = heat_map(programme, basis="residual", bands=bands)
        top = top_risks(programme, limit=5, bands=bands, today=TODAY)
        overdue = overdue_reviews_and_actions(programme, today=TODAY)
        # Touch what a template would show: owners and risk titles.
        [(r.owner.username, r.category.name) for r in top]
        [(a.owner.username, a.risk.title, a.risk.programme.slug) for a in overdue.actions]
        [r.owner.username for r in overdue.reviews]
    assert grid.counts
    assert len(ctx.captured_queries) == 4
