"""Access helpers of the programme app: "may this user see / change this programme, or this
row of its record?"

Built on the capability table in `core.access`: the role is checked before anything is looked
up beyond the programme, so a refused user learns nothing and changes nothing (403).
"""

from django.db import models
from django.shortcuts import get_object_or_404

from core.access import Capability, require

from .models import Programme


def get_programme_for_user(user, slug: str, capability: Capability = Capability.VIEW) -> Programme:
    """The programme with `slug` if `user` may use it for `capability`; else 404 / 403."""
    require(user, Capability.VIEW)
    programme = get_object_or_404(Programme, slug=slug)
    require(user, capability)
    return programme


def get_record_row_for_user(
    user, slug: str, model: type[models.Model], pk: int, capability: Capability
):
    """(programme, row) where `row` is the `model` row `pk` of the programme `slug`."""
    programme = get_programme_for_user(user, slug, capability)
    if model._meta.model_name == "benefitmeasure":
        row = get_object_or_404(model, pk=pk, benefit__programme=programme)
    else:
        row = get_object_or_404(model, pk=pk, programme=programme)
    return programme, row
