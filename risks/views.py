"""Pages of the risk register: thin views that ask access, read through selectors and write
through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import Capability, can
from core.exports import csv_response, xlsx_response
from core.forms import apply_errors
from core.fragments import fragment, lazy
from core.names import person_name
from programme.access import get_programme_for_user
from stages.models import Escalation

from . import charts, selectors, services
from .access import get_action_for_user, get_raid_item_for_user, get_risk_for_user
from .forms import ActionForm, RaidItemForm, ReviewForm, RiskForm
from .models import RaidItem

EXPORT_HEADERS = [
    "Reference",
    "Kind",
    "Title",
    "Category",
    "Owner",
    "Cause",
    "Effect",
    "Mitigation",
    "Inherent likelihood",
    "Inherent impact",
    "Inherent score",
    "Inherent band",
    "Residual likelihood",
    "Residual impact",
    "Residual score",
    "Residual band",
    "Target likelihood",
    "Target impact",
    "Target score",
    "Target band",
    "Response",
    "Status",
    "Proximity",
    "Next review date",
    "Review overdue",
    "Last reviewed",
    "Open actions",
    "Overdue actions",
    "Stages",
    "Missing",
    "Data quality note",
    "Source",
]


@require_http_methods(["GET"])
def register(request, slug):
    programme = get_programme_for_user(request.user, slug)
    today = timezone.localdate()
    # Read only inside the page's cached fragment: a hit draws nothing (core/fragments.py).
    page = lazy(lambda: selectors.register_page(programme, params=request.GET, today=today))
    return render(
        request,
        "risks/register.html",
        {
            "programme": programme,
            "register": page,
            "today": today,
            "can_edit": can(request.user, Capability.EDIT_RISKS),
            "fragment": fragment(request, programme, request.GET.urlencode()),
        },
    )


def _export_rows(programme, request):
    today = timezone.localdate()
    for risk in selectors.export_rows(programme, params=request.GET, today=today):
        row = [risk.reference, risk.get_kind_display(), risk.title]
        row += [
            str(risk.category or ""),
            person_name(risk.owner, nobody=""),
            risk.cause,
            risk.effect,
        ]
        row.append(risk.mitigation)
        for basis in ("inherent", "residual", "target"):
            band = getattr(risk, f"{basis}_band")
            row += [
                getattr(risk, f"{basis}_likelihood"),
                getattr(risk, f"{basis}_impact"),
                getattr(risk, f"{basis}_score"),
                band.label if band else "",
            ]
        row += [
            risk.get_response_display(),
            risk.get_status_display(),
            risk.get_proximity_display(),
            risk.review_date,
            risk.is_review_overdue,
            risk.last_reviewed_on,
            risk.open_actions,
            risk.overdue_actions,
            "; ".join(str(s) for s in risk.stages.all()),
            ", ".join(risk.gaps),
            risk.quality_flag,
            risk.source_reference,
        ]
        yield row


@require_http_methods(["GET"])
def export_csv(request, slug):
    programme = get_programme_for_user(request.user, slug)
    return csv_response(
        f"{programme.slug}-risk-register.csv", EXPORT_HEADERS, _export_rows(programme, request)
    )


@require_http_methods(["GET"])
def export_xlsx(request, slug):
    programme = get_programme_for_user(request.user, slug)
    return xlsx_response(
        f"{programme.slug}-risk-register.xlsx",
        [("Risk register", EXPORT_HEADERS, list(_export_rows(programme, request)))],
    )


@require_http_methods(["GET"])
def risk_detail(request, slug, number):
    programme = get_programme_for_user(request.user, slug)
    today = timezone.localdate()
    page = selectors.risk_page(programme, number, today=today)
    points = [(r.reviewed_on, r.inherent_score, r.residual_score) for r in page.reviews]
    trend = (
        charts.score_trend_svg(
            points,
            title=f"Score trend of {page.risk.reference}: inherent and residual score at each "
            "review",
            chart_id=f"trend-{page.risk.reference}",
            bands=page.bands,
        )
        if points
        else ""
    )
    return render(
        request,
        "risks/detail.html",
        {
            "programme": programme,
            "page": page,
            "risk": page.risk,
            "trend_svg": trend,
            "today": today,
            "can_edit": can(request.user, Capability.EDIT_RISKS),
        },
    )


@require_http_methods(["GET", "POST"])
def risk_create(request, slug):
    programme = get_programme_for_user(request.user, slug, Capability.EDIT_RISKS)
    form = RiskForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(
                actor=request.user, programme=programme, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{risk.reference} added to the register")
            return redirect(risk.get_absolute_url())
    return render(
        request, "risks/risk_form.html", {"programme": programme, "form": form, "risk": None}
    )


@require_http_methods(["GET", "POST"])
def risk_edit(request, slug, number):
    risk = get_risk_for_user(request.user, slug, number, Capability.EDIT_RISKS)
    form = RiskForm(request.POST or None, instance=risk, programme=risk.programme)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_update(actor=request.user, risk=risk, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{risk.reference} saved")
            return redirect(risk.get_absolute_url())
    return render(
        request, "risks/risk_form.html", {"programme": risk.programme, "form": form, "risk": risk}
    )


@require_http_methods(["GET", "POST"])
def review_create(request, slug, number):
    risk = get_risk_for_user(request.user, slug, number, Capability.EDIT_RISKS)
    form = ReviewForm(request.POST or None, risk=risk)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_record(actor=request.user, risk=risk, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Review of {risk.reference} recorded")
            return redirect(risk.get_absolute_url())
    return render(
        request, "risks/review_form.html", {"programme": risk.programme, "form": form, "risk": risk}
    )


@require_http_methods(["GET", "POST"])
def action_create(request, slug, number):
    risk = get_risk_for_user(request.user, slug, number, Capability.EDIT_RISKS)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(actor=request.user, risk=risk, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Action added to {risk.reference}")
            return redirect(risk.get_absolute_url())
    return render(
        request,
        "risks/action_form.html",
        {"programme": risk.programme, "form": form, "risk": risk, "action": None},
    )


@require_http_methods(["GET", "POST"])
def action_edit(request, slug, number, action_id):
    action = get_action_for_user(request.user, slug, number, action_id, Capability.EDIT_RISKS)
    risk = action.risk
    form = ActionForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(actor=request.user, action=action, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Action on {risk.reference} saved")
            return redirect(risk.get_absolute_url())
    return render(
        request,
        "risks/action_form.html",
        {"programme": risk.programme, "form": form, "risk": risk, "action": action},
    )


# The RAID log ------------------------------------------------------------------------------


@require_GET
def raid_log(request, slug):
    programme = get_programme_for_user(request.user, slug)
    kind = request.GET.get("kind") or ""
    return render(
        request,
        "risks/raid.html",
        {
            "programme": programme,
            "log": selectors.raid_log(programme, page=request.GET.get("page"), kind=kind),
            "kind": kind,
            "kinds": RaidItem.Kind.choices,
            "can_edit": can(request.user, Capability.EDIT_RISKS),
        },
    )


@require_http_methods(["GET", "POST"])
def raid_edit(request, slug, pk=None):
    if pk is None:
        programme = get_programme_for_user(request.user, slug, Capability.EDIT_RISKS)
        item = RaidItem(programme=programme)
        initial = {"raised_on": timezone.localdate()}
    else:
        item = get_raid_item_for_user(request.user, slug, pk, Capability.EDIT_RISKS)
        programme = item.programme
        initial = None
    form = RaidItemForm(request.POST or None, instance=item, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.raid_item_save(actor=request.user, item=item, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{item.get_kind_display()} saved in the RAID log")
            return redirect(reverse("risks:raid", kwargs={"slug": programme.slug}))
    return render(
        request,
        "risks/raid_form.html",
        {"programme": programme, "form": form, "item": item if pk else None},
    )


@require_POST
def raid_from_escalation(request, slug, escalation_id):
    programme = get_programme_for_user(request.user, slug, Capability.EDIT_RISKS)
    escalation = get_object_or_404(
        Escalation.objects.select_related("stage", "progress_update"),
        stage__programme=programme,
        pk=escalation_id,
    )
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Use the “Add to the issues log” button to log an escalation.")
        return redirect(reverse("risks:raid", kwargs={"slug": programme.slug}))
    try:
        item = services.raid_issue_from_escalation(actor=request.user, escalation=escalation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("risks:raid", kwargs={"slug": programme.slug}))
    messages.success(request, "The escalation is in the issues log: add its owner and actions.")
    return redirect(item.get_absolute_url())
