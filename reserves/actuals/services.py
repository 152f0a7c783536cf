"""Writes for actual spend: the column mapping, the cost-centre mapping, ledger imports
(upload → check in the background → Finance confirms → apply in one transaction) and the
officer's forecast to complete.

An import is a database row written with the upload; the Celery task takes its id and claims
the row (queued → checking, confirmed → applying) as report runs are claimed, so a message
delivered twice does the work once and a worker that dies leaves a row another may take over.
Checking streams the file into a working table; applying is one transaction, all or nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.access import Capability, require
from core.dates import govuk_date
from core.history import acting_user
from core.money import ZERO, to_money
from core.names import person_name
from programme.celery import app as celery_app
from programme.models import Programme
from stages.models import Stage
from stages.services import Outturn, outturn_exceptions_raise

from ..models import (
    CostCentreMapping,
    LedgerChange,
    LedgerImport,
    LedgerMapping,
    LedgerStagingRow,
    LedgerTransaction,
    StageForecast,
)
from ..models_actuals import COST_CENTRE_FIELDS, FORECAST_FIELDS, MAPPING_FIELDS
from . import parsing
from .selectors import programme_actuals

logger = logging.getLogger(__name__)

CHECK_TASK = "reserves.tasks.check_ledger_import"
APPLY_TASK = "reserves.tasks.apply_ledger_import"
STALE_RUNNING_SECONDS = int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 600)) + 60
SWEEP_AFTER_SECONDS = 120
CONNECTION_WAIT_SECONDS = settings.BROKER_TIMEOUT_SECONDS / 4  # seconds (a duration, not money)
# The largest export accepted (bytes): 200,000 rows are about 25 MB; a 200 MB file is refused
# at the upload with a message rather than tying a worker up.
MAX_FILE_BYTES = int(getattr(settings, "LEDGER_IMPORT_MAX_BYTES", 100 * 1024 * 1024))
BATCH = 2000
ERRORS_KEPT = 500
CHANGES_SHOWN = 50


# The column mapping and the cost-centre mapping ----------------------------------------------


def ledger_mapping_save(*, actor, council: str, data: dict) -> LedgerMapping:
    """Create or change the council's column mapping."""
    require(actor, Capability.IMPORT_ACTUALS)
    if not council:
        raise ValidationError(
            {"council": "The programme names no council: add it to the programme record first."}
        )
    with transaction.atomic(), acting_user(actor):
        mapping = LedgerMapping.objects.select_for_update().filter(council=council).first()
        mapping = mapping or LedgerMapping(council=council)
        for name in MAPPING_FIELDS:
            if name in data:
                setattr(mapping, name, (data[name] or "").strip())
        mapping.full_clean()
        columns = [getattr(mapping, n).lower() for n in MAPPING_FIELDS if n != "date_format"]
        named = [c for c in columns if c]
        if len(named) != len(set(named)):
            raise ValidationError({None: "Each column may be named once only."})
        mapping.save()
    return mapping


def cost_centre_mapping_save(
    *, actor, programme: Programme, data: dict, mapping: CostCentreMapping | None = None
) -> CostCentreMapping:
    require(actor, Capability.IMPORT_ACTUALS)
    mapping = mapping or CostCentreMapping(programme=programme)
    stage, cost_line = data.get("stage"), data.get("cost_line")
    errors = {}
    if stage is not None and stage.programme_id != programme.pk:
        errors["stage"] = "Choose a stage of this programme."
    if cost_line is not None and cost_line.programme_id != programme.pk:
        errors["cost_line"] = "Choose a cost line of this programme."
    if (
        stage is not None
        and cost_line is not None
        and not cost_line.stages.filter(pk=stage.pk).exists()
    ):
        errors["cost_line"] = "This cost line does not fund the stage chosen."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_user(actor):
        for name in COST_CENTRE_FIELDS:
            value = data.get(name)
            if name in ("cost_centre", "account_code", "service_area"):
                value = (value or "").strip()
            setattr(mapping, name, value)
        mapping.full_clean()
        mapping.save()
    return mapping


def cost_centre_mapping_delete(*, actor, mapping: CostCentreMapping) -> None:
    require(actor, Capability.IMPORT_ACTUALS)
    with transaction.atomic(), acting_user(actor):
        mapping.delete()


