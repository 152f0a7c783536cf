"""The demo loaded once per test database, then copied into each test that asks for it.

`take()` runs once per test database (conftest's `django_db_setup`): it notes the rows the
migrations left (roles, risk categories and bands: the *baseline*), runs `load_demo` inside a
transaction, reads the rows it added (the *demo*) and rolls the load back, so the database
stays as the migrations left it and tests that build their own data still start from that.

`restore_demo()` writes the demo's rows back with their own ids, inside the current test's
transaction (rolled back after the test, pytest-django's default) — a few hundred INSERTs
instead of a full `load_demo` through every service. The ids cannot collide with rows a test
makes: the sequences moved past them during the rolled-back load and are never reset.

A transactional test (a real Celery worker, PostgreSQL races, the live server) ends with a
flush that empties every table, the migrations' rows with them; `restore_baseline()` puts
those back afterwards (conftest's `pytest_runtest_teardown`), so no later test, on whichever
worker, sees a database the migrations never left. See docs/decisions/0090.
"""

import json
import os
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.core.management import call_command
from django.core.serializers import sort_dependencies
from django.db import connection, transaction

# Rebuilt by Django itself after a flush (post_migrate), with new ids: never copied.
REBUILT_BY_DJANGO = frozenset({"django_migrations", "django_content_type", "auth_permission"})


@dataclass(frozen=True)
class Rows:
    table: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


@dataclass
class Snapshot:
    baseline: tuple[Rows, ...] = ()
    demo: tuple[Rows, ...] = ()
    taken: bool = False


SNAPSHOT = Snapshot()


@cache
def _tables() -> tuple[tuple[str, str], ...]:
    """(table, primary key column) of every model table, parents before children, so that
    row triggers (the drawdown ceiling guard reads its programme and reserve) find them."""
    ordered = sort_dependencies([(config, None) for config in apps.get_app_configs()], True)
    through = [
        field.remote_field.through
        for model in ordered
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    ]
    tables, seen = [], set()
    for model in [*ordered, *through]:
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        if meta.db_table in REBUILT_BY_DJANGO:
            continue
        seen.add(meta.db_table)
        tables.append((meta.db_table, meta.pk.column))
    return tuple(tables)


def _read(table: str, pk: str, skip: frozenset = frozenset()) -> Rows | None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")  # noqa: S608
        columns = tuple(d[0] for d in cursor.description)
        at = columns.index(pk)
        rows = tuple(row for row in cursor.fetchall() if row[at] not in skip)
    return Rows(table, columns, rows) if rows else None


def _keys(table: str, pk: str) -> frozenset:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(pk)} FROM {quote(table)}")  # noqa: S608
        return frozenset(row[0] for row in cursor.fetchall())


def _plain(value):
    # JSON columns come back parsed on some drivers; the INSERT wants their text.
    return json.dumps(value) if isinstance(value, dict | list) else value


def _write(snapshot: tuple[Rows, ...]) -> None:
    """One transaction (a savepoint inside a test's), so deferred foreign keys see all rows."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for part in snapshot:
            columns = ", ".join(quote(c) for c in part.columns)
            marks = ", ".join(["%s"] * len(part.columns))
            cursor.executemany(
                f"INSERT INTO {quote(part.table)} ({columns}) VALUES ({marks})",  # noqa: S608
                [tuple(_plain(v) for v in row) for row in part.rows],
            )


def take() -> None:
    """Read the baseline, load the demo, read what it added, roll the load back."""
    tables = _tables()
    baseline, before = [], {}
    for table, pk in tables:
        before[table] = _keys(table, pk)
        if rows := _read(table, pk):
            baseline.append(rows)
    demo = []
    with transaction.atomic():
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        for table, pk in tables:
            if rows := _read(table, pk, skip=before[table]):
                demo.append(rows)
        transaction.set_rollback(True)
    SNAPSHOT.baseline, SNAPSHOT.demo, SNAPSHOT.taken = tuple(baseline), tuple(demo), True


def restore_demo() -> None:
    """The demo's rows, as `load_demo` left them, in the current transaction."""
    if not SNAPSHOT.taken:
        raise RuntimeError("the demo snapshot is taken in conftest's django_db_setup")
    if not _baseline_present():
        restore_baseline()
    _write(SNAPSHOT.demo)


def _empty(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
        return cursor.fetchone() is None


def _baseline_present() -> bool:
    return not any(_empty(part.table) for part in SNAPSHOT.baseline)


def restore_baseline() -> None:
    """The migrations' rows, into tables a flush emptied (tables that are not empty are left)."""
    if SNAPSHOT.taken:
        _write(tuple(part for part in SNAPSHOT.baseline if _empty(part.table)))
