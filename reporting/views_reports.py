"""Pages for reports: request one, watch it finish (htmx polling), download its files."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from core.access import Capability, can
from core.forms import apply_errors
from programme.access import get_programme_for_user

from . import selectors, services
from .models import ReportRun

ACTIVE = (ReportRun.Status.QUEUED, ReportRun.Status.RUNNING)


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which report?",
        choices=[
            (ReportRun.Kind.HIGHLIGHT, "Highlight report for Cabinet (PDF and Excel)"),
            (
                ReportRun.Kind.RESERVE_POSITION,
                "Reserve position statement for finance (Excel and CSV)",
            ),
        ],
        initial=ReportRun.Kind.HIGHLIGHT,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose which report to generate",
            "invalid_choice": "Choose which report to generate",
        },
    )


def _page(request, programme, form, status=200):
    runs = selectors.report_runs(programme)
    for run in runs:
        run.downloads = services.run_files(run)
    active = any(run.status in ACTIVE for run in runs)
    template = "reporting/reports/index.html"
    if request.htmx:
        template += "#runs"
    return render(
        request,
        template,
        {
            "programme": programme,
            "runs": runs,
            "active": active,
            "form": form,
            "can_generate": can(request.user, Capability.GENERATE_REPORTS),
        },
        status=status,
    )


@require_GET
@never_cache
@vary_on_headers("HX-Request")
def reports(request, slug):
    programme = get_programme_for_user(request.user, slug)
    return _page(request, programme, ReportRequestForm())


@require_POST
def report_request(request, slug):
    programme = get_programme_for_user(request.user, slug, Capability.GENERATE_REPORTS)
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        return _page(request, programme, form, status=400)
    try:
        run = services.report_request(
            actor=request.user, programme=programme, kind=form.cleaned_data["kind"]
        )
    except ValidationError as error:
        apply_errors(form, error)
        return _page(request, programme, form, status=400)
    messages.success(
        request,
        f"{run.get_kind_display()} requested (number {run.pk}). "
        "This page shows when it is ready to download.",
    )
    return redirect("reporting:reports", slug=programme.slug)


@require_GET
def report_download(request, slug, pk, fmt):
    programme = get_programme_for_user(request.user, slug)
    run = get_object_or_404(ReportRun, pk=pk, programme=programme)
    if run.status != ReportRun.Status.DONE or fmt not in services.FORMATS.get(run.kind, ()):
        raise Http404("No such file")
    try:
        handle = default_storage.open(services.file_name(run, fmt), "rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=services.download_name(run, fmt),
        content_type=services.CONTENT_TYPES[fmt],
    )