def stage_forecast_save(*, actor, stage: Stage, data: dict) -> StageForecast:
    """The officer's forecast of what the stage still needs to spend."""
    require(actor, Capability.UPDATE_STAGES)
    with transaction.atomic(), acting_user(actor):
        forecast = StageForecast.objects.select_for_update().filter(stage=stage).first()
        forecast = forecast or StageForecast(stage=stage)
        for name in FORECAST_FIELDS:
            setattr(forecast, name, data.get(name))
        forecast.note = forecast.note or ""
        forecast.recorded_by = actor
        forecast.recorded_at = timezone.now()
        forecast.full_clean()
        forecast.save()
        raise_outturn_exceptions(programme=stage.programme, actor=actor)
    return forecast


def raise_outturn_exceptions(*, programme: Programme, actor) -> list:
    """Hand each stage's forecast outturn to the stages service, which raises a cost exception
    where one breaks its tolerance or the programme's outturn passes the ceiling (issue 14)."""
    actuals = programme_actuals(programme)
    outturns = {
        s.stage_id: Outturn(
            actual=s.actual,
            committed_not_spent=s.committed_not_spent,
            forecast_to_complete=s.forecast_to_complete,
            forecast_given=s.has_forecast,
        )
        for s in actuals.stages
        if s.stage_id is not None
    }
    return outturn_exceptions_raise(
        actor=actor, programme=programme, outturns=outturns, programme_total=actuals.outturn
    )


# Uploading ---------------------------------------------------------------------------------


def mapping_for(programme: Programme) -> LedgerMapping | None:
    return LedgerMapping.objects.filter(council=programme.council).first()


def ledger_import_upload(
    *, actor, programme: Programme, uploaded_file, send: bool = True
) -> LedgerImport:
    """Keep the file (through storage) and its digest, and queue it to be checked.

    The same file (by SHA-256) cannot be in two live imports of a programme: the database's
    unique constraint lets one of two simultaneous uploads in and the other is told."""
    require(actor, Capability.IMPORT_ACTUALS)
    mapping = mapping_for(programme)
    if mapping is None:
        raise ValidationError(
            {"file": "Set up the columns of your council's ledger export before importing."}
        )
    if uploaded_file is None:
        raise ValidationError({"file": "Choose a CSV file to import."})
    if uploaded_file.size == 0:
        raise ValidationError({"file": "The file is empty."})
    if uploaded_file.size > MAX_FILE_BYTES:
        raise ValidationError(
            {
                "file": f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: "
                "export fewer months at a time."
            }
        )
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    digest = digest.hexdigest()
    existing = _live_import_of(programme, digest)
    if existing is not None:
        raise ValidationError({"file": _already_message(existing)})
    uploaded_file.seek(0)
    name = default_storage.save(
        f"ledger-imports/{timezone.now():%Y/%m}/{digest[:16]}.csv", uploaded_file
    )
    try:
        with transaction.atomic(), acting_user(actor):
            ledger_import = LedgerImport.objects.create(
                programme=programme,
                file=name,
                original_name=os.path.basename(uploaded_file.name or "ledger.csv")[:255],
                digest=digest,
                size=uploaded_file.size,
                mapping=mapping.as_parser_mapping(),
                uploaded_by=actor,
            )
            if send:
                transaction.on_commit(
                    partial(import_send, ledger_import.pk, CHECK_TASK), robust=True
                )
    except IntegrityError as exc:
        default_storage.delete(name)
        existing = _live_import_of(programme, digest)
        raise ValidationError(
            {"file": _already_message(existing) if existing else "This file is being imported."}
        ) from exc
    return ledger_import


def _live_import_of(programme, digest) -> LedgerImport | None:
    return (
        LedgerImport.objects.filter(
            programme=programme, digest=digest, status__in=LedgerImport.HOLDS_DIGEST
        )
        .select_related("uploaded_by")
        .first()
    )


def _already_message(existing: LedgerImport) -> str:
    who = person_name(existing.uploaded_by)
    when = govuk_date(timezone.localtime(existing.created_at))
    if existing.status == LedgerImport.Status.DONE:
        return f"This file was already imported (import {existing.pk}, by {who} on {when})."
    return f"This file is already being imported (import {existing.pk}, by {who} on {when})."


def import_send(import_id: int, task_name: str) -> bool:
    """Give the import to the workers; without a broker, do the work here."""
    if celery_app.conf.task_always_eager:
        (ledger_import_check if task_name == CHECK_TASK else ledger_import_apply)(
            import_id=import_id
        )
        return True
    try:
        with celery_app.pool.acquire(block=True, timeout=CONNECTION_WAIT_SECONDS) as conn:
            celery_app.send_task(task_name, args=[import_id], connection=conn)
    except Exception as exc:  # kombu/redis/socket errors all mean "not sent this time"
        logger.warning("Ledger import %s not sent (%s); the sweep will retry.", import_id, exc)
        return False
    return True


