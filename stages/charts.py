"""The stage page's chart of percent complete and delivery confidence over time, drawn on the
server as inline SVG. Readable without colour: every rating sits on a row named by its word,
every point carries its percent, and the page has the same data in a table."""

from core.charts import (
    BLUE,
    GRID,
    INK,
    SECONDARY_INK,
    cached_chart,
    chart_rc,
    figure_to_svg,
    new_figure,
)
from core.dates import days_around

from . import rag as rag_scale
from .rag import Rag

# Fixed so that the same data draws the same bytes (tests compare them).
_CHART = "stages-progress"
# The RAG colours of frontend/_tracker.scss (the strong text colours, which meet contrast).
_COLOURS = {
    Rag.GREEN: "#005a30",
    Rag.AMBER_GREEN: "#3d5a0b",
    Rag.AMBER: "#594d00",
    Rag.AMBER_RED: "#6e3619",
    Rag.RED: "#942514",
}
_MARKERS = {Rag.GREEN: "o", Rag.AMBER_GREEN: "s", Rag.AMBER: "D", Rag.AMBER_RED: "v", Rag.RED: "X"}


@cached_chart(
    key=lambda updates, **kw: (
        [(u.pk, u.as_of, u.created_at, u.rag, u.percent_complete) for u in updates],
        sorted(kw.items()),
    )
)
def progress_svg(updates, *, scale: str, title_id: str, title: str) -> str | None:
    """An inline `<svg role="img">` of `updates` (oldest to newest); None when there are none."""
    points = sorted(updates, key=lambda u: (u.as_of, u.created_at, u.pk))
    if not points:
        return None
    from matplotlib import rc_context
    from matplotlib.dates import num2date
    from matplotlib.ticker import FuncFormatter

    dates = [u.as_of for u in points]
    percents = [u.percent_complete for u in points]
    levels = list(rag_scale.SCALES[scale])
    # A rating from a scale the stage no longer uses still gets a row of its own.
    levels += [u.rag for u in points if u.rag not in levels]
    levels.sort(key=lambda v: -rag_scale.ORDER[v])
    row = {value: len(levels) - i for i, value in enumerate(levels)}
    with rc_context(chart_rc(_CHART)):
        figure = new_figure(figsize=(7.5, 5.0))
        top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
        top.plot(dates, percents, color=BLUE, marker="o", linewidth=2)
        for day, percent in zip(dates, percents, strict=True):
            top.annotate(
                f"{percent}%",
                (day, percent),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                color=INK,
            )
        top.set_ylim(0, 112)
        top.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        top.set_ylabel("Percent complete")
        top.grid(axis="y", color=GRID, linewidth=0.5)
        bottom.step(dates, [row[u.rag] for u in points], where="post", color=SECONDARY_INK)
        for update in points:
            bottom.plot(
                [update.as_of],
                [row[update.rag]],
                marker=_MARKERS[update.rag],
                markersize=9,
                color=_COLOURS[update.rag],
                markeredgecolor=INK,
            )
        bottom.set_ylim(0.5, len(levels) + 0.5)
        bottom.set_yticks([row[v] for v in levels], [Rag(v).label for v in levels])
        bottom.set_ylabel("Delivery confidence")
        bottom.grid(axis="y", color=GRID, linewidth=0.5)
        if dates[0] == dates[-1]:
            bottom.set_xlim(*days_around(dates[0], 7))
        bottom.xaxis.set_major_formatter(
            FuncFormatter(lambda x, _pos: f"{num2date(x).day} {num2date(x):%b %Y}")
        )
        for axes in (top, bottom):
            for side in ("top", "right"):
                axes.spines[side].set_visible(False)
        figure.autofmt_xdate()
        figure.tight_layout()
        return figure_to_svg(figure, title_id=title_id, title=title)
