"""Wiring: the Django admin for reserves, with history.

Drawdowns and refusals are read-only here: money moves only through the drawdown pages
(reserves.services: four-eyes, who and when at each step), and the refusal log is an audit
record. The ceiling guard would refuse a breach from the admin anyway.
"""

from django.contrib import admin

from core.admin import HistoryAdmin, ReadOnlyAdmin, ReadOnlyHistoryAdmin

from .models import CeilingProposal, CostLine, Drawdown, DrawdownRefusal, Reserve, StatedFigure


@admin.register(Reserve)
class ReserveAdmin(HistoryAdmin):
    list_display = ["name", "opening_balance", "opening_date", "floor", "next_review_date"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Drawdown)
class DrawdownAdmin(ReadOnlyHistoryAdmin):
    list_display = ["id", "purpose", "programme", "reserve", "amount", "status", "requested_by"]
    list_filter = ["status", "reserve"]


@admin.register(CeilingProposal)
class CeilingProposalAdmin(ReadOnlyHistoryAdmin):
    """Read-only: a ceiling change is proposed and approved by two people on its own pages."""

    list_display = ["programme", "old_ceiling", "new_ceiling", "status", "proposed_by"]
    list_filter = ["status"]


@admin.register(DrawdownRefusal)
class DrawdownRefusalAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "username", "amount", "attempted_status", "source", "reason"]


@admin.register(CostLine)
class CostLineAdmin(HistoryAdmin):
    list_display = ["programme", "table", "kind", "label", "financial_year", "amount"]
    list_filter = ["table", "programme"]


@admin.register(StatedFigure)
class StatedFigureAdmin(HistoryAdmin):
    list_display = ["programme", "kind", "label", "stated_text", "source_reference"]
