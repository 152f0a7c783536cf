"""The programme record: the decision, its recommendations, consultees, sign-offs, benefits
and glossary, with the forms that keep it current."""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from core.access import Capability, can
from core.exports import csv_response, xlsx_response
from core.forms import apply_errors
from core.fragments import fragment, lazy

from . import benefit_chart, forms, selectors, services
from .access import get_programme_for_user, get_record_row_for_user
from .models import (
    AlternativeOption,
    Benefit,
    BenefitMeasure,
    Consultation,
    GlossaryTerm,
    KeyConsideration,
    KeyDecisionReason,
    Objective,
    Recommendation,
    ReportReview,
)

# The programme record ---------------------------------------------------------------------
# Thin views: the access helper says who may act, forms check the input, services write.

ITEM_KINDS = {
    # url kind: (model, form, what it is called, section anchor on the record page)
    "key-reasons": (
        KeyDecisionReason,
        forms.KeyDecisionReasonForm,
        "key-decision reason",
        "decision",
    ),
    "recommendations": (
        Recommendation,
        forms.RecommendationForm,
        "recommendation",
        "recommendations",
    ),
    "options": (AlternativeOption, forms.AlternativeOptionForm, "alternative option", "options"),
    "objectives": (Objective, forms.ObjectiveForm, "objective", "objectives"),
    "considerations": (
        KeyConsideration,
        forms.KeyConsiderationForm,
        "key consideration",
        "considerations",
    ),
}

EXPORTS = {
    "consultations": ("Consultees", selectors.consultation_rows),
    "sign-offs": ("Sign-offs", selectors.sign_off_rows),
    "benefits": ("Benefits", selectors.benefit_rows),
}


def _record_context(request, programme, *, printable: bool) -> dict:
    @functools.cache
    def record():
        return selectors.programme_record(programme)

    def chart():
        chart_rows = [(row.benefit.title, row.progress) for row in record().benefits]
        if not chart_rows:
            return ""
        return mark_safe(  # noqa: S308 - SVG drawn by matplotlib from escaped text
            benefit_chart.progress_svg(chart_rows, title_id="benefit-chart-title")
        )

    # Read only inside the page's cached fragment: a hit draws nothing (core/fragments.py).
    return {
        "programme": programme,
        "record": lazy(record),
        "printable": printable,
        "today": timezone.localdate(),
        "can_edit": not printable and can(request.user, Capability.EDIT_PROGRAMME),
        "can_decide": not printable and can(request.user, Capability.RECORD_DECISION),
        "benefit_chart": lazy(chart),
        "exports": [(key, label) for key, (label, _rows) in EXPORTS.items()],
        "fragment": fragment(request, programme, printable, request.GET.urlencode()),
    }


@require_GET
def programme_detail(request, slug):
    programme = get_programme_for_user(request.user, slug)
    return render(
        request, "programme/detail.html", _record_context(request, programme, printable=False)
    )


@require_GET
def programme_print(request, slug):
    programme = get_programme_for_user(request.user, slug)
    return render(
        request, "programme/print.html", _record_context(request, programme, printable=True)
    )


def _form_page(request, programme, form, *, title, anchor, submit="Save", intro="", **extra):
    return render(
        request,
        extra.pop("template", "programme/form.html"),
        {
            "programme": programme,
            "form": form,
            "title": title,
            "submit_label": submit,
            "intro": intro,
            "back_url": f"{programme.get_absolute_url()}#{anchor}",
            **extra,
        },
    )


def _save_form(request, programme, form, save, *, success: str, anchor: str):
    """Run `save(data)` with a valid form's cleaned data (the fields of its Meta.fields, the
    service's own tuple); a refusal comes back as messages next to the fields."""
    if request.method != "POST" or not form.is_valid():
        return None
    data = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        save(data)
    except ValidationError as error:
        apply_errors(form, error)
        return None
    messages.success(request, success)
    return redirect(f"{programme.get_absolute_url()}#{anchor}")


@require_http_methods(["GET", "POST"])
def programme_edit(request, slug):
    programme = get_programme_for_user(request.user, slug, Capability.EDIT_PROGRAMME)
    form = forms.ProgrammeRecordForm(request.POST or None, instance=programme)
    done = _save_form(
        request,
        programme,
        form,
        lambda data: services.programme_record_save(
            actor=request.user, programme=programme, data=data
        ),
        success="The decision summary is saved.",
        anchor="decision",
    )
    return done or _form_page(
        request, programme, form, title="Edit the decision summary", anchor="decision"
    )


