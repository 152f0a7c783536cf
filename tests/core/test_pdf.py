"""PDFs fetch nothing but our static files, and user text never reaches their stylesheet
(issue 16, case 1); the highlight report is a tagged PDF with its title and language."""

import io
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader

from core.pdf import BASE_URL, RefusedURL, static_files_fetcher
from programme.models import Benefit, Programme
from reporting import documents, selectors
from tests.reporting.support import pdf_text


@contextmanager
def recording_http_server():
    """A real HTTP server on 127.0.0.1 that notes every request and answers CSS / an image."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            requests.append(self.path)
            body = b"h2 { display: none }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def hostile_css(url: str) -> str:
    """Text that, put in a stylesheet, closes the rule it is in, fetches `url` and hides the
    report's sections: quotes are not needed, a newline ends the CSS string."""
    return (
        f"Evil Council\n}}}} h2{{background:url({url}/ssrf.png)}}"
        f"@import url({url}/i.css);#section-stages{{display:none}}@page{{@bottom-left{{content:x"
    )


@pytest.mark.django_db
def test_user_text_with_css_and_urls_makes_no_request_and_hides_nothing(demo_programme):
    with recording_http_server() as (url, requests):
        Programme.objects.filter(pk=demo_programme.pk).update(
            council=hostile_css(url),
            name=f'<link rel="stylesheet" href="{url}/linked.css"> url({url}/a)',
            report_author=f"@import '{url}/author.css';",
        )
        Benefit.objects.filter(programme=demo_programme).update(
            title=f"<img src='{url}/benefit.png'> $x^2$ {{{{ secret }}}}"
        )
        report = selectors.highlight_context(Programme.objects.get(pk=demo_programme.pk))
        data = documents.highlight_pdf(report)
        assert requests == []
    text = " ".join(pdf_text(data).split())
    for section in report.sections:
        assert section.title in text, f"section {section.title!r} is missing from the PDF"
    assert "Changes since the last report" in text
    # The footer carries the council name as written, on every page.
    pages = PdfReader(io.BytesIO(data)).pages
    assert all("Evil Council" in page.extract_text() for page in pages)


def test_the_fetcher_serves_our_static_files():
    fetcher = static_files_fetcher()
    response = fetcher(f"{BASE_URL}static/govuk/tracker.css")
    assert response.content_type == "text/css"
    assert len(response.read()) > 1000
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "target",
    [
        "{url}/x.css",
        "https://example.com/x.css",
        "file:///etc/passwd",
        "data:text/css,h2%20%7Bdisplay:none%7D",
        "ftp://127.0.0.1/x",
        f"{BASE_URL}static/../programme/settings.py",
        f"{BASE_URL}static/%2e%2e/programme/settings.py",
        f"{BASE_URL}media/evidence/x.pdf",
        f"{BASE_URL}static/",
        "https://tracker.invalid.example.com/static/govuk/tracker.css",
    ],
)
def test_the_fetcher_refuses_every_other_url_without_a_request(target):
    with recording_http_server() as (url, requests):
        fetcher = static_files_fetcher()
        with pytest.raises(RefusedURL):
            fetcher(target.format(url=url))
        assert requests == []
    assert fetcher.refused == [target.format(url=url)]


@pytest.mark.django_db
def test_the_highlight_report_is_a_tagged_pdf_with_title_and_language(demo_programme):
    data = documents.highlight_pdf(selectors.highlight_context(demo_programme))
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == f"Highlight report: {demo_programme.name}"
    assert b"pdfuaid" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
