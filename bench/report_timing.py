"""Report generation time at two data sizes: the highlight report (PDF and Excel) and the
reserve position statement (Excel and CSV) for the demo programme, generated exactly as a
worker does (`reporting.services.report_generate`), first cold and then warm.

    .venv/bin/python bench/report_timing.py \
        postgres://user@127.0.0.1:5432/bench_s1 postgres://user@127.0.0.1:5432/bench_s100

Each argument is a database made by `bench/generate.py` (scale 1, then scale 100), measured
in its own process; files go to a temporary MEDIA_ROOT. Target (issue 8): the time at the
second size under 3 times the time at the first. Exit status 1 if it is not.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3


def measure() -> dict[str, list[float]]:
    """{kind: [cold seconds, warm median seconds]} for the database in DATABASE_URL."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")
    os.environ.setdefault("DEBUG", "1")
    import logging

    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from django.contrib.auth import get_user_model

    from programme.demo import DEMO_SLUG
    from programme.models import Programme
    from reporting.models import ReportRun
    from reporting.services import report_generate

    programme = Programme.objects.get(slug=DEMO_SLUG)
    user = get_user_model().objects.get(username="cabinet")
    results = {}
    for kind in ReportRun.Kind.values:
        seconds = []
        for _ in range(REPEATS + 1):
            # The row a request leaves, without handing it to a broker: timed here instead.
            run = ReportRun.objects.create(programme=programme, kind=kind, requested_by=user)
            started = time.perf_counter()
            outcome = report_generate(run_id=run.pk)
            seconds.append(time.perf_counter() - started)
            run.refresh_from_db()
            if run.status != ReportRun.Status.DONE:
                raise SystemExit(f"{kind} report ended {run.status}: {outcome}")
        results[kind] = [seconds[0], statistics.median(seconds[1:])]
    return results


def main(argv):
    if argv[:1] == ["--json"]:
        print(json.dumps(measure()))
        return 0
    if len(argv) != 2:
        print(__doc__)
        return 2
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-media-") as media:
        for url in argv:
            env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": media, "REDIS_URL": ""}
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
    names = [url.rsplit("/", 1)[-1] for url in argv]
    print(
        f"| Report | {names[0]} cold / warm s | {names[1]} cold / warm s | growth (warm) "
        "| under 3× |"
    )
    print("|---|---|---|---|---|")
    failed = False
    for kind in small:
        a, b = small[kind], large[kind]
        growth = b[1] / a[1]
        failed |= growth >= 3
        print(
            f"| {kind} | {a[0]:.2f} / {a[1]:.2f} | {b[0]:.2f} / {b[1]:.2f} | {growth:.2f}× "
            f"| {'yes' if growth < 3 else 'NO'} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
