"""Fixtures for the reserves tests: a reserve, a programme with the seed's £490,000 ceiling
funded from it, and a helper that makes drawdowns through the real services."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from reserves import services
from reserves.models import Drawdown

from .factories import ProgrammeFactory, ReserveFactory


@pytest.fixture
def reserve(db):
    return ReserveFactory(name="Financial Resilience earmarked reserve")


@pytest.fixture
def programme(reserve):
    return ProgrammeFactory(
        name="Digital and customer services transformation",
        slug="digital",
        funding_reserve=reserve,
    )


@pytest.fixture
def make_drawdown(officer, finance):
    """`make_drawdown(amount, status=..., programme=..., reserve=...)` through the services:
    requested by `officer`, approved (and onwards) by `finance`."""
    from datetime import date

    def make(amount, *, status="requested", programme=None, reserve=None, purpose="Work"):
        with transaction.atomic():
            drawdown = services.drawdown_request(
                reserve=reserve or programme.funding_reserve,
                programme=programme,
                purpose=purpose,
                amount=Decimal(str(amount)),
                user=officer,
            )
        if status in ("approved", "scheduled", "drawn"):
            drawdown = services.drawdown_approve(drawdown=drawdown, user=finance)
        if status == "scheduled":
            drawdown = services.drawdown_schedule(
                drawdown=drawdown, user=finance, scheduled_for=date(2022, 9, 1)
            )
        if status == "drawn":
            drawdown = services.drawdown_mark_drawn(
                drawdown=drawdown, user=finance, drawn_on=timezone.localdate()
            )
        if status == "rejected":
            drawdown = services.drawdown_reject(drawdown=drawdown, user=finance, reason="No")
        if status == "cancelled":
            drawdown = services.drawdown_cancel(drawdown=drawdown, user=finance, reason="No")
        return Drawdown.objects.get(pk=drawdown.pk)

    return make
