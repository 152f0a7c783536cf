"""Fuzzing every form of the project with hypothesis: hostile values (NaN, ±Infinity, 1e12, −0,
three decimal places, 10,000 characters of mixed-script Unicode, impossible dates, empty) mixed
with well-formed ones, field by field.

- No exception escapes `form.is_valid()`, for any form.
- A valid form holds only valid values: money is a finite Decimal with at most 2 places,
  not negative, within MONEY_MAX; no NaN or infinite float anywhere.
- Through the pages (the service path): a fuzzed POST never answers 500; a POST that is not
  accepted (no redirect) saves nothing; one that is accepted leaves only valid money in the
  database.

Examples per form: FUZZ_EXAMPLES (default 200).
"""

import importlib
import inspect
import math
import os
import pkgutil
from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.money import MONEY_MAX
from tests.hypothesis_profiles import examples
from tests.test_permission_matrix import matrix_db, row_counts, world  # noqa: F401

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or examples(200))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
APPS = ("programme", "stages", "reserves", "risks")

LONG_UNICODE = ("Ωmega שלום مرحبا 👩🏽‍💻 ‮reversed‬ 漢字 " * 300)[:10_000]
HOSTILE = [
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "-inf",
    "1e12",
    "-1e12",
    "1E+12",
    "1e-12",
    "-0",
    "-0.00",
    "0",
    "-1",
    "0.001",
    "12.345",
    "£1,000.005",
    "£-5",
    "999999999.99",
    "1000000000.00",
    "9" * 60,
    "1_000",
    "٣٤٥",
    "",
    " ",
    "\t\n",
    LONG_UNICODE,
    "‮123",
    "2022-02-30",
    "0000-00-00",
    "99999-01-01",
    "31/12/2022",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "true",
    "None",
    "2147483648",
    "-9223372036854775809",
]


# Discovery -------------------------------------------------------------------------------


def _modules():
    """Every module of the project's apps except migrations, commands and tests."""
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if any(part in info.name for part in (".migrations", ".management", ".tests")):
                continue
            if info.name in {"programme.wsgi", "programme.asgi"}:
                continue
            yield importlib.import_module(info.name)


def all_form_classes() -> list[type[forms.BaseForm]]:
    found = {}
    for module in _modules():
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, forms.BaseForm)
                and obj.__module__ == module.__name__
                and obj.__module__.split(".")[0] in APPS
                and not inspect.isabstract(obj)
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


FORMS = all_form_classes()
# Base classes that are never shown on their own (their subclasses are fuzzed).
ABSTRACT = {"programme.forms.RecordForm"}


def _label(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def test_every_form_of_the_project_is_fuzzed():
    labels = {_label(cls) for cls in FORMS}
    assert len(labels) >= 25, sorted(labels)
    unknown = {
        label
        for label, cls in ((_label(c), c) for c in FORMS)
        if label not in ABSTRACT and _required_kwargs(cls) - KWARG_MAKERS.keys()
    }
    assert not unknown, f"forms needing constructor arguments this file cannot make: {unknown}"


# Constructor arguments from the demo world --------------------------------------------------


def _programme():
    from programme.models import Programme

    return Programme.objects.get()


def _stage():
    from stages.models import Stage

    return Stage.objects.get(programme=_programme(), number=2)


def _risk():
    from risks.models import Risk

    return Risk.objects.filter(programme=_programme()).order_by("number").first()


KWARG_MAKERS = {
    "programme": _programme,
    "stage": _stage,
    "risk": _risk,
    "threshold": lambda: _programme().key_decision_threshold,
    "allowed": lambda: ["in_progress", "submitted"],
}


def _required_kwargs(cls) -> set[str]:
    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass in (forms.BaseForm, forms.Form, forms.ModelForm):
            continue
        for p in inspect.signature(init).parameters.values():
            if p.kind is p.KEYWORD_ONLY and p.default is p.empty:
                names.add(p.name)
    return names


def _make(cls, data=None):
    kwargs = {name: KWARG_MAKERS[name]() for name in _required_kwargs(cls)}
    return cls(data=data, **kwargs)


# Strategies ------------------------------------------------------------------------------

money_text = st.decimals(
    min_value=Decimal("0.00"), max_value=Decimal("99999999.99"), places=2, allow_nan=False
).map(str)
any_text = st.text(max_size=60)
iso_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)).map(str)


def _valid_values(field) -> st.SearchStrategy:
    """Well-formed text for this kind of field, as a browser would send it."""
    if isinstance(field, forms.ModelChoiceField):
        pks = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:20]]
        return st.sampled_from(pks or [""])
    if isinstance(field, forms.ChoiceField):
        keys = [str(k) for k, _ in field.choices if not isinstance(_, (list, tuple))]
        return st.sampled_from(keys or [""])
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false"])
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        return iso_dates
    if isinstance(field, forms.IntegerField):
        return st.integers(-10, 30).map(str)
    if (
        isinstance(field, (forms.DecimalField, forms.FloatField))
        or "amount" in (field.label or "").lower()
    ):
        return money_text
    return any_text


