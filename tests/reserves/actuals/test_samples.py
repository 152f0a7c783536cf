"""The sample ledger files people can try (docs/ledger-samples, written by bench/ledger.py)
say what the README says they do when read with the demo's columns."""

from pathlib import Path

import pytest

from reserves.actuals import parsing
from reserves.actuals.demo import COLUMNS
from reserves.models_actuals import LedgerMapping

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "ledger-samples"
MAPPING = LedgerMapping(council="x", **COLUMNS).as_parser_mapping()


def _read(name):
    with open(SAMPLES / name, "rb") as handle:
        encoding = parsing.detect_encoding(handle)
        items = list(
            parsing.parse_rows(handle, encoding, MAPPING, lambda cc, code: cc.startswith("DCS"))
        )
    return encoding, items


@pytest.mark.parametrize(
    ("name", "encoding"), [("good-utf8-bom.csv", "utf-8-sig"), ("good-windows-1252.csv", "cp1252")]
)
def test_the_good_samples_read_whole_in_either_encoding(name, encoding):
    found, items = _read(name)
    assert found == encoding
    assert len(items) == 8 and all(isinstance(i, parsing.ParsedRow) for i in items)
    assert items[0].supplier == "Illustrative Café Ltd"


@pytest.mark.parametrize(
    ("name", "row", "field"),
    [
        ("bad-unknown-cost-centre.csv", 4, "cost_centre"),
        ("bad-date.csv", 5, "posting_date"),
        ("bad-amount-not-money.csv", 6, "amount"),
    ],
)
def test_each_bad_sample_has_its_one_bad_row(name, row, field):
    _, items = _read(name)
    problems = [i for i in items if isinstance(i, parsing.RowProblem)]
    assert [(p.row_number, p.field) for p in problems] == [(row, field)]


def test_the_formula_sample_reads_its_description_as_text():
    _, items = _read("bad-formula-in-description.csv")
    assert items[6].description == '=HYPERLINK("http://example.invalid","click")'


def test_the_header_only_and_other_council_samples_are_refused_whole():
    with (
        pytest.raises(parsing.FileProblem),
        open(SAMPLES / "bad-other-councils-columns.csv", "rb") as handle,
    ):
        list(parsing.parse_rows(handle, "utf-8-sig", MAPPING, lambda *a: True))
    with open(SAMPLES / "bad-header-only.csv", "rb") as handle:
        assert parsing.count_rows(handle, "utf-8-sig") == 0
