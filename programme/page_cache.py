"""A whole-page cache for the heaviest read pages (dashboard, reserve statement, risk register,
stage page), kept per session and thrown away by any change to the data.

A page is stored in the default (database) cache, so every web process shares it, under a key
made of: the full path with its query string, the session key, the CSRF secret, the user's
roles, the htmx request header, today's date in Europe/London and the *data version*.

The data version is a token kept in the same cache under `VERSION_KEY`, set afresh by
`bump_data_version` after every transaction that wrote a history row (every change to a domain
model writes one; `programme/apps.py` connects it to simple-history's
`post_create_historical_record`) or an admin log entry (user and group edits through the
admin). Reading it is one indexed lookup instead of a scan of every history table. A change
therefore makes a new key at once; old entries are never read again and expire after
`PAGE_TIMEOUT` seconds.

Why the token is set after the commit, not inside the writer's transaction: inside, the
writer would hold a lock on the one version row until it commits, so every writing transaction
would queue behind every other, and two writers each holding a lock the other needs would
deadlock — the database cache swallows that error, the loser's change would commit with the
version unmoved, and stale pages would be served. Set after the commit, the new token is seen
only once the change is, and no page read before it is served under it.

When the token is missing (a fresh cache, an evicted entry, or a test inside one transaction
whose commit hooks never run) the version falls back to one query: the latest `history_date`
across every simple-history table and the admin log; and a new token is seeded (once the
request's transaction, if any, commits) for the requests after it.

A page is stored gzip-compressed (level 6, once, when stored) and sent as it is to a browser
that accepts gzip (every browser does), with `Vary: Accept-Encoding`; any other client gets it
decompressed. The pages are 100–700 KB of HTML, so reading, unpickling and sending them was most
of the cost of a hit. (BREACH: every page's CSRF token is masked afresh at each drawing, and a
cached page is the same bytes for every request, so nothing secret varies with what is sent.)

Keying by session (and CSRF secret) means the CSRF tokens and the user's name in the cached HTML
are this visitor's own; keying by roles means a role taken away shows at the next request.

Why, on that fallback, pages are not stored in the `SETTLE_SECONDS` after a change: history
rows carry the time they were written, not the time their transaction committed. A transaction
that commits late can add a row older than the newest one already visible, and the version
would not move. So a page is stored only when the newest change is older than any transaction
runs; until then it is drawn afresh each time, exactly as without the cache. The token needs no
such wait: it is set only after the change it stands for is committed.
"""

import datetime
import functools
import gzip
import hashlib
import re
import secrets
import time
import zoneinfo

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from .access import roles_of

PAGE_TIMEOUT = 10 * 60
VERSION_KEY = "page-cache:data-version"
# Longer than any write transaction in the app (services are short; see the module docstring).
SETTLE_SECONDS = 15
LONDON = zoneinfo.ZoneInfo("Europe/London")
_MISSING = object()
# "gzip" in Accept-Encoding, unless it is refused with q=0 (RFC 9110 section 12.5.3).
_ACCEPTS_GZIP = re.compile(
    r"(?:^|,)\s*(?:gzip|\*)\s*(?:;\s*q\s*=\s*(?!0(?:\.0*)?\s*(?:,|$))[^,]*)?\s*(?:,|$)"
)


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


def _new_token() -> str:
    # Time first so tokens read in order; the random tail keeps two processes apart.
    return f"{time.time_ns():020d}-{secrets.token_hex(4)}"


def _set_new_version() -> None:
    cache.set(VERSION_KEY, _new_token(), None)


def _seed_version() -> None:
    # Only if still missing: a token set now is newer than every change committed so far.
    cache.add(VERSION_KEY, _new_token(), None)


def bump_data_version(**kwargs) -> None:
    """A signal receiver: give the data a new version once the current transaction commits
    (at once outside a transaction). Called for every history row; one bump per transaction."""
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(
        func is _set_new_version for _sids, func, _robust in conn.run_on_commit
    ):
        return
    transaction.on_commit(_set_new_version, robust=True)


def current_version():
    """The data version: the token if there is one (settled by construction), else the newest
    change's time from `data_version()`. Returns (version, settled)."""
    token = cache.get(VERSION_KEY)
    if token is not None:
        return token, True
    # Seeded at a commit like every token (at once in a web request, which runs in autocommit),
    # so the next request can use it; this one asks the database.
    transaction.on_commit(_seed_version, robust=True)
    changed = data_version()
    settled = changed is None or (timezone.now() - changed).total_seconds() > SETTLE_SECONDS
    return changed, settled


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
        version.isoformat() if isinstance(version, datetime.datetime) else (version or ""),
    )
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def accepts_gzip(request) -> bool:
    """Whether the request's Accept-Encoding allows a gzip-encoded body."""
    return bool(_ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "").lower()))


def _cached_response(request, compressed: bytes, content_type: str) -> HttpResponse:
    if accepts_gzip(request):
        response = HttpResponse(compressed, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(compressed), content_type=content_type)
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


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
        version, settled = current_version()
        key = _cache_key(request, version)
        if key is None:
            return view(request, *args, **kwargs)
        hit = cache.get(key, _MISSING)
        if hit is not _MISSING:
            compressed, content_type = hit
            return _cached_response(request, compressed, content_type)
        response = view(request, *args, **kwargs)
        if (
            settled
            and response.status_code == 200
            and not response.streaming
            and not response.cookies  # a page that sets a cookie is not the same page again
        ):
            stored = (
                gzip.compress(response.content, compresslevel=6, mtime=0),
                response["Content-Type"],
            )
            cache.set(key, stored, PAGE_TIMEOUT)
            return _cached_response(request, *stored)
        return response

    return wrapper
