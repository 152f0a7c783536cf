"""The ledger: the one place that says what money is committed, drawn and left.

Everything that decides or shows money asks this module: the pre_save guards, the services,
the selectors, the dashboard, the reports and the key-decision guard. The PostgreSQL triggers
(migration 0010) are generated from the constants here (`trigger_sql`), so the database and
Django refuse the same things:

- a drawdown amount of zero or less;
- committed spend on a programme above its spending ceiling (a new commitment, or a ceiling
  cut below what is already committed);
- a reserve whose opening balance, less what is committed, would fall below its floor (a new
  commitment, or an edit of the opening balance or the floor);
- a status change not in `TRANSITIONS`; any change to a drawn drawdown's
  `DRAWN_FROZEN_FIELDS`;
- deleting a drawdown that is, or ever was, committed (cancel it instead).

Definitions, named the same on every page:
- committed = the sum of drawdowns approved, scheduled or drawn;
- headroom under the ceiling = spending ceiling − committed;
- headroom under the key-decision threshold = threshold − committed;
- available above the floor = opening balance − committed − floor.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from core.money import ZERO, financial_year_label, financial_year_start, to_money

from .models import Drawdown

S = Drawdown.Status
COMMITTED_STATUSES: tuple[str, ...] = tuple(str(s) for s in Drawdown.COMMITTED_STATUSES)
DRAWN = str(S.DRAWN)
REQUESTED = str(S.REQUESTED)

# The drawdown state machine: from each status, the statuses it may move to. The guard and
# the trigger both refuse anything else.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.SCHEDULED, S.DRAWN, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.SCHEDULED, S.DRAWN, S.CANCELLED}),
    S.DRAWN: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Columns a drawn drawdown may never change: the money has left the reserve. One list, read
# by the guard (reserves.guards) and written into the trigger.
DRAWN_FROZEN_FIELDS: tuple[str, ...] = (
    "reserve_id",
    "programme_id",
    "cost_line_id",
    "purpose",
    "amount",
    "status",
    "drawn_on",
    "drawn_by_id",
    "approved_by_id",
    "requested_by_id",
)

# The financial-year bucket for money due after the Medium Term Financial Strategy period.
AFTER_MTFS = "after"
AFTER_MTFS_LABEL = "After the MTFS period"
MTFS_MIN_YEARS = 1
MTFS_MAX_YEARS = 10

COMMITTED = Q(status__in=COMMITTED_STATUSES)


def ever_committed(drawdown: Drawdown) -> bool:
    """Committed now, or once (approved and later cancelled): never deleted, only cancelled."""
    return drawdown.status in COMMITTED_STATUSES or drawdown.approved_at is not None


def may_move(old: str, new: str) -> bool:
    return old == new or new in TRANSITIONS.get(old, frozenset())


# Totals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeMoney:
    """A programme's money against its ceiling and its key-decision threshold."""

    ceiling: Decimal
    threshold: Decimal
    committed: Decimal
    drawn: Decimal

    @property
    def headroom(self) -> Decimal:
        """Headroom under the ceiling: what finance may still approve."""
        return self.ceiling - self.committed

    @property
    def headroom_to_threshold(self) -> Decimal:
        """Headroom under the key-decision threshold, from what is committed."""
        return self.threshold - self.committed

    @property
    def ceiling_below_threshold(self) -> Decimal:
        """How far the ceiling itself sits below the key-decision threshold."""
        return self.threshold - self.ceiling


@dataclass(frozen=True)
class ReserveMoney:
    opening_balance: Decimal
    floor: Decimal
    committed: Decimal
    drawn: Decimal

    @property
    def available(self) -> Decimal:
        """Opening balance less everything committed."""
        return self.opening_balance - self.committed

    @property
    def above_floor(self) -> Decimal:
        """Available above the floor: what may still be committed."""
        return self.available - self.floor


def _totals(queryset) -> tuple[Decimal, Decimal]:
    row = queryset.aggregate(
        committed=Sum("amount", filter=COMMITTED),
        drawn=Sum("amount", filter=Q(status=S.DRAWN)),
    )
    return to_money(row["committed"] or ZERO), to_money(row["drawn"] or ZERO)


def programme_money(programme, *, using: str = "default") -> ProgrammeMoney:
    """One query."""
    committed, drawn = _totals(Drawdown.objects.using(using).filter(programme_id=programme.pk))
    return ProgrammeMoney(
        ceiling=to_money(programme.spending_ceiling),
        threshold=to_money(programme.key_decision_threshold),
        committed=committed,
        drawn=drawn,
    )