def ledger_import_sweep(*, older_than_seconds: int = SWEEP_AFTER_SECONDS) -> int:
    """Send again imports still waiting (the broker was away) and those whose worker died."""
    now = timezone.now()
    sent = 0
    waiting = {LedgerImport.Status.QUEUED: CHECK_TASK, LedgerImport.Status.CONFIRMED: APPLY_TASK}
    running = {LedgerImport.Status.CHECKING: CHECK_TASK, LedgerImport.Status.APPLYING: APPLY_TASK}
    for row in LedgerImport.objects.filter(status__in=[*waiting, *running]).values(
        "pk", "status", "created_at", "confirmed_at", "started_at"
    ):
        if row["status"] in waiting:
            since = row["confirmed_at"] or row["created_at"]
            if since >= now - timedelta(seconds=older_than_seconds):
                continue
            task = waiting[row["status"]]
        else:
            if row["started_at"] and row["started_at"] >= now - timedelta(
                seconds=STALE_RUNNING_SECONDS
            ):
                continue
            task = running[row["status"]]
        if not import_send(row["pk"], task):
            break
        sent += 1
    return sent


# Claiming ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    import_id: int
    started_at: object


def _claim(import_id: int, waiting: str, working: str, take_over: bool) -> Claim | None:
    """waiting → working, or take over a `working` row whose worker died; None if not ours."""
    now = timezone.now()
    with transaction.atomic():
        row = LedgerImport.objects.select_for_update().filter(pk=import_id).first()
        if row is None:
            return None
        stale = row.status == working and (
            take_over
            or row.started_at is None
            or row.started_at < now - timedelta(seconds=STALE_RUNNING_SECONDS)
        )
        if row.status != waiting and not stale:
            return None
        with acting_user(row.confirmed_by or row.uploaded_by):
            row.status = working
            row.started_at = now
            row.save(update_fields=["status", "started_at"])
        return Claim(import_id=row.pk, started_at=now)


def _locked_if_still_ours(claim: Claim, working: str) -> LedgerImport | None:
    row = LedgerImport.objects.select_for_update(of=("self",)).get(pk=claim.import_id)
    if row.status != working or row.started_at != claim.started_at:
        return None
    return row


def _pause_for_fault_tests() -> None:
    # LEDGER_TEST_DELAY_SECONDS (whole seconds; unset in production) holds a claimed import
    # for that long, so the fault tests can kill the worker in the middle.
    delay = os.environ.get("LEDGER_TEST_DELAY_SECONDS")
    if delay:
        time.sleep(int(delay))  # whole seconds, read from the environment


# Checking ----------------------------------------------------------------------------------


def _cost_centre_lookup(programme_id: int):
    """(cost centre, code) → (stage id, cost line id), exact code first, then the centre."""
    table = {
        (m.cost_centre, m.account_code): (m.stage_id, m.cost_line_id)
        for m in CostCentreMapping.objects.filter(programme_id=programme_id)
    }

    def find(cost_centre: str, account_code: str):
        return table.get((cost_centre, account_code)) or table.get((cost_centre, ""))

    return find


def _open(row: LedgerImport):
    return default_storage.open(row.file.name, "rb")


def ledger_import_check(*, import_id: int, take_over: bool = False) -> str:
    """Read the file, stage its good rows and count what would change: "ready", "rejected",
    "failed", or "skipped" when it is not ours to do."""
    claim = _claim(import_id, LedgerImport.Status.QUEUED, LedgerImport.Status.CHECKING, take_over)
    if claim is None:
        return "skipped"
    _pause_for_fault_tests()
    row = LedgerImport.objects.get(pk=import_id)
    # A worker that died part-way left some rows staged: start again from none.
    LedgerStagingRow.objects.filter(ledger_import_id=import_id).delete()
    try:
        result = _check(row)
    except parsing.FileProblem as exc:
        return _finish_check(claim, rejected=str(exc))
    except Exception as exc:  # any failure must end as a readable "failed", never "checking"
        logger.exception("Ledger import %s failed while being checked", import_id)
        LedgerStagingRow.objects.filter(ledger_import_id=import_id).delete()
        return _finish_check(claim, failed=f"The file could not be read ({type(exc).__name__}).")
    return _finish_check(claim, result=result)


