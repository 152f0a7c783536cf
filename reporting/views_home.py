"""Each person's home page: what awaits them (reporting/home.py), with counts and links, then
the programme's dashboard and the list of programmes one click away."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.access import Capability, can, primary_role, require
from programme.models import Programme

from .home import awaiting


@require_GET
def home(request):
    require(request.user, Capability.VIEW)
    role = primary_role(request.user)
    programmes = list(Programme.objects.select_related("funding_reserve").order_by("name"))
    # The programme in hand: the first open one (as the navigation links to).
    current = next(
        (p for p in sorted(programmes, key=lambda p: p.id) if p.status != Programme.Status.CLOSED),
        None,
    )
    return render(
        request,
        "home.html",
        {
            "programmes": programmes,
            "current": current,
            "waiting": awaiting(
                request.user, current.slug if current else None, timezone.localdate()
            ),
            "role": role.value if role else "",
            "can": {cap.value: can(request.user, cap) for cap in Capability},
        },
    )
