"""Who may see or change a risk: one helper per kind of object, built on programme.access.

Each answers 404 for an object outside the programme in the URL and 403 (before anything is
read for change) when the user's role lacks the capability.
"""

from django.shortcuts import get_object_or_404

from core.access import Capability
from programme.access import get_programme_for_user

from .models import MitigationAction, RaidItem, Risk


def get_risk_for_user(user, slug: str, number: int, capability: Capability = Capability.VIEW):
    """The risk numbered `number` in programme `slug`, if `user` may use it for `capability`."""
    programme = get_programme_for_user(user, slug, capability)
    risk = get_object_or_404(
        Risk.objects.select_related("programme", "category", "owner"),
        programme=programme,
        number=number,
    )
    return risk


def get_action_for_user(
    user, slug: str, number: int, action_id: int, capability: Capability = Capability.VIEW
):
    """A mitigation action of that risk, if `user` may use it for `capability`."""
    risk = get_risk_for_user(user, slug, number, capability)
    actions = MitigationAction.objects.select_related("risk")
    return get_object_or_404(actions, risk=risk, pk=action_id)


def get_raid_item_for_user(user, slug: str, pk: int, capability: Capability = Capability.VIEW):
    programme = get_programme_for_user(user, slug, capability)
    return get_object_or_404(
        RaidItem.objects.select_related("programme"), programme=programme, pk=pk
    )
