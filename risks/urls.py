"""Wiring: URLs of the risks app, under /programmes/<slug>/risks/."""

from django.urls import path

from . import views

app_name = "risks"
urlpatterns = [
    path("", views.register, name="register"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("new/", views.risk_create, name="create"),
    path("raid/", views.raid_log, name="raid"),
    path("raid/new/", views.raid_edit, name="raid_create"),
    path("raid/<int:pk>/", views.raid_edit, name="raid_edit"),
    path(
        "raid/from-escalation/<int:escalation_id>/",
        views.raid_from_escalation,
        name="raid_from_escalation",
    ),
    path("<int:number>/", views.risk_detail, name="detail"),
    path("<int:number>/edit/", views.risk_edit, name="edit"),
    path("<int:number>/reviews/new/", views.review_create, name="review_create"),
    path("<int:number>/actions/new/", views.action_create, name="action_create"),
    path("<int:number>/actions/<int:action_id>/", views.action_edit, name="action_edit"),
]
