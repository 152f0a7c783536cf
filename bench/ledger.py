"""Generated general-ledger files for the actuals import: the benchmark's large files, the
query-count data (N times a year of actuals) and the sample files with each kind of bad row.

    .venv/bin/python bench/ledger.py --samples docs/ledger-samples   # rewrite the samples
"""

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

HEADER = (
    "Transaction Number,Posting Date,Cost Centre,Subjective,Net Amount,Supplier Name,"
    "Supplier Type,Description,Irrecoverable VAT"
)
CENTRES = ("DCS100", "DCS200")
SUPPLIERS = (
    ("Illustrative Partners Ltd", "Company"),
    ("Illustrative Digital Ltd", "Company"),
    ("Illustrative Print Co", "Company"),
    ("A. Resident", "Individual"),
)


def ledger_lines(rows: int, *, seed: int = 2022, prefix: str = "BENCH"):
    """`rows` CSV lines (no header) of a year of invented transactions, one at a time."""
    rng = random.Random(seed)
    start = date(2022, 4, 1)
    for n in range(1, rows + 1):
        day = start + timedelta(days=rng.randrange(365))
        supplier, kind = SUPPLIERS[rng.randrange(len(SUPPLIERS))]
        pounds = rng.randrange(-5_000, 60_000)
        pence = rng.randrange(100)
        amount = f"{pounds:,}.{pence:02d}" if pounds >= 0 else f"-{-pounds:,}.{pence:02d}"
        yield (
            f'{prefix}-{n:07d},{day:%d/%m/%Y},{CENTRES[n % 2]},5100,"£{amount}",{supplier},'
            f"{kind},Illustrative transaction {n},0.00\r\n"
        )


def write_ledger(path: Path, rows: int, *, encoding: str = "utf-8-sig", seed: int = 2022) -> int:
    """Write a file of `rows` transactions, streamed; return its size in bytes."""
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write(HEADER + "\r\n")
        for line in ledger_lines(rows, seed=seed):
            handle.write(line)
    return path.stat().st_size


def fill_actuals(programme, *, units: int) -> int:
    """Add `units` × 200 transactions over a year to `programme` (query-count data)."""
    from reserves.models import LedgerTransaction

    stages = {s.number: s for s in programme.stages.all()}
    made = []
    for line in ledger_lines(units * 200, prefix=f"Q{programme.pk}"):
        ref, day, centre, _code, *_rest = line.split(",")
        d, m, y = (int(x) for x in day.split("/"))
        made.append(
            LedgerTransaction(
                programme=programme,
                reference=ref,
                posting_date=date(y, m, d),
                cost_centre=centre,
                amount="100.00",
                stage=stages.get(1 if centre == "DCS100" else 2),
                description="Illustrative (benchmark)",
            )
        )
    LedgerTransaction.objects.bulk_create(made, batch_size=2000)
    return len(made)


def _sample_row(n: int, **change) -> str:
    cells = {
        "ref": f"DEMO-S{n:04d}",
        "date": f"{(n % 28) + 1:02d}/04/2023",
        "centre": CENTRES[n % 2],
        "amount": f'"£1,{n:03d}.50"',
        "description": f"Illustrative sample row {n}",
    } | change
    return (
        f"{cells['ref']},{cells['date']},{cells['centre']},5100,{cells['amount']},"
        f"Illustrative Café Ltd,Company,{cells['description']},0.00"
    )


# File name → (encoding, the row to spoil (1-based among the data rows) and how).
SAMPLES = {
    "good-utf8-bom.csv": ("utf-8-sig", None),
    "good-windows-1252.csv": ("cp1252", None),
    "bad-unknown-cost-centre.csv": ("utf-8-sig", (3, {"centre": "ZZ999"})),
    "bad-date.csv": ("utf-8-sig", (4, {"date": "31/02/2023"})),
    "bad-amount-not-money.csv": ("utf-8-sig", (5, {"amount": "twelve pounds"})),
    "bad-duplicate-reference.csv": ("utf-8-sig", (6, {"ref": "DEMO-S0001"})),
    "bad-formula-in-description.csv": (
        "utf-8-sig",
        (7, {"description": '"=HYPERLINK(""http://example.invalid"",""click"")"'}),
    ),
}


def write_samples(directory: Path) -> None:
    """Small files in the demo's columns: two good ones (one per encoding) and one with each
    kind of bad row; plus a header-only file and one in another council's columns. (The
    formula sample imports: its description stays inert text in every export.)"""
    directory.mkdir(parents=True, exist_ok=True)
    for name, (encoding, bad) in SAMPLES.items():
        rows = [_sample_row(n) for n in range(1, 9)]
        if bad:
            index, change = bad
            rows[index - 1] = _sample_row(index, **change)
        text = "\r\n".join([HEADER, *rows]) + "\r\n"
        (directory / name).write_bytes(text.encode(encoding))
    (directory / "bad-header-only.csv").write_bytes((HEADER + "\r\n").encode("utf-8-sig"))
    (directory / "bad-other-councils-columns.csv").write_bytes(
        b"Ref,Date,Centre,Value\r\nX1,01/04/2023,AB100,10.00\r\n"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, required=True)
    write_samples(parser.parse_args().samples)
