"""The benefits chart on the programme record: how far each benefit has moved from its
baseline towards its target, drawn on the server as SVG (readable without colour: every bar
carries its figure in words, and the page has the same data in a table)."""

from decimal import Decimal

from core.charts import BLUE, INK, cached_chart, chart_rc, figure_to_svg, new_figure

# Fixed so that the same data draws the same bytes (tests compare them).
_CHART = "programme-benefits"
_TITLE = "Progress of each benefit from its baseline to its target"


@cached_chart(key=lambda rows, **kw: (list(rows), sorted(kw.items())))
def progress_svg(rows: list[tuple[str, Decimal | None]], *, title_id: str) -> str:
    """An inline `<svg role="img">` of `(label, progress percent or None)` rows."""
    from matplotlib import rc_context

    labels = [label for label, _ in rows]
    # matplotlib needs plain numbers to draw: Decimal percentages become ints of tenths,
    # scaled back on the axis, so no float is ever built from a money figure.
    values = [int(p * 10) if p is not None else 0 for _, p in rows]
    high = max([1000, *values])
    low = min([0, *values])
    with rc_context(chart_rc(_CHART)):
        figure = new_figure(figsize=(7.5, 0.7 * len(rows) + 1.0))
        axes = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        axes.barh(positions, values, color=BLUE, edgecolor=INK, hatch="//", height=0.5)
        for y, (_, progress), value in zip(positions, rows, values, strict=True):
            text = f"{progress}%" if progress is not None else "no actual yet"
            axes.text(max(value, 0) + high * 0.01, y, text, va="center", color=INK)
        axes.axvline(1000, color=INK, linestyle="--", linewidth=1)
        axes.text(1000, len(rows) - 0.45, "target", ha="center", color=INK)
        axes.set_yticks(positions, [_wrap(label) for label in labels])
        axes.set_xlim(low, high * 1.15)
        ticks = list(range(0, high + 1, 250))
        axes.set_xticks(ticks, [f"{t // 10}%" for t in ticks])
        axes.set_xlabel("Progress from baseline (0%) to target (100%)")
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        return figure_to_svg(figure, title_id=title_id, title=_TITLE)


def _wrap(label: str, width: int = 28) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)
