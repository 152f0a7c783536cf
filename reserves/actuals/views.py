"""Pages for actual spend: the actuals page (reconciliation and outturn), ledger imports with
their progress, the column and cost-centre mappings, the forecast to complete and the
Transparency Code download. Thin: access helpers decide, services write, selectors read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from core.access import Capability, can
from core.exports import csv_response
from core.forms import apply_errors
from core.pagination import page_from_request
from programme.access import get_programme_for_user

from ..models import CostCentreMapping, LedgerImport, StageForecast
from . import selectors, services
from .charts import monthly_spend_svg
from .forms import (
    CostCentreMappingForm,
    LedgerMappingForm,
    QuarterForm,
    StageForecastForm,
    UploadForm,
)


def _flags(user) -> dict:
    return {
        "import_actuals": can(user, Capability.IMPORT_ACTUALS),
        "update_stages": can(user, Capability.UPDATE_STAGES),
    }


@require_GET
def actuals(request, slug):
    programme = get_programme_for_user(request.user, slug)
    data = selectors.programme_actuals(programme)
    chart = None
    if data.months:
        chart = monthly_spend_svg(
            data.months,
            title_id="actuals-chart-title",
            title=f"Actual spend by month and in total, {programme.name}",
        )
    return render(
        request,
        "reserves/actuals/actuals.html",
        {"programme": programme, "a": data, "chart": chart, "can": _flags(request.user)},
    )


@require_GET
def transparency_csv(request, slug):
    programme = get_programme_for_user(request.user, slug)
    if "year" in request.GET or "quarter" in request.GET:
        form = QuarterForm(request.GET)
        if not form.is_valid():
            raise Http404("Choose a financial year and quarter")
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    else:  # the quarter in progress
        year, quarter = selectors.quarter_of(timezone.localdate())
    rows = selectors.transparency_rows(programme, year, quarter)
    return csv_response(
        f"spend-over-500-{programme.slug}-{year}-{(year + 1) % 100:02d}-q{quarter}.csv",
        selectors.TRANSPARENCY_HEADERS,
        rows,
    )


# Imports -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def imports(request, slug):
    programme = get_programme_for_user(request.user, slug, Capability.IMPORT_ACTUALS)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                row = services.ledger_import_upload(
                    actor=request.user, programme=programme, uploaded_file=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"File received: import {row.pk} is being checked.")
                return redirect("reserves:actuals_import", slug=programme.slug, pk=row.pk)
        status = 400
    page = page_from_request(request, selectors.imports_of(programme), per_page=20)
    return render(
        request,
        "reserves/actuals/imports.html",
        {
            "programme": programme,
            "form": form,
            "page": page,
            "mapping": services.mapping_for(programme),
        },
        status=status,
    )


def _import_for_user(request, slug, pk):
    programme = get_programme_for_user(request.user, slug, Capability.IMPORT_ACTUALS)
    row = get_object_or_404(
        LedgerImport.objects.select_related("uploaded_by", "confirmed_by"),
        pk=pk,
        programme=programme,
    )
    return programme, row


@require_GET
@never_cache
@vary_on_headers("HX-Request")
def import_detail(request, slug, pk):
    programme, row = _import_for_user(request, slug, pk)
    template = "reserves/actuals/import_detail.html"
    if request.htmx:
        template += "#status"
    return render(request, template, {"programme": programme, "imp": row})


@require_POST
def import_confirm(request, slug, pk):
    programme, row = _import_for_user(request, slug, pk)
    try:
        services.ledger_import_confirm(actor=request.user, ledger_import=row)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Import {row.pk} confirmed: it is being applied.")
    return redirect("reserves:actuals_import", slug=programme.slug, pk=row.pk)


@require_POST
def import_discard(request, slug, pk):
    programme, row = _import_for_user(request, slug, pk)
    try:
        services.ledger_import_discard(actor=request.user, ledger_import=row)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Import {row.pk} discarded: nothing was imported.")
    return redirect("reserves:actuals_import", slug=programme.slug, pk=row.pk)


# Mappings ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def columns(request, slug):
    programme = get_programme_for_user(request.user, slug, Capability.IMPORT_ACTUALS)
    mapping = services.mapping_for(programme)
    form = LedgerMappingForm(request.POST or None, instance=mapping)
    if request.method == "POST" and form.is_valid():
        try:
            services.ledger_mapping_save(
                actor=request.user, council=programme.council, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"The ledger columns for {programme.council} are saved.")
            return redirect("reserves:actuals_imports", slug=programme.slug)
    return render(
        request,
        "reserves/actuals/columns.html",
        {"programme": programme, "form": form, "mapping": mapping},
    )


@require_http_methods(["GET", "POST"])
def cost_centres(request, slug):
    programme = get_programme_for_user(request.user, slug, Capability.IMPORT_ACTUALS)
    form = CostCentreMappingForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_centre_mapping_save(
                actor=request.user, programme=programme, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "The cost centre is mapped.")
            return redirect("reserves:actuals_cost_centres", slug=programme.slug)
    return render(
        request,
        "reserves/actuals/cost_centres.html",
        {
            "programme": programme,
            "form": form,
            "mappings": list(selectors.cost_centre_mappings(programme)),
        },
    )


@require_POST
def cost_centre_remove(request, slug, pk):
    programme = get_programme_for_user(request.user, slug, Capability.IMPORT_ACTUALS)
    mapping = get_object_or_404(CostCentreMapping, pk=pk, programme=programme)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Use the Remove button beside the cost centre to remove it.")
        return redirect("reserves:actuals_cost_centres", slug=programme.slug)
    services.cost_centre_mapping_delete(actor=request.user, mapping=mapping)
    messages.success(request, f"Cost centre {mapping} is no longer mapped.")
    return redirect("reserves:actuals_cost_centres", slug=programme.slug)


@require_http_methods(["GET", "POST"])
def stage_forecast(request, slug, number):
    programme = get_programme_for_user(request.user, slug, Capability.UPDATE_STAGES)
    stage = get_object_or_404(programme.stages.all(), number=number)
    current = StageForecast.objects.filter(stage=stage).first()
    initial = (
        {"forecast_to_complete": f"{current.forecast_to_complete}", "note": current.note}
        if current
        else {}
    )
    form = StageForecastForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_forecast_save(actor=request.user, stage=stage, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"The forecast for stage {stage.number} is saved.")
            return redirect("reserves:actuals", slug=programme.slug)
    return render(
        request,
        "reserves/actuals/forecast_form.html",
        {"programme": programme, "stage": stage, "form": form},
    )
