"""Pages that belong to the whole service rather than to a programme: health and the
accessibility statement."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


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
@require_GET
def accessibility_statement(request):
    return render(request, "accessibility.html")
