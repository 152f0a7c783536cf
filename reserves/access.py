"""May this user see or change this reserve, drawdown or cost line? One helper per kind of
object, built on `programme.access`; every reserves view goes through one of them."""

from django.shortcuts import get_object_or_404

from core.access import Capability, require

from .models import CostLine, Drawdown, Reserve


def get_reserve_for_user(user, pk: int, capability: Capability = Capability.VIEW) -> Reserve:
    require(user, Capability.VIEW)
    reserve = get_object_or_404(Reserve, pk=pk)
    require(user, capability)
    return reserve


def get_drawdown_for_user(user, pk: int, capability: Capability = Capability.VIEW) -> Drawdown:
    """The drawdown `pk`; 403 without `capability`. Rules that depend on the row (never
    approve your own request) are the services' to apply."""
    require(user, Capability.VIEW)
    drawdown = get_object_or_404(
        Drawdown.objects.select_related("reserve", "programme", "requested_by"), pk=pk
    )
    require(user, capability)
    return drawdown


def get_cost_line_for_user(
    user, programme, pk: int, capability: Capability = Capability.EDIT_RESERVES
) -> CostLine:
    require(user, capability)
    return get_object_or_404(CostLine, programme=programme, pk=pk)
