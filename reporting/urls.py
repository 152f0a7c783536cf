"""URLs of the dashboard, the reports, the audit history and the help pages, under
/programmes/<slug>/."""

from django.urls import path

from . import views_audit, views_dashboard, views_help, views_reports

app_name = "reporting"
urlpatterns = [
    path("<slug:slug>/dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("<slug:slug>/reports/", views_reports.reports, name="reports"),
    path("<slug:slug>/reports/request/", views_reports.report_request, name="report_request"),
    path(
        "<slug:slug>/reports/<int:pk>/download/<str:fmt>/",
        views_reports.report_download,
        name="report_download",
    ),
    path("<slug:slug>/audit/", views_audit.audit_log, name="audit"),
    path("<slug:slug>/audit/export.csv", views_audit.audit_export, name="audit_export"),
    path(
        "<slug:slug>/history/<str:app_label>/<str:model_name>/<int:pk>/",
        views_audit.object_history,
        name="object_history",
    ),
    path("<slug:slug>/help/", views_help.help_index, name="help"),
    path("<slug:slug>/help/<str:role>/", views_help.help_role, name="help_role"),
]
