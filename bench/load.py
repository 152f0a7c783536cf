"""Requests per second, p50/p95 latency and HTML size of every main page (bench/pages.py), on a
first visit and on repeat visits, beside a minimal one-query Django view served by the same
gunicorn in the same run. Bounded: `--seconds` per measurement, at most `--max-requests`.

    .venv/bin/python bench/load.py postgres://user@127.0.0.1:5432/bench_s1 \
        postgres://user@127.0.0.1:5432/bench_s100 [--port 8107] [--seconds 8] [--pages ...]

Each argument is a database made by `bench/generate.py`. For each, the script collects static
files into a temporary folder, starts `gunicorn programme.wsgi --workers 2` on 127.0.0.1 only
with production settings (DEBUG off) and BENCH_MINIMAL_VIEW=1, and runs `--clients` client
processes (default 4) against one page at a time, as the demo user who would use the page:

- first visit: every request carries a session never used before (minted in the session
  table beforehand, as a login would leave it), so nothing a session has seen can help;
- repeat visits: every request carries the same session, already used for the page.

The minimal view is measured the same two ways, before and after the pages, its two runs
pooled; each page is compared with the minimal view measured the same way in the same run.
Targets (issue 11): first visit at least 0.25x the minimal view's requests/s and p95 at most
8x its p95; repeat visits at least 0.5x its requests/s; every page's HTML at most 150 KB.
Exit status 1 if a target is missed. Minted sessions are deleted and gunicorn stopped at the
end.
"""

import argparse
import gzip
import http.client
import json
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
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
MINIMAL = ("Minimal view", "/bench/minimal/", "admin")
FIRST, REPEAT = "first", "repeat"
# Targets of issue 11, as ratios to the minimal view measured the same way in the same run.
FIRST_RATE, FIRST_P95, REPEAT_RATE = 0.25, 8.0, 0.5
MAX_HTML_KB = 150


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
    """One client process: GET `path` until the deadline or until its cookies run out (one
    cookie used again and again for repeat visits; a fresh one per request for first visits).
    Returns the latencies, the errors and the size of the last page it read."""
    port, path, cookies, deadline, budget = args
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies, errors, size = [], 0, 0
    sent = 0
    while time.monotonic() < deadline and sent < budget:
        cookie = cookies[sent % len(cookies)]
        sent += 1
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
        size = len(body)
    conn.close()
    return latencies, errors, size


