"""The stage page's chart: inline SVG that draws under the Content Security Policy, names its
ratings in words, and gives the same bytes for the same data."""

from datetime import date

import pytest

from stages.charts import progress_svg

from .factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db


def _draw(updates):
    return progress_svg(updates, scale="five", title_id="t", title="Stage 1 progress")


def test_the_chart_is_an_accessible_svg_with_words_for_each_rating(stages):
    updates = [
        ProgressUpdateFactory(
            stage=stages[1], as_of=date(2024, 2, 1), rag="green", percent_complete=10
        ),
        ProgressUpdateFactory(
            stage=stages[1], as_of=date(2024, 3, 1), rag="amber_red", percent_complete=45
        ),
    ]
    svg = _draw(updates)
    assert svg.startswith('<svg role="img" aria-labelledby="t" ')
    assert '<title id="t">Stage 1 progress</title>' in svg
    for word in ("Green", "Amber/green", "Amber", "Amber/red", "Red", "10%", "45%"):
        assert f">{word}<" in svg
    # Inline styles would be blocked by the CSP and leave the chart unpainted.
    assert "style=" not in svg and "<style" not in svg
    assert 'fill="#6e3619"' in svg  # the amber/red point keeps its colour
    assert _draw(list(reversed(updates))) == svg


def test_no_updates_means_no_chart(stages):
    assert _draw([]) is None
