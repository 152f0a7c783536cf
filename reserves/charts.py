"""The reserve statement's chart: the projected balance by date across the MTFS period, drawn
on the server as inline SVG with the floor marked. Readable without colour: actual and planned
movements differ by line style and are named in the legend, the floor is labelled, and the
page has the same figures in a table beside it."""

import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

from django.utils.html import escape

from programme.money import format_gbp_millions

# Fixed so that the same data draws the same bytes (tests compare them).
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "reserve-statement",
    "font.size": 10,
    "font.family": "sans-serif",
    "font.sans-serif": ["Liberation Sans", "DejaVu Sans"],
}
_BLUE = "#1d70b8"
_BLACK = "#0b0c0c"
_RED = "#942514"
_STYLE_ATTR = re.compile(r'style="([^"]*)"')


def _presentation_attributes(svg: str) -> str:
    """matplotlib writes `style="…"`; the Content Security Policy forbids inline styles, so
    they become SVG presentation attributes, which are not styles and still paint."""

    def replace(match: re.Match) -> str:
        parts = []
        for declaration in match.group(1).split(";"):
            if ":" in declaration:
                name, value = (p.strip() for p in declaration.split(":", 1))
                parts.append(f'{name}="{value}"')
        return " ".join(parts)

    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    return _STYLE_ATTR.sub(replace, svg)


def _pounds(amount: Decimal) -> int:
    # Whole pounds are exact enough to draw; money itself never becomes a float here.
    return int(amount.to_integral_value())


def balance_svg(position: dict, *, title_id: str, title: str) -> str:
    """An inline `<svg role="img">` of the balance over the MTFS period."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure
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
        day = max(m["date"], start)
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
    last.append(max(end, last[-1] + timedelta(days=1)))
    last_y.append(last_y[-1])

    with rc_context(_RC):
        figure = Figure(figsize=(8, 4.2))
        axes = figure.subplots()
        axes.plot(
            actual_x, actual_y, color=_BLUE, linewidth=2.5, label="Balance after drawdowns made"
        )
        if planned_x:
            axes.plot(
                planned_x,
                planned_y,
                color=_BLUE,
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
            color=_BLACK,
        )
        top = max(_pounds(position["opening_balance"]), _pounds(floor)) * 1.08
        bottom = min(0, min(actual_y + planned_y + [_pounds(floor)]))
        axes.set_ylim(bottom, top or 1)
        axes.set_xlim(start, last[-1])
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"£{v / 1_000_000:g}m"))
        axes.xaxis.set_major_formatter(DateFormatter("%b %Y"))
        axes.set_ylabel("Balance")
        axes.grid(axis="y", color="#b1b4b6", linewidth=0.5)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(loc="upper right", frameon=False, fontsize=9)
        figure.autofmt_xdate()
        figure.tight_layout()
        buffer = StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{title_id}" focusable="false" ',
        1,
    )
    svg = re.sub(
        r"(<svg[^>]*>)", rf'\1<title id="{title_id}">{escape(title)}</title>', svg, count=1
    )
    return _presentation_attributes(svg)
