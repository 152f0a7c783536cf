"""A whole-page cache for the heaviest read pages (dashboard, reserve statement, risk register,
stage page), kept per session and thrown away by any change to the data.

A page is stored in the default (database) cache, so every web process shares it, under a key
made of: the full path with its query string, the session key, the CSRF secret, the user's
roles, the htmx request header, today's date in Europe/London and the *data version*. The data
version is one query: the latest `history_date` across every simple-history table (every change
to a domain model writes a history row) and the latest admin log entry (user and group edits
through the admin). A change therefore makes a new key at once; old entries are never read
again and expire after `PAGE_TIMEOUT` seconds.

Keying by session (and CSRF secret) means the CSRF tokens and the user's name in the cached HTML
are this visitor's own; keying by roles means a role taken away shows at the next request.

Why pages are not stored in the `SETTLE_SECONDS` after a change: history rows carry the time
they were written, not the time their transaction committed. A transaction that commits late
can add a row older than the newest one already visible, and the version would not move. So a
page is stored only when the newest change is older than any transaction runs; until then it
is drawn afresh each time, exactly as without the cache.
"""

import datetime
import functools
import hashlib
import zoneinfo

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from .access import roles_of

PAGE_TIMEOUT = 10 * 60
# Longer than any write transaction in the app (services are short; see the module docstring).
SETTLE_SECONDS = 15
LONDON = zoneinfo.ZoneInfo("Europe/London")
_MISSING = object()


@functools.cache
def _version_sql() -> str:
    """One statement: the newest change across every history table and the admin log."""
    from django.apps import apps
    from django.contrib.admin.models import LogEntry

    # Historical models (simple-history's own tables, one per domain model) carry history_date.
    history_tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if any(field.name == "history_date" for field in model._meta.concrete_fields)
    )
    # Only table and column names from the model registry go into the text; they are quoted.
    quote = connection.ops.quote_name
    parts = [
        f"SELECT MAX({quote('history_date')}) AS changed FROM {quote(table)}"  # noqa: S608
        for table in history_tables
    ]
    parts.append(
        f"SELECT MAX({quote('action_time')}) AS changed FROM {quote(LogEntry._meta.db_table)}"  # noqa: S608
    )
    return "SELECT MAX(changed) FROM (" + " UNION ALL ".join(parts) + ") AS changes"  # noqa: S608


def data_version():
    """When the data last changed (a datetime, or None for an empty database)."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        changed = cursor.fetchone()[0]
    if isinstance(changed, str):  # SQLite returns the text it stored
        changed = datetime.datetime.fromisoformat(changed)
        if timezone.is_naive(changed):
            changed = timezone.make_aware(changed, datetime.UTC)
    return changed


def _has_pending_messages(request) -> bool:
    # len() loads the stored messages without marking them used, so they are not consumed.
    storage = get_messages(request)
    return storage is not None and len(storage) > 0


def _cache_key(request, version) -> str | None:
    session_key = request.session.session_key
    if not session_key:
        return None
    # The CSRF secret the page's tokens are made from; made now (and sent as the cookie) if the
    # visitor has none yet, so the first visit and the later ones ask the same questions.
    get_token(request)
    csrf_secret = request.META["CSRF_COOKIE"]
    parts = (
        request.get_full_path(),
        session_key,
        csrf_secret,
        sorted(role.value for role in roles_of(request.user)),
        request.headers.get("HX-Request", ""),
        timezone.now().astimezone(LONDON).date().isoformat(),
        version.isoformat() if version else "",
    )
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cache_until_change(view):
    """Serve a GET page from the cache until the data, the day or the visitor changes."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            request.method != "GET"
            or not request.user.is_authenticated
            or _has_pending_messages(request)
        ):
            return view(request, *args, **kwargs)
        version = data_version()
        key = _cache_key(request, version)
        if key is None:
            return view(request, *args, **kwargs)
        hit = cache.get(key, _MISSING)
        if hit is not _MISSING:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        settled = version is None or (timezone.now() - version).total_seconds() > SETTLE_SECONDS
        if (
            settled
            and response.status_code == 200
            and not response.streaming
            and not response.cookies  # a page that sets a cookie is not the same page again
        ):
            cache.set(key, (response.content, response["Content-Type"]), PAGE_TIMEOUT)
        return response

    return wrapper
