"""factory_boy factories for the reserves tests."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from programme.models import Decision, Programme
from reserves import services
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


def second_cabinet_member():
    """`cabinet2`: the second person every ceiling change needs."""
    user, created = get_user_model().objects.get_or_create(
        username="cabinet2",
        defaults={"first_name": "Cabinet2", "last_name": "Tester", "email": "c2@example.gov.uk"},
    )
    if created:
        user.groups.add(Group.objects.get_or_create(name="Cabinet")[0])
    return user


def ceiling_data(decision: Decision) -> dict:
    """A proposal's fields from a ceiling-change `Decision` as the older tests build it."""
    return {
        "new_ceiling": decision.new_spending_ceiling,
        "title": decision.title,
        "reason": decision.summary or "Because.",
        "decided_on": decision.decided_on,
        "decision_maker": decision.decision_maker,
        "decision_reference": decision.source_reference or "Cabinet minute 1",
        "key_decision_reference": "KD/2023/01" if decision.is_key_decision else "",
    }


def change_ceiling(*, programme: Programme, decision: Decision, user, proposer=None):
    """Both people, through the real services: `proposer` (else `cabinet2`) proposes the
    change `decision` describes, and `user` approves it. Returns the recorded decision."""
    proposal = services.ceiling_propose(
        programme=programme, user=proposer or second_cabinet_member(), data=ceiling_data(decision)
    )
    return services.ceiling_approve(proposal=proposal, user=user)
