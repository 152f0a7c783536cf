"""Reads for reserve pages and for other apps: spend against a ceiling, reserve positions,
cost tables and stated-figure checks. Each fetches what it needs in a fixed number of queries."""

from decimal import Decimal

from django.db.models import Q, Sum

from programme.money import ZERO

from .models import Drawdown


def programme_spend(programme) -> dict[str, Decimal]:
    """Committed and drawn money for `programme` and what is left under its ceiling (one query).

    `remaining` is `spending_ceiling − committed`: what finance may still approve.
    """
    totals = Drawdown.objects.filter(programme=programme).aggregate(
        committed=Sum("amount", filter=Q(status__in=Drawdown.COMMITTED_STATUSES)),
        drawn=Sum("amount", filter=Q(status=Drawdown.Status.DRAWN)),
    )
    committed = totals["committed"] or ZERO
    drawn = totals["drawn"] or ZERO
    return {
        "committed": committed,
        "drawn": drawn,
        "remaining": programme.spending_ceiling - committed,
    }
