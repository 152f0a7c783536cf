"""Each person's home page: Cabinet members start at the dashboard, everyone else at the list
of programmes."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from core.access import Capability, Role, can, primary_role, require
from programme.models import Programme


@require_GET
def home(request):
    require(request.user, Capability.VIEW)
    role = primary_role(request.user)
    if role == Role.CABINET:
        # Cabinet members start at the dashboard of the programme in hand (the first open one).
        current = (
            Programme.objects.exclude(status=Programme.Status.CLOSED)
            .order_by("id")
            .values_list("slug", flat=True)
            .first()
        )
        if current:
            return redirect("reporting:dashboard", slug=current)
    programmes = Programme.objects.select_related("funding_reserve").order_by("name")
    return render(
        request,
        "home.html",
        {
            "programmes": programmes,
            "role": role.value if role else "",
            "can": {cap.value: can(request.user, cap) for cap in Capability},
        },
    )
