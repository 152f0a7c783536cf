"""The Django admin for actual spend: every model read-only (issue 17).

Ledger rows change only through an import Finance checked and confirmed (all or nothing, each
change recorded in LedgerChange); the column and cost-centre mappings and the officer's forecast
to complete have their own pages, whose services check who may change them and raise tolerance
exceptions from the forecast outturn. An Admin user may read them all here, change none.
Registered by reserves/admin.py importing this module.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin

from ..models import (
    CostCentreMapping,
    LedgerChange,
    LedgerImport,
    LedgerMapping,
    LedgerTransaction,
    StageForecast,
)


@admin.register(LedgerImport)
class LedgerImportAdmin(ReadOnlyHistoryAdmin):
    list_display = ["id", "programme", "original_name", "status", "rows_total", "uploaded_by"]
    list_filter = ["status"]
    list_select_related = ["programme", "uploaded_by"]
    exclude = ["errors", "changes"]  # long JSON: shown on the import's own page


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "programme", "posting_date", "cost_centre", "amount", "stage"]
    list_select_related = ["programme", "stage"]
    search_fields = ["reference"]
    raw_id_fields = ["programme", "stage", "cost_line", "first_import", "last_import"]


@admin.register(LedgerChange)
class LedgerChangeAdmin(ReadOnlyAdmin):
    list_display = ["ledger_import", "reference", "old_amount", "new_amount"]
    list_select_related = ["ledger_import"]
    raw_id_fields = ["ledger_import"]


@admin.register(LedgerMapping)
class LedgerMappingAdmin(ReadOnlyHistoryAdmin):
    list_display = ["council", "reference_column", "amount_column", "date_format"]


@admin.register(CostCentreMapping)
class CostCentreMappingAdmin(ReadOnlyHistoryAdmin):
    list_display = ["programme", "cost_centre", "account_code", "stage", "cost_line"]
    list_select_related = ["programme", "stage", "cost_line"]


@admin.register(StageForecast)
class StageForecastAdmin(ReadOnlyHistoryAdmin):
    list_display = ["stage", "forecast_to_complete", "recorded_by", "recorded_at"]
    list_select_related = ["stage", "recorded_by"]