def _check(row: LedgerImport) -> dict:
    find = _cost_centre_lookup(row.programme_id)
    errors: list[dict] = []
    error_count = 0
    batch: list[tuple] = []
    read = 0
    total = ZERO
    handle = _open(row)
    try:
        encoding = parsing.detect_encoding(handle)
        rows_total = parsing.count_rows(handle, encoding)
        if rows_total == 0:
            raise parsing.FileProblem(
                "The file has a header row but no transactions: nothing to import."
            )
        LedgerImport.objects.filter(pk=row.pk).update(rows_total=rows_total, encoding=encoding)
        last_line = None
        for item in parsing.parse_rows(
            handle, encoding, row.mapping, lambda cc, code: find(cc, code) is not None
        ):
            if item.row_number != last_line:
                last_line = item.row_number
                read += 1
            if isinstance(item, parsing.RowProblem):
                error_count += 1
                if len(errors) < ERRORS_KEPT:
                    errors.append(
                        {"row": item.row_number, "field": item.field, "message": item.message}
                    )
                continue
            stage_id, cost_line_id = find(item.cost_centre, item.account_code)
            total += item.amount
            batch.append(
                (
                    row.pk,
                    item.row_number,
                    item.reference,
                    item.posting_date,
                    item.cost_centre,
                    item.account_code,
                    item.amount,
                    item.vat,
                    item.supplier,
                    item.supplier_is_individual,
                    item.description,
                    stage_id,
                    cost_line_id,
                )
            )
            if len(batch) >= BATCH:
                _stage(batch)
                batch = []
                LedgerImport.objects.filter(pk=row.pk).update(rows_read=read)
        if batch:
            _stage(batch)
        LedgerImport.objects.filter(pk=row.pk).update(rows_read=read)
    finally:
        handle.close()
    duplicates, duplicate_count = _duplicates(row.pk)
    error_count += duplicate_count
    errors = sorted(errors + duplicates[: max(0, ERRORS_KEPT - len(errors))], key=_error_order)
    return {
        "encoding": encoding,
        "rows_total": rows_total,
        "rows_read": read,
        "errors": errors,
        "error_count": error_count,
        "file_total": total,
    }


_STAGING_COLUMNS = (
    "ledger_import_id",
    "row_number",
    "reference",
    "posting_date",
    "cost_centre",
    "account_code",
    "amount",
    "vat",
    "supplier",
    "supplier_is_individual",
    "description",
    "stage_id",
    "cost_line_id",
)


def _stage(rows: list[tuple]) -> None:
    """Write checked rows to the working table: PostgreSQL's COPY (a 200,000-row file spends
    most of its time here, and COPY is several times faster than INSERT), else bulk_create."""
    if connection.vendor == "postgresql":
        table = LedgerStagingRow._meta.db_table
        with connection.cursor() as cursor:
            statement = f"COPY {table} ({', '.join(_STAGING_COLUMNS)}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for values in rows:
                    copy.write_row(values)
        return
    LedgerStagingRow.objects.bulk_create(
        LedgerStagingRow(**dict(zip(_STAGING_COLUMNS, values, strict=True))) for values in rows
    )


def _error_order(error: dict):
    return (error["row"], error["field"])


