"""Forms of the programme record. They check what a form can (required, lengths, dates not
in the future, amounts); the services check the rest, and their refusals come back here as
messages next to the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from core.forms import DateField, ModelForm

from .models import (
    AlternativeOption,
    Benefit,
    BenefitMeasure,
    Consultation,
    GlossaryTerm,
    KeyConsideration,
    KeyDecisionReason,
    Objective,
    Programme,
    Recommendation,
    ReportReview,
)

# Long enough for the longest paragraph of the report (para 5, about 800 characters) several
# times over; a paste of a whole document is refused with a message.
TEXT_MAX = 4000


def _not_in_future(value, what: str):
    if value and value > timezone.localdate():
        raise ValidationError(f"{what} must be today or in the past.")
    return value


class RecordForm(ModelForm):
    """A model form with a length limit on every text box and small text areas."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = TEXT_MAX
                field.validators.append(MaxLengthValidator(TEXT_MAX))
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 4)


class ProgrammeRecordForm(RecordForm):
    class Meta:
        model = Programme
        fields = [
            "report_title",
            "name",
            "council",
            "decision_maker",
            "decision_date",
            "report_author",
            "classification",
            "is_key_decision",
            "notice_served",
            "wards_affected",
            "purpose",
            "appendices",
            "background_papers",
        ]
        widgets = {"classification": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_date"].required = True
        self.fields["purpose"].required = True
        self.fields["decision_maker"].required = True

    def clean_decision_date(self):
        return _not_in_future(self.cleaned_data.get("decision_date"), "The decision date")


class ProgrammeStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Programme.Status.choices, widget=forms.RadioSelect)


class KeyDecisionReasonForm(RecordForm):
    class Meta:
        model = KeyDecisionReason
        fields = ["test", "text", "position", "source_reference"]
        widgets = {"test": forms.RadioSelect}


class RecommendationForm(RecordForm):
    class Meta:
        model = Recommendation
        fields = ["label", "text", "source_reference"]


class AlternativeOptionForm(RecordForm):
    class Meta:
        model = AlternativeOption
        fields = ["number", "title", "reason", "is_recommended", "source_reference"]


class ObjectiveForm(RecordForm):
    class Meta:
        model = Objective
        fields = ["position", "text", "source_reference"]


class KeyConsiderationForm(RecordForm):
    class Meta:
        model = KeyConsideration
        fields = ["section", "position", "heading", "text", "source_reference"]


class ConsultationForm(RecordForm):
    class Meta:
        model = Consultation
        fields = ["body", "consulted_on", "outcome", "stance", "source_reference"]
        widgets = {"stance": forms.RadioSelect}

    def clean_consulted_on(self):
        return _not_in_future(self.cleaned_data.get("consulted_on"), "The date consulted")


class ReportReviewForm(RecordForm):
    class Meta:
        model = ReportReview
        fields = ["reviewer", "reviewer_role", "reviewed_on", "source_reference"]
        labels = {"reviewer": "Signed by"}

    def clean_reviewed_on(self):
        return _not_in_future(self.cleaned_data.get("reviewed_on"), "The date signed")


class BenefitForm(RecordForm):
    baseline_value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    target_value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)

    class Meta:
        model = Benefit
        fields = [
            "title",
            "description",
            "kind",
            "measure",
            "unit",
            "direction",
            "baseline_text",
            "baseline_value",
            "baseline_date",
            "baseline_source",
            "target_value",
            "target_date",
            "target_is_demo",
            "source_reference",
        ]
        widgets = {"kind": forms.RadioSelect, "direction": forms.RadioSelect}


class BenefitMeasureForm(RecordForm):
    value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, label="Actual")

    class Meta:
        model = BenefitMeasure
        fields = ["measured_on", "value", "note"]

    def clean_measured_on(self):
        return _not_in_future(self.cleaned_data.get("measured_on"), "The date measured")


class GlossaryTermForm(RecordForm):
    class Meta:
        model = GlossaryTerm
        fields = ["term", "meaning", "source_reference"]


class RecommendationDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[
            c for c in Recommendation.Outcome.choices if c[0] != Recommendation.Outcome.PENDING
        ],
        widget=forms.RadioSelect,
    )
    decided_on = DateField(label="Date of the decision")
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the changes made when approved with changes.",
    )

    def clean_decided_on(self):
        return _not_in_future(self.cleaned_data.get("decided_on"), "The date of the decision")
