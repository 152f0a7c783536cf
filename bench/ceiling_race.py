"""The ceiling-cut race against PostgreSQL: a second Cabinet member approves a ceiling cut at
the very moment 20 finance approvals race for the same programme. The cut and the approvals
queue on the programme row; whichever order they take, committed spend never ends above the
ceiling in force.

    DATABASE_URL=postgres://user@127.0.0.1:5432/scratch .venv/bin/python bench/ceiling_race.py

Use a scratch database: the script migrates it and creates its own reserve, programmes and
users (`bench-officer`, `bench-finance`, `bench-cabinet`, `bench-cabinet2`); they stay, as
the ledger never deletes committed money. Bounded: at most `--rounds` rounds and
`--max-seconds` seconds.

Each round: a £490,000 ceiling; 20 requested £30,000 drawdowns; a proposal (by one Cabinet
member) to cut the ceiling to £240,000. Then 21 threads, released together by a barrier: 20
approve one drawdown each, one approves the cut. Afterwards it checks committed ≤ ceiling.
"""

import argparse
import logging
import os
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False
logging.getLogger("reserves.audit").setLevel(logging.ERROR)

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.drawdown_storm import _storm, _user  # noqa: E402
from programme.models import Programme  # noqa: E402
from reserves import ledger, services  # noqa: E402
from reserves.models import CeilingProposal, Drawdown, Reserve  # noqa: E402

THREADS = 20
AMOUNT = Decimal("30000.00")
CEILING = Decimal("490000.00")
CUT_TO = Decimal("240000.00")


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
    cabinet = _user("bench-cabinet", "Cabinet")
    cabinet2 = _user("bench-cabinet2", "Cabinet")
    stamp = time.strftime("%Y%m%d%H%M%S")
    reserve = Reserve.objects.create(
        name=f"Bench race reserve {stamp}",
        opening_balance=Decimal("100000000.00"),
        opening_date=date(2022, 4, 1),
    )
    seconds_total = 0.0
    rounds = cut_first = cut_last = cut_refused = approved_total = 0
    errors = []
    deadline = time.monotonic() + args.max_seconds
    while rounds < args.rounds and time.monotonic() < deadline:
        rounds += 1
        programme = Programme.objects.create(
            name=f"Bench race {stamp}-{rounds}",
            slug=f"bench-race-{stamp}-{rounds}",
            spending_ceiling=CEILING,
            funding_reserve=reserve,
            decision_date=date(2022, 7, 19),
        )
        ids = [
            services.drawdown_request(
                reserve=reserve,
                programme=programme,
                purpose=f"Race {i}",
                amount=AMOUNT,
                user=officer,
            ).pk
            for i in range(THREADS)
        ]
        proposal = services.ceiling_propose(
            programme=programme,
            user=cabinet,
            data={
                "new_ceiling": CUT_TO,
                "title": "Cut the ceiling",
                "reason": "Bench",
                "decided_on": date(2023, 1, 10),
                "decision_maker": "Cabinet",
                "decision_reference": f"Bench {stamp}-{rounds}",
                "key_decision_reference": "",
            },
        )

        def work(item, proposal=proposal):
            if item == "cut":
                services.ceiling_approve(proposal=proposal, user=cabinet2)
                return ("cut", time.perf_counter())
            services.drawdown_approve(drawdown=Drawdown.objects.get(pk=item), user=finance)
            return ("approved", time.perf_counter())

        seconds, results = _storm(work, [*ids[:10], "cut", *ids[10:]])
        seconds_total += seconds
        done = [r for r in results if isinstance(r, tuple)]
        approved = sum(1 for kind, _ in done if kind == "approved")
        approved_total += approved
        cut_at = next((at for kind, at in done if kind == "cut"), None)
        if cut_at is None:
            cut_refused += 1
        elif all(at > cut_at for kind, at in done if kind == "approved"):
            cut_first += 1
        else:
            cut_last += 1
        errors += [
            r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)
        ]
        programme.refresh_from_db()
        committed = ledger.programme_money(programme).committed
        if committed > programme.spending_ceiling:
            errors.append(
                f"round {rounds}: {committed} committed above {programme.spending_ceiling}"
            )
        proposal.refresh_from_db()
        if (proposal.status == CeilingProposal.Status.APPROVED) != (cut_at is not None):
            errors.append(f"round {rounds}: the cut's outcome and its record disagree")

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    tried = rounds * (THREADS + 1)
    print(f"Ceiling-cut race: {THREADS} approvals + 1 cut x {rounds} rounds, PostgreSQL {version}")
    print(
        f"  {tried} writes in {seconds_total:.2f} s = {tried / seconds_total:.0f} writes/s; "
        f"{approved_total} approvals went through"
    )
    print(
        f"  the cut won before every approval in {cut_first} rounds, landed after some in "
        f"{cut_last}, was refused (already more committed than £240,000) in {cut_refused}"
    )
    print(f"  committed never above the ceiling: {'yes' if not errors else 'NO'}")
    for error in errors[:5]:
        print(f"  error: {error!r}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