def _duplicates(import_id: int) -> tuple[list[dict], int]:
    """Every row whose reference an earlier row of the same file already used."""
    staging = LedgerStagingRow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.row_number, s.reference, f.first_row FROM {staging} s
            JOIN (SELECT reference, MIN(row_number) AS first_row FROM {staging}
                  WHERE ledger_import_id = %s GROUP BY reference HAVING COUNT(*) > 1) f
              ON f.reference = s.reference
            WHERE s.ledger_import_id = %s AND s.row_number <> f.first_row
            ORDER BY s.row_number
            """,  # noqa: S608 - table names from the models, values as parameters
            [import_id, import_id],
        )
        found = cursor.fetchall()
    return [
        {
            "row": number,
            "field": "reference",
            "message": f"reference {reference} is also on row {first}: duplicate in this file",
        }
        for number, reference, first in found[:ERRORS_KEPT]
    ], len(found)


_DIFFERS = " OR ".join(
    f"s.{c} IS DISTINCT FROM t.{c}"
    for c in (
        "posting_date",
        "cost_centre",
        "account_code",
        "amount",
        "vat",
        "supplier",
        "supplier_is_individual",
        "description",
        "stage_id",
        "cost_line_id",
    )
)


def _differences(import_id: int, programme_id: int) -> dict:
    staging = LedgerStagingRow._meta.db_table
    ledger = LedgerTransaction._meta.db_table
    join = (
        f"FROM {staging} s LEFT JOIN {ledger} t "
        "ON t.programme_id = %s AND t.reference = s.reference WHERE s.ledger_import_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), "  # noqa: S608
            f"SUM(CASE WHEN t.id IS NOT NULL AND ({_DIFFERS}) THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN t.id IS NOT NULL AND NOT ({_DIFFERS}) THEN 1 ELSE 0 END) {join}",
            [programme_id, import_id],
        )
        new, changed, unchanged = (n or 0 for n in cursor.fetchone())
        cursor.execute(
            f"SELECT s.reference, t.posting_date, s.posting_date, t.cost_centre, "  # noqa: S608
            f"s.cost_centre, t.amount, s.amount {join} AND t.id IS NOT NULL AND ({_DIFFERS}) "
            f"ORDER BY s.row_number LIMIT {CHANGES_SHOWN}",
            [programme_id, import_id],
        )
        shown = [
            {
                "reference": ref,
                "old_date": old_d.isoformat() if hasattr(old_d, "isoformat") else str(old_d),
                "new_date": new_d.isoformat() if hasattr(new_d, "isoformat") else str(new_d),
                "old_cost_centre": old_cc,
                "new_cost_centre": new_cc,
                "old_amount": str(to_money(str(old_a))),
                "new_amount": str(to_money(str(new_a))),
            }
            for ref, old_d, new_d, old_cc, new_cc, old_a, new_a in cursor.fetchall()
        ]
    return {"new": new, "changed": changed, "unchanged": unchanged, "shown": shown}


def _finish_check(claim, *, result=None, rejected="", failed="") -> str:
    with transaction.atomic():
        row = _locked_if_still_ours(claim, LedgerImport.Status.CHECKING)
        if row is None:
            return "skipped"
        row.refresh_from_db()
        row.finished_at = row.checked_at = timezone.now()
        if result is not None:
            row.encoding = result["encoding"]
            row.rows_total = result["rows_total"]
            row.rows_read = result["rows_read"]
            row.errors = result["errors"]
            row.error_count = result["error_count"]
            row.file_total = result["file_total"]
        if result is not None and not result["error_count"]:
            changes = _differences(row.pk, row.programme_id)
            row.new_count, row.changed_count = changes["new"], changes["changed"]
            row.unchanged_count, row.changes = changes["unchanged"], changes["shown"]
            row.status = LedgerImport.Status.READY
            row.finished_at = None
        elif result is not None:
            row.status = LedgerImport.Status.REJECTED
            row.error = (
                f"{result['error_count']} problem{'s' if result['error_count'] != 1 else ''} "
                "in the file: nothing was imported. Correct the rows below and upload it again."
            )
        else:
            row.status = LedgerImport.Status.REJECTED if rejected else LedgerImport.Status.FAILED
            row.error = rejected or failed
        with acting_user(row.uploaded_by):
            row.save()
        if row.status != LedgerImport.Status.READY:
            LedgerStagingRow.objects.filter(ledger_import_id=row.pk).delete()
    return row.status


# Confirming and applying ---------------------------------------------------------------------


def ledger_import_confirm(*, actor, ledger_import: LedgerImport, send: bool = True) -> LedgerImport:
    """Finance has seen what the file changes and confirms it: queue it to be applied."""
    require(actor, Capability.IMPORT_ACTUALS)
    with transaction.atomic(), acting_user(actor):
        row = LedgerImport.objects.select_for_update().get(pk=ledger_import.pk)
        if row.status != LedgerImport.Status.READY:
            raise ValidationError(
                {None: f"This import cannot be confirmed: it is {row.get_status_display()}."}
            )
        row.status = LedgerImport.Status.CONFIRMED
        row.confirmed_by = actor
        row.confirmed_at = timezone.now()
        row.save()
        if send:
            transaction.on_commit(partial(import_send, row.pk, APPLY_TASK), robust=True)
    return row


def ledger_import_discard(*, actor, ledger_import: LedgerImport) -> LedgerImport:
    """Finance decides not to import a checked file."""
    require(actor, Capability.IMPORT_ACTUALS)
    with transaction.atomic(), acting_user(actor):
        row = LedgerImport.objects.select_for_update().get(pk=ledger_import.pk)
        if row.status != LedgerImport.Status.READY:
            raise ValidationError(
                {None: f"This import cannot be discarded: it is {row.get_status_display()}."}
            )
        row.status = LedgerImport.Status.DISCARDED
        row.finished_at = timezone.now()
        row.save()
        LedgerStagingRow.objects.filter(ledger_import_id=row.pk).delete()
    return row


_COLUMNS = (
    "posting_date",
    "cost_centre",
    "account_code",
    "amount",
    "vat",
    "supplier",
    "supplier_is_individual",
    "description",
    "stage_id",
    "cost_line_id",
)


def ledger_import_apply(*, import_id: int, take_over: bool = False) -> str:
    """Write a confirmed import's rows in one transaction: "done", "failed" or "skipped"."""
    claim = _claim(
        import_id, LedgerImport.Status.CONFIRMED, LedgerImport.Status.APPLYING, take_over
    )
    if claim is None:
        return "skipped"
    _pause_for_fault_tests()
    try:
        return _apply(claim)
    except Exception as exc:
        logger.exception("Ledger import %s failed while being applied", import_id)
        return _fail_apply(claim, f"The import could not be applied ({type(exc).__name__}).")


