"""Forms for the actual-spend pages. They parse what was typed; the services decide."""

from django import forms

from core.forms import ModelForm, MoneyInputField
from stages.models import Stage

from ..models import CostCentreMapping, CostLine, LedgerMapping
from ..models_actuals import FORECAST_FIELDS, MAPPING_FIELDS


class LedgerMappingForm(ModelForm):
    class Meta:
        model = LedgerMapping
        fields = MAPPING_FIELDS
        widgets = {"date_format": forms.RadioSelect}


class CostCentreMappingForm(ModelForm):
    class Meta:
        model = CostCentreMapping
        fields = ("cost_centre", "account_code", "stage", "cost_line", "service_area")
        error_messages = {"cost_centre": {"required": "Enter the cost centre code"}}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["stage"].queryset = Stage.objects.filter(programme=programme).order_by("number")
        self.fields["stage"].label_from_instance = lambda s: f"Stage {s.number}: {s.name}"
        self.fields["cost_line"].queryset = CostLine.objects.filter(
            programme=programme, table=CostLine.Table.COSTS
        )
        self.fields["cost_line"].label_from_instance = lambda li: (
            f"{li.label} ({li.financial_year})"
        )

    def validate_unique(self):
        # The service decides (and the database's constraint is the last word).
        pass


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Ledger export (CSV)",
        help_text="A CSV of general-ledger transactions from your finance system, in the "
        "columns your council's mapping names. Windows or UTF-8 text both work.",
        error_messages={"required": "Choose a CSV file to import", "empty": "The file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class StageForecastForm(forms.Form):
    forecast_to_complete = MoneyInputField(
        label="Forecast cost to complete (£)",
        allow_zero=True,
        help_text="What the stage still needs to spend, beyond what is committed",
        error_messages={"required": "Enter the forecast cost to complete"},
    )
    note = forms.CharField(
        label="Basis of the forecast (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = FORECAST_FIELDS


class QuarterForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    quarter = forms.IntegerField(min_value=1, max_value=4)
