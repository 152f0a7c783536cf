"""Wiring: the Django admin for stages, with history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Output, Stage


@admin.register(Stage)
class StageAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "number", "name"]


@admin.register(Output)
class OutputAdmin(SimpleHistoryAdmin):
    list_display = ["stage", "code", "title", "status"]
    list_filter = ["status"]
