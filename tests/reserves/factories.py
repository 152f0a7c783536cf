"""factory_boy factories for the reserves tests."""

from datetime import date
from decimal import Decimal

import factory

from programme.models import Programme
from reserves.models import Reserve


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"reserves-programme-{n}")
    spending_ceiling = Decimal("490000.00")
    decision_date = date(2022, 7, 19)


class ReserveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reserve

    name = factory.Sequence(lambda n: f"Reserve {n}")
    opening_balance = Decimal("17400000.00")
    opening_date = date(2022, 4, 1)
    floor = Decimal("0.00")
