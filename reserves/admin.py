"""Wiring: the Django admin for reserves, with history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Reserve


@admin.register(Reserve)
class ReserveAdmin(SimpleHistoryAdmin):
    list_display = ["name", "opening_balance", "opening_date", "floor"]
