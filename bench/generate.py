"""Benchmark data: the demo, then N times its drawdowns, risks, reviews, actions, outputs,
progress updates and history rows, across several programmes. Deterministic (seeded).

    DJANGO_SETTINGS_MODULE=programme.settings DATABASE_URL=postgres://…/scratch \
        .venv/bin/python bench/generate.py --scale 100

Use a fresh, migrated database: the script runs `load_demo --allow-demo-users` (password
DEMO_PASSWORD, else the development one) and stops if benchmark data is already there.

One "unit" of data is the demo's own shape: 4 drawdowns, 3 risks each with 1 review and 1
mitigation action (the demo has none; one each makes the register's columns real), 13
outputs, 4 progress updates, one escalation to Cabinet (and every fifth unit an open
exception), each with the history rows their steps leave. At scale N:

- the demo programme gets N − 1 more units, so its pages show N times the demo;
- min(N − 1, 4) further programmes, cloned from the demo's shape (three stages, a ceiling,
  drawdowns from their own benchmark reserve within that ceiling), get max(1, N // 10) units.

Drawdowns are saved one by one inside `transaction.atomic` so the ceiling guard and its
trigger check every one (bulk writes on drawdowns are refused by design); the demo
programme's ceiling is fully committed, so its extra drawdowns are requested, rejected or
cancelled. Everything else is bulk-inserted with its simple-history rows
(`bulk_create_with_history`, then a second history row per object for its later step).
"""

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
BENCH_PREFIX = "bench-"
BENCH_RESERVE = "Transformation earmarked reserve (benchmark)"
UNIT = {"drawdowns": 4, "risks": 3, "reviews": 3, "actions": 3, "outputs": 13, "updates": 4}
START = date(2022, 9, 1)


def _setup_django():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")
    import django

    django.setup()


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, dtime(hour), tzinfo=LONDON)