def reserve_money(reserve, *, using: str = "default") -> ReserveMoney:
    """One query."""
    committed, drawn = _totals(Drawdown.objects.using(using).filter(reserve_id=reserve.pk))
    return ReserveMoney(
        opening_balance=to_money(reserve.opening_balance),
        floor=to_money(reserve.floor),
        committed=committed,
        drawn=drawn,
    )


def committed_by(field: str, *, exclude_pk: int | None = None, using: str = "default") -> dict:
    """Committed totals grouped by `programme_id` or `reserve_id` (one query)."""
    rows = Drawdown.objects.using(using).filter(COMMITTED)
    if field == "programme_id":
        rows = rows.filter(programme__isnull=False)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return {
        row[field]: to_money(row["total"])
        for row in rows.values(field).annotate(total=Sum("amount")).order_by()
    }


def committed_sum(*, reserve_id=None, programme_id=None, exclude_pk=None, using="default"):
    """Committed on one reserve and/or one programme, excluding one drawdown (one query)."""
    rows = Drawdown.objects.using(using).filter(COMMITTED)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    scope = Q()
    if reserve_id is not None:
        scope |= Q(reserve_id=reserve_id)
    if programme_id is not None:
        scope |= Q(programme_id=programme_id)
    totals = rows.filter(scope).aggregate(
        reserve=Sum("amount", filter=Q(reserve_id=reserve_id)),
        programme=Sum("amount", filter=Q(programme_id=programme_id)),
    )
    return to_money(totals["reserve"] or ZERO), to_money(totals["programme"] or ZERO)


# Financial years -----------------------------------------------------------------------


def mtfs_years(reserve) -> list[int]:
    """The start years of the MTFS period's financial years (1 to 10 of them)."""
    first = financial_year_start(reserve.opening_date)
    count = min(max(reserve.mtfs_years or MTFS_MIN_YEARS, MTFS_MIN_YEARS), MTFS_MAX_YEARS)
    return list(range(first, first + count))


def year_bucket(day: date | None, years: list[int]) -> int | str:
    """The financial year (start year) a movement on `day` counts in: undated or earlier money
    counts in the first year; money due after the MTFS period in its own AFTER_MTFS bucket,
    never folded into the last year."""
    if day is None:
        return years[0]
    start = financial_year_start(day)
    if start < years[0]:
        return years[0]
    if start > years[-1]:
        return AFTER_MTFS
    return start


def mtfs_end(years: list[int]) -> date:
    """The last day of the MTFS period (31 December 9999 at the far edge of the calendar)."""
    return date(years[-1] + 1, 3, 31) if years[-1] < date.max.year else date.max


def bucket_label(bucket: int | str) -> str:
    return AFTER_MTFS_LABEL if bucket == AFTER_MTFS else financial_year_label(bucket)


