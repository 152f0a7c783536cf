"""The reserve statement's chart: the projected balance by date across the MTFS period, drawn
on the server as inline SVG with the floor marked. Readable without colour: actual and planned
movements differ by line style and are named in the legend, the floor is labelled, and the
page has the same figures in a table beside it."""

from datetime import timedelta
from decimal import Decimal

from core.charts import BLUE, GRID, INK, cached_chart, chart_rc, figure_to_svg, new_figure
from core.money import format_gbp_millions

# Fixed so that the same data draws the same bytes (tests compare them).
_CHART = "reserve-statement"
# The strong red of frontend/_tracker.scss: the floor is a limit, and is labelled in words too.
_RED = "#942514"


def _pounds(amount: Decimal) -> int:
    # Whole pounds are exact enough to draw; money itself never becomes a float here.
    return int(amount.to_integral_value())


def _balance_key(position: dict, **kw):
    movements = [(m["date"], m["kind"], m["amount"], m["balance"]) for m in position["movements"]]
    fields = ("opening_date", "mtfs_end", "floor", "opening_balance")
    return [position[f] for f in fields], movements, sorted(kw.items())


@cached_chart(key=_balance_key)
def balance_svg(position: dict, *, title_id: str, title: str) -> str:
    """An inline `<svg role="img">` of the balance over the MTFS period."""
    from matplotlib import rc_context
    from matplotlib.dates import DateFormatter
    from matplotlib.ticker import FuncFormatter

    start = position["opening_date"]
    end = position["mtfs_end"]
    floor = position["floor"]
    movements = [m for m in position["movements"] if m["date"]]

    # A step line: the balance holds until the day money leaves.
    actual_x, actual_y = [start], [_pounds(position["opening_balance"])]
    planned_x, planned_y = [], []
    balance = position["opening_balance"]
    for m in movements:
        # Money due after the MTFS period shows at its end: the chart covers the period only.
        day = min(max(m["date"], start), end)
        target = (actual_x, actual_y) if m["kind"] == "actual" and not planned_x else None
        if target is None:
            if not planned_x:
                planned_x.append(actual_x[-1])
                planned_y.append(actual_y[-1])
            target = (planned_x, planned_y)
        target[0].append(day)
        target[1].append(_pounds(balance))
        balance = m["balance"]
        target[0].append(day)
        target[1].append(_pounds(balance))
    last = planned_x or actual_x
    last_y = planned_y or actual_y
    last.append(max(end, last[-1] + timedelta(days=1)) if last[-1] < end else last[-1])
    last_y.append(last_y[-1])

    with rc_context(chart_rc(_CHART)):
        figure = new_figure(figsize=(8, 4.2))
        axes = figure.subplots()
        axes.plot(
            actual_x, actual_y, color=BLUE, linewidth=2.5, label="Balance after drawdowns made"
        )
        if planned_x:
            axes.plot(
                planned_x,
                planned_y,
                color=BLUE,
                linewidth=2.5,
                linestyle=(0, (6, 3)),
                label="Projected, after approved and scheduled drawdowns",
            )
        axes.axhline(
            _pounds(floor),
            color=_RED,
            linewidth=1.5,
            linestyle=(0, (2, 2)),
            label=f"Floor ({format_gbp_millions(floor)})",
        )
        axes.annotate(
            f"Floor {format_gbp_millions(floor)}",
            (end, _pounds(floor)),
            xytext=(-4, 4),
            textcoords="offset points",
            ha="right",
            color=_RED,
        )
        axes.annotate(
            format_gbp_millions(balance),
            (last[-1], last_y[-1]),
            xytext=(-4, 6),
            textcoords="offset points",
            ha="right",
            color=INK,
        )
        top = max(_pounds(position["opening_balance"]), _pounds(floor)) * 1.08
        bottom = min(0, min(actual_y + planned_y + [_pounds(floor)]))
        axes.set_ylim(bottom, top or 1)
        axes.set_xlim(start, last[-1])
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"£{v / 1_000_000:g}m"))
        axes.xaxis.set_major_formatter(DateFormatter("%b %Y"))
        axes.set_ylabel("Balance")
        axes.grid(axis="y", color=GRID, linewidth=0.5)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(loc="upper right", frameon=False, fontsize=9)
        figure.autofmt_xdate()
        figure.tight_layout()
        return figure_to_svg(figure, title_id=title_id, title=title)
