"""Ledger imports: all or nothing, idempotent by reference, changes shown before Finance
confirms, every import a recorded event with its file kept in storage."""

import hashlib
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from reserves.actuals import services
from reserves.models import LedgerChange, LedgerImport, LedgerStagingRow, LedgerTransaction

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db

GOOD = [
    "GL-1,19/07/2022,DT100,5001,£1000.00,Acme Ltd,Company,Discovery workshops,0",
    'GL-2,03/08/2022,DT100,5001,"£2,500.50",Jane Smith,Individual,Interviews,0',
    "GL-3,14/04/2023,DT200,5001,300.00,Acme Ltd,Company,Design sprint,0",
]


def _ledger():
    return {t.reference: t.amount for t in LedgerTransaction.objects.all()}


def test_a_good_file_is_checked_then_applied_only_when_finance_confirms(upload, confirm, finance):
    row = upload(GOOD)
    assert row.status == "ready", (row.error, row.errors)
    assert (row.rows_total, row.rows_read, row.new_count) == (3, 3, 3)
    assert row.file_total == Decimal("3800.50")
    assert LedgerTransaction.objects.count() == 0  # nothing until confirmed
    row = confirm(row)
    assert row.status == "done"
    assert row.confirmed_by == finance
    assert _ledger() == {
        "GL-1": Decimal("1000.00"),
        "GL-2": Decimal("2500.50"),
        "GL-3": Decimal("300.00"),
    }
    assert LedgerStagingRow.objects.count() == 0
    # A recorded event: who, the digest of exactly these bytes, the file kept in storage.
    data = csv_bytes(GOOD)
    assert row.digest == hashlib.sha256(data).hexdigest()
    assert row.uploaded_by == finance
    with default_storage.open(row.file.name, "rb") as handle:
        assert handle.read() == data
    assert [h.status for h in row.history.order_by("history_id")][-1] == "done"


def test_a_bad_last_row_leaves_nothing(upload):
    row = upload([*GOOD, "GL-4,19/07/2022,DT100,5001,not money,X,Company,x,0"])
    assert row.status == "rejected"
    assert row.errors == [
        {"row": 5, "field": "amount", "message": "“not money” is not an amount of money"}
    ]
    assert LedgerTransaction.objects.count() == 0
    assert LedgerStagingRow.objects.count() == 0
    with pytest.raises(ValidationError):
        services.ledger_import_confirm(actor=row.uploaded_by, ledger_import=row)


def test_every_kind_of_bad_row_is_reported_with_its_row_and_reason(upload):
    row = upload(
        [
            "GL-1,19/07/2022,ZZ999,5001,10,X,Company,x,0",
            "GL-2,2022-07-19,DT100,5001,10,X,Company,x,0",
            "GL-3,19/07/2022,DT100,5001,1O0,X,Company,x,0",
            "GL-4,19/07/2022,DT100,5001,10,X,Company,x,0",
            "GL-4,20/07/2022,DT100,5001,11,X,Company,x,0",
        ]
    )
    assert row.status == "rejected"
    found = {(e["row"], e["field"]) for e in row.errors}
    assert found == {(2, "cost_centre"), (3, "posting_date"), (4, "amount"), (6, "reference")}
    assert "duplicate in this file" in row.errors[-1]["message"]
    assert row.error_count == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (csv_bytes([]), "header row but no transactions"),
        (b"\r\n\r\n", "empty"),
        (b"Reference,Posted,Centre,Value\r\nA,19/07/2022,DT100,1\r\n", "does not have the columns"),
    ],
)
def test_an_empty_file_a_header_only_file_and_another_councils_file_are_refused(
    upload, data, message
):
    row = upload(data)
    assert row.status == "rejected"
    assert message in row.error
    assert LedgerTransaction.objects.count() == 0


