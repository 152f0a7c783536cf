"""Fragments of pages drawn once and shared by everyone with the same roles until the
programme's data changes (decision 0086).

A view checks access as always, then hands its template lazy values (`lazy`) and a key
(`fragment`); the template draws the expensive part inside `{% cache %}` on that key, so
a hit skips the selectors and the drawing but never the access check. The key holds the
programme, the data version (the newest id of every history table, read in one query that
costs the same however much data there is), the viewer's roles, today's date and what else
the view names (the page asked for, the filters). Any committed change writes a history row
and so moves the version; a rolled-back one moves nothing. Kept, like charts, in a bounded
cache in each process: a stopped or hung Redis never slows a page, and each process stays
right on its own because the version comes from the database.
"""

import functools
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from core.access import roles_of
from core.history import history_models


@dataclass(frozen=True)
class Fragment:
    """What `{% cache fragment.seconds "name" fragment.key %}` needs."""

    key: str
    # At most this long (settings.CACHES["template_fragments"]): the bound on how stale a
    # page can be after a change that writes no history row (a person renamed in the admin).
    seconds: int


@functools.cache
def _version_sql() -> str:
    """One SELECT of the newest history id of every history table: each is one step down the
    table's primary-key index, so it costs the same however many rows there are."""
    # Table names from the models' own metadata, quoted: nothing a person typed.
    columns = [
        f"(SELECT MAX(history_id) FROM {connection.ops.quote_name(h._meta.db_table)})"  # noqa: S608
        for _model, h in sorted(history_models(), key=lambda pair: pair[0]._meta.label)
    ]
    return "SELECT " + ", ".join(columns)


def data_version() -> str:
    """A short token that changes whenever any history row is committed."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:16]


def fragment(request, programme, *parts) -> Fragment:
    """The key of a fragment of `programme` as `request.user` sees it: shared by everyone
    with the same roles, on the same day, at the same data version, asking for the same
    `parts` (a page number, the filters)."""
    version = getattr(request, "_tracker_data_version", None)
    if version is None:
        version = request._tracker_data_version = data_version()
    roles = ",".join(sorted(role.value for role in roles_of(request.user)))
    today = timezone.localdate().isoformat()
    key = "|".join(str(p) for p in (programme.pk, version, roles, today, *parts))
    return Fragment(key=key, seconds=settings.CACHES["template_fragments"]["TIMEOUT"])


def lazy(compute):
    """A value computed only when the template reads it, so a cached fragment skips it."""
    return SimpleLazyObject(compute)
