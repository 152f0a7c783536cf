"""The score-trend chart on a risk's page: server-drawn SVG (matplotlib), readable without
colour (line style and marker tell inherent from residual), with the same data in a table.
`core.charts` makes it CSP-safe (no inline styles) and byte-stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from core.charts import INK, SECONDARY_INK, cached_chart, chart_rc, figure_to_svg, new_figure

from . import scoring

# Fixed so that the same data draws the same bytes (tests compare them).
_CHART = "risks-score-trend"


@cached_chart(key=lambda points, **kw: (list(points), sorted(kw.items())))
def score_trend_svg(
    points: Sequence[tuple[date, int | None, int | None]],
    *,
    title: str,
    chart_id: str,
    bands: Sequence[scoring.Band],
) -> str:
    """An SVG line chart of inherent and residual scores at each review date.

    `points` are (date, inherent score, residual score). The same input gives the same bytes.
    """
    from matplotlib import rc_context

    with rc_context(chart_rc(_CHART, font_size=11)):
        fig = new_figure(figsize=(7.5, 3.6))
        ax = fig.subplots()
        # Band boundaries as dotted greys with their word: readable in greyscale.
        for band in bands[:-1]:
            ax.axhline(band.highest + 0.5, color=SECONDARY_INK, linewidth=0.6, linestyle=":")
        for band in bands:
            ax.text(
                1.01,
                (band.lowest + min(band.highest, 25)) / 2,
                band.label,
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize=9,
                color=INK,
            )
        dates = [p[0] for p in points]
        for index, (label, style, marker) in enumerate(
            (("Inherent", "--", "s"), ("Residual", "-", "o")), start=1
        ):
            xs = [d for d, *scores in points if scores[index - 1] is not None]
            ys = [scores[index - 1] for _d, *scores in points if scores[index - 1] is not None]
            if xs:
                ax.plot(
                    xs,
                    ys,
                    linestyle=style,
                    marker=marker,
                    color=INK if label == "Residual" else SECONDARY_INK,
                    linewidth=2,
                    label=label,
                )
        ax.set_ylim(0, 26)
        ax.set_yticks([1, 5, 10, 15, 20, 25])
        ax.set_ylabel("Score (likelihood × impact)")
        if dates:
            ax.set_xticks(dates)
            ax.set_xticklabels([f"{d.day} {d:%b %Y}" for d in dates], rotation=30, ha="right")
            if len(dates) == 1:
                ax.set_xlim(dates[0] - timedelta(days=15), dates[0] + timedelta(days=15))
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", frameon=False, ncols=2)
        fig.tight_layout()
        # Ids keep the chart's own prefix (`trend-R01-…`) rather than the title's.
        return figure_to_svg(
            fig, title_id=f"{chart_id}-title", title=title, id_prefix=f"{chart_id}-"
        )
