"""PDFs from HTML with WeasyPrint, fetching nothing but the project's own static files.

WeasyPrint fetches every URL a document names (stylesheets, `@import`, images, fonts). A URL
that came from user text would make the server request it: `render_pdf` gives WeasyPrint a
fetcher that answers only for our static files, read from disk, and refuses everything else
(http, https, file, data, ftp…) without opening a connection (decision 0161). The PDF is
tagged (PDF/UA-1): its structure, title and language are there for screen readers.
"""

import functools
import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# The base URL documents are rendered against: `{% static %}` paths resolve under it, and the
# fetcher serves only what lies below its static prefix. `.invalid` never resolves (RFC 2606).
BASE_URL = "https://tracker.invalid/"


class RefusedURL(ValueError):
    """A document named a URL that is not one of the project's static files."""


def static_file_for(url: str) -> str | None:
    """The file on disk for one of our static URLs under BASE_URL, else None."""
    prefix = BASE_URL + settings.STATIC_URL.strip("/") + "/"
    if not url.startswith(prefix):
        return None
    relative = unquote(urlsplit(url).path)[len(urlsplit(prefix).path) :]
    if not relative or relative.startswith("/") or ".." in relative.split("/"):
        return None
    return finders.find(relative)


@functools.cache
def _fetcher_class():
    # WeasyPrint loads Pango when imported (over half a second): only processes that make a
    # PDF pay for it, not every web process at start-up.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnlyFetcher(URLFetcher):
        """Serves our static files from disk; refuses every other URL without opening it.

        WeasyPrint reports a refused URL as a warning and renders without it."""

        def __init__(self):
            super().__init__(allowed_protocols=())
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            path = static_file_for(url)
            if path is None:
                self.refused.append(url)
                raise RefusedURL(f"Only the tracker's own static files are read: refused {url!r}")
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as handle:
                body = handle.read()
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StaticFilesOnlyFetcher


def static_files_fetcher():
    """A new WeasyPrint URL fetcher that reads only the project's static files."""
    return _fetcher_class()()


def render_pdf(html: str, *, fetcher=None) -> bytes:
    """A tagged PDF (PDF/UA-1) of `html`, which names its own title and `lang`."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher or static_files_fetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")
