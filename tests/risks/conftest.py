"""Fixtures for the risk register's tests: a programme with stages and a few scored risks."""

from datetime import date

import pytest

from .factories import ProgrammeFactory, RiskFactory, category

TODAY = date(2024, 6, 1)


@pytest.fixture(autouse=True)
def _reference_data(db):
    """Seeded categories and bands, even after a transactional test flushed the tables."""
    from risks.reference import ensure_reference_data

    ensure_reference_data()


@pytest.fixture
def programme(db):
    from stages.models import Stage

    programme = ProgrammeFactory(slug="test-programme", name="Test programme")
    for number, name in ((1, "Diagnostics"), (2, "Design and implementation")):
        Stage.objects.create(programme=programme, number=number, name=name)
    return programme


@pytest.fixture
def scored_risk(programme, officer):
    """R1: inherent 4×4 = 16 (very high), residual 3×3 = 9 (medium), target 2×2 = 4 (low)."""
    return RiskFactory(
        programme=programme,
        number=1,
        title="Supplier cannot start on time",
        category=category("Operational"),
        owner=officer,
        inherent_likelihood=4,
        inherent_impact=4,
        residual_likelihood=3,
        residual_impact=3,
        target_likelihood=2,
        target_impact=2,
        review_date=date(2099, 1, 1),
    )


def register_url(programme, query: str = "") -> str:
    from django.urls import reverse

    url = reverse("risks:register", kwargs={"slug": programme.slug})
    return f"{url}?{query}" if query else url
