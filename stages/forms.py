"""Forms for stages, outputs, progress updates, gates and approvals.

Forms check the shape of what was typed; the services check the rules, and
`core.forms.apply_errors` puts their refusals next to the right field, keeping what was typed.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from core.forms import DateField, DateInput, FileInput, ModelForm, MoneyInputField
from core.names import person_name
from programme.models import Decision

from . import rag as rag_scale
from . import services
from .models import Escalation, Output, ProgressUpdate, Stage, ToleranceException
from .services import ALLOWED_EVIDENCE_EXTENSIONS, evidence_file_validate


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> DateField:
    return DateField(
        label=label,
        required=required,
        help_text=help_text or "For example, 19 7 2022",
    )


class StageForm(ModelForm):
    class Meta:
        model = Stage
        fields = services.STAGE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "planned_start": DateInput(),
            "planned_end": DateInput(),
            "rag_scale": forms.RadioSelect(),
        }
        error_messages = {
            "planned_start": {"invalid": "Enter a real date, for example 01/09/2022."},
            "planned_end": {"invalid": "Enter a real date, for example 31/01/2023."},
            "rag_scale": {"invalid_choice": "Choose the 3-point or the 5-point scale."},
            "contract_basis": {"invalid_choice": "Choose a contract basis from the list."},
        }


class OutputForm(ModelForm):
    evidence_url = forms.URLField(
        label="Evidence link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A link to the document, for example on the intranet",
        error_messages={"invalid": "Enter a full web address, starting https://"},
    )
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="No owner yet",
        help_text="The officer responsible. Another officer (or an Admin) accepts it.",
        error_messages={"invalid_choice": "Choose an officer from the list."},
    )

    class Meta:
        model = Output
        fields = services.OUTPUT_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "note": forms.Textarea(attrs={"rows": 2}),
            "due_date": DateInput(),
            "evidence_file": FileInput(
                attrs={"accept": ",".join(f".{e}" for e in sorted(ALLOWED_EVIDENCE_EXTENSIONS))}
            ),
        }
        help_texts = {
            "code": "The output's letter or number in its stage, for example a or 2.1",
        }
        error_messages = {
            "due_date": {"invalid": "Enter a real date, for example 30/11/2022."},
        }

    def __init__(self, *args, stage: Stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.stage = stage
        User = get_user_model()
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True)
            .filter(Q(groups__name="Officer") | Q(groups__name="Admin") | Q(is_superuser=True))
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["owner"].label_from_instance = person_name
        megabytes = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        types = ", ".join(sorted(ALLOWED_EVIDENCE_EXTENSIONS))
        self.fields["evidence_file"].help_text = f"{types}; up to {megabytes} MB"
        if self.instance.pk and self.instance.evidence_file:
            self.fields["evidence_file"].widget.download_url = reverse(
                "stages:evidence_download",
                kwargs={
                    "slug": stage.programme.slug,
                    "number": stage.number,
                    "code": self.instance.code,
                },
            )

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            try:
                evidence_file_validate(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["evidence_file"]) from error
        return upload

    def clean_code(self):
        code = self.cleaned_data["code"]
        others = Output.objects.filter(stage=self.instance.stage, code=code)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(f"Stage {self.instance.stage.number} already has output {code}.")
        return code


class ProgressUpdateForm(ModelForm):
    as_of = _date_field("Date of the update")
    rag = forms.ChoiceField(
        label="Delivery confidence",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a delivery confidence rating.",
            "invalid_choice": "Choose one of the delivery confidence ratings listed.",
        },
    )
    percent_complete = forms.IntegerField(
        label="Percent complete",
        min_value=0,
        max_value=100,
        help_text="A whole number from 0 to 100",
        error_messages={
            "required": "Enter how complete the stage is, from 0 to 100.",
            "invalid": "Enter a whole number from 0 to 100.",
            "min_value": "Percent complete must be 0 or more.",
            "max_value": "Percent complete must be 100 or less.",
        },
    )
    narrative = forms.CharField(
        label="Progress since the last update",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Describe the progress since the last update."},
    )
    next_steps = forms.CharField(
        label="Next steps", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    escalation = forms.CharField(
        label="Issues needing escalation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything Cabinet needs to decide: it goes to Cabinet as soon as you post",
    )
    forecast_end = _date_field(
        "Forecast end date",
        required=False,
        help_text="When you now expect the stage to end; leave blank to keep the last forecast",
    )
    forecast_cost = MoneyInputField(
        label="Forecast cost",
        required=False,
        help_text="What you now expect the stage to cost in total, for example £250,000",
    )

    class Meta:
        model = ProgressUpdate
        fields = services.PROGRESS_UPDATE_FIELDS

    def __init__(self, *args, stage: Stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.stage = stage
        self.fields["rag"].choices = rag_scale.choices_for(stage.rag_scale)
        self.fields[
            "rag"
        ].help_text = "The Infrastructure and Projects Authority's delivery confidence scale"


class OutputStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        choices=Output.Status.choices,
        error_messages={
            "required": "Choose the output's new status.",
            "invalid_choice": "Choose one of the statuses listed.",
        },
    )
    # The fingerprint of the evidence the page showed (`services.evidence_seen`): accepting
    # evidence that changed after the page was opened is refused.
    seen_evidence = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # Every status validates (so the service can say why a move is refused); only the
        # moves open to this user are offered.
        self.allowed = allowed
        self.fields["status"].widget.choices = [(v, Output.Status(v).label) for v in allowed]
        if len(allowed) == 1 and not self.is_bound:
            # One move open: it is chosen already, so one click makes it.
            self.fields["status"].initial = allowed[0]


class StageStartForm(forms.Form):
    actual_start = _date_field("Date the stage started")


class StageCompleteForm(forms.Form):
    actual_end = _date_field("Date the stage ended")


class GateDecisionForm(ModelForm):
    decided_on = _date_field("Date of the decision")
    decision_maker = forms.CharField(
        label="Decision maker",
        max_length=200,
        help_text="For example, Cabinet member finance, corporate services and planning",
        error_messages={"required": "Enter who made the decision."},
    )
    summary = forms.CharField(
        label="What was decided", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    source_reference = forms.CharField(
        label="Source reference",
        required=False,
        max_length=100,
        help_text="For example, the decision notice or report paragraph",
    )

    class Meta:
        model = Decision
        fields = services.GATE_DECISION_FIELDS


class ApprovalDecisionForm(GateDecisionForm):
    stages = forms.ModelMultipleChoiceField(
        label="Stages this decision approves",
        queryset=Stage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one stage this decision approves.",
            "invalid_choice": "Choose stages from the list.",
        },
    )
    title = forms.CharField(
        label="Title of the decision",
        max_length=200,
        error_messages={"required": "Enter a title for the decision."},
    )
    field_order = ["stages", "title", "decided_on", "decision_maker", "summary"]

    class Meta:
        model = Decision
        fields = services.APPROVAL_DECISION_FIELDS

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stages"].queryset = Stage.objects.filter(
            programme=programme, approved_by_decision__isnull=True
        ).order_by("number")


# Tolerances, exceptions and escalations ---------------------------------------------------

_NOT_NEGATIVE = {"min_value": "A tolerance cannot be negative."}


class ToleranceForm(forms.Form):
    """Cabinet's decision setting tolerances: the programme's, or a stage's with its budget."""

    budget = MoneyInputField(
        label="Stage budget",
        required=False,
        help_text="The cost tolerance is a percentage either side of this",
    )
    cost_tolerance_percent = forms.DecimalField(
        label="Cost tolerance (%)",
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=2,
        help_text="How far the forecast cost may move either side of the budget, for example 5",
        error_messages={**_NOT_NEGATIVE, "invalid": "Enter a percentage, for example 5."},
    )
    time_tolerance_days = forms.IntegerField(
        label="Time tolerance (days)",
        required=False,
        min_value=0,
        max_value=3650,
        help_text="How many days past the planned end the forecast may go",
        error_messages={**_NOT_NEGATIVE, "invalid": "Enter a whole number of days."},
    )
    scope_tolerance_outputs = forms.IntegerField(
        label="Scope tolerance (outputs that may slip)",
        required=False,
        min_value=0,
        max_value=1000,
        help_text="How many outputs may be past their due date and not accepted",
        error_messages={**_NOT_NEGATIVE, "invalid": "Enter a whole number of outputs."},
    )
    decided_on = _date_field("Date of the decision")
    decision_maker = forms.CharField(
        label="Decision maker",
        max_length=200,
        help_text="For example, Cabinet",
        error_messages={"required": "Enter who made the decision."},
    )
    summary = forms.CharField(
        label="Reasons", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, stage: Stage | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if stage is None:
            del self.fields["budget"]


class ExceptionReportForm(ModelForm):
    cause = forms.CharField(
        label="Cause",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what caused the forecast to break the tolerance."},
    )
    options = forms.CharField(
        label="Options", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    recommendation = forms.CharField(
        label="Recommendation",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what you recommend Cabinet decides."},
    )

    class Meta:
        model = ToleranceException
        fields = services.EXCEPTION_REPORT_FIELDS


class ExceptionDecisionForm(ModelForm):
    outcome = forms.ChoiceField(
        label="Cabinet's decision",
        widget=forms.RadioSelect,
        choices=ToleranceException.Outcome.choices,
        error_messages={
            "required": "Choose accept, change the tolerance or stop.",
            "invalid_choice": "Choose accept, change the tolerance or stop.",
        },
    )
    decision_note = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reasons for the decision."},
    )

    class Meta:
        model = ToleranceException
        fields = services.EXCEPTION_DECISION_FIELDS


class EscalationDecisionForm(ModelForm):
    decision = forms.CharField(
        label="Cabinet's decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter Cabinet's decision."},
    )

    class Meta:
        model = Escalation
        fields = services.ESCALATION_DECISION_FIELDS
