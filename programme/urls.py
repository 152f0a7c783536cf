"""Wiring: the project's URL map. Each app owns its own urls module."""

import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views
from reporting.views_home import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accessibility/", core_views.accessibility_statement, name="accessibility"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("programmes/", include("programme.app_urls")),
    path("programmes/", include("reporting.urls")),
    path("programmes/<slug:slug>/stages/", include("stages.urls")),
    path("programmes/<slug:slug>/risks/", include("risks.urls")),
    path("reserves/", include("reserves.urls")),
    path("admin/", admin.site.urls),
]

if os.environ.get("BENCH_MINIMAL_VIEW") == "1":
    # The load benchmark's one-query yardstick (bench/load.py); absent from normal runs.
    from bench.minimal_view import minimal

    urlpatterns.append(path("bench/minimal/", minimal, name="bench_minimal"))
