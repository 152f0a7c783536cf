"""The actuals page's chart: spend by month as bars, drawn on the server as inline SVG. One
colour and one kind of mark, so nothing depends on colour; the same figures are in the table
beside it."""

from matplotlib import rc_context
from matplotlib.ticker import FuncFormatter

from core.charts import BLUE, GRID, cached_chart, chart_rc, figure_to_svg, new_figure

_CHART = "actuals-by-month"


def _key(months: list[dict], **kw):
    return [(m["month"], m["total"]) for m in months], sorted(kw.items())


@cached_chart(key=_key)
def monthly_spend_svg(months: list[dict], *, title_id: str, title: str) -> str:
    labels = [m["month"].strftime("%b %Y") for m in months]
    # Whole pounds are exact enough to draw; money itself never becomes a float here.
    values = [int(m["total"].to_integral_value()) for m in months]
    with rc_context(chart_rc(_CHART)):
        figure = new_figure(figsize=(8, 3.8))
        axes = figure.subplots()
        axes.bar(range(len(values)), values, color=BLUE)
        axes.set_xticks(range(len(values)), labels, rotation=45, ha="right")
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"£{v:,.0f}"))
        axes.axhline(0, color=GRID, linewidth=0.8)
        axes.set_ylabel("Spend in the month")
        axes.grid(axis="y", color=GRID, linewidth=0.5)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        return figure_to_svg(figure, title_id=title_id, title=title)
