"""Helpers for the fault tests (tests/test_faults.py): a private Redis that can be stopped and
started again on the same port, a Celery worker on any broker, and timing of page loads.

The machine's shared Redis is never touched: each test that stops Redis stops its own.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import ROOT, _database_url_for_tests
from tests.reporting.support import wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A `redis-server` of the test's own on 127.0.0.1, no persistence, stoppable at will."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.process = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:  # pragma: no cover - CI installs it beside the shared Redis
            raise RuntimeError("redis-server is not on PATH")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1"]
                + ["--save", "", "--appendonly", "no"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if not wait_for(self.answers, timeout=10, interval=0.05):
            raise RuntimeError("private redis-server did not start:\n" + self.log_path.read_text())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def answers(self) -> bool:
        import redis

        try:
            return bool(
                redis.Redis.from_url(
                    self.url, socket_timeout=0.5, socket_connect_timeout=0.5
                ).ping()
            )
        except (redis.RedisError, OSError):
            return False


class Worker:
    """A real `celery worker` on this test's database and the given broker.

    `pool="prefork"` runs the tasks in a child process that can be killed on its own (the
    main process then sees the loss and, with reject_on_worker_lost, puts the message back).
    Extra environment (e.g. REPORT_TEST_DELAY_SECONDS) goes to the worker only.
    """

    def __init__(self, *, settings, tmp_path: Path, broker_url: str, pool="solo", env=None):
        self.settings = settings
        self.pool = pool
        self.log_path = tmp_path / f"worker-{pool}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url_for_tests(),
            "REDIS_URL": broker_url,
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "PYTEST_XDIST_WORKER": "",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            **(env or {}),
        }
        self.process = None
        self._ready_seen = 0

    def start(self) -> None:
        # Count the "ready." lines already in the log, so a restart waits for a new one.
        self._ready_seen = self.output().count("ready.")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "programme", "worker"]
                + [f"--pool={self.pool}", "--concurrency=1", "--loglevel=INFO"]
                + ["-Q", self.settings.CELERY_TASK_DEFAULT_QUEUE]
                + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if (
            not wait_for(
                lambda: (
                    self.output().count("ready.") > self._ready_seen
                    or self.process.poll() is not None
                ),
                timeout=30,
            )
            or self.process.poll() is not None
        ):
            raise RuntimeError("celery worker did not start:\n" + self.output())

    def stop(self, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            (self.process.kill if kill else self.process.terminate)()
            self.process.wait(timeout=30)

    def pool_children(self) -> list[int]:
        """Process ids of the pool's children (prefork): the processes that run the tasks."""
        import psutil

        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def kill_child(self) -> int:
        (pid,) = self.pool_children()
        os.kill(pid, signal.SIGKILL)
        return pid

    def output(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


def timed(call):
    """(seconds, result) of one call."""
    started = time.monotonic()
    result = call()
    return time.monotonic() - started, result


def in_threads(jobs, *, threads: int):
    """Run `jobs` (callables) on `threads` threads; each thread closes its database connection
    when it has no more work, so the test database can be flushed afterwards."""
    from django.db import connections

    jobs = list(jobs)
    results = [None] * len(jobs)

    def lane(start):
        try:
            for index in range(start, len(jobs), threads):
                results[index] = jobs[index]()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(lane, start) for start in range(threads)]:
            future.result()
    return results


def terminate_backend(pid: int) -> None:
    """Drop a database session from outside, as a failover or an administrator would, and wait
    until PostgreSQL has ended it."""
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
        dbname=s["NAME"],
        autocommit=True,
    ) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        gone = wait_for(
            lambda: (
                other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
                is None
            ),
            timeout=5,
            interval=0.02,
        )
        assert gone, f"backend {pid} is still there"
