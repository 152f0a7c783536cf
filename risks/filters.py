"""The register's filters and sorting (django-filter). A bad value shows an error next to
its filter and is ignored; it never breaks the page."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, Q

from core.names import person_name

from . import scoring
from .models import BASES, Risk, RiskCategory, data_quality_q

BASIS_CHOICES = [(b, b.capitalize()) for b in BASES]
SCALE_CHOICES = [(n, str(n)) for n in scoring.SCALE]
STATUS_CHOICES = [("live", "Not closed"), *Risk.Status.choices]
QUALITY_CHOICES = [
    ("any", "Anything missing or flagged"),
    ("unscored", "Missing a score"),
    ("no_owner", "No owner"),
    ("no_review_date", "No review date"),
    ("flagged", "Flagged source problem"),
]
SORTS = {
    "reference": ("Reference", ["number"]),
    "-residual": (
        "Residual score, highest first",
        [F("residual_value").desc(nulls_last=True), F("inherent_value").desc(nulls_last=True)],
    ),
    "-inherent": ("Inherent score, highest first", [F("inherent_value").desc(nulls_last=True)]),
    "review_date": ("Review date, soonest first", [F("review_date").asc(nulls_last=True)]),
    "title": ("Title", ["title"]),
    "owner": ("Owner", [F("owner__last_name").asc(nulls_last=True), "owner__first_name"]),
}


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


class OwnerFilter(django_filters.ModelChoiceFilter):
    field_class = OwnerChoiceField


class RiskFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Risk.Kind.choices, empty_label="Any")
    category = django_filters.ModelChoiceFilter(
        queryset=RiskCategory.objects.all(), empty_label="Any"
    )
    owner = OwnerFilter(queryset=get_user_model().objects.none(), empty_label="Anyone")
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", empty_label="Any"
    )
    basis = django_filters.ChoiceFilter(
        choices=BASIS_CHOICES,
        method="filter_noop",
        empty_label=None,
        label="Score used for band, likelihood and impact",
    )
    band = django_filters.ChoiceFilter(method="filter_band", empty_label="Any")
    likelihood = django_filters.TypedChoiceFilter(
        choices=[("", "Any"), *SCALE_CHOICES], coerce=int, method="filter_likelihood"
    )
    impact = django_filters.TypedChoiceFilter(
        choices=[("", "Any"), *SCALE_CHOICES], coerce=int, method="filter_impact"
    )
    overdue_review = django_filters.BooleanFilter(
        method="filter_overdue",
        widget=forms.CheckboxInput,
        label="Only risks whose review is overdue",
    )
    quality = django_filters.ChoiceFilter(
        choices=QUALITY_CHOICES, method="filter_quality", empty_label="Any", label="Data quality"
    )
    sort = django_filters.ChoiceFilter(
        choices=[(k, label) for k, (label, _o) in SORTS.items()],
        method="filter_noop",
        empty_label=None,
        label="Sort by",
    )

    class Meta:
        model = Risk
        fields: list[str] = []

    def __init__(self, data=None, *args, programme, bands, today, **kwargs):
        if data is not None:
            data = data.copy()
            data.setdefault("basis", "residual")
            data.setdefault("sort", "reference")
        super().__init__(data, *args, **kwargs)
        self.programme = programme
        self.bands = bands
        self.today = today
        self.filters["band"].extra["choices"] = [(b.key, b.label) for b in bands]
        user_model = get_user_model()
        self.filters["owner"].queryset = (
            user_model.objects.filter(Q(owned_risks__programme=programme) | Q(is_active=True))
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.form.fields["basis"].initial = "residual"
        self.form.fields["sort"].initial = "reference"

    @property
    def qs(self):
        if not hasattr(self, "_sorted_qs"):
            queryset = super().qs
            cleaned = getattr(self.form, "cleaned_data", {}) if self.is_bound else {}
            ordering = SORTS.get(cleaned.get("sort") or "reference", SORTS["reference"])[1]
            self._sorted_qs = queryset.order_by(*ordering, "number")
        return self._sorted_qs

    def _basis(self) -> str:
        cleaned = getattr(self.form, "cleaned_data", {})
        basis = cleaned.get("basis") or "residual"
        return basis if basis in BASES else "residual"

    def heat_map_kind(self) -> str:
        """The heat maps follow the kind filter; with none chosen they map the threats."""
        if not self.is_bound:
            return Risk.Kind.RISK
        self.form.is_valid()
        return self.form.cleaned_data.get("kind") or Risk.Kind.RISK

    # Filter methods -------------------------------------------------------------------

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_status(self, queryset, name, value):
        if value == "live":
            return queryset.exclude(status=Risk.Status.CLOSED)
        return queryset.filter(status=value)

    def filter_band(self, queryset, name, value):
        band = next((b for b in self.bands if b.key == value), None)
        if band is None:
            return queryset
        basis = self._basis()
        return queryset.filter(
            **{f"{basis}_value__gte": band.lowest, f"{basis}_value__lte": band.highest}
        )

    def filter_likelihood(self, queryset, name, value):
        return queryset.filter(**{f"{self._basis()}_likelihood": value})

    def filter_impact(self, queryset, name, value):
        return queryset.filter(**{f"{self._basis()}_impact": value})

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.exclude(status=Risk.Status.CLOSED).filter(review_date__lt=self.today)

    def filter_quality(self, queryset, name, value):
        live = queryset.exclude(status=Risk.Status.CLOSED)
        if value == "unscored":
            missing = Q()
            for basis in BASES:
                missing |= Q(**{f"{basis}_likelihood__isnull": True})
            return live.filter(missing)
        if value == "no_owner":
            return live.filter(owner__isnull=True)
        if value == "no_review_date":
            return live.filter(review_date__isnull=True)
        if value == "flagged":
            return live.exclude(quality_flag="")
        return live.filter(data_quality_q())
