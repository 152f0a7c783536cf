"""Page 1 of the highlight report (issue 14): what needs Cabinet first — overall delivery
confidence in words, the money figures, open exceptions and escalations with their age, the
decisions needed and made, the five highest risks, what was done and what comes next — and
the changes since the last report summarised by kind and by what matters (status, RAG,
money); the full change list goes to its own CSV file, not the body."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from core.dates import govuk_date
from core.money import format_gbp, money_sum
from programme.models import Programme
from stages import rag as rag_scale
from stages.models import Stage
from stages.selectors import Awaiting, awaiting_cabinet, decided_since, latest_updates

from . import audit

# Field names (as the audit log labels them) that make a change one Cabinet cares about.
STATUS_FIELDS = frozenset({"status", "outcome"})
RAG_FIELDS = frozenset({"rag", "delivery confidence", "delivery confidence scale"})


@dataclass
class Confidence:
    rag: str | None
    word: str
    meaning: str
    css: str
    basis: str


@dataclass
class BoardSummary:
    confidence: Confidence
    figures: list[tuple[str, str]]
    awaiting: Awaiting
    decisions_needed: list[str]
    decided: dict
    updates: list
    matters: dict[str, int] = field(default_factory=dict)


def overall_confidence(summaries) -> Confidence:
    """The lowest delivery confidence of the stages under way (else of any stage rated): the
    programme is no more certain than its least certain live stage."""
    live = [s for s in summaries if s.rag and s.stage.status == Stage.Status.IN_PROGRESS]
    rated = live or [s for s in summaries if s.rag]
    if not rated:
        return Confidence(None, rag_scale.label(None), rag_scale.meaning(None), "", "")
    worst = min(rated, key=lambda s: rag_scale.ORDER.get(s.rag, 99))
    which = "under way" if live else "rated"
    basis = f"The lowest rating of the stages {which}: stage {worst.stage.number}"
    if worst.as_of:
        basis += f", update of {govuk_date(worst.as_of)}"
    return Confidence(
        worst.rag,
        rag_scale.label(worst.rag),
        rag_scale.meaning(worst.rag),
        rag_scale.css_class(worst.rag),
        basis,
    )


def money_figures(programme: Programme, dash) -> list[tuple[str, str]]:
    spend, reserve = dash.spend, dash.reserve
    figures = [
        (
            "Committed against the ceiling",
            f"{format_gbp(spend.committed)} of {format_gbp(spend.ceiling)}"
            + (f" ({spend.committed_percent}%)" if spend.committed_percent is not None else ""),
        ),
        (
            "Reserve available",
            f"{format_gbp(reserve['available'])} in the {reserve['reserve'].name}, after "
            "everything committed"
            if reserve is not None
            else "No funding reserve recorded",
        ),
    ]
    budgets = [s.stage.budget for s in dash.stages if s.stage.budget is not None]
    if budgets:
        budget = money_sum(budgets)
        figures.append(
            (
                "Spend against budget",
                f"{format_gbp(spend.drawn)} drawn of a {format_gbp(budget)} budget",
            )
        )
    else:
        figures.append(
            (
                "Spend against budget",
                f"{format_gbp(spend.drawn)} drawn; no stage budget has been set by Cabinet yet",
            )
        )
    return figures


def decisions_needed(awaiting: Awaiting) -> list[str]:
    needed = []
    for e in awaiting.exceptions:
        stage = f"stage {e.stage.number}"
        if e.status == e.Status.REPORTED:
            needed.append(
                f"Decide the {e.get_tolerance_display().lower()} exception on {stage} "
                f"({e.excess}): the officer recommends “{e.recommendation}”"
            )
        else:
            needed.append(
                f"The {e.get_tolerance_display().lower()} exception on {stage} ({e.excess}) "
                "awaits the officer's exception report before Cabinet decides"
            )
    for e in awaiting.escalations:
        needed.append(f"Decide the issue escalated from stage {e.stage.number}: “{e.text}”")
    return needed


def change_matters(entries: list[audit.AuditEntry]) -> dict[str, int]:
    """How many of the changes moved a status, a delivery confidence or an amount of money."""
    counts = {"status": 0, "rag": 0, "money": 0}
    for entry in entries:
        names = {c.field.lower() for c in entry.changes}
        if names & STATUS_FIELDS:
            counts["status"] += 1
        if names & RAG_FIELDS:
            counts["rag"] += 1
        if any(c.old.startswith("£") or c.new.startswith("£") for c in entry.changes):
            counts["money"] += 1
    return counts


def board_summary(
    programme: Programme, dash, *, today: date, since: datetime | None
) -> BoardSummary:
    """Page 1's content, in a fixed number of queries."""
    awaiting = awaiting_cabinet(programme, today=today)
    return BoardSummary(
        confidence=overall_confidence(dash.stages),
        figures=money_figures(programme, dash),
        awaiting=awaiting,
        decisions_needed=decisions_needed(awaiting),
        decided=decided_since(programme, since),
        updates=latest_updates(programme),
    )
