"""The refusal record: who tried to commit money the ceiling or floor did not allow, and why.

A refusal is raised inside the transaction that tried the change, and that transaction is
then rolled back, taking anything written in it along. So on PostgreSQL the record is written
on a second, short-lived connection of its own, in autocommit: it is committed before the
refused transaction ends, whatever happens to it. SQLite (the development database) allows
one writer at a time, so there a second connection would wait on the first until it timed
out; the services write the record after their own transaction has rolled back instead
(docs/decisions/0031-refusal-records-survive-rollback.md).
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.sql.subqueries import InsertQuery
from django.utils import timezone

from .models import DrawdownRefusal

logger = logging.getLogger(__name__)


@dataclass
class RefusalDetails:
    reason: str
    source: str
    attempted_status: str = ""
    amount: Decimal | None = None
    user: object = None
    reserve_id: int | None = None
    programme_id: int | None = None
    drawdown_id: int | None = None
    created_at: object = field(default_factory=timezone.now)

    def as_model(self) -> DrawdownRefusal:
        user = self.user if getattr(self.user, "pk", None) else None
        return DrawdownRefusal(
            created_at=self.created_at,
            user=user,
            username=user.get_username() if user else "",
            reserve_id=self.reserve_id,
            programme_id=self.programme_id,
            drawdown_id=self.drawdown_id,
            amount=self.amount,
            attempted_status=self.attempted_status,
            reason=self.reason,
            source=self.source[:100],
        )


def _insert_on_own_connection(refusal: DrawdownRefusal) -> None:
    """INSERT the row through a fresh connection to the same database, in autocommit."""
    default = connections[DEFAULT_DB_ALIAS]
    own = type(default)(dict(default.settings_dict), alias="reserves_refusal_audit")
    try:
        fields = [f for f in DrawdownRefusal._meta.concrete_fields if not f.primary_key]
        query = InsertQuery(DrawdownRefusal)
        query.insert_values(fields, [refusal])
        query.get_compiler(connection=own).execute_sql(returning_fields=None)
    finally:
        own.close()


def record_refusal(details: RefusalDetails) -> bool:
    """Write the refusal so that it outlives the transaction it refused.

    Returns True when the row is already durable; False when the caller must write it after
    its transaction has ended (SQLite inside a transaction: see the module docstring).
    """
    logger.warning(
        "Drawdown refused (%s) for user %s: %s",
        details.source,
        getattr(details.user, "pk", None),
        details.reason,
    )
    refusal = details.as_model()
    if not connection.in_atomic_block:
        refusal.save()
        return True
    if connection.vendor == "postgresql":
        _insert_on_own_connection(refusal)
        return True
    return False


def record_refusal_after_rollback(details: RefusalDetails) -> None:
    """For the services on SQLite: write the record once their own block has rolled back."""
    details.as_model().save()
