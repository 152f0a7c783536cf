"""factory_boy factories for the stages tests."""

from datetime import date
from decimal import Decimal

import factory

from programme.models import Decision, Programme
from stages.models import Output, ProgressUpdate, Stage


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    spending_ceiling = Decimal("490000.00")


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    programme = factory.SubFactory(ProgrammeFactory)
    kind = Decision.Kind.STAGE_APPROVAL
    title = "Approval of stages 1 and 2"
    decided_on = date(2022, 7, 19)
    decision_maker = "Cabinet member finance, corporate services and planning"


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Stage name {n}")


class OutputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Output

    stage = factory.SubFactory(StageFactory)
    code = factory.Sequence(lambda n: f"o{n}")
    title = factory.Sequence(lambda n: f"Output number {n}")


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    stage = factory.SubFactory(StageFactory)
    as_of = date(2024, 2, 1)
    rag = "green"
    percent_complete = 10
    narrative = "Work is going well."
