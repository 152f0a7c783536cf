"""The score-trend chart on a risk's page: server-drawn SVG (matplotlib), readable without
colour (line style and marker tell inherent from residual), with the same data in a table.

Matplotlib writes `style="…"` attributes, which the Content Security Policy (no inline
styles) would block in an inline SVG; `_csp_safe` rewrites them as SVG presentation
attributes, which CSP allows.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date, timedelta

from django.utils.html import escape

from . import scoring

_STYLE_ATTR = re.compile(r'style="([^"]*)"')
_ID_ATTR = re.compile(r'id="([^"]+)"')


def _presentation_attributes(match: re.Match) -> str:
    attrs = []
    for declaration in match.group(1).split(";"):
        if ":" not in declaration:
            continue
        name, value = (part.strip() for part in declaration.split(":", 1))
        if name == "font":
            # "font: 10px 'Arial'" → font-size and font-family
            size, _, family = value.partition(" ")
            attrs.append(f'font-size="{size}"')
            if family:
                attrs.append(f'font-family="{family}"')
        elif name:
            attrs.append(f'{name}="{value}"')
    return " ".join(attrs)


def _csp_safe(svg: str, *, prefix: str) -> str:
    """Strip the XML prolog, metadata and <style>; styles become attributes; ids get a
    prefix so two charts on one page never share an id."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = _STYLE_ATTR.sub(_presentation_attributes, svg)
    ids = set(_ID_ATTR.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{old}"', f'id="{prefix}-{old}"')
        svg = svg.replace(f'href="#{old}"', f'href="#{prefix}-{old}"')
        svg = svg.replace(f"url(#{old})", f"url(#{prefix}-{old})")
    return svg


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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "risks-score-trend",
            "font.family": "sans-serif",
            "font.sans-serif": ["Arial", "Liberation Sans", "DejaVu Sans"],
            "font.size": 11,
        }
    ):
        fig, ax = plt.subplots(figsize=(7.5, 3.6))
        # Band boundaries as dotted greys with their word: readable in greyscale.
        for band in bands[:-1]:
            ax.axhline(band.highest + 0.5, color="#505a5f", linewidth=0.6, linestyle=":")
        for band in bands:
            ax.text(
                1.01,
                (band.lowest + min(band.highest, 25)) / 2,
                band.label,
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize=9,
                color="#0b0c0c",
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
                    color="#0b0c0c" if label == "Residual" else "#505a5f",
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
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(fig)
    svg = _csp_safe(buffer.getvalue(), prefix=chart_id)
    title_id = f"{chart_id}-title"
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{title_id}" focusable="false" ',
        1,
    ).replace(">", f'><title id="{title_id}">{escape(title)}</title>', 1)
