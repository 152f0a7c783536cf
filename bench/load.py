"""Requests per second and p50/p95 latency for the dashboard, reserve statement, risk register
and stage page, beside a minimal one-query Django view served by the same gunicorn in the
same run. Bounded: `--seconds` per page (default 10), at most `--max-requests` per page.

    .venv/bin/python bench/load.py postgres://user@127.0.0.1:5432/bench_s1 \
        postgres://user@127.0.0.1:5432/bench_s100 [--port 8107] [--seconds 10]

Each argument is a database made by `bench/generate.py`. For each, the script collects static
files into a temporary folder, starts `gunicorn programme.wsgi --workers 2` on 127.0.0.1 only
with production settings (DEBUG off) and BENCH_MINIMAL_VIEW=1, logs in as the demo `admin`
(password DEMO_PASSWORD, default the development one), warms each page, then runs
`--clients` client processes (default 4) against one page at a time. The minimal view is
measured before and after the pages and its two runs pooled. It stops gunicorn at the end.

Targets (issue 8): each page's rate at least half the minimal view's, and its p95 under five
times the minimal view's p95. Exit status 1 if a target is missed.
"""

import argparse
import gzip
import http.client
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
MINIMAL = ("Minimal view", "/bench/minimal/")


def _cookies(response, jar: dict) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]


def _cookie_header(jar: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def login(port: int, username: str, password: str) -> str:
    """Log in through the real form; return the Cookie header to send."""
    jar: dict = {}
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    body = response.read().decode()
    _cookies(response, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    from urllib.parse import urlencode

    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    conn.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _cookie_header(jar),
            "Referer": f"http://{HOST}:{port}/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    _cookies(response, jar)
    if response.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"Login as {username} failed ({response.status})")
    conn.close()
    return _cookie_header(jar)


def _client(args):
    """One client process: GET `path` until the deadline or the request budget; latencies."""
    port, path, cookie, deadline, budget = args
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies, errors = [], 0
    while time.monotonic() < deadline and len(latencies) < budget:
        started = time.perf_counter()
        try:
            # As a browser does: offer gzip, and decode what comes back (on every page, the
            # minimal view too, so both sides pay the same).
            conn.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
            response = conn.getresponse()
            body = response.read()
            if response.getheader("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
        except (http.client.HTTPException, OSError, EOFError, zlib.error):
            conn.close()
            errors += 1
            continue
        if response.status != 200 or not body:
            errors += 1
            continue
        latencies.append(time.perf_counter() - started)
    conn.close()
    return latencies, errors


def measure(pool, port, path, cookie, *, seconds, clients, max_requests):
    for _ in range(5):  # warm: caches filled, connections open
        _client((port, path, cookie, time.monotonic() + 30, 1))
    started = time.monotonic()
    deadline = started + seconds
    budget = max(1, max_requests // clients)
    results = pool.map(_client, [(port, path, cookie, deadline, budget)] * clients)
    elapsed = time.monotonic() - started
    latencies = [x for lat, _ in results for x in lat]
    errors = sum(e for _, e in results)
    return latencies, errors, elapsed


def summary(latencies, elapsed):
    latencies = sorted(latencies)
    rate = len(latencies) / elapsed if elapsed else 0.0
    if len(latencies) >= 2:
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        p50, p95 = cuts[49], cuts[94]
    else:
        p50 = p95 = latencies[0] if latencies else float("nan")
    return rate, p50 * 1000, p95 * 1000


def _page_paths(database_url: str) -> list[tuple[str, str]]:
    """The four pages' URLs, found by URL name in the given database (bench/pages.py)."""
    code = (
        "import json, django; django.setup();"
        "from bench.pages import page_urls, LOAD_PAGES;"
        "print(json.dumps([(l, u) for l, u, _ in page_urls(LOAD_PAGES)]))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "programme.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    import json

    return [tuple(x) for x in json.loads(out.strip().splitlines()[-1])]


def _server_env(database_url: str, static_root: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "programme.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT_DIR": static_root,
        "DATABASE_URL": database_url,
        "BENCH_MINIMAL_VIEW": "1",
        "LOG_LEVEL": "WARNING",
    }


def _wait_ready(port: int, server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode})")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def run_database(database_url, args, static_root):
    name = database_url.rsplit("/", 1)[-1]
    pages = _page_paths(database_url)
    env = _server_env(database_url, static_root)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "programme.wsgi",
            "--bind",
            f"{HOST}:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    rows = []
    try:
        _wait_ready(args.port, server)
        cookie = login(args.port, "admin", os.environ.get("DEMO_PASSWORD", "transform-demo-2022"))
        with multiprocessing.Pool(args.clients) as pool:
            opts = {
                "seconds": args.seconds,
                "clients": args.clients,
                "max_requests": args.max_requests,
            }
            first = measure(pool, args.port, MINIMAL[1], cookie, **opts)
            measured = [
                (label, measure(pool, args.port, path, cookie, **opts)) for label, path in pages
            ]
            last = measure(pool, args.port, MINIMAL[1], cookie, **opts)
        minimal = (first[0] + last[0], first[1] + last[1], first[2] + last[2])
        for label, result in [(MINIMAL[0], minimal), *measured]:
            rate, p50, p95 = summary(result[0], result[2])
            rows.append((name, label, rate, p50, p95, result[1]))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("databases", nargs="+", help="database URLs made by bench/generate.py")
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--seconds", type=float, default=10.0, help="per page (at most)")
    parser.add_argument("--max-requests", type=int, default=20000, help="per page (at most)")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-static-") as static_root:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=_server_env(args.databases[0], static_root),
            check=True,
        )
        rows = []
        for url in args.databases:
            rows += run_database(url, args, static_root)

    print(
        f"\n{args.clients} clients, gunicorn --workers {args.workers}, "
        f"{args.seconds:g} s per page\n"
    )
    print(
        "| Database | Page | req/s | p50 ms | p95 ms | rate ÷ minimal | p95 ÷ minimal "
        "| target met | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    minimal = {}
    for name, label, rate, p50, p95, errors in rows:
        if label == MINIMAL[0]:
            minimal[name] = (rate, p95)
            print(
                f"| {name} | {label} | {rate:.1f} | {p50:.0f} | {p95:.0f} | 1 | 1 | — | {errors} |"
            )
            continue
        base_rate, base_p95 = minimal[name]
        rate_ratio, p95_ratio = rate / base_rate, p95 / base_p95
        met = rate_ratio >= 0.5 and p95_ratio < 5 and errors == 0
        failed |= not met
        print(
            f"| {name} | {label} | {rate:.1f} | {p50:.0f} | {p95:.0f} | {rate_ratio:.2f} "
            f"| {p95_ratio:.2f} | {'yes' if met else 'NO'} | {errors} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
