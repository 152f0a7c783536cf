"""Form parts every app uses: putting a service's refusal next to its fields, and money as
people type it."""

from django import forms
from django.core.exceptions import ValidationError

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
