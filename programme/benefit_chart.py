"""The benefits chart on the programme record: how far each benefit has moved from its
baseline towards its target, drawn on the server as SVG (readable without colour: every bar
carries its figure in words, and the page has the same data in a table)."""

import re
from decimal import Decimal
from io import StringIO

from django.utils.html import escape

# Fixed so that the same data draws the same bytes (tests compare them).
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "programme-benefits",
    "font.size": 10,
    "font.family": "sans-serif",
    "font.sans-serif": ["Liberation Sans", "Arial", "DejaVu Sans"],
}


def progress_svg(rows: list[tuple[str, Decimal | None]], *, title_id: str) -> str:
    """An inline `<svg role="img">` of `(label, progress percent or None)` rows."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    labels = [label for label, _ in rows]
    # matplotlib needs plain numbers to draw: Decimal percentages become ints of tenths,
    # scaled back on the axis, so no float is ever built from a money figure.
    values = [int(p * 10) if p is not None else 0 for _, p in rows]
    high = max([1000, *values])
    low = min([0, *values])
    with rc_context(_RC):
        figure = Figure(figsize=(7.5, 0.7 * len(rows) + 1.0))
        axes = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        axes.barh(positions, values, color="#1d70b8", edgecolor="#0b0c0c", hatch="//", height=0.5)
        for y, (_, progress), value in zip(positions, rows, values, strict=True):
            text = f"{progress}%" if progress is not None else "no actual yet"
            axes.text(max(value, 0) + high * 0.01, y, text, va="center", color="#0b0c0c")
        axes.axvline(1000, color="#0b0c0c", linestyle="--", linewidth=1)
        axes.text(1000, len(rows) - 0.45, "target", ha="center", color="#0b0c0c")
        axes.set_yticks(positions, [_wrap(label) for label in labels])
        axes.set_xlim(low, high * 1.15)
        ticks = list(range(0, high + 1, 250))
        axes.set_xticks(ticks, [f"{t // 10}%" for t in ticks])
        axes.set_xlabel("Progress from baseline (0%) to target (100%)")
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        buffer = StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = _csp_safe(buffer.getvalue(), prefix=f"{title_id}-")
    title = "Progress of each benefit from its baseline to its target"
    return re.sub(
        r"<svg ",
        f'<svg role="img" aria-labelledby="{escape(title_id)}" ',
        svg,
        count=1,
    ).replace(
        ">",
        f'><title id="{escape(title_id)}">{escape(title)}</title>',
        1,
    )


_STYLE_ATTR = re.compile(r'style="([^"]*)"')
_FONT = re.compile(
    r"^(?:(?P<style>italic|oblique|normal)\s+)?(?:(?P<weight>bold|normal|\d{3})\s+)?"
    r"(?P<size>[\d.]+(?:px|pt))\s+(?P<family>.+)$"
)


def _declarations_as_attributes(match: re.Match) -> str:
    """`style="fill: #fff; font: 10px 'DejaVu Sans'"` → presentation attributes, which are not
    styles: the Content Security Policy forbids inline styles, which would leave the chart
    unpainted (black)."""
    attributes = []
    for declaration in match.group(1).split(";"):
        if ":" not in declaration:
            continue
        name, value = (part.strip() for part in declaration.split(":", 1))
        if name == "font":
            font = _FONT.match(value)
            if font:
                attributes.append(f'font-size="{font["size"]}"')
                attributes.append(f'font-family="{font["family"].replace(chr(34), chr(39))}"')
                if font["weight"] and font["weight"] != "normal":
                    attributes.append(f'font-weight="{font["weight"]}"')
            continue
        attributes.append(f'{name}="{value}"')
    return " ".join(attributes)


def _csp_safe(svg: str, *, prefix: str) -> str:
    """Inline-ready SVG: no XML prolog, metadata or <style>; styles become attributes; ids are
    prefixed so that two charts on one page never share one."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = _STYLE_ATTR.sub(_declarations_as_attributes, svg)
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})", svg)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m[1]}"', svg)


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
