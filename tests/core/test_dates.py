"""Every date the app accepts is one it can compute with (issue 16, case 2): one date field in
core, from 1 January 2000 to 31 December 2100, in every form; and a date stored before that
(year 9999, year 1) never breaks a page."""

from datetime import date

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.urls import reverse

from core.forms import DateField
from stages.models import Output, ProgressUpdate, Stage
from tests.test_form_fuzz import all_form_classes

OUT_OF_RANGE = "Enter a date from 1 January 2000 to 31 December 2100"


@pytest.fixture
def stage(demo_programme):
    return Stage.objects.get(programme=demo_programme, number=1)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2022-07-19", date(2022, 7, 19)),
        ("19/07/2022", date(2022, 7, 19)),
        ("19 7 2022", date(2022, 7, 19)),
        ("19 July 2022", date(2022, 7, 19)),
        ("2000-01-01", date(2000, 1, 1)),
        ("2100-12-31", date(2100, 12, 31)),
    ],
)
def test_the_date_field_reads_what_people_type(typed, expected):
    assert DateField().clean(typed) == expected


@pytest.mark.parametrize("typed", ["1999-12-31", "2101-01-01", "9999-12-31", "0001-01-01"])
def test_the_date_field_refuses_years_it_cannot_compute_with(typed):
    with pytest.raises(forms.ValidationError) as refused:
        DateField().clean(typed)
    assert refused.value.messages == [OUT_OF_RANGE]


def test_every_date_field_of_every_form_is_the_core_date_field():
    date_fields = {
        f"{form.__module__}.{form.__qualname__}.{name}": field
        for form in all_form_classes()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField)
    }
    assert len(date_fields) >= 20, sorted(date_fields)
    others = [name for name, field in date_fields.items() if not isinstance(field, DateField)]
    assert others == [], "date fields that do not use core.forms.DateField"


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["9999", "0001"])
def test_a_progress_update_in_an_impossible_year_is_refused_with_a_message(
    year, client_for, officer, stage
):
    url = reverse("stages:update_new", args=[stage.programme.slug, stage.number])
    before = ProgressUpdate.objects.count()
    response = client_for(officer).post(
        url,
        {
            "as_of": f"{year}-12-31",
            "rag": "green",
            "percent_complete": "10",
            "narrative": "Started",
        },
    )
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()
    assert ProgressUpdate.objects.count() == before


@pytest.mark.django_db
def test_the_audit_log_filter_refuses_year_9999_instead_of_overflowing(client_for, cabinet, stage):
    url = reverse("reporting:audit", args=[stage.programme.slug])
    response = client_for(cabinet).get(url, {"date_from": "2022-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()


def _stored_date_fields() -> dict:
    """{model: [its date fields]} for the programme, stage and risk records."""
    found = {}
    for app in ("programme", "stages", "risks"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            names = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)
            ]
            if names:
                found[model] = names
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("far", [date(9999, 12, 31), date(1, 1, 1)], ids=["9999", "1"])
def test_pages_and_the_report_never_fail_on_dates_stored_in_extreme_years(
    far, demo_programme, client_for, role_users
):
    """Dates written before forms refused such years, or by a script: every date of the
    programme, stage and risk records at once (the reserve ledger's dates are its own)."""
    from reporting import documents, selectors

    for model, names in _stored_date_fields().items():
        if far.year == 1 and model._meta.label == "programme.Programme":
            # The reserve ledger counts its MTFS years from the decision date: its own case.
            names = [name for name in names if name != "decision_date"]
        model._default_manager.update(**dict.fromkeys(names, far))
    stage = Stage.objects.get(programme=demo_programme, number=1)
    output = Output.objects.filter(stage=stage).first()
    slug = demo_programme.slug
    urls = [
        reverse("programme:detail", args=[slug]),
        reverse("programme:print", args=[slug]),
        reverse("reporting:dashboard", args=[slug]),
        reverse("reporting:audit", args=[slug]),
        reverse("stages:list", args=[slug]),
        reverse("stages:detail", args=[slug, 1]),
        reverse("stages:output_detail", args=[slug, 1, output.code]),
        reverse("risks:register", args=[slug]),
    ]
    client = client_for(role_users["cabinet"])
    client.raise_request_exception = False
    failed = {url: r.status_code for url in urls if (r := client.get(url)).status_code >= 500}
    assert failed == {}
    assert documents.highlight_pdf(selectors.highlight_context(demo_programme))[:5] == b"%PDF-"
