"""The Django admin of report runs, for Admin users."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "status", "requested_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
