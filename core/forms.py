"""Form parts every app uses: putting a service's refusal next to its fields, money as people
type it, and dates: `DateField` is the one place the product parses a date, and every form's
date fields (model forms through `ModelForm`, the admin through `core.admin`) are one."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .dates import DATE_INPUT_FORMATS, govuk_date
from .money import parse_money


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal next to the fields it names (the rest above the form).

    Services raise `ValidationError({field: message})` with the form's field names; a field
    the form does not have, or a refusal without fields, goes to the top of the form."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error)


class MoneyInputField(forms.CharField):
    """Pounds as typed (`30000`, `£30,000.50`), checked by `core.money.parse_money`.

    A text input, not a number input: browsers silently drop what a number input cannot
    parse, and we want to keep what was typed and say what is wrong with it.
    """

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "spellcheck": "false"})
        self.widget.attrs["class"] = "govuk-input--width-10"

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values and not self.required:
            return None
        return parse_money(value, allow_zero=self.allow_zero)


# Dates ----------------------------------------------------------------------------------------

# Every date the product accepts is one it can compute with: a year like 9999 overflows the
# first `+ timedelta` (a week's margin on a chart, the day after a filter's end), and a year
# like 1 has no financial year before it. Nothing in a council programme falls outside these.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def validate_date_in_range(value: date) -> None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            "Enter a date from %(earliest)s to %(latest)s",
            code="date_out_of_range",
            params={"earliest": govuk_date(EARLIEST_DATE), "latest": govuk_date(LATEST_DATE)},
        )


class DateInput(forms.DateInput):
    """The browser's date picker; it sends (and is given) an ISO date."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")


class DateField(forms.DateField):
    """A date as people type it, from 1 January 2000 to 31 December 2100.

    The one place the product parses a date: forms declare it (or get it from `ModelForm` and
    the admin), and a change of how dates are typed (such as GOV.UK's three-field date input)
    is made here once. An app may give its own wording through `error_messages`, including
    for `date_out_of_range`."""

    widget = DateInput
    default_validators = [validate_date_in_range]
    default_error_messages = {"invalid": "Enter a real date, for example 19/07/2022."}

    def __init__(self, *, input_formats=None, **kwargs):
        super().__init__(input_formats=input_formats or DATE_INPUT_FORMATS, **kwargs)


def model_formfield(db_field: models.Field, **kwargs):
    """A model form's field for `db_field`: `DateField` for a date, Django's choice otherwise."""
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateField)
    return db_field.formfield(**kwargs)


class _ModelFormMetaclass(forms.models.ModelFormMetaclass):
    def __new__(mcs, name, bases, attrs):
        meta = attrs.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(model_formfield)
        return super().__new__(mcs, name, bases, attrs)


class ModelForm(forms.ModelForm, metaclass=_ModelFormMetaclass):
    """Every model form of the product: its model's date fields become `DateField`."""
