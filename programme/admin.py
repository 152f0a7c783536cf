"""Wiring: the Django admin for Admin users, with history on every model."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Decision, Programme, ReportRun


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "status", "spending_ceiling"]
    prepopulated_fields = {"slug": ["name"]}
    # The ceiling changes only through a recorded decision (programme.services).
    readonly_fields = ["spending_ceiling"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "kind", "title", "decided_on"]
    list_filter = ["kind"]


@admin.register(ReportRun)
class ReportRunAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "status", "requested_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