@require_http_methods(["GET", "POST"])
def programme_status(request, slug):
    # Officers keep the status; closing (and reopening) is Cabinet's: the page is for whoever
    # may make at least one move, and the service judges the move itself.
    programme = get_programme_for_user(request.user, slug)
    if not (
        can(request.user, Capability.EDIT_PROGRAMME)
        or can(request.user, Capability.RECORD_DECISION)
    ):
        raise PermissionDenied("Your role does not allow changing the programme's status.")
    form = forms.ProgrammeStatusForm(
        request.POST or None,
        initial={"status": programme.status},
        allowed=services.statuses_open_to(request.user, programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_set_status(
                actor=request.user, programme=programme, status=form.cleaned_data["status"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"The programme is now {programme.get_status_display()}.")
            return redirect(f"{programme.get_absolute_url()}#sign-offs")
    reviews = list(programme.reviews.all())
    return _form_page(
        request,
        programme,
        form,
        title="Change the programme's status",
        anchor="sign-offs",
        intro="A programme is approved, in delivery or closed only once all seven review "
        "areas have signed off and the final approval is recorded, every sign-off dated on or "
        "before the approval. Closing the programme, or reopening it, is for a cabinet member "
        "(or an Admin).",
        gaps=selectors.approval_gaps(reviews),
    )


@require_http_methods(["GET", "POST"])
def item_edit(request, slug, kind, pk=None):
    programme = get_programme_for_user(request.user, slug, Capability.EDIT_PROGRAMME)
    if kind not in ITEM_KINDS:
        raise Http404("No such part of the record.")
    model, form_class, noun, anchor = ITEM_KINDS[kind]
    if pk is None:
        instance = model(programme=programme)
    else:
        _programme, instance = get_record_row_for_user(
            request.user, slug, model, pk, Capability.EDIT_PROGRAMME
        )
    form = form_class(request.POST or None, instance=instance)
    done = _save_form(
        request,
        programme,
        form,
        lambda data: services.record_item_save(actor=request.user, item=instance, data=data),
        success=f"The {noun} is saved.",
        anchor=anchor,
    )
    title = f"Add a {noun}" if pk is None else f"Edit the {noun}"
    return done or _form_page(request, programme, form, title=title, anchor=anchor)


@require_http_methods(["GET", "POST"])
def consultation_edit(request, slug, pk=None):
    if pk is None:
        programme = get_programme_for_user(request.user, slug, Capability.EDIT_PROGRAMME)
        consultation = Consultation(programme=programme)
    else:
        programme, consultation = get_record_row_for_user(
            request.user, slug, Consultation, pk, Capability.EDIT_PROGRAMME
        )
    form = forms.ConsultationForm(request.POST or None, instance=consultation)
    done = _save_form(
        request,
        programme,
        form,
        lambda data: services.consultation_save(
            actor=request.user, consultation=consultation, data=data
        ),
        success="The consultation is saved.",
        anchor="consultees",
    )
    title = "Add a consultee" if pk is None else f"Edit the consultation: {consultation.body}"
    return done or _form_page(request, programme, form, title=title, anchor="consultees")


@require_http_methods(["GET", "POST"])
def review_edit(request, slug, area):
    """Sign off one area (or give the final approval) in your own name, or withdraw your own
    sign-off; the report's own sign-offs are shown as the report records them."""
    programme = get_programme_for_user(request.user, slug, Capability.EDIT_PROGRAMME)
    if area not in ReportReview.Area.values:
        raise Http404("No such review area.")
    review = ReportReview.objects.select_related("signed_by").filter(
        programme=programme, area=area
    ).first() or ReportReview(programme=programme, area=area)
    # Bound on every POST, even an empty one: signing without the confirmation is an error.
    form = forms.ReportReviewForm(
        request.POST if request.method == "POST" else None, instance=review
    )
    withdrawing = request.method == "POST" and request.POST.get("action") == "withdraw"
    withdraw_errors = []
    label = review.get_area_display()
    try:
        if withdrawing:
            services.report_review_withdraw(actor=request.user, programme=programme, area=area)
            messages.success(request, f"The {label.lower()} sign-off is withdrawn.")
            return redirect(f"{programme.get_absolute_url()}#sign-offs")
        if request.method == "POST" and form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            services.report_review_sign(
                actor=request.user, programme=programme, area=area, data=data
            )
            messages.success(request, f"The {label.lower()} sign-off is recorded in your name.")
            return redirect(f"{programme.get_absolute_url()}#sign-offs")
    except ValidationError as error:
        if withdrawing:
            withdraw_errors = error.messages
        else:
            apply_errors(form, error)
    title = "Give the final approval" if review.is_final_approval else f"{label} sign-off"
    return _form_page(
        request,
        programme,
        form,
        title=title,
        anchor="sign-offs",
        submit="Give the final approval" if review.is_final_approval else "Sign off",
        intro="You sign in your own name, dated today. Every sign-off is dated on or before "
        "the final approval.",
        template="programme/review_sign.html",
        review=review,
        may_withdraw=services.may_withdraw_sign_off(request.user, review),
        withdraw_errors=withdraw_errors,
    )


@require_http_methods(["GET", "POST"])
def benefit_edit(request, slug, pk=None):
    if pk is None:
        programme = get_programme_for_user(request.user, slug, Capability.EDIT_PROGRAMME)
        benefit = Benefit(programme=programme)
    else:
        programme, benefit = get_record_row_for_user(
            request.user, slug, Benefit, pk, Capability.EDIT_PROGRAMME
        )
    form = forms.BenefitForm(request.POST or None, instance=benefit)
    done = _save_form(
        request,
        programme,
        form,
        lambda data: services.benefit_save(actor=request.user, benefit=benefit, data=data),
        success="The benefit is saved.",
        anchor="benefits",
    )
    title = "Add a benefit" if pk is None else f"Edit the benefit: {benefit.title}"
    return done or _form_page(request, programme, form, title=title, anchor="benefits")


@require_http_methods(["GET", "POST"])
def measure_add(request, slug, pk):
    programme, benefit = get_record_row_for_user(
        request.user, slug, Benefit, pk, Capability.EDIT_PROGRAMME
    )
    form = forms.BenefitMeasureForm(request.POST or None, instance=BenefitMeasure(benefit=benefit))
    done = _save_form(
        request,
        programme,
        form,
        lambda data: services.benefit_measure_add(actor=request.user, benefit=benefit, data=data),
        success=f"The actual for “{benefit.title}” is recorded.",
        anchor="benefits",
    )
    baseline = selectors.number_text(benefit.baseline_value, benefit.unit)
    return done or _form_page(
        request,
        programme,
        form,
        title=f"Record an actual: {benefit.title}",
        anchor="benefits",
        intro=f"Measure: {benefit.measure}. Baseline {baseline} ({benefit.baseline_text}).",
    )


@require_http_methods(["GET", "POST"])
def glossary_edit(request, slug, pk=None):
    if pk is None:
        programme = get_programme_for_user(request.user, slug, Capability.EDIT_PROGRAMME)
        term = GlossaryTerm(programme=programme)
    else:
        programme, term = get_record_row_for_user(
            request.user, slug, GlossaryTerm, pk, Capability.EDIT_PROGRAMME
        )
    form = forms.GlossaryTermForm(request.POST or None, instance=term)
    done = _save_form(
        request,
        programme,
        form,
        lambda data: services.glossary_term_save(actor=request.user, term=term, data=data),
        success="The glossary term is saved.",
        anchor="glossary",
    )
    title = "Add a glossary term" if pk is None else f"Edit the glossary term: {term.term}"
    return done or _form_page(request, programme, form, title=title, anchor="glossary")


@require_http_methods(["GET", "POST"])
def recommendation_decide(request, slug, pk):
    programme, recommendation = get_record_row_for_user(
        request.user, slug, Recommendation, pk, Capability.RECORD_DECISION
    )
    initial = {"decided_on": programme.decision_date}
    if recommendation.is_decided:
        initial = {
            "outcome": recommendation.outcome,
            "decided_on": recommendation.decided_on,
            "notes": recommendation.outcome_notes,
        }
    form = forms.RecommendationDecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_decide(
                recommendation=recommendation,
                outcome=form.cleaned_data["outcome"],
                decided_on=form.cleaned_data["decided_on"],
                notes=form.cleaned_data["notes"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"The decision on recommendation {recommendation.label}) is recorded."
            )
            return redirect(f"{programme.get_absolute_url()}#recommendations")
    return _form_page(
        request,
        programme,
        form,
        title=f"Record the decision on recommendation {recommendation.label})",
        anchor="recommendations",
        submit="Record the decision",
        template="programme/recommendation_decide.html",
        recommendation=recommendation,
    )


@require_GET
def programme_export(request, slug, register, fmt):
    programme = get_programme_for_user(request.user, slug)
    stamp = timezone.localdate().isoformat()
    if register == "record" and fmt == "xlsx":
        sheets = [(label, *rows(programme)) for label, rows in EXPORTS.values()]
        return xlsx_response(f"{programme.slug}-record-{stamp}.xlsx", sheets)
    if register not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404("No such export.")
    label, rows = EXPORTS[register]
    headers, data = rows(programme)
    filename = f"{programme.slug}-{register}-{stamp}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, headers, data)
    return xlsx_response(filename, [(label, headers, data)])
