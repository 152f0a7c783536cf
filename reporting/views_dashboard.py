"""The dashboard: where the programme stands, on one printable page, for every role (the home
page for Cabinet members)."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from programme.access import get_programme_for_user

from .dashboard import BENEFIT_HEADERS, dashboard_charts, dashboard_context


@require_GET
def dashboard(request, slug):
    programme = get_programme_for_user(request.user, slug)
    data = dashboard_context(programme, today=timezone.localdate())
    return render(
        request,
        "reporting/dashboard.html",
        {
            "programme": programme,
            "dash": data,
            "charts": dashboard_charts(data),
            "benefit_headers": BENEFIT_HEADERS,
        },
    )
