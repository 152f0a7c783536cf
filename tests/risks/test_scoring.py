"""Scoring and banding: score = likelihood × impact, bands from STYLE.md, configurable."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risks import scoring
from risks.models import RiskBand
from risks.selectors import heat_map, load_bands

from .conftest import register_url
from .factories import RiskFactory

scores_1_to_5 = st.integers(min_value=1, max_value=5)


@given(scores_1_to_5, scores_1_to_5)
def test_every_cell_of_the_grid_falls_in_exactly_one_default_band(likelihood, impact):
    value = scoring.score(likelihood, impact)
    assert value == likelihood * impact
    holding = [b for b in scoring.DEFAULT_BANDS if b.contains(value)]
    assert len(holding) == 1


@pytest.mark.parametrize(
    ("likelihood", "impact", "label", "colour"),
    [
        (1, 1, "Low", "green"),
        (2, 2, "Low", "green"),
        (1, 5, "Medium", "yellow"),
        (3, 3, "Medium", "yellow"),
        (2, 5, "High", "amber"),
        (3, 4, "High", "amber"),
        (3, 5, "Very high", "red"),
        (5, 5, "Very high", "red"),
    ],
)
def test_default_bands_follow_the_style_guide(likelihood, impact, label, colour):
    band = scoring.band_for(scoring.score(likelihood, impact), scoring.DEFAULT_BANDS)
    assert (band.label, band.colour) == (label, colour)


def test_an_unscored_risk_has_no_score_and_no_band():
    assert scoring.score(None, 3) is None
    assert scoring.band_for(None, scoring.DEFAULT_BANDS) is None


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_score_refuses_values_outside_one_to_five(bad):
    with pytest.raises(ValueError, match="1 to 5"):
        scoring.score(bad, 3)


def test_band_problems_finds_gaps_overlaps_and_ranges_outside_the_grid():
    assert scoring.band_problems(scoring.DEFAULT_BANDS) == []
    gap = [scoring.Band("low", "Low", "green", 1, 4), scoring.Band("high", "High", "red", 6, 25)]
    assert scoring.band_problems(gap) == ["No band covers score 5"]
    overlap = [
        scoring.Band("low", "Low", "green", 1, 10),
        scoring.Band("high", "High", "red", 8, 25),
    ]
    assert "High overlaps Low at score 8" in scoring.band_problems(overlap)
    outside = [scoring.Band("low", "Low", "green", 1, 30)]
    assert "Low: scores run from 1 to 25" in scoring.band_problems(outside)


def test_cells_in_a_band_are_the_grid_cells_whose_product_falls_in_it():
    very_high = scoring.DEFAULT_BANDS[-1]
    assert sorted(scoring.cells_in_band(very_high)) == [
        (3, 5), (4, 4), (4, 5), (5, 3), (5, 4), (5, 5)
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_migration_seeds_the_style_guide_bands():
    assert load_bands() == list(scoring.DEFAULT_BANDS)


@pytest.mark.django_db
def test_bands_are_configurable_and_the_register_uses_the_new_ranges(
    programme, client_for, officer
):
    # A council that treats 8 and 9 as high: Medium becomes 5–7, High 8–14.
    RiskBand.objects.filter(key="medium").update(highest=7)
    RiskBand.objects.filter(key="high").update(lowest=8, label="Significant")
    RiskFactory(programme=programme, residual_likelihood=3, residual_impact=3)  # 9

    bands = load_bands()
    assert scoring.band_problems(bands) == []
    assert scoring.band_for(9, bands).label == "Significant"
    grid = heat_map(programme, basis="residual", bands=bands)
    cell = next(c for r in grid.rows for c in r.cells if (c.likelihood, c.impact) == (3, 3))
    assert (cell.band.label, cell.count) == ("Significant", 1)

    page = client_for(officer).get(register_url(programme)).content.decode()
    assert '<strong class="govuk-tag app-band--high">9 <span>Significant</span></strong>' in page
    assert "scores 8 to 14" in page


@pytest.mark.django_db
def test_a_band_that_overlaps_another_is_refused_with_a_field_error():
    from django.core.exceptions import ValidationError

    band = RiskBand.objects.get(key="medium")
    band.full_clean()
    band.lowest = 3
    with pytest.raises(ValidationError) as caught:
        band.full_clean()
    assert "overlaps Low" in str(caught.value.message_dict["lowest"])
