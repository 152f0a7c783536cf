"""The Django admin of the programme record, for Admin users, with history on every model."""

from django.contrib import admin

from core.admin import HistoryAdmin, TabularInline

from .models import (
    AlternativeOption,
    Benefit,
    BenefitMeasure,
    Consultation,
    Decision,
    GlossaryTerm,
    KeyConsideration,
    KeyDecisionReason,
    Objective,
    Programme,
    Recommendation,
    ReportReview,
)


@admin.register(Programme)
class ProgrammeAdmin(HistoryAdmin):
    list_display = ["name", "slug", "status", "spending_ceiling"]
    prepopulated_fields = {"slug": ["name"]}
    # The ceiling changes only through a recorded decision (programme.services).
    readonly_fields = ["spending_ceiling"]


@admin.register(Decision)
class DecisionAdmin(HistoryAdmin):
    list_display = ["programme", "kind", "title", "decided_on"]
    list_filter = ["kind"]


# The programme record ----------------------------------------------------------------------
# Admin users may correct any row; every change keeps its history like the forms do.


class _RecordAdmin(HistoryAdmin):
    list_filter = ["programme"]


@admin.register(KeyDecisionReason)
class KeyDecisionReasonAdmin(_RecordAdmin):
    list_display = ["programme", "test", "source_reference"]


@admin.register(Recommendation)
class RecommendationAdmin(_RecordAdmin):
    list_display = ["programme", "label", "outcome", "decided_on", "decided_by_name"]


@admin.register(AlternativeOption)
class AlternativeOptionAdmin(_RecordAdmin):
    list_display = ["programme", "number", "title", "is_recommended"]


@admin.register(Objective)
class ObjectiveAdmin(_RecordAdmin):
    list_display = ["programme", "position", "source_reference"]


@admin.register(KeyConsideration)
class KeyConsiderationAdmin(_RecordAdmin):
    list_display = ["programme", "section", "position", "heading", "source_reference"]
    list_filter = ["programme", "section"]


@admin.register(Consultation)
class ConsultationAdmin(_RecordAdmin):
    list_display = ["programme", "body", "consulted_on", "stance"]


@admin.register(ReportReview)
class ReportReviewAdmin(_RecordAdmin):
    list_display = ["programme", "area", "signer_name", "reviewed_on"]
    # Who signed and when: the signed-in user through the sign-off page, or the report's own
    # names as the demo loads them; never typed here (decision 0082).
    readonly_fields = ["reviewer", "signed_by", "reviewed_on"]


class BenefitMeasureInline(TabularInline):
    model = BenefitMeasure
    extra = 0


@admin.register(Benefit)
class BenefitAdmin(_RecordAdmin):
    list_display = ["programme", "title", "baseline_text", "target_value", "target_is_demo"]
    inlines = [BenefitMeasureInline]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(_RecordAdmin):
    list_display = ["programme", "term", "source_reference"]