def _field_strategy(field):
    """A field's POST value(s): hostile, well-formed or random, as a list (multi-values)."""
    one = st.one_of(st.sampled_from(HOSTILE), _valid_values(field), _valid_values(field), any_text)
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.lists(one, max_size=3)
    return one.map(lambda v: [v])


def form_data(form) -> st.SearchStrategy:
    """A whole POST body for `form` (one entry per field; sometimes a field is left out)."""
    parts = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        parts[key] = st.one_of(st.just(None), _field_strategy(field))
    return st.fixed_dictionaries(parts).map(
        lambda d: MultiValueDict({k: v for k, v in d.items() if v is not None})
    )


# Checks -----------------------------------------------------------------------------------


def _values(value):
    if isinstance(value, (list, tuple, set)):
        for v in value:
            yield from _values(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _values(v)
    else:
        yield value


def assert_only_valid_values(label, cleaned):
    for name, value in cleaned.items():
        for v in _values(value):
            if isinstance(v, float):
                assert math.isfinite(v), (label, name, v)
            if isinstance(v, Decimal):
                assert v.is_finite(), (label, name, v)
                assert v.as_tuple().exponent >= -2, (label, name, v)
                assert -MONEY_MAX <= v <= MONEY_MAX, (label, name, v)
                assert not v.is_signed() or v == 0, (label, name, v)
                assert v >= 0, (label, name, v)


FUZZABLE = [cls for cls in FORMS if _label(cls) not in ABSTRACT]


@pytest.mark.parametrize("form_class", FUZZABLE, ids=_label)
def test_no_exception_escapes_is_valid_and_a_valid_form_holds_only_valid_values(
    form_class,
    matrix_db,  # noqa: F811
):
    label = _label(form_class)
    template = _make(form_class)

    @FUZZ
    @given(data=form_data(template))
    def run(data):
        form = _make(form_class, data)
        if form.is_valid():
            assert_only_valid_values(label, form.cleaned_data)
        else:
            # Errors are messages for people: each is text, none is empty.
            for field, errors in form.errors.items():
                assert errors and all(str(e).strip() for e in errors), (label, field)

    run()


# Through the pages: the service path -------------------------------------------------------

# (URL name, kwargs from the world, the form class the page shows, its prefix)
PAGES = [
    ("reserves:drawdown_request", {}, "reserves.forms.DrawdownRequestForm", ""),
    ("reserves:cost_line_create", "slug", "reserves.forms.CostLineForm", ""),
    ("reserves:reserve_edit", "reserve", "reserves.forms.ReserveForm", ""),
    ("reserves:ceiling_change", "slug", "reserves.forms.CeilingProposalForm", ""),
    ("programme:measure_add", "benefit", "programme.forms.BenefitMeasureForm", ""),
    ("programme:benefit_add", "slug", "programme.forms.BenefitForm", ""),
    ("stages:update_new", "stage", "stages.forms.ProgressUpdateForm", ""),
    ("risks:review_create", "risk", "risks.forms.ReviewForm", ""),
]


def _money_problems() -> list[str]:
    """Every Decimal stored in the apps' tables that is not valid money."""
    from django.apps import apps

    problems = []
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model.__name__.startswith("Historical"):
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.DecimalField):
                continue
            for pk, v in model._default_manager.values_list("pk", f.attname):
                if v is None:
                    continue
                if not v.is_finite() or v.as_tuple().exponent < -2 or abs(v) > MONEY_MAX or v < 0:
                    problems.append(f"{model.__name__}#{pk}.{f.name} = {v}")
    return problems


@pytest.mark.parametrize(("url_name", "where", "form_label", "prefix"), PAGES)
def test_a_fuzzed_post_never_fails_and_saves_only_valid_money(
    url_name,
    where,
    form_label,
    prefix,
    matrix_db,  # noqa: F811
):
    w = matrix_db
    kw = w.kwargs
    kwargs = (
        {
            "slug": {"slug": kw["programme:detail"]["slug"]},
            "reserve": kw["reserves:reserve_edit"],
            "benefit": kw["programme:measure_add"],
            "stage": {**kw["stages:update_new"], "number": 2},
            "risk": kw["risks:review_create"],
        }.get(where, where)
        if isinstance(where, str)
        else where
    )
    url = reverse(url_name, kwargs=kwargs)
    form_class = next(c for c in FORMS if _label(c) == form_label)
    client = Client()
    client.force_login(w.users["admin"])
    assert _money_problems() == []

    @settings(
        max_examples=max(EXAMPLES // 10, 2),  # each example is a whole request
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=form_data(_make(form_class)))
    def run(data):
        with transaction.atomic():
            before = row_counts()
            response = client.post(url, data)
            after = row_counts()
            assert response.status_code < 500, (url, response.status_code)
            if response.status_code != 302:
                # A request refused at the ceiling or floor is itself recorded for audit (on
                # its own connection, so it outlives the rollback): that row is expected.
                before.pop("reserves.DrawdownRefusal"), after.pop("reserves.DrawdownRefusal")
                assert before == after, (url, response.status_code, dict(data))
            else:
                assert _money_problems() == [], (url, dict(data))
            transaction.set_rollback(True)

    run()
