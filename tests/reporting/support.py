"""Helpers for the reporting, audit and help tests (imported by those test modules only)."""

import io
import socket
import threading
import time
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.core.files.storage import default_storage

from core.history import acting_user


def make_programme(slug="test-programme", name="Test programme", **extra):
    from programme.models import Programme

    with acting_user(None):
        return Programme.objects.create(
            slug=slug,
            name=name,
            council="Herefordshire Council",
            decision_maker="Cabinet member finance",
            decision_date=date(2022, 7, 19),
            key_decision_threshold=Decimal("500000.00"),
            spending_ceiling=Decimal("490000.00"),
            **extra,
        )


def stored_files(prefix="reports") -> list[str]:
    """Every file stored under `prefix`, walking Django storage (not the disk directly)."""
    found = []

    def walk(path):
        if not default_storage.exists(path):
            return
        dirs, files = default_storage.listdir(path)
        found.extend(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}")

    walk(prefix)
    return sorted(found)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_fonts(data: bytes) -> set[str]:
    from pypdf import PdfReader

    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


def read_storage(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


@contextmanager
def broker_at(url: str):
    """Point the Celery app's producer at another broker URL for the block."""
    from programme.celery import app

    def reset_pools():
        # Drop the app's references only: kombu keeps pools per connection in a shared
        # registry, and closing one would break the next test that uses the same broker.
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    app.conf.broker_url = url
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url = previous
        reset_pools()


@contextmanager
def hung_server():
    """A TCP server that accepts connections and never answers: a hung Redis."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    server.settimeout(0.2)
    accepted = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in accepted:
            conn.close()
        server.close()


def wait_for(predicate, timeout=60.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
