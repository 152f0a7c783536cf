"""The 20-thread approval storm against PostgreSQL: approvals per second with the ceiling guard
on, beside plain inserts of the same rows without it, in the same run.

    DATABASE_URL=postgres://user@127.0.0.1:5432/scratch .venv/bin/python bench/drawdown_storm.py

Use a scratch database: the script migrates it and creates its own reserve, programmes and
two users (`bench-officer`, `bench-finance`). They stay afterwards, named by the run's stamp:
the ledger never deletes committed money, whoever asks. Bounded: at most `--rounds` rounds and
`--max-seconds` seconds of storms.

Each round: 20 requested £30,000 drawdowns against a £490,000 ceiling; 20 threads, released
together by a barrier, each approve one through `reserves.services.drawdown_approve` (lock
reserve, lock programme, sum, save, trigger). Exactly 16 fit. Then 20 threads insert the same
20 rows, already approved, into an unlogged copy of the drawdown table that has no trigger and
no guard: the cost of the database work alone.
"""

import argparse
import logging
import os
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# DEBUG only lets the script start without SECRET_KEY; keeping every query in memory would
# slow the very thing measured.
settings.DEBUG = False
# Each refusal is logged as a warning; forty of them would bury the result.
logging.getLogger("reserves.audit").setLevel(logging.ERROR)

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from programme.models import Programme  # noqa: E402
from reserves import services  # noqa: E402
from reserves.models import Drawdown, Reserve  # noqa: E402
from reserves.selectors import programme_spend  # noqa: E402

THREADS = 20
AMOUNT = Decimal("30000.00")
CEILING = Decimal("490000.00")
PLAIN_TABLE = "bench_drawdown_plain"


def _user(username, role):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": "Bench", "last_name": role}
    )
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=role))
    elif not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def _storm(work, items):
    """Run `work(item)` in one thread per item, released together; return (seconds, results)."""
    barrier = threading.Barrier(len(items) + 1)
    results = [None] * len(items)

    def run(index, item):
        from django.db import connection as thread_connection

        try:
            thread_connection.ensure_connection()
            barrier.wait(timeout=60)
            results[index] = work(item)
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            results[index] = exc
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    for thread in threads:
        thread.join(120)
    return time.perf_counter() - started, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    officer = _user("bench-officer", "Officer")
    finance = _user("bench-finance", "Finance")
    stamp = time.strftime("%Y%m%d%H%M%S")
    reserve = Reserve.objects.create(
        name=f"Bench reserve {stamp}",
        opening_balance=Decimal("100000000.00"),
        opening_date=django.utils.timezone.localdate(),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PLAIN_TABLE}")
        # LIKE copies columns and defaults, not triggers: the same rows with nothing checking.
        cursor.execute(
            f"CREATE UNLOGGED TABLE {PLAIN_TABLE} "
            f"(LIKE {Drawdown._meta.db_table} INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )

    guarded_seconds = plain_seconds = 0.0
    attempts = approved = refused = plain_rows = 0
    errors = []
    programmes = []
    rounds = 0
    deadline = time.monotonic() + args.max_seconds
    try:
        while rounds < args.rounds and time.monotonic() < deadline:
            rounds += 1
            programme = Programme.objects.create(
                name=f"Bench programme {stamp}-{rounds}",
                slug=f"bench-{stamp}-{rounds}",
                spending_ceiling=CEILING,
                funding_reserve=reserve,
            )
            programmes.append(programme)
            ids = [
                services.drawdown_request(
                    reserve=reserve,
                    programme=programme,
                    purpose=f"Bench {i}",
                    amount=AMOUNT,
                    user=officer,
                ).pk
                for i in range(THREADS)
            ]

            def approve(pk):
                services.drawdown_approve(drawdown=Drawdown.objects.get(pk=pk), user=finance)
                return "approved"

            seconds, results = _storm(approve, ids)
            guarded_seconds += seconds
            attempts += len(results)
            approved += results.count("approved")
            refused += sum(isinstance(r, ValidationError) for r in results)
            errors += [
                r
                for r in results
                if isinstance(r, Exception) and not isinstance(r, ValidationError)
            ]
            committed = programme_spend(programme)["committed"]
            if committed > CEILING:
                errors.append(f"round {rounds}: committed {committed} above the ceiling")

            def insert(pk, programme_id=programme.pk):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        # The table name is this script's constant, never input.
                        f"INSERT INTO {PLAIN_TABLE} (reserve_id, programme_id, purpose, amount, "  # noqa: S608
                        "status, rejection_reason, cancellation_reason, source_reference) "
                        "VALUES (%s, %s, %s, %s, 'approved', '', '', '')",
                        [reserve.pk, programme_id, f"Bench {pk}", AMOUNT],
                    )
                return "inserted"

            seconds, results = _storm(insert, ids)
            plain_seconds += seconds
            plain_rows += results.count("inserted")
            errors += [r for r in results if isinstance(r, Exception)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {PLAIN_TABLE}")
        # The ledger never deletes committed money (reserves.ledger): the bench's reserve,
        # programmes and drawdowns stay in the scratch database, named by their stamp.

    guarded_rate = attempts / guarded_seconds if guarded_seconds else 0
    approved_rate = approved / guarded_seconds if guarded_seconds else 0
    plain_rate = plain_rows / plain_seconds if plain_seconds else 0
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"Drawdown approval storm: {THREADS} threads x {rounds} rounds, PostgreSQL {version}")
    print(
        f"  guard on : {attempts} approvals tried in {guarded_seconds:.2f} s = "
        f"{guarded_rate:.0f} approvals/s ({approved} approved, {refused} refused at the "
        f"ceiling; {approved_rate:.0f} successful approvals/s)"
    )
    print(
        f"  guard off: {plain_rows} plain inserts of the same rows in {plain_seconds:.2f} s = "
        f"{plain_rate:.0f} inserts/s"
    )
    if guarded_rate:
        print(f"  the guard costs x{plain_rate / guarded_rate:.1f} per write")
    expected = 16 * rounds
    print(
        f"  ceiling held: {'yes' if approved == expected and not errors else 'NO'} "
        f"({expected} expected approvals, {len(errors)} errors)"
    )
    for error in errors[:5]:
        print(f"  error: {error!r}")
    return 0 if approved == expected and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
