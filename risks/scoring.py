"""5×5 risk scoring: score = likelihood × impact (1–25), and the bands that name a score.

The bands live in the database (`RiskBand`, seeded with STYLE.md's defaults) so a council can
change them in the Django admin; this module holds the arithmetic and checks a set of bands
covers every score from 1 to 25 exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SCALE = range(1, 6)
MIN_SCORE = 1
MAX_SCORE = 25

LIKELIHOOD_LABELS = {
    1: "Rare",
    2: "Unlikely",
    3: "Possible",
    4: "Likely",
    5: "Almost certain",
}
IMPACT_LABELS = {
    1: "Negligible",
    2: "Minor",
    3: "Moderate",
    4: "Major",
    5: "Severe",
}

# The CSS modifiers that frontend/_tracker.scss defines (app-band--<key>).
BAND_KEYS = ("low", "medium", "high", "very-high")


@dataclass(frozen=True)
class Band:
    """A named range of scores, e.g. 10–14 High (amber)."""

    key: str
    label: str
    colour: str
    lowest: int
    highest: int

    def contains(self, score: int) -> bool:
        return self.lowest <= score <= self.highest

    @property
    def css_class(self) -> str:
        return f"app-band--{self.key}"


# STYLE.md "Conventions of the field": 1–4 low (green), 5–9 medium (yellow),
# 10–14 high (amber), 15–25 very high (red). The data migration seeds these.
DEFAULT_BANDS: tuple[Band, ...] = (
    Band("low", "Low", "green", 1, 4),
    Band("medium", "Medium", "yellow", 5, 9),
    Band("high", "High", "amber", 10, 14),
    Band("very-high", "Very high", "red", 15, 25),
)


def score(likelihood: int | None, impact: int | None) -> int | None:
    """likelihood × impact, or None when either is missing (an unscored risk)."""
    if likelihood is None or impact is None:
        return None
    if likelihood not in SCALE or impact not in SCALE:
        raise ValueError(f"Likelihood and impact run from 1 to 5, not {likelihood} × {impact}")
    return likelihood * impact


def band_for(value: int | None, bands: Iterable[Band]) -> Band | None:
    """The band holding `value`; None for an unscored risk or a gap in the bands."""
    if value is None:
        return None
    for band in bands:
        if band.contains(value):
            return band
    return None


def band_problems(bands: Iterable[Band]) -> list[str]:
    """What is wrong with a set of bands: gaps, overlaps, ranges outside 1–25. Empty if fine."""
    problems = []
    covered: dict[int, str] = {}
    for band in bands:
        if band.lowest > band.highest:
            problems.append(f"{band.label}: the lowest score is above the highest")
            continue
        if band.lowest < MIN_SCORE or band.highest > MAX_SCORE:
            problems.append(f"{band.label}: scores run from {MIN_SCORE} to {MAX_SCORE}")
        for value in range(max(band.lowest, MIN_SCORE), min(band.highest, MAX_SCORE) + 1):
            if value in covered:
                problems.append(f"{band.label} overlaps {covered[value]} at score {value}")
                break
            covered[value] = band.label
    missing = [v for v in range(MIN_SCORE, MAX_SCORE + 1) if v not in covered]
    if missing:
        problems.append("No band covers score " + ", ".join(str(v) for v in missing))
    return problems


def cells_in_band(band: Band) -> list[tuple[int, int]]:
    """The (likelihood, impact) cells of the 5×5 grid whose score falls in `band`."""
    return [(lk, im) for lk in SCALE for im in SCALE if band.contains(lk * im)]