def _apply(claim: Claim) -> str:
    staging = LedgerStagingRow._meta.db_table
    ledger = LedgerTransaction._meta.db_table
    changes = LedgerChange._meta.db_table
    with transaction.atomic():
        row = _locked_if_still_ours(claim, LedgerImport.Status.APPLYING)
        if row is None:
            return "skipped"
        # One import applies at a time per programme; a file checked before another was
        # applied may now change different rows than Finance saw: refuse it.
        programme = Programme.objects.select_for_update().filter(pk=row.programme_id).first()
        later = LedgerImport.objects.filter(
            programme_id=row.programme_id,
            status=LedgerImport.Status.DONE,
            finished_at__gt=row.checked_at,
        ).first()
        if later is not None:
            row.status = LedgerImport.Status.FAILED
            row.error = (
                f"Import {later.pk} was applied after this file was checked, so what it would "
                "change may differ from what you confirmed. Upload the file again to check it."
            )
            row.finished_at = timezone.now()
            with acting_user(row.confirmed_by):
                row.save(update_fields=["status", "error", "finished_at"])
            LedgerStagingRow.objects.filter(ledger_import_id=row.pk).delete()
            return "failed"
        params = [row.programme_id, row.pk]
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {changes} (ledger_import_id, reference, old_posting_date,
                    new_posting_date, old_cost_centre, new_cost_centre, old_amount, new_amount)
                SELECT s.ledger_import_id, s.reference, t.posting_date, s.posting_date,
                       t.cost_centre, s.cost_centre, t.amount, s.amount
                FROM {staging} s JOIN {ledger} t
                  ON t.programme_id = %s AND t.reference = s.reference
                WHERE s.ledger_import_id = %s AND ({_DIFFERS})""",  # noqa: S608
                params,
            )
            columns = ", ".join(_COLUMNS)
            updates = ", ".join(f"{c} = excluded.{c}" for c in (*_COLUMNS, "last_import_id"))
            differs = " OR ".join(f"{ledger}.{c} IS DISTINCT FROM excluded.{c}" for c in _COLUMNS)
            cursor.execute(
                f"""INSERT INTO {ledger} (programme_id, reference, {columns},
                    first_import_id, last_import_id)
                SELECT %s, s.reference, {", ".join("s." + c for c in _COLUMNS)}, %s, %s
                FROM {staging} s WHERE s.ledger_import_id = %s
                ON CONFLICT (programme_id, reference) DO UPDATE SET {updates}
                WHERE {differs}""",  # noqa: S608
                [row.programme_id, row.pk, row.pk, row.pk],
            )
        LedgerStagingRow.objects.filter(ledger_import_id=row.pk).delete()
        raise_outturn_exceptions(programme=programme, actor=row.confirmed_by)
        row.status = LedgerImport.Status.DONE
        row.finished_at = timezone.now()
        with acting_user(row.confirmed_by):
            row.save(update_fields=["status", "finished_at"])
    return "done"


def _fail_apply(claim: Claim, message: str) -> str:
    with transaction.atomic():
        row = _locked_if_still_ours(claim, LedgerImport.Status.APPLYING)
        if row is None:
            return "skipped"
        row.status = LedgerImport.Status.FAILED
        row.error = message
        row.finished_at = timezone.now()
        with acting_user(row.confirmed_by):
            row.save(update_fields=["status", "error", "finished_at"])
        LedgerStagingRow.objects.filter(ledger_import_id=row.pk).delete()
    return "failed"