class Generator:
    """Adds the benchmark rows; `counts` says what it made."""

    def __init__(self, *, scale: int, seed: int = 2022, quiet: bool = False):
        if scale < 1:
            raise ValueError("scale must be at least 1")
        self.scale = scale
        self.rng = random.Random(seed)
        self.quiet = quiet
        self.counts: dict[str, int] = {}

    def _count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def _day(self, span_days: int = 700) -> date:
        return START + timedelta(days=self.rng.randrange(span_days))

    # -- entry point ---------------------------------------------------------------------
    def run(self):
        from django.db import transaction

        from programme.models import Programme

        if Programme.objects.filter(slug__startswith=BENCH_PREFIX).exists():
            raise SystemExit("Benchmark data is already here: use a fresh database.")
        # All or nothing: a failed run leaves the database as it found it.
        with transaction.atomic():
            self._run()
        return self.counts

    def _run(self):
        from django.core.management import call_command

        from programme.demo import DEMO_SLUG
        from programme.models import Programme

        with open(os.devnull, "w") as devnull:
            call_command("load_demo", allow_demo_users=True, stdout=devnull)
        self._load_users()
        demo = Programme.objects.get(slug=DEMO_SLUG)
        self._fill(demo, units=self.scale - 1, committed=False)
        # At every scale the demo has one escalation and one open exception, so the pages
        # that list them show rows (and ask for them) at scale 1 as at scale 100.
        self._cabinet_items(self._demo_updates(demo))
        clones = min(self.scale - 1, 4)
        for k in range(1, clones + 1):
            units = max(1, self.scale // 10)
            programme = self._clone(k, units)
            self._fill(programme, units=units, committed=True)

    def _load_users(self):
        from django.contrib.auth import get_user_model

        by_name = get_user_model().objects.in_bulk(
            ["officer", "officer2", "finance", "cabinet", "admin"], field_name="username"
        )
        self.officers = [by_name["officer"], by_name["officer2"]]
        self.finance = by_name["finance"]
        self.admin = by_name["admin"]

    # -- programmes ----------------------------------------------------------------------
    def _clone(self, k: int, units: int):
        from django.db import transaction

        from core.history import acting_user
        from programme.models import Decision, Programme
        from reserves.models import Reserve
        from risks.models import RiskFramework
        from stages.demo import STAGES
        from stages.models import Stage

        ceiling = Decimal("490000.00") * units
        with transaction.atomic(), acting_user(self.admin):
            reserve = Reserve.objects.filter(name=BENCH_RESERVE).first()
            if reserve is None:
                reserve = Reserve.objects.create(
                    name=BENCH_RESERVE,
                    opening_balance=Decimal("490000.00") * units * 4 + Decimal("1000000.00"),
                    opening_date=date(2022, 4, 1),
                    owner="Benchmark data",
                )
                self._count("reserves")
            programme = Programme(
                slug=f"{BENCH_PREFIX}{k}",
                name=f"Benchmark programme {k}",
                council="Herefordshire Council",
                purpose="Generated benchmark data in the demo programme's shape.",
                is_key_decision=True,
                funding_reserve=reserve,
                spending_ceiling=ceiling,
                status=Programme.Status.IN_DELIVERY,
                decision_date=date(2022, 7, 19),
            )
            programme.full_clean()
            programme.save()
            Decision.objects.create(
                programme=programme,
                kind=Decision.Kind.KEY_DECISION,
                decided_on=date(2022, 7, 19),
                title=f"Benchmark programme {k}",
                decision_maker="Cabinet",
                is_key_decision=True,
                new_spending_ceiling=ceiling,
            )
            RiskFramework.objects.create(programme=programme, name="PROM")
            for spec in STAGES:
                Stage.objects.create(
                    programme=programme,
                    number=spec["number"],
                    name=spec["name"],
                    planned_start=spec["planned_start"],
                    planned_end=spec["planned_end"],
                    rag_scale=spec["rag_scale"],
                )
            self._count("programmes")
            self._count("stages", len(STAGES))
            self._count("decisions")
        programme.bench_reserve = reserve
        return programme

    def _fill(self, programme, *, units: int, committed: bool):
        if units <= 0:
            return
        self._drawdowns(programme, units=units, committed=committed)
        self._outputs(programme, units=units)
        self._updates(programme, units=units)
        self._risks(programme, units=units)

    # -- drawdowns: one save per step, guard on ----------------------------------------------
    def _drawdown(self, *, steps, **fields):
        from django.db import transaction

        from reserves.models import Drawdown

        drawdown = Drawdown(**fields)
        with transaction.atomic():
            for status, when, user, extra in steps:
                drawdown.status = status
                for name, value in extra.items():
                    setattr(drawdown, name, value)
                drawdown._history_user = user
                drawdown._history_date = when
                drawdown._audit_source = "bench/generate.py"
                drawdown.save()
                self._count("history rows")
        self._count("drawdowns")
        return drawdown

    def _drawdowns(self, programme, *, units: int, committed: bool):
        from reserves.demo import RESERVE_NAME
        from reserves.models import Drawdown, Reserve

        S = Drawdown.Status
        officer, finance = self.officers[0], self.finance
        fr = Reserve.objects.get(name=RESERVE_NAME)
        for u in range(units):
            asked = self._day(500)
            decided = asked + timedelta(days=7)
            req = (S.REQUESTED, _at(asked), officer, {"requested_at": _at(asked)})
            base = {"requested_by": officer, "needed_by": asked + timedelta(days=60)}
            if committed:
                # A clone's unit: £490,000 committed (drawn + scheduled), one pending, one
                # rejected — the whole ceiling used, never more.
                reserve = programme.bench_reserve
                for amount, last in (("200000.00", S.DRAWN), ("290000.00", S.SCHEDULED)):
                    steps = [
                        req,
                        (
                            S.APPROVED,
                            _at(decided),
                            finance,
                            {"approved_by": finance, "approved_at": _at(decided)},
                        ),
                    ]
                    if last == S.DRAWN:
                        steps.append(
                            (
                                S.DRAWN,
                                _at(decided, 12),
                                finance,
                                {
                                    "drawn_on": decided,
                                    "drawn_by": finance,
                                    "drawn_at": _at(decided, 12),
                                },
                            )
                        )
                    else:
                        steps.append(
                            (
                                S.SCHEDULED,
                                _at(decided, 12),
                                finance,
                                {
                                    "scheduled_for": decided + timedelta(days=30),
                                    "scheduled_by": finance,
                                    "scheduled_at": _at(decided, 12),
                                },
                            )
                        )
                    self._drawdown(
                        reserve=reserve,
                        programme=programme,
                        amount=Decimal(amount),
                        purpose=f"{programme.name}: unit {u + 1}, {last}",
                        steps=steps,
                        **base,
                    )
            else:
                reserve = fr
                # Spending from the same reserve by other services: small, so the floor holds.
                amount = Decimal(self.rng.randrange(2000, 20000))
                self._drawdown(
                    reserve=fr,
                    programme=None,
                    amount=amount,
                    purpose=f"Other service spending {u + 1}",
                    steps=[
                        req,
                        (
                            S.APPROVED,
                            _at(decided),
                            finance,
                            {"approved_by": finance, "approved_at": _at(decided)},
                        ),
                        (
                            S.DRAWN,
                            _at(decided, 12),
                            finance,
                            {
                                "drawn_on": decided,
                                "drawn_by": finance,
                                "drawn_at": _at(decided, 12),
                            },
                        ),
                    ],
                    requested_by=officer,
                )
                self._drawdown(
                    reserve=fr,
                    programme=programme,
                    amount=Decimal(self.rng.randrange(5000, 60000)),
                    purpose=f"{programme.name}: further request {u + 1} (cancelled)",
                    steps=[
                        req,
                        (
                            S.CANCELLED,
                            _at(decided),
                            officer,
                            {
                                "cancelled_by": officer,
                                "cancelled_at": _at(decided),
                                "cancellation_reason": "Benchmark: no longer needed",
                            },
                        ),
                    ],
                    **base,
                )
            self._drawdown(
                reserve=reserve,
                programme=programme,
                amount=Decimal(self.rng.randrange(5000, 60000)),
                purpose=f"{programme.name}: request {u + 1} (rejected)",
                steps=[
                    req,
                    (
                        S.REJECTED,
                        _at(decided),
                        finance,
                        {
                            "rejected_by": finance,
                            "rejected_at": _at(decided),
                            "rejection_reason": "Benchmark: over the ceiling",
                        },
                    ),
                ],
                **base,
            )
            self._drawdown(
                reserve=reserve,
                programme=programme,
                amount=Decimal(self.rng.randrange(5000, 60000)),
                purpose=f"{programme.name}: request {u + 1} (awaiting approval)",
                steps=[req],
                **base,
            )

    # -- outputs, progress updates, risks: bulk with history ---------------------------------
    def _bulk(self, model, objs, *, what, user, when, later_fields=(), later=None):
        """Insert `objs` with a creation history row each; if `later` changes them, save that
        change and a second history row ('~') each."""
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        created = bulk_create_with_history(
            objs, model, batch_size=500, default_user=user, default_date=when
        )
        self._count(what, len(objs))
        self._count("history rows", len(objs))
        if later is not None:
            for obj in created:
                later(obj)
            bulk_update_with_history(
                created,
                model,
                list(later_fields),
                batch_size=500,
                default_user=user,
                default_date=when + timedelta(days=14),
            )
            self._count("history rows", len(created))
        return created

    def _stages(self, programme):
        from stages.models import Stage

        return list(Stage.objects.filter(programme=programme).order_by("number"))

    def _outputs(self, programme, *, units: int):
        from django.db.models import Max

        from stages.models import Output

        stages = self._stages(programme)
        start = Output.objects.filter(stage__programme=programme).aggregate(n=Max("id"))["n"] or 0
        objs = []
        for i in range(units * UNIT["outputs"]):
            stage = stages[i % len(stages)]
            objs.append(
                Output(
                    stage=stage,
                    code=f"b{start % 1000}.{i + 1}",
                    title=f"Benchmark output {i + 1} of {programme.name}",
                    description="Generated for the benchmark.",
                    owner=self.officers[i % 2],
                    due_date=(stage.planned_start or START)
                    + timedelta(days=self.rng.randrange(120)),
                    status=Output.Status.NOT_STARTED,
                )
            )
        # Years of data: most outputs are long accepted; a tenth are still open.
        statuses = [Output.Status.ACCEPTED] * 18 + [
            Output.Status.IN_PROGRESS,
            Output.Status.SUBMITTED,
        ]

        def progress(obj):
            obj.status = self.rng.choice(statuses)
            if obj.status in (Output.Status.SUBMITTED, Output.Status.ACCEPTED):
                obj.submitted_by, obj.submitted_at = obj.owner, _at(self._day())
            if obj.status == Output.Status.ACCEPTED:
                obj.accepted_by = (
                    self.officers[1] if obj.owner == self.officers[0] else (self.officers[0])
                )
                obj.accepted_at = _at(self._day())

        self._bulk(
            Output,
            objs,
            what="outputs",
            user=self.officers[0],
            when=_at(START),
            later_fields=("status", "submitted_by", "submitted_at", "accepted_by", "accepted_at"),
            later=progress,
        )

    def _updates(self, programme, *, units: int):
        from stages.models import ProgressUpdate
        from stages.rag import Rag

        stages = self._stages(programme)
        rags = [Rag.GREEN, Rag.AMBER_GREEN, Rag.AMBER, Rag.AMBER_RED, Rag.RED]
        objs = [
            ProgressUpdate(
                stage=stages[i % len(stages)],
                as_of=self._day(),
                rag=self.rng.choice(rags),
                percent_complete=self.rng.randrange(0, 101),
                narrative=f"Benchmark progress update {i + 1}.",
                next_steps="Carry on.",
                author=self.officers[i % 2],
            )
            for i in range(units * UNIT["updates"])
        ]
        created = self._bulk(
            ProgressUpdate, objs, what="progress updates", user=self.officers[0], when=_at(START)
        )
        self._cabinet_items(created[:: UNIT["updates"]])

    def _demo_updates(self, programme):
        from stages.models import ProgressUpdate

        return list(
            ProgressUpdate.objects.filter(
                stage__programme=programme, escalation_record__isnull=True
            )
            .select_related("stage")
            .order_by("id")[:1]
        )

    def _cabinet_items(self, updates):
        """Per unit, one escalation awaiting Cabinet; every fifth unit, an open exception (at
        scale 100: about 100 open escalations and 20 exceptions, issue 14)."""
        from stages.models import Escalation, ToleranceException

        escalations, exceptions = [], []
        for u, update in enumerate(updates):
            raised = _at(update.as_of)
            escalations.append(
                Escalation(
                    stage=update.stage,
                    progress_update=update,
                    text=f"Benchmark escalation {u + 1}: a decision is needed.",
                    raised_by=update.author,
                    raised_at=raised,
                )
            )
            if u % 5 == 0:
                exceptions.append(
                    ToleranceException(
                        stage=update.stage,
                        tolerance="cost",
                        raised_from=update,
                        raised_by=update.author,
                        raised_at=raised,
                        limit="£190,000 to £210,000 (±5% of £200,000)",
                        forecast="£215,000",
                        excess="£5,000 over",
                    )
                )
        self._bulk(
            Escalation, escalations, what="escalations", user=self.officers[0], when=_at(START)
        )
        self._bulk(
            ToleranceException,
            exceptions,
            what="exceptions",
            user=self.officers[0],
            when=_at(START),
        )

    def _risks(self, programme, *, units: int):
        from django.db.models import Max

        from risks.models import MitigationAction, Risk, RiskCategory, RiskReview

        categories = list(RiskCategory.objects.order_by("pk"))
        number = Risk.objects.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0
        risks = []
        for i in range(units * UNIT["risks"]):
            li, ii = self.rng.randrange(1, 6), self.rng.randrange(1, 6)
            risks.append(
                Risk(
                    programme=programme,
                    number=number + i + 1,
                    kind=Risk.Kind.RISK,
                    title=f"Benchmark risk {i + 1}",
                    cause="Generated.",
                    effect="Generated.",
                    category=self.rng.choice(categories),
                    owner=self.officers[i % 2],
                    mitigation="Generated mitigation.",
                    inherent_likelihood=li,
                    inherent_impact=ii,
                    residual_likelihood=max(1, li - 1),
                    residual_impact=max(1, ii - 1),
                    response=Risk.Response.TREAT,
                    review_date=self._day(900),
                )
            )

        def reviewed(risk):
            risk.residual_likelihood = max(1, risk.residual_likelihood - 1)

        created = self._bulk(
            Risk,
            risks,
            what="risks",
            user=self.officers[0],
            when=_at(START),
            later_fields=("residual_likelihood",),
            later=reviewed,
        )
        reviews = []
        for risk in created:
            on = self._day()
            reviews.append(
                RiskReview(
                    risk=risk,
                    reviewed_on=on,
                    reviewed_by=self.officers[0],
                    inherent_likelihood=risk.inherent_likelihood,
                    inherent_impact=risk.inherent_impact,
                    residual_likelihood=risk.residual_likelihood,
                    residual_impact=risk.residual_impact,
                    notes="Benchmark review.",
                    next_review_date=on + timedelta(days=90),
                )
            )
        self._bulk(RiskReview, reviews, what="risk reviews", user=self.officers[0], when=_at(START))
        actions = [
            MitigationAction(
                risk=risk,
                description=f"Benchmark action for {risk.title}",
                owner=self.officers[1],
                due_date=self._day(900),
            )
            for risk in created
        ]
        self._bulk(
            MitigationAction,
            actions,
            what="mitigation actions",
            user=self.officers[0],
            when=_at(START),
        )


def generate(*, scale: int, seed: int = 2022) -> dict[str, int]:
    """Load the demo and add the benchmark data for `scale`; return the counts made."""
    return Generator(scale=scale, seed=seed).run()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args(argv)
    _setup_django()
    started = time.perf_counter()
    counts = generate(scale=args.scale, seed=args.seed)
    seconds = time.perf_counter() - started
    print(f"Scale {args.scale}: made, beyond the demo, in {seconds:.1f} s:")
    for what, n in sorted(counts.items()):
        print(f"  {what:<20} {n:>7}")


if __name__ == "__main__":
    main()
