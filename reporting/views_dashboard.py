"""The dashboard: where the programme stands, on one printable page, for every role (the home
page for Cabinet members)."""

import functools

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.fragments import fragment, lazy
from programme.access import get_programme_for_user
from stages.selectors import awaiting_cabinet

from .dashboard import BENEFIT_HEADERS, dashboard_charts, dashboard_context


@require_GET
def dashboard(request, slug):
    programme = get_programme_for_user(request.user, slug)
    today = timezone.localdate()

    @functools.cache
    def data():
        return dashboard_context(programme, today=today)

    # Read only inside the page's cached fragment: a hit draws nothing (core/fragments.py).
    return render(
        request,
        "reporting/dashboard.html",
        {
            "programme": programme,
            "dash": lazy(data),
            "charts": lazy(lambda: dashboard_charts(data())),
            "benefit_headers": BENEFIT_HEADERS,
            "cabinet": lazy(lambda: awaiting_cabinet(programme, today=today)),
            "fragment": fragment(request, programme, request.GET.urlencode()),
        },
    )
