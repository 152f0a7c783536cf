"""Pages that belong to the whole service: home, health, accessibility statement."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .access import Capability, can, get_programme_for_user, primary_role, require
from .models import Programme


def home(request):
    require(request.user, Capability.VIEW)
    programmes = Programme.objects.select_related("funding_reserve").order_by("name")
    role = primary_role(request.user)
    return render(
        request,
        "home.html",
        {
            "programmes": programmes,
            "role": role.value if role else "",
            "can": {cap.value: can(request.user, cap) for cap in Capability},
        },
    )


@login_not_required
@never_cache
@require_GET
def healthz(request):
    database = health.database_state()
    broker = health.broker_state()
    healthy = database == "ok" and broker in ("ok", "eager")
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "broker": broker},
        status=200 if database == "ok" else 503,
    )


@login_not_required
def accessibility_statement(request):
    return render(request, "accessibility.html")


def programme_detail(request, slug):
    programme = get_programme_for_user(request.user, slug)
    return render(request, "programme/detail.html", {"programme": programme})
