"""Fixtures for the stages tests: a programme with three stages as the seed report has them —
stages 1 and 2 approved, stage 1 under way, stage 3 budgeted but not approved."""

from datetime import date
from decimal import Decimal

import pytest

from stages.models import Stage

from .factories import DecisionFactory, OutputFactory, ProgrammeFactory, StageFactory

STAGE_1_START = date(2024, 1, 8)


@pytest.fixture
def programme(db):
    return ProgrammeFactory(
        slug="test-programme",
        name="Test programme",
        decision_maker="Cabinet member finance, corporate services and planning",
    )


@pytest.fixture
def approval(programme):
    return DecisionFactory(programme=programme)


@pytest.fixture
def stages(programme, approval):
    """{1: stage in progress, 2: approved not started, 3: not approved}."""
    from reserves.models import CostLine

    one = StageFactory(
        programme=programme,
        number=1,
        name="Diagnostics",
        status=Stage.Status.IN_PROGRESS,
        planned_start=date(2024, 1, 1),
        planned_end=date(2024, 5, 31),
        actual_start=STAGE_1_START,
        approved_by_decision=approval,
    )
    two = StageFactory(
        programme=programme,
        number=2,
        name="Design and implementation",
        planned_start=date(2024, 6, 1),
        planned_end=date(2025, 3, 31),
        approved_by_decision=approval,
    )
    three = StageFactory(programme=programme, number=3, name="Handover to business as usual")
    firm = CostLine.objects.create(
        programme=programme,
        label="Stage 1",
        financial_year="2022/23",
        amount=Decimal("200000.00"),
        source_reference="Resource implications table",
    )
    firm.stages.set([one])
    shared = CostLine.objects.create(
        programme=programme,
        label="Stage 2 & 3 (Estimate)",
        financial_year="2022/23",
        amount=Decimal("290000.00"),
        is_estimate=True,
    )
    shared.stages.set([two, three])
    return {1: one, 2: two, 3: three}


@pytest.fixture
def stage1_outputs(stages, officer):
    """Three outputs of stage 1 owned by `officer`, none accepted yet."""
    return [
        OutputFactory(stage=stages[1], code=code, title=f"Output {code}", owner=officer)
        for code in ("a", "b", "c")
    ]


def url(programme, name="", **kwargs) -> str:
    from django.urls import reverse

    return reverse(f"stages:{name or 'list'}", kwargs={"slug": programme.slug, **kwargs})
