"""Form parts every app uses: putting a service's refusal next to its fields, money as people
type it, and dates: `DateField` is the one place the product parses a date, and every form's
date fields (model forms through `ModelForm`, the admin through `core.admin`) are one."""

from datetime import date, datetime

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


class FileInput(forms.ClearableFileInput):
    """GOV.UK's file upload: the stored file named as a link that works (`download_url`, set
    by the form, since only the app knows the view that serves it), a file box, and a
    "Remove the current file" checkbox when the file is optional. Every file field is shown
    this way (`govuk_prepare` gives other file widgets this template)."""

    template_name = "forms/govuk_file_input.html"
    download_url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["download_url"] = self.download_url
        context["widget"]["file_name"] = str(getattr(value, "name", "") or "").rsplit("/", 1)[-1]
        return context


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


_PARTS = (
    ("day", "Day", "govuk-input--width-2"),
    ("month", "Month", "govuk-input--width-2"),
    ("year", "Year", "govuk-input--width-4"),
)
_MONTH_NAMES = {
    name: number
    for number in range(1, 13)
    for name in (
        date(2000, number, 1).strftime("%B").lower(),
        date(2000, number, 1).strftime("%b").lower(),
    )
}


class DateInput(forms.Widget):
    """GOV.UK's date input: three boxes (day, month, year) in a fieldset.

    It sends `<name>_day`, `<name>_month` and `<name>_year`; a request that sends the date as
    one value under `<name>` (a script, an old bookmark of a filter) is still read."""

    template_name = "forms/govuk_date_input.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        super().__init__(attrs)
        # The parts `DateField` found wrong on the last clean, for their red borders; empty
        # means "the whole date" when the field has an error.
        self.error_parts: tuple[str, ...] = ()

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        parts = tuple(data.get(f"{name}_{part}") for part, _label, _css in _PARTS)
        return None if all(p is None for p in parts) else parts

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}_{part}" not in data for part, *_ in _PARTS)

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            return tuple("" if v is None else str(v) for v in value)
        if isinstance(value, date):
            return (str(value.day), str(value.month), str(value.year))
        if isinstance(value, str) and value:
            for fmt in DATE_INPUT_FORMATS:
                try:
                    parsed = datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007
                except ValueError:
                    continue
                return (str(parsed.day), str(parsed.month), str(parsed.year))
        return ("", "", "")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        values = self.format_value(value)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        css = self.attrs.get("class", "")
        has_error = "govuk-input--error" in css
        context["widget"]["parts"] = [
            {
                "name": f"{name}_{part}",
                "id": f"{base_id}_{part}",
                "label": label,
                "value": values[index],
                "width": width,
                "error": has_error and (not self.error_parts or part in self.error_parts),
                "autocomplete": "",
            }
            for index, (part, label, width) in enumerate(_PARTS)
        ]
        context["widget"]["base_id"] = base_id
        return context

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else id_


def _label_of(field: forms.Field) -> str:
    return str(field.label or "Date")


class DateField(forms.DateField):
    """A date as people type it, from 1 January 2000 to 31 December 2100.

    The one place the product parses a date: forms declare it (or get it from `ModelForm` and
    the admin), and every one is shown as GOV.UK's date input (day, month, year) with GOV.UK's
    error messages ("Due date must include a month", "… must be a real date"). A form's
    `Meta.widgets` naming the browser's date picker is overruled here. An app may give its own
    wording through `error_messages`, including for `date_out_of_range`."""

    widget = DateInput
    default_validators = [validate_date_in_range]
    default_error_messages = {"invalid": "Enter a real date, for example 19/07/2022."}

    def __init__(self, *, input_formats=None, widget=None, **kwargs):
        if (
            widget is None
            or (isinstance(widget, type) and issubclass(widget, forms.DateInput))
            or isinstance(widget, forms.DateInput)
        ):
            widget = DateInput
        super().__init__(input_formats=input_formats or DATE_INPUT_FORMATS, widget=widget, **kwargs)

    def to_python(self, value):
        if isinstance(self.widget, DateInput):
            self.widget.error_parts = ()
        if isinstance(value, (list, tuple)):
            return self._from_parts(value)
        return super().to_python(value)

    def _from_parts(self, parts):
        label = _label_of(self)
        day, month, year = (str(p or "").strip() for p in (tuple(parts) + (None,) * 3)[:3])
        given = {"day": day, "month": month, "year": year}
        missing = [name for name, text in given.items() if not text]
        if len(missing) == 3:
            return None  # `validate` says "Enter …" when the date is required
        if missing:
            self.widget.error_parts = tuple(missing)
            raise ValidationError(
                "%(label)s must include a %(parts)s",
                code="incomplete",
                params={"label": label, "parts": " and ".join(missing)},
            )
        month_number = _MONTH_NAMES.get(month.lower(), month)
        wrong = tuple(
            name
            for name, text in (("day", day), ("month", str(month_number)), ("year", year))
            if not text.isdigit()
        )
        if wrong:
            self.widget.error_parts = wrong
            raise ValidationError(
                "%(label)s must be a real date", code="invalid_parts", params={"label": label}
            )
        if len(year) != 4:
            self.widget.error_parts = ("year",)
            raise ValidationError("Year must include 4 numbers", code="year_digits")
        try:
            return date(int(year), int(month_number), int(day))
        except ValueError:
            raise ValidationError(
                "%(label)s must be a real date", code="invalid_parts", params={"label": label}
            ) from None

    def validate(self, value):
        if value in self.empty_values and self.required:
            messages = self.error_messages
            if "required" in messages and str(messages["required"]) != str(
                forms.Field.default_error_messages["required"]
            ):
                raise ValidationError(messages["required"], code="required")
            raise ValidationError(
                "Enter %(label)s", code="required", params={"label": _label_of(self).lower()}
            )
        super().validate(value)


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
