"""Fixtures for the programme record tests: the seed record (programme part only) and a
small programme built from factories, so tests do not depend on other apps' loaders."""

from datetime import date, timedelta
from decimal import Decimal

import factory
import pytest

from core.history import acting_user


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programme.Programme"

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    council = "Herefordshire Council"
    purpose = "To test the programme record."
    decision_maker = "Cabinet member finance, corporate services and planning"
    decision_date = date(2022, 7, 19)
    is_key_decision = True
    key_decision_threshold = Decimal("500000.00")
    spending_ceiling = Decimal("490000.00")
    status = "draft"


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programme.Consultation"

    programme = factory.SubFactory(ProgrammeFactory)
    body = factory.Sequence(lambda n: f"Consultee {n}")
    consulted_on = date(2022, 6, 21)
    outcome = "Supportive of the proposal"
    stance = "supportive"
    source_reference = "Consultees table"


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programme.Recommendation"

    programme = factory.SubFactory(ProgrammeFactory)
    label = factory.Sequence(lambda n: f"r{n}")
    text = "The Cabinet member approves the approach."
    source_reference = "Recommendation(s)"


class ReportReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programme.ReportReview"

    programme = factory.SubFactory(ProgrammeFactory)
    area = "governance"
    reviewer = "John Coleman"
    reviewed_on = date(2022, 7, 7)


class BenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programme.Benefit"

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Benefit {n}")
    measure = "Call centres"
    unit = "call centres"
    direction = "decrease"
    baseline_value = Decimal("9")
    baseline_text = "nine call centres"
    baseline_source = "para 8"
    target_value = Decimal("1")


class BenefitMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programme.BenefitMeasure"

    benefit = factory.SubFactory(BenefitFactory)
    measured_on = factory.Sequence(lambda n: date(2023, 1, 1) + timedelta(days=n))
    value = Decimal("5")


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programme.GlossaryTerm"

    programme = factory.SubFactory(ProgrammeFactory)
    term = factory.Sequence(lambda n: f"TERM{n}")
    meaning = "A term."


@pytest.fixture
def record(db):
    """The seed programme record as `programme.demo.load` leaves it (no other app's part)."""
    from programme import demo

    with acting_user(None):
        return demo.load(users={})


@pytest.fixture
def programme(db):
    return ProgrammeFactory()


def signed_off(programme, *, approval=date(2022, 7, 11), first=date(2022, 6, 28)):
    """All seven areas signed on `first` and the final approval on `approval`."""
    from programme.models import ReportReview

    for area in ReportReview.SIGN_OFF_AREAS:
        ReportReviewFactory(programme=programme, area=area, reviewed_on=first)
    return ReportReviewFactory(
        programme=programme,
        area=ReportReview.Area.FINAL_APPROVAL,
        reviewer="Joanne Moore",
        reviewer_role="Interim Head of Strategic Finance (Deputy S151 Officer)",
        reviewed_on=approval,
    )


def history_count() -> int:
    """History rows across every historical model of the project."""
    from django.apps import apps

    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
        and model._meta.app_label in ("programme", "stages", "reserves", "risks")
    )


def row_count() -> int:
    from django.apps import apps

    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("programme", "stages", "reserves", "risks", "auth")
    )


def latest_history():
    """The most recent history row of any programme-record model."""
    from django.apps import apps

    rows = [
        model.objects.order_by("-history_date", "-history_id").first()
        for model in apps.get_models()
        if model.__name__.startswith("Historical") and model._meta.app_label == "programme"
    ]
    return max((r for r in rows if r is not None), key=lambda r: r.history_date)
