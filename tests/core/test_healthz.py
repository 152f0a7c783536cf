"""/healthz: database and broker state, answered quickly even when the broker is not."""

import socket
import threading
import time

import pytest


@pytest.mark.django_db
def test_healthz_reports_the_database_and_eager_broker(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


@pytest.mark.django_db
def test_healthz_says_the_broker_is_unreachable_and_answers_quickly(client, settings, free_port):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port}/0"  # nothing listens there
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert response.json()["broker"] == "unreachable"
    assert response.json()["status"] == "degraded"


@pytest.mark.django_db
def test_healthz_answers_within_two_seconds_when_the_broker_hangs(client, settings):
    """A server that accepts connections and never answers: the worst kind of broken Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept_forever():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        settings.REDIS_URL = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()
    assert elapsed < 2, elapsed
    assert response.json()["broker"] == "unreachable"
    assert accepted, "the hung server was really contacted"
