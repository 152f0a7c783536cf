"""Forms for a risk, a mitigation action and a review. Validation lives on the models
(`clean()`), so the forms, the services and the admin refuse the same bad input."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.forms import ModelForm
from core.names import person_name

from . import scoring, services
from .models import SCORE_MESSAGE, MitigationAction, RaidItem, Risk, RiskCategory, RiskReview


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


def owner_field(label: str, current=None) -> UserChoiceField:
    users = get_user_model().objects.filter(is_active=True)
    if current is not None:
        # A deactivated owner stays selectable on the record they already own.
        users = users | get_user_model().objects.filter(pk=current)
    return UserChoiceField(
        queryset=users.distinct().order_by("first_name", "last_name", "username"),
        required=False,
        label=label,
        empty_label="No owner yet",
        error_messages={"invalid_choice": "Choose an owner from the list"},
    )


def score_field(label: str, labels: dict[int, str], *, required: bool = False):
    """A 1–5 choice; anything else (typed into the request) is a clear field error."""
    choices = [("", "Not scored")] if not required else [("", "Choose a score")]
    choices += [(str(n), f"{n} – {text}") for n, text in labels.items()]
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=required,
        error_messages={
            "invalid_choice": SCORE_MESSAGE,
            "required": f"Enter the {label.lower()} (1 to 5)",
        },
    )


def _responses(kind) -> list[tuple[str, str]]:
    # Orange Book order, not set order.
    return [(r.value, r.label) for r in Risk.Response if r in Risk.RESPONSES_BY_KIND[kind]]


RESPONSE_CHOICES = [
    ("", "Not chosen"),
    ("For a risk", _responses(Risk.Kind.RISK)),
    ("For an opportunity", _responses(Risk.Kind.OPPORTUNITY)),
]


class RiskForm(ModelForm):
    inherent_likelihood = score_field("Inherent likelihood", scoring.LIKELIHOOD_LABELS)
    inherent_impact = score_field("Inherent impact", scoring.IMPACT_LABELS)
    residual_likelihood = score_field("Residual likelihood", scoring.LIKELIHOOD_LABELS)
    residual_impact = score_field("Residual impact", scoring.IMPACT_LABELS)
    target_likelihood = score_field("Target likelihood", scoring.LIKELIHOOD_LABELS)
    target_impact = score_field("Target impact", scoring.IMPACT_LABELS)
    response = forms.ChoiceField(choices=RESPONSE_CHOICES, required=False)

    class Meta:
        model = Risk
        fields = services.RISK_FIELDS
        widgets = {
            "kind": forms.RadioSelect,
            "cause": forms.Textarea(attrs={"rows": 3}),
            "effect": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
            "residual_reason": forms.Textarea(attrs={"rows": 2}),
            "closing_note": forms.Textarea(attrs={"rows": 2}),
            "review_date": forms.DateInput,
            "stages": forms.CheckboxSelectMultiple,
        }
        labels = {
            "kind": "Is this a risk or an opportunity?",
            "cause": "Cause",
            "effect": "Effect",
            "mitigation": "Mitigation in place",
            "review_date": "Next review date",
            "stages": "Stages it affects",
        }
        help_texts = {
            "closing_note": "Needed when the status is Closed",
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Risk.Kind.choices
        self.fields["proximity"].choices = [("", "Not set"), *Risk.Proximity.choices]
        categories = RiskCategory.objects.filter(is_active=True)
        if self.instance.category_id:
            categories = categories | RiskCategory.objects.filter(pk=self.instance.category_id)
        self.fields["category"] = forms.ModelChoiceField(
            queryset=categories.distinct().order_by("name"),
            label="Category",
            empty_label="Choose a category",
            error_messages={
                "invalid_choice": "Choose a category from the list",
                "required": "Choose a category",
            },
        )
        self.fields["owner"] = owner_field("Owner", current=self.instance.owner_id)
        self.fields["stages"].queryset = programme.stages.order_by("number")
        self.fields["stages"].required = False
        self.fields["title"].error_messages["required"] = "Enter a title"


class ActionForm(ModelForm):
    class Meta:
        model = MitigationAction
        fields = services.ACTION_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "due_date": forms.DateInput,
            "done_on": forms.DateInput,
        }
        labels = {"description": "What will be done", "done": "Done"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = owner_field("Owner", current=self.instance.owner_id)
        self.fields["description"].error_messages["required"] = "Say what will be done"


class ReviewForm(ModelForm):
    inherent_likelihood = score_field(
        "Inherent likelihood", scoring.LIKELIHOOD_LABELS, required=True
    )
    inherent_impact = score_field("Inherent impact", scoring.IMPACT_LABELS, required=True)
    residual_likelihood = score_field(
        "Residual likelihood", scoring.LIKELIHOOD_LABELS, required=True
    )
    residual_impact = score_field("Residual impact", scoring.IMPACT_LABELS, required=True)

    class Meta:
        model = RiskReview
        fields = services.REVIEW_FIELDS
        widgets = {
            "reviewed_on": forms.DateInput,
            "next_review_date": forms.DateInput,
            "notes": forms.Textarea(attrs={"rows": 4}),
            "residual_reason": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"notes": "What the review found", "next_review_date": "Next review date"}

    def __init__(self, *args, risk: Risk, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "reviewed_on": timezone.localdate(),
                "inherent_likelihood": risk.inherent_likelihood,
                "inherent_impact": risk.inherent_impact,
                "residual_likelihood": risk.residual_likelihood,
                "residual_impact": risk.residual_impact,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].error_messages["required"] = "Enter the date of the review"


class RaidItemForm(ModelForm):
    class Meta:
        model = RaidItem
        fields = services.RAID_FIELDS
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"kind": "What is it?", "raised_on": "Date raised"}
        error_messages = {
            "kind": {"required": "Choose issue, assumption or dependency"},
            "title": {"required": "Enter a title"},
            "raised_on": {"required": "Enter the date it was raised"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = owner_field("Owner", current=self.instance.owner_id)
        self.fields["kind"].choices = RaidItem.Kind.choices
