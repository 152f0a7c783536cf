"""GOV.UK's "check your answers" step for a governance or money action: the answers and the
effect they will have, then the button that does it. Used by a form view as:

    if request.method == "POST" and form.is_valid():
        if confirm.changing(request):       # "Change your answers": the form again, filled in
            ...show the form...
        elif not confirm.confirmed(request):
            return confirm.check_answers(request, form=form, effect=[...], ...)
        else:
            ...call the service...

The answers travel as the form's own posted fields (hidden), so nothing is kept between the
two requests and the service checks everything again when it acts.
"""

from datetime import date

from django import forms
from django.http import HttpResponse
from django.shortcuts import render

from .dates import govuk_date

CONFIRM = "confirm"
CHANGE = "change"
_NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRM, CHANGE}


def confirmed(request) -> bool:
    return request.POST.get(CONFIRM) == "yes"


def changing(request) -> bool:
    return request.POST.get(CHANGE) == "yes"


def _shown(field: forms.BoundField, value) -> str:
    if value in (None, "", [], ()):
        return "Not given"
    if isinstance(value, date):
        return govuk_date(value)
    if isinstance(field.field, forms.ChoiceField) and not isinstance(
        field.field, forms.ModelChoiceField
    ):
        return str(dict(field.field.choices).get(value, value))
    if hasattr(value, "__iter__") and not isinstance(value, str):
        return ", ".join(str(v) for v in value)
    return str(value)


def check_answers(
    request,
    *,
    form: forms.Form,
    title: str,
    caption: str,
    back_url: str,
    effect: list[str],
    submit: str,
) -> HttpResponse:
    """The check-your-answers page for a valid `form`: its answers, the `effect` sentences,
    `submit` (the button that acts) and a way back to change the answers."""
    rows = [
        (field.label, _shown(field, form.cleaned_data.get(field.name)))
        for field in form.visible_fields()
    ]
    carried = [
        (name, value)
        for name in request.POST
        if name not in _NOT_CARRIED
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "check_answers.html",
        {
            "title": title,
            "caption": caption,
            "back_url": back_url,
            "rows": rows,
            "effect": effect,
            "submit": submit,
            "carried": carried,
        },
    )
