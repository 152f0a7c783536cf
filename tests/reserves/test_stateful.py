"""Random sequences of request, approve, reject, schedule, draw and cancel across two
programmes sharing one reserve, with two-person ceiling changes, floor edits, deletes and
negative amounts thrown in: after every step the ceilings and the floor hold, each action
succeeds exactly when the ledger says it may, no amount is £0 or less, and the ledger
module's totals equal a direct SQL sum."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    rule,
)

from reserves import ledger, services
from reserves.models import Drawdown
from reserves.selectors import programme_spend, reserve_position
from tests.conftest import make_user
from tests.hypothesis_profiles import examples

from .factories import ProgrammeFactory, ReserveFactory

COMMITTED = {"approved", "scheduled", "drawn"}
AMOUNTS = st.sampled_from(["10000", "25000", "40000", "60000.50", "99999.99"]).map(Decimal)


class DrawdownLedger(RuleBasedStateMachine):
    """The machine keeps its own ledger (pk → programme, amount, status) and predicts each
    outcome; the database must agree after every step."""

    drawdowns = Bundle("drawdowns")

    def __init__(self):
        super().__init__()
        # Each example runs inside a savepoint rolled back at teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.officer = make_user("sm-officer", "Officer")
        self.finance = make_user("sm-finance", "Finance")
        self.cabinet = make_user("sm-cabinet", "Cabinet")
        self.cabinet2 = make_user("sm-cabinet2", "Cabinet")
        # £150,000 above the floor, against ceilings of £100,000 and £80,000: both bind.
        self.reserve = ReserveFactory(
            opening_balance=Decimal("170000.00"), floor=Decimal("20000.00")
        )
        self.programmes = [
            ProgrammeFactory(spending_ceiling=Decimal("100000.00"), funding_reserve=self.reserve),
            ProgrammeFactory(spending_ceiling=Decimal("80000.00"), funding_reserve=self.reserve),
        ]
        self.ledger: dict[int, dict] = {}

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # What the machine expects ------------------------------------------------------------

    def _committed(self, *, programme=None):
        return sum(
            (
                row["amount"]
                for row in self.ledger.values()
                if row["status"] in COMMITTED
                and (programme is None or row["programme"] == programme)
            ),
            Decimal("0"),
        )

    def _fits(self, row) -> bool:
        programme = self.programmes[row["programme"]]
        return (
            self._committed(programme=row["programme"]) + row["amount"]
            <= programme.spending_ceiling
            and self.reserve.opening_balance - self._committed() - row["amount"]
            >= self.reserve.floor
        )

    # Rules --------------------------------------------------------------------------------

    @rule(target=drawdowns, which=st.integers(0, 1), amount=AMOUNTS)
    def request(self, which, amount):
        row = {"programme": which, "amount": amount, "status": "requested"}
        try:
            drawdown = services.drawdown_request(
                reserve=self.reserve,
                programme=self.programmes[which],
                purpose="Random",
                amount=amount,
                user=self.officer,
            )
        except ValidationError:
            assert not self._fits(row), "a request that fits was refused"
            return multiple()
        assert self._fits(row), "a request that does not fit was accepted"
        self.ledger[drawdown.pk] = row
        return drawdown.pk

    @rule(pk=drawdowns)
    def approve(self, pk):
        row = self.ledger[pk]
        expected = row["status"] == "requested" and self._fits(row)
        try:
            services.drawdown_approve(drawdown=Drawdown.objects.get(pk=pk), user=self.finance)
        except ValidationError:
            assert not expected, f"approval of {row} refused though it fits"
            return
        assert expected, f"approval of {row} accepted though it does not fit"
        row["status"] = "approved"
        row["ever_committed"] = True

    @rule(which=st.integers(0, 1), ceiling=st.sampled_from(["30000", "50000", "80000", "150000"]))
    def change_ceiling(self, which, ceiling):
        """One Cabinet member proposes, another approves: refused below what is committed."""
        programme = self.programmes[which]
        ceiling = Decimal(ceiling)
        expected = (
            ceiling >= self._committed(programme=which) and ceiling != programme.spending_ceiling
        )
        try:
            proposal = services.ceiling_propose(
                programme=programme,
                user=self.cabinet,
                data={
                    "new_ceiling": ceiling,
                    "title": "Random",
                    "reason": "Random",
                    "decided_on": date(2023, 1, 10),
                    "decision_maker": "",
                    "decision_reference": "Random",
                    "key_decision_reference": "",
                },
            )
            services.ceiling_approve(proposal=proposal, user=self.cabinet2)
        except ValidationError:
            assert not expected, f"ceiling {ceiling} refused though it covers what is committed"
            return
        assert expected, f"ceiling {ceiling} accepted though below what is committed"
        programme.refresh_from_db()
        assert programme.spending_ceiling == ceiling

    @rule(floor=st.sampled_from(["0", "20000", "60000", "120000"]))
    def set_floor(self, floor):
        floor = Decimal(floor)
        expected = self.reserve.opening_balance - self._committed() >= floor
        try:
            services.reserve_update(reserve=self.reserve, user=self.finance, data={"floor": floor})
        except ValidationError:
            assert not expected, f"floor {floor} refused though the reserve holds enough"
            return
        assert expected, f"floor {floor} accepted though the reserve holds less"
        self.reserve.refresh_from_db()

    @rule(pk=consumes(drawdowns))
    def delete(self, pk):
        row = self.ledger[pk]
        expected = not row.get("ever_committed")
        try:
            with transaction.atomic():
                Drawdown.objects.get(pk=pk).delete()
        except ValidationError:
            assert not expected, f"{row} could not be deleted though never committed"
            return
        assert expected, f"{row} was deleted though it is or was committed"
        del self.ledger[pk]

    @rule(which=st.integers(0, 1), amount=st.sampled_from(["-100000", "0", "-0.01"]))
    def negative(self, which, amount):
        drawdown = Drawdown(
            reserve=self.reserve,
            programme=self.programmes[which],
            purpose="Negative",
            amount=Decimal(amount),
            status=Drawdown.Status.APPROVED,
        )
        try:
            with transaction.atomic():
                drawdown.save()
        except ValidationError:
            return
        raise AssertionError(f"a drawdown of {amount} was saved")

    @rule(pk=drawdowns)
    def reject(self, pk):
        row = self.ledger[pk]
        try:
            services.drawdown_reject(
                drawdown=Drawdown.objects.get(pk=pk), user=self.finance, reason="Random"
            )
        except ValidationError:
            assert row["status"] != "requested"
            return
        assert row["status"] == "requested"
        row["status"] = "rejected"

    @rule(pk=drawdowns, day=st.integers(1, 28))
    def schedule(self, pk, day):
        row = self.ledger[pk]
        try:
            services.drawdown_schedule(
                drawdown=Drawdown.objects.get(pk=pk),
                user=self.finance,
                scheduled_for=date(2023, 1, day),
            )
        except ValidationError:
            assert row["status"] not in ("approved", "scheduled")
            return
        assert row["status"] in ("approved", "scheduled")
        row["status"] = "scheduled"

    @rule(pk=drawdowns)
    def draw(self, pk):
        row = self.ledger[pk]
        try:
            services.drawdown_mark_drawn(
                drawdown=Drawdown.objects.get(pk=pk),
                user=self.finance,
                drawn_on=timezone.localdate(),
            )
        except ValidationError:
            assert row["status"] not in ("approved", "scheduled")
            return
        assert row["status"] in ("approved", "scheduled")
        row["status"] = "drawn"

    @rule(pk=consumes(drawdowns))
    def cancel(self, pk):
        row = self.ledger[pk]
        try:
            services.drawdown_cancel(
                drawdown=Drawdown.objects.get(pk=pk), user=self.finance, reason="Random"
            )
        except ValidationError:
            assert row["status"] in ("drawn", "rejected", "cancelled")
            return
        assert row["status"] in ("requested", "approved", "scheduled")
        row["status"] = "cancelled"

    # Invariants ---------------------------------------------------------------------------

    @invariant()
    def the_database_agrees_with_the_ledger(self):
        stored = dict(Drawdown.objects.values_list("pk", "status"))
        assert stored == {pk: row["status"] for pk, row in self.ledger.items()}

    @invariant()
    def each_programme_stays_within_its_ceiling(self):
        for index, programme in enumerate(self.programmes):
            spend = programme_spend(programme)
            assert spend["committed"] == self._committed(programme=index)
            assert spend["committed"] <= programme.spending_ceiling
            assert spend["remaining"] == programme.spending_ceiling - spend["committed"]

    @invariant()
    def the_ledger_equals_a_direct_sql_sum_and_no_amount_is_nothing(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(SUM(amount) FILTER (WHERE status IN "
                "('approved', 'scheduled', 'drawn')), 0), COUNT(*) FILTER (WHERE amount <= 0) "
                "FROM reserves_drawdown WHERE reserve_id = %s",
                [self.reserve.pk],
            )
            committed, nothing = cursor.fetchone()
        assert nothing == 0
        assert ledger.reserve_money(self.reserve).committed == committed
        assert ledger.reserve_money(self.reserve).above_floor >= 0
        for programme in self.programmes:
            assert ledger.programme_money(programme).headroom >= 0

    @invariant()
    def the_reserve_stays_above_its_floor(self):
        position = reserve_position(self.reserve, today=date(2023, 3, 31))
        assert position["committed"] == self._committed()
        assert position["committed"] == sum(
            (m["amount"] for m in position["movements"]), Decimal("0")
        )
        assert position["available"] >= self.reserve.floor
        assert position["by_year"][-1]["closing"] == position["available"]


DrawdownLedger.TestCase.settings = settings(
    max_examples=examples(25),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.django_db
def test_random_drawdown_sequences_keep_every_limit():
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(DrawdownLedger, settings=DrawdownLedger.TestCase.settings)
