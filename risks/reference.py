"""The register's reference data: the seeded categories and STYLE.md's default bands.

Migration 0002 seeds the same rows (with its own frozen copy, as migrations should);
`ensure_reference_data` puts back any that are missing — `load_demo` calls it, so a database
that was flushed (as transactional tests do) still has categories to choose from.
"""

from . import scoring
from .models import RiskBand, RiskCategory

CATEGORIES = [
    ("Financial", "Money: costs, funding, savings and reserves"),
    ("Legal", "Law, regulation, contracts and procurement rules"),
    ("Reputational", "How residents, partners and the press see the council"),
    ("Operational", "Day-to-day delivery of services and the programme"),
    ("Strategic", "The council's direction, plans and political support"),
]


def ensure_reference_data() -> None:
    """Add any seeded category or band that is missing; never changes an existing row, so
    an admin's edits stand. Bands are added only when there are none at all."""
    existing = set(RiskCategory.objects.values_list("name", flat=True))
    for name, description in CATEGORIES:
        if name not in existing:
            RiskCategory.objects.create(name=name, description=description)
    if not RiskBand.objects.exists():
        for band in scoring.DEFAULT_BANDS:
            RiskBand.objects.create(
                key=band.key,
                label=band.label,
                colour=band.colour,
                lowest=band.lowest,
                highest=band.highest,
            )
