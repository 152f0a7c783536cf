"""May this user see or change this stage or output? One helper per kind of object, built on
`programme.access`; every stages view goes through one of them."""

from django.shortcuts import get_object_or_404

from core.access import Capability
from programme.access import get_programme_for_user

from .models import Escalation, Output, Stage, ToleranceException


def get_stage_for_user(user, slug: str, number: int, capability: Capability = Capability.VIEW):
    """The stage `number` of the programme `slug`; 403 if `user` lacks `capability`, 404 if
    there is no such stage."""
    programme = get_programme_for_user(user, slug, capability)
    stage = get_object_or_404(
        Stage.objects.select_related("programme"), programme=programme, number=number
    )
    return stage


def get_output_for_user(
    user, slug: str, number: int, code: str, capability: Capability = Capability.VIEW
):
    programme = get_programme_for_user(user, slug, capability)
    return get_object_or_404(
        Output.objects.select_related("stage", "stage__programme"),
        stage__programme=programme,
        stage__number=number,
        code=code,
    )


def get_exception_for_user(user, slug: str, pk: int, capability: Capability = Capability.VIEW):
    programme = get_programme_for_user(user, slug, capability)
    return get_object_or_404(
        ToleranceException.objects.select_related(
            "stage", "stage__programme", "raised_by", "reported_by", "decided_by", "raised_from"
        ),
        stage__programme=programme,
        pk=pk,
    )


def get_escalation_for_user(user, slug: str, pk: int, capability: Capability = Capability.VIEW):
    programme = get_programme_for_user(user, slug, capability)
    return get_object_or_404(
        Escalation.objects.select_related(
            "stage", "stage__programme", "raised_by", "decided_by", "progress_update"
        ),
        stage__programme=programme,
        pk=pk,
    )
