"""factory_boy factories for the risk register's tests."""

from datetime import date
from decimal import Decimal

import factory

from programme.models import Programme
from risks.models import MitigationAction, Risk, RiskCategory, RiskReview


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    spending_ceiling = Decimal("490000.00")


def category(name: str = "Financial") -> RiskCategory:
    return RiskCategory.objects.get(name=name)


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 100)
    kind = Risk.Kind.RISK
    title = factory.Sequence(lambda n: f"Risk number {n}")
    category = factory.LazyFunction(category)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MitigationAction

    risk = factory.SubFactory(RiskFactory)
    description = factory.Sequence(lambda n: f"Action {n}")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskReview

    risk = factory.SubFactory(RiskFactory)
    reviewed_on = date(2024, 1, 1)
    residual_likelihood = 3
    residual_impact = 3
