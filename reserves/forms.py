"""Forms for reserve pages. They parse and check what was typed; the services decide."""

from django import forms
from django.utils import timezone

from core import forms as core_forms
from core.forms import ModelForm, MoneyInputField
from core.money import ZERO, format_gbp
from programme.models import Programme

from .models import CostLine, Reserve
from .services import FUTURE_YEARS, RESERVE_EDITABLE, clean_financial_year


class DateField(core_forms.DateField):
    """core's date field in the reserve pages' words."""

    default_error_messages = {
        "invalid": "Enter a real date, like 30 9 2022",
        "required": "Enter a date",
    }


class DrawdownRequestForm(forms.Form):
    reserve = forms.ModelChoiceField(
        queryset=Reserve.objects.all(),
        empty_label=None,
        error_messages={"required": "Choose the reserve", "invalid_choice": "Choose a reserve"},
    )
    programme = forms.ModelChoiceField(
        queryset=Programme.objects.all(),
        required=False,
        empty_label="Choose the programme",
        help_text="The programme whose spending ceiling this counts against",
        error_messages={"invalid_choice": "Choose a programme"},
    )
    no_programme = forms.BooleanField(
        label="This money is for another purpose, not a programme",
        required=False,
        help_text="It then counts against no programme's ceiling, but still against the "
        "reserve's floor. Say what the purpose is below.",
    )
    purpose = forms.CharField(
        label="What the money is for",
        max_length=300,
        error_messages={"required": "Enter what the money is for"},
    )
    amount = MoneyInputField(
        label="Amount (£)",
        help_text="In pounds, for example 30000 or 30,000.50",
        error_messages={"required": "Enter the amount in pounds"},
    )
    needed_by = DateField(label="Money needed by (optional)", required=False)

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        if programme is None and not self.is_bound:
            # Start from the programme when there is only one: never from "no programme".
            only = list(Programme.objects.order_by("pk")[:2])
            programme = only[0] if len(only) == 1 else None
        if programme is not None and not self.is_bound:
            self.initial.setdefault("programme", programme.pk)
            if programme.funding_reserve_id:
                self.initial.setdefault("reserve", programme.funding_reserve_id)

    def clean(self):
        cleaned = super().clean()
        programme, other = cleaned.get("programme"), cleaned.get("no_programme")
        if programme is None and not other and "programme" not in self.errors:
            self.add_error(
                "programme",
                "Choose the programme this money is for, or say it is for another purpose",
            )
        if programme is not None and other:
            self.add_error(
                "no_programme",
                "Choose a programme or another purpose, not both",
            )
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason"},
    )


class RejectForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "Why is it rejected?"
        self.fields["reason"].error_messages["required"] = "Enter why the drawdown is rejected"


class CancelForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "Why is it cancelled?"
        self.fields["reason"].error_messages["required"] = "Enter why the drawdown is cancelled"


class ScheduleForm(forms.Form):
    scheduled_for = DateField(
        label="Date to be drawn",
        error_messages={"required": "Enter the date it is to be drawn"},
    )


class DrawnForm(forms.Form):
    drawn_on = DateField(
        label="Date drawn",
        error_messages={"required": "Enter the date the money was drawn"},
    )


class ReserveForm(ModelForm):
    floor = MoneyInputField(
        label="Floor (£)",
        help_text="The balance below which the reserve may not go",
        required=False,
        allow_zero=True,
    )
    planned_annual_use = MoneyInputField(
        label="Planned use per year (£, optional)",
        help_text="Leave blank to use the rate committed so far",
        required=False,
        allow_zero=True,
    )

    class Meta:
        model = Reserve
        fields = list(RESERVE_EDITABLE)
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "usage_rules": forms.Textarea(attrs={"rows": 3}),
            "review_process": forms.Textarea(attrs={"rows": 3}),
            "next_review_date": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_floor(self):
        # A blank floor is £0, not "no floor": the reserve may never go negative.
        value = self.cleaned_data.get("floor")
        return ZERO if value is None else value


class CostLineForm(forms.Form):
    table = forms.ChoiceField(choices=CostLine.Table.choices, label="Table")
    kind = forms.ChoiceField(
        choices=CostLine.Kind.choices, label="Revenue or capital", widget=forms.RadioSelect
    )
    label = forms.CharField(max_length=200, error_messages={"required": "Enter the line's label"})
    financial_year = forms.CharField(
        label="Financial year",
        max_length=12,
        help_text=f"Like 2022/23, or {FUTURE_YEARS} for the report's Future Years column",
        error_messages={"required": "Enter the financial year"},
    )
    amount = MoneyInputField(label="Amount (£)", help_text="In pounds, for example 200000")
    is_estimate = forms.BooleanField(label="This is an estimate", required=False)
    stages = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    source_reference = forms.CharField(
        label="Where in the report (optional)", max_length=100, required=False
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stages"].queryset = programme.stages.order_by("number")

    def clean_financial_year(self):
        return clean_financial_year(self.cleaned_data["financial_year"])


class CeilingProposalForm(forms.Form):
    """The first person's proposal of a new ceiling (fields: services.CEILING_PROPOSAL_FIELDS).
    The service checks it again against the programme; a second person approves it."""

    new_ceiling = MoneyInputField(label="New spending ceiling (£)")
    title = forms.CharField(
        label="Decision title",
        max_length=200,
        error_messages={"required": "Enter the decision's title"},
    )
    decided_on = DateField(
        label="Date of the decision",
        help_text="On or after the programme's own decision, and not in the future",
    )
    decision_maker = forms.CharField(max_length=200, required=False)
    decision_reference = forms.CharField(
        label="Decision reference",
        max_length=100,
        help_text="For example the Cabinet minute or decision notice number",
        error_messages={"required": "Enter the decision's reference, such as its minute number"},
    )
    key_decision_reference = forms.CharField(
        label="Key-decision reference (if it is a key decision)",
        max_length=100,
        required=False,
        help_text="Needed for a ceiling above the key-decision threshold",
    )
    reason = forms.CharField(
        label="What was decided, and why",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what was decided, and why"},
    )

    def __init__(self, *args, threshold, **kwargs):
        super().__init__(*args, **kwargs)
        self.threshold = threshold

    def clean_decided_on(self):
        day = self.cleaned_data.get("decided_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date of the decision must be today or in the past.")
        return day

    def clean(self):
        cleaned = super().clean()
        ceiling = cleaned.get("new_ceiling")
        if (
            ceiling is not None
            and ceiling > self.threshold
            and not cleaned.get("key_decision_reference")
        ):
            self.add_error(
                "key_decision_reference",
                f"{format_gbp(ceiling)} is above the key-decision threshold of "
                f"{format_gbp(self.threshold)}: only a new key decision can set it. Enter the "
                "key decision's reference.",
            )
        return cleaned
