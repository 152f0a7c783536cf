"""Wiring: URLs of the reserves app, mounted at /reserves/."""

from django.urls import path

from . import views
from .actuals.urls import urlpatterns as actuals_urlpatterns

app_name = "reserves"
urlpatterns = [
    path("", views.reserve_list, name="list"),
    path("<int:pk>/", views.reserve_statement, name="statement"),
    path(
        "<int:pk>/statement.<str:fmt>",
        views.reserve_statement_export,
        name="statement_export",
    ),
    path("<int:pk>/edit/", views.reserve_edit, name="reserve_edit"),
    path("drawdowns/", views.drawdown_queue, name="drawdown_queue"),
    path("drawdowns/export.<str:fmt>", views.drawdown_export, name="drawdown_export"),
    path("drawdowns/new/", views.drawdown_request, name="drawdown_request"),
    path("drawdowns/<int:pk>/", views.drawdown_detail, name="drawdown_detail"),
    path("drawdowns/<int:pk>/approve/", views.drawdown_approve, name="drawdown_approve"),
    path("drawdowns/<int:pk>/reject/", views.drawdown_reject, name="drawdown_reject"),
    path("drawdowns/<int:pk>/schedule/", views.drawdown_schedule, name="drawdown_schedule"),
    path("drawdowns/<int:pk>/drawn/", views.drawdown_mark_drawn, name="drawdown_mark_drawn"),
    path("drawdowns/<int:pk>/cancel/", views.drawdown_cancel, name="drawdown_cancel"),
    path("refusals/", views.refusal_list, name="refusals"),
    path("programmes/<slug:slug>/cost-profile/", views.cost_profile, name="cost_profile"),
    path(
        "programmes/<slug:slug>/cost-profile.<str:fmt>",
        views.cost_profile_export,
        name="cost_profile_export",
    ),
    path(
        "programmes/<slug:slug>/cost-profile/lines/new/",
        views.cost_line_edit,
        name="cost_line_create",
    ),
    path(
        "programmes/<slug:slug>/cost-profile/lines/<int:pk>/",
        views.cost_line_edit,
        name="cost_line_edit",
    ),
    path(
        "programmes/<slug:slug>/cost-profile/lines/<int:pk>/remove/",
        views.cost_line_delete,
        name="cost_line_delete",
    ),
    path("programmes/<slug:slug>/stated-figures/", views.stated_figures, name="stated_figures"),
    path("programmes/<slug:slug>/spend/", views.programme_spend, name="programme_spend"),
    path("programmes/<slug:slug>/ceiling/", views.ceiling_change, name="ceiling_change"),
    path(
        "programmes/<slug:slug>/ceiling/<int:pk>/approve/",
        views.ceiling_approve,
        name="ceiling_approve",
    ),
    path(
        "programmes/<slug:slug>/ceiling/<int:pk>/withdraw/",
        views.ceiling_withdraw,
        name="ceiling_withdraw",
    ),
]
urlpatterns += actuals_urlpatterns  # actual spend from the finance ledger
