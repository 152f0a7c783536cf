"""Wiring: URLs of the actual-spend pages, included by reserves.urls under programmes/<slug>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("programmes/<slug:slug>/actuals/", views.actuals, name="actuals"),
    path(
        "programmes/<slug:slug>/actuals/spend-over-500.csv",
        views.transparency_csv,
        name="actuals_transparency",
    ),
    path("programmes/<slug:slug>/actuals/imports/", views.imports, name="actuals_imports"),
    path(
        "programmes/<slug:slug>/actuals/imports/<int:pk>/",
        views.import_detail,
        name="actuals_import",
    ),
    path(
        "programmes/<slug:slug>/actuals/imports/<int:pk>/confirm/",
        views.import_confirm,
        name="actuals_import_confirm",
    ),
    path(
        "programmes/<slug:slug>/actuals/imports/<int:pk>/discard/",
        views.import_discard,
        name="actuals_import_discard",
    ),
    path("programmes/<slug:slug>/actuals/columns/", views.columns, name="actuals_columns"),
    path(
        "programmes/<slug:slug>/actuals/cost-centres/",
        views.cost_centres,
        name="actuals_cost_centres",
    ),
    path(
        "programmes/<slug:slug>/actuals/cost-centres/<int:pk>/remove/",
        views.cost_centre_remove,
        name="actuals_cost_centre_remove",
    ),
    path(
        "programmes/<slug:slug>/actuals/stages/<int:number>/forecast/",
        views.stage_forecast,
        name="actuals_forecast",
    ),
]
