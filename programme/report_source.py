"""The decision report as the demo's source data, and the check that a citation holds.

`seed/decision-report.txt` is a copy of the report the demo loads (a fresh clone has nothing
else to read). A row's `source_reference` names where in the report it comes from
("para 30", "Paragraphs 21, 47 and 50", "Consultees table"); its `source_quote` holds the
report's own words that support it, fragments joined by " … ". A citation holds when every
fragment appears, whitespace-normalised, in the parts of the report it names.

A reference that names no part of the report must say so: it starts with one of
`NOT_FROM_REPORT` ("Illustrative (demo)", "Demo assumption", "Not in the report",
"Recorded by"), and then it carries no quote.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

REPORT_PATH = Path(__file__).resolve().parent / "seed" / "decision-report.txt"
FRAGMENT_SEPARATOR = " … "
NOT_FROM_REPORT = ("Illustrative (demo)", "Demo assumption", "Not in the report", "Recorded by")

# Named parts of the report: (name in a reference, heading that opens it, heading that ends it).
NAMED_PARTS = [
    ("decision type", "Decision type", "Wards affected"),
    ("wards affected", "Wards affected", "Purpose"),
    ("purpose", "Purpose", "Recommendation(s)"),
    ("recommendation", "Recommendation(s)", "Alternative options"),
    ("alternative options", "Alternative options", "Key consideration"),
    ("resource implications", "Resource implications", "Legal implications"),
    ("cost table", "Revenue or Capital cost of project", "Funding streams"),
    ("funding streams", "Funding streams", "Revenue budget implications"),
    ("revenue budget", "Revenue budget implications", "This decision requests"),
    ("below the tables", "This decision requests", "Legal implications"),
    ("consultees", "Consultees", "Appendices"),
    ("appendices", "Appendices", "Background papers"),
    ("background papers", "Background papers", "Report Reviewers"),
    ("report reviewers", "Report Reviewers", "Approved by"),
    ("approved by", "Approved by", "[Note:"),
    ("title", "Title of report", "Decision maker"),
    ("decision maker", "Decision maker", "Decision date"),
    ("decision date", "Decision date", "Report by"),
    ("report by", "Report by", "Classification"),
    ("classification", "Classification", "Decision type"),
]
MARKUP = [("**", ""), ("](#)", ""), ("[", ""), ("\\(", "("), ("\\)", ")")]
MARKUP += [("“", '"'), ("”", '"'), ("’", "'"), ("‘", "'")]
LIST_ITEM = re.compile(r"^(?:[-•]\s|[a-z]\)\s|[IVX]+\.\s)")
# Section headings between paragraphs: a paragraph ends where one starts.
HEADINGS = {
    "Key consideration",
    "Drivers",
    "Our key Objectives",
    "Where we are now",
    "Our Approach to move forward",
    "Key Benefits for the Residents of Herefordshire",
    "Community impact",
    "Environmental Impact",
    "Equality duty",
    "Resource implications",
    "Legal implications",
    "Risk management",
    "Consultees",
}
PARAGRAPH_START = re.compile(r"^\s*(\d{1,2})\.\s", re.MULTILINE)
PARAGRAPH_REFERENCE = re.compile(r"\b(?:para(?:graph)?s?)\.?\s+([\d\s,()a-zA-Z]*\d[^;:]*)", re.I)
NUMBER_LIST = re.compile(r"(\d{1,2})(?:\s*(?:to|–|-)\s*(\d{1,2}))?")


def normalise(text: str) -> str:
    """Whitespace collapsed, the report's markup (bold **, links [..](#), escaped brackets)
    dropped, curly quotes made straight."""
    for markup, plain in MARKUP:
        text = text.replace(markup, plain)
    return " ".join(text.split())


@cache
def report_text() -> str:
    return REPORT_PATH.read_text(encoding="utf-8")


@cache
def raw_paragraphs() -> dict[int, str]:
    """Numbered paragraph -> its text as printed, up to the next numbered paragraph or the
    next section heading."""
    text = report_text()
    starts = list(PARAGRAPH_START.finditer(text))
    found: dict[int, str] = {}
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        kept = []
        for line in text[match.end() : end].split("\n"):
            if line.strip() in HEADINGS:
                break
            kept.append(line)
        # "1." opens the alternative options; later numbers run 2..54 in order.
        found.setdefault(int(match.group(1)), "\n".join(kept))
    return found


@cache
def paragraphs() -> dict[int, str]:
    """Numbered paragraph -> its text, normalised."""
    return {number: normalise(text) for number, text in raw_paragraphs().items()}


def paragraph_text(number: int) -> str:
    """Paragraph `number` as printed: page breaks and wrapped lines joined, list items (a), -,
    I.) each on a line of their own. Normalises to the same text as `paragraphs()`."""
    out = ""
    for line in filter(None, (normalise(line) for line in raw_paragraphs()[number].split("\n"))):
        if not out:
            out = line
        elif LIST_ITEM.match(line) or out.endswith(":") or line.startswith('"'):
            out += "\n" + line
        else:
            out += " " + line
    return out


@cache
def named_part(name: str) -> str:
    for key, start, end in NAMED_PARTS:
        if key == name:
            text = report_text()
            begin = text.index(start)
            stop = text.find(end, begin + len(start))
            return normalise(text[begin : stop if stop != -1 else len(text)])
    raise KeyError(name)


def cited_paragraph_numbers(reference: str) -> list[int]:
    """The paragraph numbers a reference names: "para 36(a)" -> [36]; "paras 41 to 46" ->
    41..46; "Paragraphs 21, 47 and 50" -> [21, 47, 50]."""
    numbers: list[int] = []
    for match in PARAGRAPH_REFERENCE.finditer(reference):
        spec = re.sub(r"\([^)]*\)", "", match.group(1))
        for first, last in NUMBER_LIST.findall(spec):
            low = int(first)
            high = int(last) if last else low
            numbers.extend(range(low, high + 1))
    return numbers


def cited_names(reference: str) -> list[str]:
    lowered = reference.lower()
    return [key for key, _start, _end in NAMED_PARTS if key in lowered]


def is_labelled_not_from_report(reference: str) -> bool:
    return reference.startswith(NOT_FROM_REPORT)


def cited_text(reference: str) -> str:
    """The text of every part of the report `reference` names ("" if it names none)."""
    paras = paragraphs()
    parts = [paras.get(n, "") for n in cited_paragraph_numbers(reference)]
    parts += [named_part(name) for name in cited_names(reference)]
    return " ".join(part for part in parts if part)


def citation_problems(reference: str, quote: str) -> list[str]:
    """Why a (reference, quote) pair does not hold; [] when it does."""
    reference = reference.strip()
    if not reference:
        return ["a quote with no reference"] if quote.strip() else []
    if is_labelled_not_from_report(reference):
        return []
    paras = paragraphs()
    missing = [n for n in cited_paragraph_numbers(reference) if n not in paras]
    if missing:
        return [f"paragraph {n} does not exist" for n in missing]
    source = cited_text(reference)
    if not source:
        return [f"“{reference}” names no part of the report and is not labelled as demo"]
    if not quote.strip():
        return [f"“{reference}” cites the report but quotes none of its words"]
    return [
        f"“{fragment}” is not in {reference}"
        for fragment in quote.split(FRAGMENT_SEPARATOR)
        if normalise(fragment) not in source
    ]
