"""Pages of a long list: one way to cut a list or query into pages and to link between them,
so every list that grows with the data shows a fixed number of rows and the page's queries and
size stay the same however much data there is. The links are drawn by the one partial
`templates/includes/pagination.html` (GOV.UK's pagination component), through the
`{% pagination %}` tag in `core.templatetags.tracker`."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import QueryDict

PER_PAGE = 25


def page_of(items, number, *, per_page: int = PER_PAGE, count: int | None = None) -> Page:
    """The page `number` (a request's text, maybe missing or bad) of `items`, a list or a
    query; a bad or out-of-range number gives the first or the last page, never an error. A
    query costs two questions, its count and its page of rows, or one when the caller already
    knows the `count`."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # a cached property: the count query is not asked again
    return paginator.get_page(number)


def page_from_request(request, items, *, param: str = "page", per_page: int = PER_PAGE) -> Page:
    """The page of `items` that `?<param>=` asks for."""
    return page_of(items, request.GET.get(param), per_page=per_page)


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None for the ellipsis between far pages
    href: str
    current: bool


def page_links(page: Page, query: QueryDict, *, param: str = "page", anchor: str = ""):
    """(previous href, [PageLink], next href) for `page`, keeping the other query parameters
    (filters, another list's page) as they are."""

    def href(number: int) -> str:
        params = query.copy()
        params[param] = str(number)
        return f"?{params.urlencode()}{'#' + anchor if anchor else ''}"

    paginator = page.paginator
    links = [
        PageLink(None, "", False)
        if number == paginator.ELLIPSIS
        else PageLink(number, href(number), number == page.number)
        for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]
    previous = href(page.previous_page_number()) if page.has_previous() else ""
    following = href(page.next_page_number()) if page.has_next() else ""
    return previous, links, following
