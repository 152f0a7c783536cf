"""The Django admin of report runs, for Admin users."""

from django.contrib import admin

from core.admin import HistoryAdmin

from .models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(HistoryAdmin):
    list_display = ["kind", "status", "requested_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
