"""Every date a person types goes into GOV.UK's date input (day, month and year boxes in a
fieldset), and a wrong date is answered with GOV.UK's messages, the wrong boxes marked and the
error summary linking to the first of them. A page with an error summary says "Error: " first
in its title."""

from datetime import date

import pytest
from django import forms
from django.urls import reverse

from core.forms import DateField, DateInput
from reserves.models import Drawdown
from tests.test_form_fuzz import all_form_classes


class DueForm(forms.Form):
    due_date = DateField(label="Due date")
    start = DateField(label="Start", required=False, widget=forms.DateInput(attrs={"type": "date"}))


def parts(name, day="", month="", year=""):
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def test_every_date_field_of_every_form_is_a_govuk_date_input():
    date_fields = {
        f"{form.__module__}.{form.__qualname__}.{name}": field
        for form in all_form_classes()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField)
    }
    assert len(date_fields) >= 20, sorted(date_fields)
    others = [
        name for name, field in date_fields.items() if not isinstance(field.widget, DateInput)
    ]
    assert others == []


def test_a_date_is_three_labelled_boxes_in_a_fieldset_and_never_the_browsers_picker():
    html = str(DueForm(initial={"due_date": date(2022, 7, 19)}))
    assert 'type="date"' not in html
    assert (
        '<fieldset class="govuk-fieldset" role="group" aria-describedby="id_due_date-hint">' in html
    )
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Due date</legend>' in html
    )
    assert "For example, 19 7 2022" in html
    for part, value in (("day", "19"), ("month", "7"), ("year", "2022")):
        assert (
            f'<label class="govuk-label govuk-date-input__label" for="id_due_date_{part}">' in html
        )
        assert (
            f'id="id_due_date_{part}" name="due_date_{part}" type="text" '
            f'inputmode="numeric" value="{value}"' in html
        )


@pytest.mark.parametrize(
    ("typed", "message", "wrong"),
    [
        (("", "", ""), "Enter due date", {"day", "month", "year"}),
        (("19", "", "2022"), "Due date must include a month", {"month"}),
        (("", "", "2022"), "Due date must include a day and month", {"day", "month"}),
        (("19", "7", ""), "Due date must include a year", {"year"}),
        (("31", "2", "2023"), "Due date must be a real date", {"day", "month", "year"}),
        (("19", "xx", "2022"), "Due date must be a real date", {"month"}),
        (("19", "7", "22"), "Year must include 4 numbers", {"year"}),
        (
            ("19", "7", "1999"),
            "Enter a date from 1 January 2000 to 31 December 2100",
            {"day", "month", "year"},
        ),
    ],
)
def test_a_wrong_date_gets_the_govuk_message_and_only_its_wrong_boxes_are_marked(
    typed, message, wrong
):
    form = DueForm(data=parts("due_date", *typed))
    assert not form.is_valid()
    assert form.errors["due_date"] == [message]
    html = str(form)
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in html
    for part in ("day", "month", "year"):
        marked = f'govuk-input--error" id="id_due_date_{part}"' in html
        assert marked == (part in wrong), part
    first = next(p for p in ("day", "month", "year") if p in wrong)
    assert f'<a href="#id_due_date_{first}">{message}</a>' in html
    # What was typed stays in the boxes.
    for part, value in zip(("day", "month", "year"), typed, strict=True):
        assert f'name="due_date_{part}" type="text" inputmode="numeric" value="{value}"' in html


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (("19", "7", "2022"), date(2022, 7, 19)),
        ((" 1 ", "jul", "2022"), date(2022, 7, 1)),
        (("01", "July", "2022"), date(2022, 7, 1)),
    ],
)
def test_a_real_date_is_read_from_its_boxes_with_a_month_as_a_number_or_a_name(typed, expected):
    form = DueForm(data=parts("due_date", *typed))
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"due_date": expected, "start": None}


def test_a_date_sent_as_one_value_is_still_read():
    form = DueForm(data={"due_date": "19/07/2022", "start": "2022-07-20"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"due_date": date(2022, 7, 19), "start": date(2022, 7, 20)}


@pytest.mark.django_db
def test_a_page_with_an_error_summary_starts_its_title_with_error(
    client_for, finance2, demo_programme
):
    drawdown = Drawdown.objects.filter(status=Drawdown.Status.APPROVED).first()
    response = client_for(finance2).post(
        reverse("reserves:drawdown_mark_drawn", kwargs={"pk": drawdown.pk}),
        parts("drawn-drawn_on", "31", "2", "2023"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "must be a real date" in html
    assert html.count("<title>Error: ") == 1
    assert "Error: Error:" not in html
    drawdown.refresh_from_db()
    assert drawdown.status == Drawdown.Status.APPROVED