# The database's rules -------------------------------------------------------------------


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def trigger_sql(*, drawdown: str, reserve: str, programme: str) -> tuple[list[str], list[str]]:
    """(create statements, drop statements) for the triggers on the three tables that decide
    the money. Table names are our own models', never user input; every constant is ours."""
    committed = _sql_list(COMMITTED_STATUSES)
    frozen = "\n        OR ".join(
        f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in DRAWN_FROZEN_FIELDS
    )
    transitions = " OR ".join(
        f"(OLD.status = '{old}' AND NEW.status IN ({_sql_list(new)}))"
        for old, new in sorted(TRANSITIONS.items())
        if new
    )
    drawdown_guard = """
CREATE OR REPLACE FUNCTION reserves_drawdown_ceiling_guard() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_opening numeric;
    v_floor numeric;
    v_ceiling numeric;
    v_committed numeric;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status IN ({committed}) OR OLD.approved_at IS NOT NULL THEN
            RAISE EXCEPTION 'drawdown % is or was committed and cannot be deleted: cancel it',
                OLD.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;

    IF NEW.amount IS NULL OR NEW.amount <= 0 THEN
        RAISE EXCEPTION 'drawdown refused: the amount must be more than 0, not %', NEW.amount
            USING ERRCODE = 'check_violation';
    END IF;

    IF TG_OP = 'UPDATE' AND OLD.status = '{DRAWN}' AND (
        {frozen}
    ) THEN
        RAISE EXCEPTION 'drawdown % has been drawn and cannot be changed', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;

    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status
       AND NOT ({transitions}) THEN
        RAISE EXCEPTION 'drawdown % cannot move from % to %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;

    IF NEW.status NOT IN ({committed}) THEN
        RETURN NEW;
    END IF;

    SELECT opening_balance, floor INTO v_opening, v_floor
      FROM {reserve} WHERE id = NEW.reserve_id FOR UPDATE;

    IF NEW.programme_id IS NOT NULL THEN
        SELECT spending_ceiling INTO v_ceiling
          FROM {programme} WHERE id = NEW.programme_id FOR UPDATE;
        SELECT COALESCE(SUM(amount), 0) INTO v_committed
          FROM {drawdown}
         WHERE programme_id = NEW.programme_id
           AND status IN ({committed})
           AND id <> NEW.id;
        IF v_committed + NEW.amount > v_ceiling THEN
            RAISE EXCEPTION
                'drawdown refused: programme % would have % committed, above its ceiling of %',
                NEW.programme_id, v_committed + NEW.amount, v_ceiling
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;

    SELECT COALESCE(SUM(amount), 0) INTO v_committed
      FROM {drawdown}
     WHERE reserve_id = NEW.reserve_id
       AND status IN ({committed})
       AND id <> NEW.id;
    IF v_opening - v_committed - NEW.amount < v_floor THEN
        RAISE EXCEPTION
            'drawdown refused: reserve % would fall to %, below its floor of %',
            NEW.reserve_id, v_opening - v_committed - NEW.amount, v_floor
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
DROP TRIGGER IF EXISTS reserves_drawdown_ceiling ON {drawdown};
CREATE TRIGGER reserves_drawdown_ceiling
    BEFORE INSERT OR UPDATE OR DELETE ON {drawdown}
    FOR EACH ROW EXECUTE FUNCTION reserves_drawdown_ceiling_guard();
"""
    # The row being updated is already locked by the UPDATE itself (before the trigger runs),
    # and a drawdown approval takes the same lock (FOR UPDATE) before it sums: the two queue.
    reserve_guard = """
CREATE OR REPLACE FUNCTION reserves_reserve_floor_guard() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_committed numeric;
BEGIN
    IF NEW.opening_balance < 0 OR NEW.floor < 0 THEN
        RAISE EXCEPTION 'reserve refused: opening balance and floor cannot be negative'
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT COALESCE(SUM(amount), 0) INTO v_committed
      FROM {drawdown}
     WHERE reserve_id = NEW.id AND status IN ({committed});
    IF NEW.opening_balance - v_committed < NEW.floor THEN
        RAISE EXCEPTION
            'reserve refused: % would hold %, below its floor of %',
            NEW.id, NEW.opening_balance - v_committed, NEW.floor
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
DROP TRIGGER IF EXISTS reserves_reserve_floor ON {reserve};
CREATE TRIGGER reserves_reserve_floor
    BEFORE INSERT OR UPDATE OF opening_balance, floor ON {reserve}
    FOR EACH ROW EXECUTE FUNCTION reserves_reserve_floor_guard();
"""
    programme_guard = """
CREATE OR REPLACE FUNCTION reserves_programme_ceiling_guard() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_committed numeric;
BEGIN
    IF NEW.spending_ceiling IS NULL OR NEW.spending_ceiling < 0 THEN
        RAISE EXCEPTION 'programme refused: the spending ceiling cannot be negative'
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT COALESCE(SUM(amount), 0) INTO v_committed
      FROM {drawdown}
     WHERE programme_id = NEW.id AND status IN ({committed});
    IF v_committed > NEW.spending_ceiling THEN
        RAISE EXCEPTION
            'programme refused: committed spend on programme % is %, above a ceiling of %',
            NEW.id, v_committed, NEW.spending_ceiling
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
DROP TRIGGER IF EXISTS reserves_programme_ceiling ON {programme};
CREATE TRIGGER reserves_programme_ceiling
    BEFORE UPDATE OF spending_ceiling ON {programme}
    FOR EACH ROW EXECUTE FUNCTION reserves_programme_ceiling_guard();
"""
    values = {
        "committed": committed,
        "frozen": frozen,
        "transitions": transitions,
        "DRAWN": DRAWN,
        "drawdown": drawdown,
        "reserve": reserve,
        "programme": programme,
    }
    creates = [_fill(t, values) for t in (drawdown_guard, reserve_guard, programme_guard)]
    drops = [
        f"DROP TRIGGER IF EXISTS reserves_programme_ceiling ON {programme}",
        "DROP FUNCTION IF EXISTS reserves_programme_ceiling_guard()",
        f"DROP TRIGGER IF EXISTS reserves_reserve_floor ON {reserve}",
        "DROP FUNCTION IF EXISTS reserves_reserve_floor_guard()",
    ]
    return creates, drops


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template