def test_a_zero_byte_file_and_a_too_large_file_are_refused_at_the_upload(
    mapped, finance, monkeypatch
):
    with pytest.raises(ValidationError, match="empty"):
        services.ledger_import_upload(
            actor=finance, programme=mapped, uploaded_file=SimpleUploadedFile("a.csv", b"")
        )
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValidationError, match="larger than"):
        services.ledger_import_upload(
            actor=finance, programme=mapped, uploaded_file=SimpleUploadedFile("a.csv", b"x" * 101)
        )
    assert LedgerImport.objects.count() == 0


def test_the_same_file_twice_is_refused_and_counted_once(upload, confirm):
    confirm(upload(GOOD))
    with pytest.raises(ValidationError, match="already imported"):
        upload(GOOD)
    assert LedgerTransaction.objects.count() == 3


def test_overlapping_files_count_each_transaction_once(upload, confirm):
    confirm(upload(GOOD[:2]))
    second = upload(GOOD[1:])  # GL-2 again, GL-3 new
    assert (second.new_count, second.unchanged_count, second.changed_count) == (1, 1, 0)
    confirm(second)
    assert sum(_ledger().values()) == Decimal("3800.50")
    assert LedgerChange.objects.count() == 0


def test_a_corrected_file_shows_what_changes_before_it_replaces_anything(upload, confirm):
    confirm(upload(GOOD))
    corrected = [GOOD[0], GOOD[1].replace('"£2,500.50"', '"£2,050.50"'), GOOD[2]]
    row = upload(corrected)
    assert (row.new_count, row.changed_count, row.unchanged_count) == (0, 1, 2)
    assert row.changes == [
        {
            "reference": "GL-2",
            "old_date": "2022-08-03",
            "new_date": "2022-08-03",
            "old_cost_centre": "DT100",
            "new_cost_centre": "DT100",
            "old_amount": "2500.50",
            "new_amount": "2050.50",
        }
    ]
    assert _ledger()["GL-2"] == Decimal("2500.50")  # not yet
    confirm(row)
    assert _ledger()["GL-2"] == Decimal("2050.50")
    change = LedgerChange.objects.get()
    assert (change.old_amount, change.new_amount, change.ledger_import_id) == (
        Decimal("2500.50"),
        Decimal("2050.50"),
        row.pk,
    )


def test_a_file_checked_before_another_was_applied_must_be_checked_again(upload, confirm):
    first = upload(GOOD[:1])
    second = upload(GOOD[1:])
    confirm(first)
    second = confirm(second)
    assert second.status == "failed"
    assert "Upload the file again" in second.error
    assert set(_ledger()) == {"GL-1"}


def test_officers_and_cabinet_cannot_import(mapped, officer, cabinet):
    for user in (officer, cabinet):
        with pytest.raises(PermissionDenied):
            services.ledger_import_upload(
                actor=user,
                programme=mapped,
                uploaded_file=SimpleUploadedFile("a.csv", csv_bytes(GOOD)),
            )
    assert LedgerImport.objects.count() == 0


def test_a_message_delivered_twice_checks_the_file_once(upload):
    row = upload(GOOD)
    assert services.ledger_import_check(import_id=row.pk) == "skipped"
    assert LedgerStagingRow.objects.filter(ledger_import_id=row.pk).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_the_same_file_at_once_one_wins_and_the_other_is_told(mapped, finance):
    from programme.celery import app

    app.conf.task_always_eager = False  # the uploads only; no broker needed to refuse one
    data = csv_bytes(GOOD)
    barrier = threading.Barrier(2)
    outcomes = []

    def go():
        try:
            barrier.wait()
            with transaction.atomic():
                services.ledger_import_upload(
                    actor=finance,
                    programme=mapped,
                    uploaded_file=SimpleUploadedFile("a.csv", data),
                )
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0].startswith("This file is already being imported") or (
        sorted(outcomes)[0].startswith("This file")
    ), outcomes
    assert outcomes.count("ok") == 1
    assert LedgerImport.objects.count() == 1
