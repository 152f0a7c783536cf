"""Delivery-confidence ratings (RAG) on the 3- and 5-point scales, with what each colour means.

The wording is the Infrastructure and Projects Authority's delivery-confidence assessment; the
word is always shown beside the colour, so colour is never the only cue.
"""

from django.db import models


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER_GREEN = "amber_green", "Amber/green"
    AMBER = "amber", "Amber"
    AMBER_RED = "amber_red", "Amber/red"
    RED = "red", "Red"


class RagScale(models.TextChoices):
    THREE_POINT = "three", "3-point (green, amber, red)"
    FIVE_POINT = "five", "5-point (green, amber/green, amber, amber/red, red)"


MEANINGS: dict[str, str] = {
    Rag.GREEN: "Successful delivery appears highly likely",
    Rag.AMBER_GREEN: "Successful delivery appears probable; constant attention is needed",
    Rag.AMBER: "Successful delivery appears feasible; significant issues exist but appear "
    "resolvable",
    Rag.AMBER_RED: "Successful delivery is in doubt; urgent action is needed",
    Rag.RED: "Successful delivery appears unachievable without re-scoping",
}

CSS_CLASSES: dict[str, str] = {
    Rag.GREEN: "app-rag--green",
    Rag.AMBER_GREEN: "app-rag--amber-green",
    Rag.AMBER: "app-rag--amber",
    Rag.AMBER_RED: "app-rag--amber-red",
    Rag.RED: "app-rag--red",
}

SCALES: dict[str, tuple[str, ...]] = {
    RagScale.THREE_POINT: (Rag.GREEN, Rag.AMBER, Rag.RED),
    RagScale.FIVE_POINT: (Rag.GREEN, Rag.AMBER_GREEN, Rag.AMBER, Rag.AMBER_RED, Rag.RED),
}

# Position on the chart's y axis: green at the top, red at the bottom.
ORDER: dict[str, int] = {
    Rag.GREEN: 5,
    Rag.AMBER_GREEN: 4,
    Rag.AMBER: 3,
    Rag.AMBER_RED: 2,
    Rag.RED: 1,
}


def label(value: str | None) -> str:
    """The word for a rating: `Amber/green`; `Not yet rated` when there is none."""
    if not value:
        return "Not yet rated"
    try:
        return Rag(value).label
    except ValueError:
        return value


def css_class(value: str | None) -> str:
    return CSS_CLASSES.get(value or "", "app-rag--none")


def meaning(value: str | None) -> str:
    return MEANINGS.get(value or "", "No progress update has been posted yet")


def choices_for(scale: str) -> list[tuple[str, str]]:
    """Radio choices for a scale, each labelled with its word and its meaning."""
    return [(value, f"{Rag(value).label}: {MEANINGS[value].lower()}") for value in SCALES[scale]]
