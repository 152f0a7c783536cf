"""Fixtures for the actual-spend tests: a programme of a named council with two stages and a
cost line each, the council's column mapping, its cost centres, and `upload(text)`."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from core.history import acting_user
from reserves.actuals import services
from reserves.models import CostLine, LedgerImport
from stages.models import Stage
from tests.reserves.factories import ProgrammeFactory, ReserveFactory

HEADER = "Trans Ref,Posting Date,Cost Centre,Subjective,Amount,Supplier,Supplier Type,Narrative,VAT"


@pytest.fixture
def council_programme(db, admin_user):
    return make_council_programme(admin_user)


def make_council_programme(admin_user):
    """Testshire Council's programme: stages 1 and 2, a cost line funding each."""
    reserve = ReserveFactory(name="Financial Resilience earmarked reserve")
    programme = ProgrammeFactory(
        name="Digital", slug="digital", funding_reserve=reserve, council="Testshire Council"
    )
    with acting_user(admin_user):
        one = Stage.objects.create(programme=programme, number=1, name="Diagnostics")
        two = Stage.objects.create(programme=programme, number=2, name="Design")
        line_one = CostLine.objects.create(
            programme=programme, label="Diagnostics", financial_year="2022/23", amount="150000"
        )
        line_one.stages.add(one)
        line_two = CostLine.objects.create(
            programme=programme, label="Implementation", financial_year="2023/24", amount="340000"
        )
        line_two.stages.add(two)
    programme.stage_one, programme.stage_two = one, two
    programme.line_one, programme.line_two = line_one, line_two
    return programme


@pytest.fixture
def mapped(council_programme, finance):
    """The council's columns (HEADER) and two cost centres: DT100 → stage 1, DT200 → stage 2."""
    services.ledger_mapping_save(
        actor=finance,
        council=council_programme.council,
        data={
            "reference_column": "Trans Ref",
            "posting_date_column": "Posting Date",
            "cost_centre_column": "Cost Centre",
            "account_code_column": "Subjective",
            "amount_column": "Amount",
            "supplier_column": "Supplier",
            "supplier_type_column": "Supplier Type",
            "description_column": "Narrative",
            "vat_column": "VAT",
            "date_format": "dmy",
        },
    )
    p = council_programme
    for centre, stage, line, area in (
        ("DT100", p.stage_one, p.line_one, "Customer Services"),
        ("DT200", p.stage_two, p.line_two, "Digital"),
    ):
        services.cost_centre_mapping_save(
            actor=finance,
            programme=p,
            data={
                "cost_centre": centre,
                "account_code": "",
                "stage": stage,
                "cost_line": line,
                "service_area": area,
            },
        )
    return p


def csv_bytes(rows, *, header=HEADER, encoding="utf-8-sig") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


@pytest.fixture
def upload(mapped, finance, django_capture_on_commit_callbacks):
    """`upload(rows or bytes)` → the LedgerImport after checking (tasks run eagerly here)."""

    def make(content, *, name="ledger.csv", actor=None):
        data = content if isinstance(content, bytes) else csv_bytes(content)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            row = services.ledger_import_upload(
                actor=actor or finance,
                programme=mapped,
                uploaded_file=SimpleUploadedFile(name, data, content_type="text/csv"),
            )
        return LedgerImport.objects.get(pk=row.pk)

    return make


@pytest.fixture
def confirm(finance, django_capture_on_commit_callbacks):
    def make(row):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            services.ledger_import_confirm(actor=finance, ledger_import=row)
        return LedgerImport.objects.get(pk=row.pk)

    return make


def money(text) -> Decimal:
    return Decimal(text)
