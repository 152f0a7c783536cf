"""Ledger import speed and memory: a generated 20,000-row file and a 200,000-row file, each
imported in a fresh process the way the worker does it (upload with its digest, the streamed
check into the working table, confirm, the one-transaction apply). Prints rows per second and
the process's peak memory (RSS) side by side, and the 200k ÷ 20k memory ratio (target ≤ 1.5).

    DATABASE_URL=postgres://user@127.0.0.1:5432/scratch .venv/bin/python bench/actuals_import.py

Needs a migrated scratch database; removes what it imported afterwards.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ledger import write_ledger  # noqa: E402

SIZES = (20_000, 200_000)


def child(path: Path, rows: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.files import File
    from django.db import transaction

    from programme.models import Programme
    from reserves.actuals import services
    from reserves.actuals.demo import COLUMNS
    from reserves.models import (
        CostCentreMapping,
        LedgerChange,
        LedgerImport,
        LedgerMapping,
        LedgerTransaction,
    )

    user, _ = get_user_model().objects.get_or_create(username="bench-actuals-finance")
    user.groups.add(Group.objects.get_or_create(name="Finance")[0])
    slug = f"bench-actuals-{rows}-{os.getpid()}"
    programme = Programme.objects.create(
        name=f"Actuals benchmark {rows}",
        slug=slug,
        council="Benchmark Council",
        spending_ceiling="490000.00",
    )
    try:
        services.ledger_mapping_save(actor=user, council=programme.council, data=COLUMNS)
        for centre in ("DCS100", "DCS200"):
            services.cost_centre_mapping_save(
                actor=user, programme=programme, data={"cost_centre": centre}
            )
        timings = {}
        started = time.perf_counter()
        with open(path, "rb") as handle, transaction.atomic():
            upload = File(handle, name=path.name)
            row = services.ledger_import_upload(
                actor=user, programme=programme, uploaded_file=upload, send=False
            )
        timings["upload"] = time.perf_counter() - started
        mark = time.perf_counter()
        status = services.ledger_import_check(import_id=row.pk)
        timings["check"] = time.perf_counter() - mark
        assert status == "ready", LedgerImport.objects.get(pk=row.pk).errors[:3]
        services.ledger_import_confirm(
            actor=user, ledger_import=LedgerImport.objects.get(pk=row.pk), send=False
        )
        mark = time.perf_counter()
        assert services.ledger_import_apply(import_id=row.pk) == "done"
        timings["apply"] = time.perf_counter() - mark
        timings["total"] = time.perf_counter() - started
        imported = LedgerTransaction.objects.filter(programme=programme).count()
        assert imported == rows, imported
    finally:
        LedgerTransaction.objects.filter(programme=programme).delete()
        for imp in LedgerImport.objects.filter(programme=programme):
            LedgerChange.objects.filter(ledger_import=imp).delete()
            imp.file.delete(save=False)
            imp.history.all().delete()
            imp.delete()
        CostCentreMapping.objects.filter(programme=programme).delete()
        LedgerMapping.objects.filter(council=programme.council).delete()
        programme.delete()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {"rows": rows, "peak_mb": peak_kb / 1024, **timings}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=Path)
    parser.add_argument("--rows", type=int)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows)))
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in SIZES:
            path = Path(tmp) / f"ledger-{rows}.csv"
            size = write_ledger(path, rows)
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(path), "--rows", str(rows)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result["mb"] = size / 1_000_000
            results.append(result)
    print(
        f"{'rows':>8} {'file MB':>8} {'check s':>8} {'apply s':>8} {'total s':>8} "
        f"{'rows/s':>8} {'peak RSS MB':>12}"
    )
    for r in results:
        print(
            f"{r['rows']:>8} {r['mb']:>8.1f} {r['check']:>8.1f} {r['apply']:>8.1f} "
            f"{r['total']:>8.1f} {r['rows'] / r['total']:>8.0f} {r['peak_mb']:>12.1f}"
        )
    ratio = results[1]["peak_mb"] / results[0]["peak_mb"]
    print(
        f"peak memory 200k ÷ 20k: {ratio:.2f} (target ≤ 1.5): "
        + ("met" if ratio <= 1.5 else "NOT met")
    )
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
