"""Wiring: the Django admin for stages, with history. Day-to-day changes go through the stage
pages, whose services enforce the gate and four-eyes rules; the admin is for Admin repairs."""

from django.contrib import admin

from core.admin import HistoryAdmin

from .models import Output, ProgressUpdate, Stage


@admin.register(Stage)
class StageAdmin(HistoryAdmin):
    list_display = ["programme", "number", "name", "status", "approved_by_decision"]
    list_filter = ["status"]
    raw_id_fields = ["approved_by_decision", "gate_decision"]


@admin.register(Output)
class OutputAdmin(HistoryAdmin):
    list_display = ["stage", "code", "title", "status", "owner", "due_date"]
    list_filter = ["status", "stage__number"]
    raw_id_fields = ["owner", "submitted_by", "accepted_by"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(HistoryAdmin):
    list_display = ["stage", "as_of", "rag", "percent_complete", "author"]
    list_filter = ["rag"]
    raw_id_fields = ["author"]
