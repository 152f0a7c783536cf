"""Forms of the programme record. They check what a form can (required, lengths, dates not
in the future, amounts); the services check the rest, and their refusals come back here as
messages next to the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from core.forms import DateField, ModelForm

from . import services
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
        fields = services.PROGRAMME_RECORD_FIELDS
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

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # Every status validates, so the service decides (and a move the role may not make is
        # a 403); only the moves open to this user are offered.
        self.fields["status"].widget.choices = [
            (value, label) for value, label in Programme.Status.choices if value in allowed
        ]


class KeyDecisionReasonForm(RecordForm):
    class Meta:
        model = KeyDecisionReason
        fields = services.KEY_REASON_FIELDS
        widgets = {"test": forms.RadioSelect}


class RecommendationForm(RecordForm):
    class Meta:
        model = Recommendation
        fields = services.RECOMMENDATION_FIELDS


class AlternativeOptionForm(RecordForm):
    class Meta:
        model = AlternativeOption
        fields = services.OPTION_FIELDS


class ObjectiveForm(RecordForm):
    class Meta:
        model = Objective
        fields = services.OBJECTIVE_FIELDS


class KeyConsiderationForm(RecordForm):
    class Meta:
        model = KeyConsideration
        fields = services.CONSIDERATION_FIELDS


class ConsultationForm(RecordForm):
    class Meta:
        model = Consultation
        fields = services.CONSULTATION_FIELDS
        widgets = {"stance": forms.RadioSelect}

    def clean_consulted_on(self):
        return _not_in_future(self.cleaned_data.get("consulted_on"), "The date consulted")


class ReportReviewForm(RecordForm):
    """Sign off one area in your own name, today: who signed and when are never typed."""

    confirm = forms.BooleanField(
        label="I have reviewed the report and sign it off in my own name",
        error_messages={"required": "Confirm that you have reviewed the report to sign it off."},
    )

    class Meta:
        model = ReportReview
        fields = services.REPORT_REVIEW_FIELDS
        labels = {"reviewer_role": "Your role (optional)"}
        help_texts = {"reviewer_role": "For example, Head of Legal Services"}


class BenefitForm(RecordForm):
    baseline_value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    target_value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)

    class Meta:
        model = Benefit
        fields = services.BENEFIT_FIELDS
        widgets = {"kind": forms.RadioSelect, "direction": forms.RadioSelect}


class BenefitMeasureForm(RecordForm):
    value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, label="Actual")

    class Meta:
        model = BenefitMeasure
        fields = services.BENEFIT_MEASURE_FIELDS

    def clean_measured_on(self):
        return _not_in_future(self.cleaned_data.get("measured_on"), "The date measured")


class GlossaryTermForm(RecordForm):
    class Meta:
        model = GlossaryTerm
        fields = services.GLOSSARY_TERM_FIELDS


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
