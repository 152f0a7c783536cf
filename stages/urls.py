"""Wiring: URLs of the stages app, under /programmes/<slug>/stages/."""

from django.urls import path

from . import views

app_name = "stages"
urlpatterns = [
    path("", views.stage_list, name="list"),
    path("my-outputs/", views.my_outputs, name="my_outputs"),
    path("approve/", views.stage_approve, name="approve"),
    path("export/<slug:dataset>.<slug:fmt>", views.export, name="export"),
    path("tolerances/", views.tolerances, name="tolerances"),
    path("tolerances/set/", views.tolerances_set, name="tolerances_set"),
    path("exceptions/", views.exception_log, name="exceptions"),
    path("exceptions/<int:pk>/", views.exception_detail, name="exception"),
    path("exceptions/<int:pk>/report/", views.exception_report, name="exception_report"),
    path("exceptions/<int:pk>/decide/", views.exception_decide, name="exception_decide"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation"),
    path("escalations/<int:pk>/decide/", views.escalation_decide, name="escalation_decide"),
    path("<int:number>/", views.stage_detail, name="detail"),
    path("<int:number>/tolerances/", views.stage_tolerances_set, name="stage_tolerances_set"),
    path("<int:number>/edit/", views.stage_edit, name="edit"),
    path("<int:number>/start/", views.stage_start, name="start"),
    path("<int:number>/complete/", views.stage_complete, name="complete"),
    path("<int:number>/gate/", views.stage_gate, name="gate"),
    path("<int:number>/updates/new/", views.progress_update_new, name="update_new"),
    path("<int:number>/outputs/new/", views.output_new, name="output_new"),
    path("<int:number>/outputs/<str:code>/", views.output_detail, name="output_detail"),
    path("<int:number>/outputs/<str:code>/edit/", views.output_edit, name="output_edit"),
    path("<int:number>/outputs/<str:code>/status/", views.output_status, name="output_status"),
    path(
        "<int:number>/outputs/<str:code>/evidence/",
        views.evidence_download,
        name="evidence_download",
    ),
]
