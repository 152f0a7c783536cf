"""matplotlib never reads user text as TeX (issue 16, case 2): a benefit title with dollar
signs in it is drawn as written, and the pages and the report that chart it still work."""

import pytest
from django.urls import reverse

from core.charts import chart_rc, figure_to_svg, new_figure
from programme.models import Benefit

BROKEN_TEX = r"Save $\frac{a}{$ and $x^$ a year"
VALID_TEX = r"Cut calls by $\alpha^2$"


def test_a_chart_draws_dollar_signs_as_text_not_mathtext():
    from matplotlib import rc_context

    with rc_context(chart_rc("test-chart")):
        figure = new_figure(figsize=(4, 2))
        axes = figure.subplots()
        axes.barh([0, 1], [1, 2])
        axes.set_yticks([0, 1], [BROKEN_TEX, VALID_TEX])
        axes.set_title(VALID_TEX)
        svg = figure_to_svg(figure, title_id="t", title="A chart")
    assert r"$\frac{a}{$" in svg
    assert r"$\alpha^2$" in svg  # as typed: not a Greek letter drawn by mathtext


def test_text_made_outside_the_chart_settings_is_still_drawn_as_written():
    figure = new_figure(figsize=(4, 2))  # no chart_rc: figure_to_svg still turns TeX off
    figure.subplots().set_title(BROKEN_TEX)
    assert r"$\frac{a}{$" in figure_to_svg(figure, title_id="t", title="A chart")


@pytest.mark.django_db
def test_a_benefit_title_with_tex_breaks_no_page_and_no_report(demo_programme, client_for, cabinet):
    from reporting import documents, selectors

    Benefit.objects.filter(programme=demo_programme).update(title=BROKEN_TEX)
    client = client_for(cabinet)
    client.raise_request_exception = False
    slug = demo_programme.slug
    for name in ("programme:detail", "programme:print", "reporting:dashboard"):
        response = client.get(reverse(name, args=[slug]))
        assert response.status_code == 200, name
        assert r"$\frac{a}{$" in response.content.decode(), name
    assert client.get("/").status_code == 200  # Cabinet's home: what awaits them
    report = selectors.highlight_context(demo_programme)
    assert documents.highlight_pdf(report)[:5] == b"%PDF-"
