"""Helpers shared by tests: URL discovery and query counting."""

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver


def all_url_patterns(resolver=None, prefix="", namespace=""):
    """Yield (route, name) for every URL pattern in the project, depth first."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from all_url_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name


def forget_page_fragments() -> None:
    """Empty the page-fragment cache (core/fragments.py), so a page is drawn in full."""
    caches["template_fragments"].clear()


def query_count(client, url) -> int:
    """Queries of one GET of `url` drawn in full (no cached fragment): what a first visit
    after a change costs, which is what must not grow with the data."""
    forget_page_fragments()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def fill_date(page, legend: str, day) -> None:
    """Type `day` into the GOV.UK date input whose legend is `legend` (day, month, year)."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
