"""The shared chart module: every chart it draws is inline SVG that paints under the Content
Security Policy (no inline styles), names itself for screen readers, never shares an id with
another chart on the page, and gives the same bytes for the same data."""

import re

from matplotlib import rc_context

from core.charts import chart_rc, csp_safe_svg, figure_to_svg, new_figure


def _draw(values, *, title_id="chart-title", title="Spend by year", **kwargs):
    with rc_context(chart_rc("test-chart", **kwargs.pop("rc", {}))):
        figure = new_figure(figsize=(4, 3))
        axes = figure.subplots()
        # A clip path and a hatch make matplotlib write url(#…) and xlink:href="#…" references.
        axes.bar(["2022/23", "2023/24"], values, hatch="//", label="Spend")
        axes.plot([0, 1], values, marker="o")
        axes.legend()
        return figure_to_svg(figure, title_id=title_id, title=title, **kwargs)


def test_the_chart_carries_no_inline_style_and_keeps_its_colours_as_attributes():
    svg = _draw([3, 5])
    assert "style=" not in svg and "<style" not in svg
    assert "<metadata" not in svg and "<?xml" not in svg
    assert 'fill="#ffffff"' in svg  # the background, formerly style="fill: #ffffff"
    assert re.search(r'font-size="10(\.0)?px"', svg)


def test_the_chart_is_an_image_named_by_its_escaped_title():
    svg = _draw([3, 5], title="Spend & income <2022>")
    assert svg.startswith('<svg role="img" aria-labelledby="chart-title" focusable="false" ')
    assert '<title id="chart-title">Spend &amp; income &lt;2022&gt;</title>' in svg
    assert svg.count("<title") == 1


def test_every_id_is_prefixed_and_every_reference_points_at_an_id_in_the_chart():
    svg = _draw([3, 5])
    ids = set(re.findall(r'id="([^"]+)"', svg))
    assert ids - {"chart-title"}
    assert all(i.startswith("chart-title-") for i in ids - {"chart-title"})
    references = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'href="#([^"]+)"', svg))
    assert references, "the chart should use clip paths or shared markers"
    assert references <= ids


def test_two_charts_on_one_page_share_no_id():
    first = set(re.findall(r'id="([^"]+)"', _draw([3, 5], title_id="a")))
    second = set(re.findall(r'id="([^"]+)"', _draw([3, 5], title_id="b")))
    assert first and second and not first & second


def test_a_chart_may_choose_its_own_id_prefix():
    svg = _draw([3, 5], title_id="trend-R01-title", id_prefix="trend-R01-")
    assert '<title id="trend-R01-title">' in svg
    assert 'id="trend-R01-figure_1"' in svg
    assert "trend-R01-title-" not in svg


def test_the_same_data_gives_the_same_bytes_and_different_data_different_bytes():
    assert _draw([3, 5]) == _draw([3, 5])
    assert _draw([3, 5]) != _draw([3, 6])


def test_a_chart_may_use_a_larger_font():
    assert re.search(r'font-size="11(\.0)?px"', _draw([3, 5], rc={"font_size": 11}))


def test_the_font_shorthand_becomes_separate_attributes():
    svg = csp_safe_svg(
        '<?xml version="1.0"?><svg id="s"><text style="fill: #0b0c0c; '
        'font: bold 12px \'Liberation Sans\', sans-serif" clip-path="url(#c)">A</text></svg>',
        prefix="p-",
    )
    assert svg == (
        '<svg id="p-s"><text fill="#0b0c0c" font-size="12px" '
        'font-family="\'Liberation Sans\', sans-serif" font-weight="bold" '
        'clip-path="url(#p-c)">A</text></svg>'
    )
