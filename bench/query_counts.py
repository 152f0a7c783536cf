"""Database queries per page at two data sizes, side by side: every page in bench/pages.py,
asked by the demo user who would use it, first with an empty cache and then again warm.

    .venv/bin/python bench/query_counts.py \
        postgres://user@127.0.0.1:5432/bench_s1 postgres://user@127.0.0.1:5432/bench_s100

Each argument is a database made by `bench/generate.py` (the first at scale 1, the second at
scale 100). Each is measured in its own process (Django has one default database per
process); the table shows cold/warm counts and says whether they are equal.
Exit status 1 if any page's count differs between the databases.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure() -> dict[str, list[int]]:
    """{label: [cold, warm]} for the database in DATABASE_URL."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as in production; CaptureQueriesContext still counts
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per login would bury the table
    from bench.pages import page_urls

    return count_pages(page_urls())


def count_pages(urls) -> dict[str, list[int]]:
    """Cold (every cache cleared: charts and page fragments drawn afresh) and warm (the same
    user again) query counts for each (label, url, username)."""
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.charts import chart_cache

    users = get_user_model().objects.in_bulk(field_name="username")
    counts = {}
    for label, url, username in urls:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(users[username])
        for each in caches.all():
            each.clear()
        chart_cache().clear()
        row = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{label} {url} answered {response.status_code}")
            row.append(len(ctx.captured_queries))
        counts[label] = row
    return counts


def main(argv):
    if argv[:1] == ["--json"]:
        print(json.dumps(measure()))
        return 0
    if len(argv) != 2:
        print(__doc__)
        return 2
    results = []
    for url in argv:
        env = {**os.environ, "DATABASE_URL": url}
        out = subprocess.run(
            [sys.executable, __file__, "--json"],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    small, large = results
    print("| Page | queries, small (cold / warm) | queries, large (cold / warm) | equal |")
    print("|---|---|---|---|")
    failed = False
    for label in small:
        a, b = small[label], large.get(label)
        same = a == b
        failed |= not same
        cell_b = f"{b[0]} / {b[1]}" if b else "missing"
        print(f"| {label} | {a[0]} / {a[1]} | {cell_b} | {'yes' if same else 'NO'} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
