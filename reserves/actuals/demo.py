"""The actual-spend part of `load_demo`: an illustrative ledger for the seed programme.

The decision report has no actual spend, so everything here is generated and labelled
"Illustrative (demo)" wherever it shows: the file is named `illustrative-…` and the actuals
page says so. It goes through the same import as a real file (check, then confirm, then
apply), uploaded and confirmed by the demo Finance user. Idempotent: a second load adds
nothing. Without a demo Finance user (no one to have imported it) nothing is loaded.
"""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from ..models import CostCentreMapping, CostLine, LedgerImport, LedgerMapping
from ..models_actuals import ILLUSTRATIVE_PREFIX
from . import services

HEADER = (
    "Transaction Number,Posting Date,Cost Centre,Subjective,Net Amount,Supplier Name,"
    "Supplier Type,Description,Irrecoverable VAT"
)
COLUMNS = {
    "reference_column": "Transaction Number",
    "posting_date_column": "Posting Date",
    "cost_centre_column": "Cost Centre",
    "account_code_column": "Subjective",
    "amount_column": "Net Amount",
    "credit_column": "",
    "supplier_column": "Supplier Name",
    "supplier_type_column": "Supplier Type",
    "description_column": "Description",
    "vat_column": "Irrecoverable VAT",
    "date_format": "dmy",
}
# Illustrative cost centres: the report names none.
CENTRES = (("DCS100", 1, "stage1"), ("DCS200", 2, "stage23"))
FILE_NAME = f"{ILLUSTRATIVE_PREFIX}ledger-2022-23.csv"


def illustrative_rows() -> list[str]:
    """A year of invented transactions: stage 1's fixed price paid monthly from August 2022,
    stage 2 starting in February 2023, with a credit note and one individual supplier."""
    rows = []
    n = 0

    def add(day, centre, amount, supplier, kind, text):
        nonlocal n
        n += 1
        rows.append(
            f'DEMO-{n:05d},{day:%d/%m/%Y},{centre},5100,"{amount:,.2f}",'
            f"{supplier},{kind},{text},0.00"
        )

    for month, amount in ((8, 30000), (9, 30000), (10, 35000), (11, 35000), (12, 30000)):
        add(
            date(2022, month, 28),
            "DCS100",
            Decimal(amount),
            "Illustrative Partners Ltd",
            "Company",
            f"Stage 1 diagnostics: monthly invoice {month}/2022",
        )
    add(
        date(2023, 1, 27),
        "DCS100",
        Decimal("20000"),
        "Illustrative Partners Ltd",
        "Company",
        "Stage 1 diagnostics: final invoice",
    )
    add(
        date(2023, 1, 31),
        "DCS100",
        Decimal("-2500"),
        "Illustrative Partners Ltd",
        "Company",
        "Credit note: workshop not held",
    )
    add(
        date(2022, 9, 15),
        "DCS100",
        Decimal("850"),
        "A. Resident",
        "Individual",
        "Resident interview expenses",
    )
    add(
        date(2023, 2, 24),
        "DCS200",
        Decimal("18000"),
        "Illustrative Digital Ltd",
        "Company",
        "Stage 2 design sprint",
    )
    add(
        date(2023, 3, 24),
        "DCS200",
        Decimal("22500"),
        "Illustrative Digital Ltd",
        "Company",
        "Stage 2 design sprint",
    )
    add(
        date(2023, 3, 30),
        "DCS200",
        Decimal("420"),
        "Illustrative Print Co",
        "Company",
        "Consultation leaflets",
    )
    return rows


def ledger_bytes(rows: list[str], *, header: str = HEADER, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def load(*, programme, users) -> None:
    finance = users.get("finance")
    if finance is None or LedgerImport.objects.filter(programme=programme).exists():
        return
    if not LedgerMapping.objects.filter(council=programme.council).exists():
        services.ledger_mapping_save(actor=finance, council=programme.council, data=COLUMNS)
    lines = {
        "stage1": CostLine.objects.filter(programme=programme, label="Stage 1").first(),
        "stage23": CostLine.objects.filter(
            programme=programme, label__startswith="Stage 2"
        ).first(),
    }
    for centre, number, line in CENTRES:
        if CostCentreMapping.objects.filter(programme=programme, cost_centre=centre).exists():
            continue
        services.cost_centre_mapping_save(
            actor=finance,
            programme=programme,
            data={
                "cost_centre": centre,
                "account_code": "",
                "stage": programme.stages.get(number=number),
                "cost_line": lines[line],
                "service_area": "Customer Services (illustrative)",
            },
        )
    row = services.ledger_import_upload(
        actor=finance,
        programme=programme,
        uploaded_file=SimpleUploadedFile(FILE_NAME, ledger_bytes(illustrative_rows())),
        send=False,
    )
    # Checked and applied here, in the loader's own transaction, rather than by a worker.
    services.ledger_import_check(import_id=row.pk)
    services.ledger_import_confirm(
        actor=finance, ledger_import=LedgerImport.objects.get(pk=row.pk), send=False
    )
    services.ledger_import_apply(import_id=row.pk)
