"""Wiring: the Django admin for risks, with history. Admins add categories and tune bands here."""

from django.contrib import admin, messages

from core.admin import HistoryAdmin, TabularInline

from . import scoring
from .models import MitigationAction, Risk, RiskBand, RiskCategory, RiskFramework, RiskReview


@admin.register(RiskCategory)
class RiskCategoryAdmin(HistoryAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]


@admin.register(RiskBand)
class RiskBandAdmin(HistoryAdmin):
    list_display = ["label", "lowest", "highest", "colour", "key"]

    def changelist_view(self, request, extra_context=None):
        # Each band is saved on its own, so a gap can exist between two edits; say so plainly.
        problems = scoring.band_problems(b.as_band() for b in RiskBand.objects.all())
        for problem in problems:
            messages.warning(request, problem)
        return super().changelist_view(request, extra_context)


@admin.register(RiskFramework)
class RiskFrameworkAdmin(HistoryAdmin):
    list_display = ["programme", "name", "source_reference"]


class MitigationActionInline(TabularInline):
    model = MitigationAction
    extra = 0
    raw_id_fields = ["owner"]


@admin.register(Risk)
class RiskAdmin(HistoryAdmin):
    list_display = ["reference", "title", "programme", "kind", "category", "owner", "status"]
    list_filter = ["programme", "kind", "category", "status"]
    search_fields = ["title", "cause", "effect"]
    raw_id_fields = ["owner"]
    filter_horizontal = ["stages"]
    inlines = [MitigationActionInline]


@admin.register(MitigationAction)
class MitigationActionAdmin(HistoryAdmin):
    list_display = ["description", "risk", "owner", "due_date", "done"]
    list_filter = ["done"]
    raw_id_fields = ["owner", "risk"]


@admin.register(RiskReview)
class RiskReviewAdmin(HistoryAdmin):
    list_display = ["risk", "reviewed_on", "reviewed_by"]
    raw_id_fields = ["risk", "reviewed_by"]