def measure(pool, port, path, cookies, *, seconds, clients, max_requests):
    """Run `clients` processes against `path`; `cookies` is one Cookie header (repeat visits)
    or a list with one per request (first visits)."""
    budget = max(1, max_requests // clients)
    if isinstance(cookies, str):
        shares = [[cookies]] * clients
    else:
        budget = min(budget, len(cookies) // clients)
        shares = [cookies[i * budget : (i + 1) * budget] for i in range(clients)]
    started = time.monotonic()
    deadline = started + seconds
    results = pool.map(_client, [(port, path, share, deadline, budget) for share in shares])
    elapsed = time.monotonic() - started
    latencies = [x for lat, _, _ in results for x in lat]
    errors = sum(e for _, e, _ in results)
    size = max(s for _, _, s in results)
    return latencies, errors, elapsed, size


def summary(latencies, elapsed):
    latencies = sorted(latencies)
    rate = len(latencies) / elapsed if elapsed else 0.0
    if len(latencies) >= 2:
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        p50, p95 = cuts[49], cuts[94]
    else:
        p50 = p95 = latencies[0] if latencies else float("nan")
    return rate, p50 * 1000, p95 * 1000


def _django(database_url: str, code: str, env: dict | None = None) -> object:
    """Run `code` (which prints one JSON line last) in a Django process on `database_url`."""
    env = {
        **(env or os.environ),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "programme.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import json, django; django.setup()\n" + code],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _page_paths(database_url: str, labels) -> list[tuple[str, str, str]]:
    """[(label, url, username)] of the pages, found by URL name in the database."""
    code = f"from bench.pages import page_urls\nprint(json.dumps(page_urls({labels!r})))"
    return [tuple(x) for x in _django(database_url, code, {**os.environ, "DEBUG": "1"})]


# Sessions as a login leaves them, written straight into the session table (a login through the
# form costs a password hash each, and would measure the login page, not the visit).
_MINT = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from datetime import timedelta

wanted = {wanted!r}
users = get_user_model().objects.in_bulk(list(wanted), field_name="username")
expires = timezone.now() + timedelta(hours=2)
store = SessionStore()
made, rows = {{}}, []
for username, count in wanted.items():
    user = users[username]
    data = store.encode({{
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }})
    keys = [store._get_new_session_key() for _ in range(count)]
    rows += [Session(session_key=k, session_data=data, expire_date=expires) for k in keys]
    made[username] = keys
Session.objects.bulk_create(rows, batch_size=2000)
print(json.dumps(made))
"""

_FORGET = """
from django.contrib.sessions.models import Session
keys = json.loads(open({path!r}).read())
for start in range(0, len(keys), 5000):
    Session.objects.filter(session_key__in=keys[start : start + 5000]).delete()
print(json.dumps(len(keys)))
"""


def mint_sessions(database_url: str, env: dict, wanted: dict[str, int]) -> dict[str, list[str]]:
    """{username: [session key, ...]}: `wanted[username]` logged-in sessions never used."""
    return _django(database_url, _MINT.format(wanted=wanted), env)


def forget_sessions(database_url: str, env: dict, keys: list[str]) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(keys, handle)
    try:
        _django(database_url, _FORGET.format(path=handle.name), env)
    finally:
        os.unlink(handle.name)


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
    """[(database, label, visit, rate, p50, p95, errors, bytes)] for one database."""
    name = database_url.rsplit("/", 1)[-1]
    pages = _page_paths(database_url, args.pages)
    env = _server_env(database_url, static_root)
    first_budget = args.max_first_requests
    wanted: dict[str, int] = {}
    for _label, _path, username in [MINIMAL, MINIMAL, *pages]:
        wanted[username] = wanted.get(username, 0) + first_budget
    fresh = mint_sessions(database_url, env, wanted)
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
    password = os.environ.get("DEMO_PASSWORD", "transform-demo-2022")
    opts = {"seconds": args.seconds, "clients": args.clients}
    taken: dict[str, int] = {}

    def first_visit_cookies(username):
        start = taken.get(username, 0)
        taken[username] = start + first_budget
        return [f"sessionid={k}" for k in fresh[username][start : start + first_budget]]

    results: dict[tuple[str, str], list] = {}

    def run(label, path, username, repeat_cookie):
        for visit in (FIRST, REPEAT):
            cookies = first_visit_cookies(username) if visit == FIRST else repeat_cookie
            limit = first_budget if visit == FIRST else args.max_requests
            got = measure(pool, args.port, path, cookies, max_requests=limit, **opts)
            if (label, visit) in results:  # the minimal view's second run joins its first
                before = results[(label, visit)]
                got = (
                    before[0] + got[0],
                    before[1] + got[1],
                    before[2] + got[2],
                    max(before[3], got[3]),
                )
            results[(label, visit)] = got

    try:
        _wait_ready(args.port, server)
        logged_in = {
            username: login(args.port, username, password)
            for username in sorted({u for _l, _p, u in [MINIMAL, *pages]})
        }
        with multiprocessing.Pool(args.clients) as pool:
            # Warm every page once (charts drawn, code paths loaded), as a server that has run
            # for a while would be; the first-visit sessions stay untouched.
            for _label, path, username in [MINIMAL, *pages]:
                for _ in range(3):
                    _client((args.port, path, [logged_in[username]], time.monotonic() + 30, 1))
            run(*MINIMAL, logged_in[MINIMAL[2]])
            for label, path, username in pages:
                run(label, path, username, logged_in[username])
            run(*MINIMAL, logged_in[MINIMAL[2]])
    finally:
        server.terminate()
        server.wait(timeout=30)
        forget_sessions(database_url, env, [k for keys in fresh.values() for k in keys])
    rows = []
    for label, _path, _user in [MINIMAL, *pages]:
        for visit in (FIRST, REPEAT):
            latencies, errors, elapsed, size = results[(label, visit)]
            rate, p50, p95 = summary(latencies, elapsed)
            rows.append((name, label, visit, rate, p50, p95, errors, size))
    return rows


def table(rows, args) -> tuple[list[str], bool]:
    """The markdown table and whether every target held."""
    lines = [
        f"{args.clients} clients, gunicorn --workers {args.workers}, "
        f"{args.seconds:g} s per measurement",
        "",
        "| data | page | visit | req/s | p50 ms | p95 ms | rate ÷ minimal | p95 ÷ minimal "
        "| HTML KB | target met | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    failed = False
    minimal = {
        (name, visit): (rate, p95)
        for name, label, visit, rate, _p50, p95, _e, _s in rows
        if label == MINIMAL[0]
    }
    for name, label, visit, rate, p50, p95, errors, size in rows:
        base_rate, base_p95 = minimal[(name, visit)]
        rate_ratio, p95_ratio = rate / base_rate, p95 / base_p95
        kb = size / 1024
        if label == MINIMAL[0]:
            met = "—"
        else:
            ok = errors == 0 and kb <= MAX_HTML_KB
            if visit == FIRST:
                ok = ok and rate_ratio >= FIRST_RATE and p95_ratio <= FIRST_P95
            else:
                ok = ok and rate_ratio >= REPEAT_RATE
            failed |= not ok
            met = "yes" if ok else "NO"
        lines.append(
            f"| {name} | {label} | {visit} | {rate:.1f} | {p50:.0f} | {p95:.0f} "
            f"| {rate_ratio:.2f} | {p95_ratio:.2f} | {kb:.1f} | {met} | {errors} |"
        )
    return lines, not failed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("databases", nargs="+", help="database URLs made by bench/generate.py")
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--seconds", type=float, default=8.0, help="per measurement (at most)")
    parser.add_argument("--max-requests", type=int, default=20000, help="repeat visits, at most")
    parser.add_argument(
        "--max-first-requests",
        type=int,
        default=2400,
        help="first visits per measurement, at most (one fresh session each)",
    )
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--pages", nargs="*", default=None, help="page labels of bench/pages.py (default: all)"
    )
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

    lines, held = table(rows, args)
    print("\n" + "\n".join(lines))
    print(f"\nEvery target held: {'yes' if held else 'NO'}")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
