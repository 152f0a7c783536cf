"""Server-drawn SVG charts that work under the Content Security Policy.

Every chart in the product goes through `chart_rc` and `figure_to_svg`: text stays text
(`svg.fonttype = "none"`), user text is drawn as written and never read as TeX (a title with
`$...$` in it is text, not mathtext), the same data draws the same bytes (fixed hash salt, no
date), and
matplotlib's inline `style="…"` attributes — forbidden by the CSP, which would leave a chart
unpainted — become SVG presentation attributes. Pages put the SVG in a `<figure>` with a
caption and the same figures in a table beside it.
"""

import functools
import hashlib
import inspect
import re
import sys
from io import StringIO

from django.utils.html import escape

# Dark GOV.UK text colours: they meet contrast on white and stay apart in greyscale.
INK = "#0b0c0c"
SECONDARY_INK = "#505a5f"
BLUE = "#1d70b8"
# Mid grey for gridlines: present but quieter than the data.
GRID = "#b1b4b6"


def chart_rc(name: str, *, font_size: int = 10) -> dict:
    """matplotlib settings for one kind of chart; `name` salts its ids so they are stable.

    Keep a chart's `name` once chosen: changing it changes every id the chart draws.
    """
    return {
        # Titles, owners and benefit names are typed by people: never mathtext.
        "text.parse_math": False,
        "svg.fonttype": "none",
        "svg.hashsalt": name,
        "font.size": font_size,
        "font.family": "sans-serif",
        "font.sans-serif": ["Liberation Sans", "Arial", "DejaVu Sans"],
    }


def new_figure(*, figsize: tuple[float, float]):
    """A matplotlib Figure drawn off-screen (no pyplot state shared between requests)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


_STYLE_ATTR = re.compile(r'style="([^"]*)"')
_FONT = re.compile(
    r"^(?:(?P<style>italic|oblique|normal)\s+)?(?:(?P<weight>bold|normal|\d{3})\s+)?"
    r"(?P<size>[\d.]+(?:px|pt))\s+(?P<family>.+)$"
)


def _declarations_as_attributes(match: re.Match) -> str:
    """`style="fill: #fff; font: 10px 'Liberation Sans'"` → presentation attributes."""
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


def csp_safe_svg(svg: str, *, prefix: str) -> str:
    """Inline-ready SVG: no XML prolog, metadata or <style>; styles become attributes; ids are
    prefixed so that two charts on one page never share one."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = _STYLE_ATTR.sub(_declarations_as_attributes, svg)
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})", svg)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m[1]}"', svg)


def figure_to_svg(figure, *, title_id: str, title: str, id_prefix: str | None = None) -> str:
    """The figure as an inline `<svg role="img" aria-labelledby=…>` with a <title>.

    Draw and call this inside `with matplotlib.rc_context(chart_rc(name)):` — the SVG backend
    reads the font and hash-salt settings when it saves. The chart's own ids are prefixed with
    `id_prefix` (by default `title_id` and a hyphen). `focusable="false"` keeps a picture that
    has nothing to operate out of the tab order in browsers that would otherwise focus it.
    """
    import matplotlib
    from matplotlib.text import Text

    # Whatever rc settings the caller drew under: every text already made, and every tick
    # label made while saving, is drawn as written, never parsed as TeX.
    for text in figure.findobj(Text):
        text.set_parse_math(False)
    buffer = StringIO()
    with matplotlib.rc_context({"text.parse_math": False}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    prefix = f"{title_id}-" if id_prefix is None else id_prefix
    svg = csp_safe_svg(buffer.getvalue(), prefix=prefix)
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{escape(title_id)}" focusable="false" ',
        1,
    ).replace(">", f'><title id="{escape(title_id)}">{escape(title)}</title>', 1)


# Drawing a chart costs far more than the rest of a page (bench/load.py), so each SVG is kept
# under a digest of exactly the data it draws: new data is a new key, so a change shows at once
# and an entry is never stale, only unused until it is pushed out. The cache is each web
# process's own memory, not the database cache: a hit then costs no query, so a page asks the
# database the same number of questions whether its charts are cached or not.
CHART_CACHE_ENTRIES = 300
_MISSING = object()
_cache = None


def chart_cache():
    """The process's chart cache (a bounded local-memory Django cache)."""
    global _cache
    if _cache is None:
        from django.core.cache.backends.locmem import LocMemCache

        _cache = LocMemCache(
            "tracker-charts",
            {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": CHART_CACHE_ENTRIES}},
        )
    return _cache


@functools.cache
def _source_digest(module_name: str) -> str:
    """A digest of a module's code, so a chart drawn differently never matches an old entry."""
    source = inspect.getsource(sys.modules[module_name])
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def cached_chart(key):
    """Decorate a chart function so its SVG comes from the cache when the same data was drawn.

    `key(*args, **kwargs)` returns everything the chart shows (dates, numbers, words, ids), as
    plain values whose repr is complete: never a model instance, whose repr leaves fields out.
    """

    def decorate(draw):
        name = f"{draw.__module__}.{draw.__qualname__}"

        @functools.wraps(draw)
        def wrapper(*args, **kwargs):
            data = repr(
                (key(*args, **kwargs), _source_digest(draw.__module__), _source_digest(__name__))
            )
            cache_key = f"{name}:{hashlib.sha256(data.encode()).hexdigest()}"
            cache = chart_cache()
            svg = cache.get(cache_key, _MISSING)
            if svg is _MISSING:
                svg = draw(*args, **kwargs)
                cache.set(cache_key, svg)
            return svg

        wrapper.uncached = draw
        return wrapper

    return decorate
