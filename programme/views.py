"""The programme record: the decision, its recommendations, consultees, sign-offs, benefits
and glossary, with the forms that keep it current."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from core.access import Capability, can
from core.exports import csv_response, xlsx_response
from core.forms import apply_errors

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
    record = selectors.programme_record(programme)
    chart_rows = [(row.benefit.title, row.progress) for row in record.benefits]
    return {
        "programme": programme,
        "record": record,
        "printable": printable,
        "can_edit": not printable and can(request.user, Capability.EDIT_PROGRAMME),
        "can_decide": not printable and can(request.user, Capability.RECORD_DECISION),
        "benefit_chart": mark_safe(  # noqa: S308 - SVG drawn by matplotlib from escaped text
            benefit_chart.progress_svg(chart_rows, title_id="benefit-chart-title")
        )
        if chart_rows
        else "",
        "exports": [(key, label) for key, (label, _rows) in EXPORTS.items()],
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
    """Run `save(instance)` for a valid model form; a refusal comes back as field messages."""
    if request.method != "POST" or not form.is_valid():
        return None
    instance = form.save(commit=False)
    try:
        save(instance)
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
        lambda p: services.programme_record_save(programme=p, user=request.user),
        success="The decision summary is saved.",
        anchor="decision",
    )
    return done or _form_page(
        request, programme, form, title="Edit the decision summary", anchor="decision"
    )


@require_http_methods(["GET", "POST"])
def programme_status(request, slug):
    programme = get_programme_for_user(request.user, slug, Capability.EDIT_PROGRAMME)
    form = forms.ProgrammeStatusForm(request.POST or None, initial={"status": programme.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_set_status(
                programme=programme, status=form.cleaned_data["status"], user=request.user
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
        "before the approval.",
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
        lambda item: services.record_item_save(item=item, user=request.user),
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
        lambda c: services.consultation_save(consultation=c, user=request.user),
        success="The consultation is saved.",
        anchor="consultees",
    )
    title = "Add a consultee" if pk is None else f"Edit the consultation: {consultation.body}"
    return done or _form_page(request, programme, form, title=title, anchor="consultees")


@require_http_methods(["GET", "POST"])
def review_edit(request, slug, area):
    programme = get_programme_for_user(request.user, slug, Capability.EDIT_PROGRAMME)
    if area not in ReportReview.Area.values:
        raise Http404("No such review area.")
    review = ReportReview.objects.filter(programme=programme, area=area).first() or ReportReview(
        programme=programme, area=area
    )
    form = forms.ReportReviewForm(request.POST or None, instance=review)
    if area != ReportReview.Area.FINAL_APPROVAL:
        form.fields["reviewer_role"].label = "Role (optional)"
    done = _save_form(
        request,
        programme,
        form,
        lambda r: services.report_review_save(review=r, user=request.user),
        success=f"The {review.get_area_display().lower()} sign-off is saved.",
        anchor="sign-offs",
    )
    label = review.get_area_display()
    title = "Record the final approval" if review.is_final_approval else f"{label} sign-off"
    return done or _form_page(
        request,
        programme,
        form,
        title=title,
        anchor="sign-offs",
        intro="Every sign-off is dated on or before the final approval. Leave both the name and "
        "the date empty to show the area as not yet signed.",
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
        lambda b: services.benefit_save(benefit=b, user=request.user),
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
        lambda m: services.benefit_measure_add(measure=m, user=request.user),
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
        lambda t: services.glossary_term_save(term=t, user=request.user),
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
                user=request.user,
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
