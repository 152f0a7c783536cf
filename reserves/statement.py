"""The reserve statement: one builder for the reserve page's downloads, the reserve position
statement (PDF, Excel and CSV) and the highlight report, so the copies cannot drift.

Each table is built from `reserves.selectors.reserve_position` (whose sums come from
`reserves.ledger`), with the same titles, headers and rows wherever it is shown.
"""

from dataclasses import dataclass, field

from core.money import format_gbp

from . import ledger

POSITION_HEADERS = ["Item", "Value"]
MOVEMENT_HEADERS = ["Date", "Drawdown", "Purpose", "Actual or planned", "Amount", "Balance after"]
YEAR_HEADERS = [
    "Financial year",
    "Opening",
    "Drawn",
    "Approved or scheduled",
    "Closing",
    "Above the floor",
]


@dataclass(frozen=True)
class StatementTable:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    sheet: str = ""  # the workbook's sheet title (31 characters at most); else `title`
    empty_text: str = "Nothing to show."

    @property
    def sheet_title(self) -> str:
        return self.sheet or self.title


def purpose_text(drawdown) -> str:
    """What the money is for, and which ceiling it counts against (or that none does)."""
    if drawdown.programme_id:
        return f"{drawdown.purpose} ({drawdown.programme.name})"
    return f"{drawdown.purpose} (other purpose: no programme ceiling)"


def position_table(position: dict) -> StatementTable:
    return StatementTable(
        "reserve",
        "Reserve position",
        POSITION_HEADERS,
        [
            ["Reserve", position["reserve"].name],
            ["Opening balance", position["opening_balance"]],
            ["Opening date", position["opening_date"]],
            ["Drawn", position["drawn"]],
            ["Approved or scheduled, not yet drawn", position["planned"]],
            ["Committed (approved, scheduled and drawn)", position["committed"]],
            ["Available after everything committed", position["available"]],
            ["Floor", position["floor"]],
            ["Available above the floor", position["available_above_floor"]],
            ["Requested, awaiting approval", position["pending"]],
            ["How long it lasts", position["lasts"]["text"]],
        ],
    )


def movements_table(position: dict) -> StatementTable:
    return StatementTable(
        "movements",
        "Movements",
        MOVEMENT_HEADERS,
        [
            [
                m["date"],
                m["drawdown"].reference,
                purpose_text(m["drawdown"]),
                "Actual" if m["kind"] == "actual" else "Planned",
                m["amount"],
                m["balance"],
            ]
            for m in position["movements"]
        ],
        empty_text="No money is committed from this reserve.",
    )


def years_table(position: dict) -> StatementTable:
    return StatementTable(
        "reserve_years",
        f"Reserve projection, {position['mtfs_label']}",
        YEAR_HEADERS,
        [
            [y["label"], y["opening"], y["drawn"], y["planned"], y["closing"], y["above_floor"]]
            for y in position["by_year"]
        ],
        sheet="Reserve projection",
    )


def statement_tables(position: dict) -> list[StatementTable]:
    """The statement's three tables: position, movements, projection by financial year."""
    return [position_table(position), movements_table(position), years_table(position)]


def after_mtfs_note(position: dict) -> str:
    """Says plainly when money falls due after the MTFS period (its own row, never folded)."""
    later = [y for y in position["by_year"] if y.get("after_mtfs")]
    if not later:
        return ""
    amount = later[0]["drawn"] + later[0]["planned"]
    return (
        f"{format_gbp(amount)} falls due after the MTFS period ({position['mtfs_label']}): "
        f"shown in its own row, “{ledger.AFTER_MTFS_LABEL}”."
    )
