"""Stage pages: list, detail, my outputs, the forms that change stages and outputs, evidence
downloads and exports. Thin: access helpers say who may, services write, selectors read."""

import functools
import mimetypes
from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import confirm
from core.access import Capability, can
from core.dates import govuk_date
from core.exports import csv_response, xlsx_response
from core.forms import apply_errors
from core.fragments import fragment, lazy
from programme.access import get_programme_for_user

from . import charts, exports, selectors, services
from .access import (
    get_escalation_for_user,
    get_exception_for_user,
    get_output_for_user,
    get_stage_for_user,
)
from .forms import (
    ApprovalDecisionForm,
    EscalationDecisionForm,
    ExceptionDecisionForm,
    ExceptionReportForm,
    GateDecisionForm,
    OutputForm,
    OutputStatusForm,
    ProgressUpdateForm,
    StageCompleteForm,
    StageForm,
    StageStartForm,
    ToleranceForm,
)
from .models import Output


def _can(request) -> dict:
    return {
        "update": can(request.user, Capability.UPDATE_STAGES),
        "decide": can(request.user, Capability.RECORD_DECISION),
    }


def _form_page(request, *, form, title, caption, back_url, submit, intro=None, extra=None):
    context = {
        "form": form,
        "title": title,
        "caption": caption,
        "back_url": back_url,
        "submit": submit,
        "intro": intro,
        "multipart": form.is_multipart(),
        **(extra or {}),
    }
    return render(request, "stages/form.html", context)


# Pages -----------------------------------------------------------------------------------


@require_GET
def stage_list(request, slug):
    programme = get_programme_for_user(request.user, slug)
    today = timezone.localdate()
    # Read only inside the page's cached fragment: a hit draws nothing (core/fragments.py).
    return render(
        request,
        "stages/list.html",
        {
            "programme": programme,
            "summaries": lazy(lambda: selectors.stage_summaries(programme)),
            "due": lazy(
                lambda: selectors.outputs_due_pages(
                    programme,
                    today=today,
                    overdue_page=request.GET.get("overdue"),
                    due_soon_page=request.GET.get("due_soon"),
                )
            ),
            "can": _can(request),
            "fragment": fragment(request, programme, request.GET.urlencode()),
        },
    )


@require_GET
def stage_detail(request, slug, number):
    stage = get_stage_for_user(request.user, slug, number)

    @functools.cache
    def page():
        return selectors.stage_page(
            stage,
            today=timezone.localdate(),
            outputs_page=request.GET.get("outputs"),
            updates_page=request.GET.get("updates"),
        )

    def chart():
        return charts.progress_svg(
            page().chart_updates,
            scale=page().stage.rag_scale,
            title_id="progress-chart-title",
            title=f"Stage {stage.number}: percent complete and delivery confidence over time",
        )

    # Read only inside the page's cached fragment: a hit draws nothing (core/fragments.py).
    return render(
        request,
        "stages/detail.html",
        {
            "programme": stage.programme,
            "stage": stage,
            "page": lazy(page),
            "summary": lazy(lambda: page().summary),
            "blockers": lazy(
                lambda: services.stage_start_blockers(page().stage, page().previous_outputs)
            ),
            "chart": lazy(chart),
            "chart_rows": lazy(lambda: list(reversed(page().chart_updates))),
            "cabinet_items": lazy(
                lambda: selectors.stage_cabinet_items(stage, today=timezone.localdate())
            ),
            "can": _can(request),
            "fragment": fragment(request, stage.programme, stage.number, request.GET.urlencode()),
        },
    )


@require_GET
def my_outputs(request, slug):
    programme = get_programme_for_user(request.user, slug, Capability.UPDATE_STAGES)
    data = selectors.my_outputs(
        request.user,
        programme,
        today=timezone.localdate(),
        page=request.GET.get("page"),
        accept_page=request.GET.get("to_accept"),
    )
    return render(
        request,
        "stages/my_outputs.html",
        {"programme": programme, **data, "within_days": selectors.DUE_SOON_DAYS},
    )


@require_GET
def output_detail(request, slug, number, code):
    return _output_page(request, slug, number, code)


def _output_page(request, slug, number, code, status_form=None):
    """The output's page; a refused status change shows it again with the form's errors."""
    output = get_output_for_user(request.user, slug, number, code)
    data = selectors.output_page(output)
    output = data["output"]
    allowed = (
        services.allowed_next_statuses(output, request.user)
        if can(request.user, Capability.UPDATE_STAGES)
        else []
    )
    if status_form is None:
        status_form = OutputStatusForm(
            allowed=allowed, initial={"seen_evidence": services.evidence_seen(output)}
        )
    return render(
        request,
        "stages/output_detail.html",
        {
            "programme": output.stage.programme,
            "stage": output.stage,
            "output": output,
            "history": data["history"],
            "status_form": status_form,
            "allowed": allowed,
            "due": selectors.due_state(output, timezone.localdate()),
            "own": request.user.pk in (output.owner_id, output.submitted_by_id),
            "can": _can(request),
        },
    )


# Stage forms -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def stage_edit(request, slug, number):
    stage = get_stage_for_user(request.user, slug, number, Capability.UPDATE_STAGES)
    form = StageForm(request.POST or None, instance=stage)
    if request.method == "POST" and form.is_valid():
        try:
            stage = services.stage_update(actor=request.user, stage=stage, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Stage {stage.number} saved.")
            return redirect(stage.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=f"Edit stage {stage.number}",
        caption=stage.programme.name,
        back_url=stage.get_absolute_url(),
        submit="Save stage",
    )


@require_http_methods(["GET", "POST"])
def stage_start(request, slug, number):
    stage = get_stage_for_user(request.user, slug, number, Capability.UPDATE_STAGES)
    form = StageStartForm(request.POST or None, initial={"actual_start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_start(
                actor=request.user, stage=stage, actual_start=form.cleaned_data["actual_start"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Stage {stage.number} has started.")
            return redirect(stage.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=f"Start stage {stage.number}: {stage.name}",
        caption=stage.programme.name,
        back_url=stage.get_absolute_url(),
        submit="Start the stage",
        extra={"blockers": services.stage_start_blockers(stage)},
    )


@require_http_methods(["GET", "POST"])
def stage_complete(request, slug, number):
    stage = get_stage_for_user(request.user, slug, number, Capability.UPDATE_STAGES)
    form = StageCompleteForm(request.POST or None, initial={"actual_end": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_complete(
                actor=request.user, stage=stage, actual_end=form.cleaned_data["actual_end"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Stage {stage.number} is complete.")
            return redirect(stage.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=f"Complete stage {stage.number}: {stage.name}",
        caption=stage.programme.name,
        back_url=stage.get_absolute_url(),
        submit="Mark the stage complete",
        intro="A stage is complete once every one of its outputs has been accepted.",
    )


@require_http_methods(["GET", "POST"])
def stage_gate(request, slug, number):
    stage = get_stage_for_user(request.user, slug, number, Capability.RECORD_DECISION)
    form = GateDecisionForm(
        request.POST or None,
        initial={"decided_on": timezone.localdate(), "decision_maker": ""},
    )
    title = f"Record the gate decision into stage {stage.number}"
    if request.method == "POST" and form.is_valid() and not confirm.changing(request):
        if not confirm.confirmed(request):
            return confirm.check_answers(
                request,
                form=form,
                title=title,
                caption=stage.programme.name,
                back_url=stage.get_absolute_url(),
                effect=_gate_effect(stage, form.cleaned_data),
                submit="Record the gate decision",
            )
        try:
            services.stage_gate_record(actor=request.user, stage=stage, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"The gate into stage {stage.number} is recorded.")
            return redirect(stage.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=title,
        caption=stage.programme.name,
        back_url=stage.get_absolute_url(),
        submit="Continue",
        intro=(
            f"Record the decision, taken once every output of stage {stage.number - 1} was "
            f"accepted, that stage {stage.number} may start."
        ),
    )


def _gate_effect(stage, answers) -> list[str]:
    """What recording the gate into `stage` does, for the check-your-answers page."""
    before = stage.number - 1
    outputs = Output.objects.filter(stage__programme_id=stage.programme_id, stage__number=before)
    total = outputs.count()
    accepted = outputs.filter(status=Output.Status.ACCEPTED).count()
    return [
        f"Records that {answers['decision_maker']} decided on "
        f"{govuk_date(answers['decided_on'])} that stage {stage.number} ({stage.name}) may start.",
        f"Stage {before} has {accepted} of {total} outputs accepted"
        + (
            f": stage {stage.number} can then be started."
            if accepted == total
            else ", so the gate will be refused and nothing recorded until all are."
        ),
        "The decision joins the programme's record and its history, with your name; "
        "it cannot be recorded twice.",
    ]


@require_http_methods(["GET", "POST"])
def stage_approve(request, slug):
    programme = get_programme_for_user(request.user, slug, Capability.RECORD_DECISION)
    form = ApprovalDecisionForm(
        request.POST or None,
        programme=programme,
        initial={"decision_maker": programme.decision_maker},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        stages = list(data.pop("stages"))
        try:
            services.stage_approval_record(
                actor=request.user, programme=programme, stages=stages, data=data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            numbers = " and ".join(str(s.number) for s in stages)
            messages.success(request, f"Approval of stage {numbers} recorded.")
            return redirect("stages:list", slug=programme.slug)
    return _form_page(
        request,
        form=form,
        title="Record a decision approving stages",
        caption=programme.name,
        back_url=reverse("stages:list", kwargs={"slug": programme.slug}),
        submit="Record the approval",
        intro="A stage can start only once a decision has approved it.",
    )


@require_http_methods(["GET", "POST"])
def progress_update_new(request, slug, number):
    stage = get_stage_for_user(request.user, slug, number, Capability.UPDATE_STAGES)
    form = ProgressUpdateForm(
        request.POST or None, stage=stage, initial={"as_of": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_update_create(actor=request.user, stage=stage, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Progress update for stage {stage.number} posted.")
            return redirect(stage.get_absolute_url() + "#updates")
    return _form_page(
        request,
        form=form,
        title=f"Post a progress update for stage {stage.number}",
        caption=f"Stage {stage.number}: {stage.name}",
        back_url=stage.get_absolute_url(),
        submit="Post the update",
        intro=(
            "Say how the stage stands now. The stage's delivery confidence and percent "
            "complete become this update's."
        ),
    )


# Output forms ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def output_new(request, slug, number):
    stage = get_stage_for_user(request.user, slug, number, Capability.UPDATE_STAGES)
    form = OutputForm(request.POST or None, request.FILES or None, stage=stage)
    if request.method == "POST" and form.is_valid():
        try:
            output = services.output_create(actor=request.user, stage=stage, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Output {output.code} added to stage {stage.number}.")
            return redirect(output.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=f"Add an output to stage {stage.number}",
        caption=f"Stage {stage.number}: {stage.name}",
        back_url=stage.get_absolute_url(),
        submit="Add the output",
    )


@require_http_methods(["GET", "POST"])
def output_edit(request, slug, number, code):
    output = get_output_for_user(request.user, slug, number, code, Capability.UPDATE_STAGES)
    form = OutputForm(
        request.POST or None, request.FILES or None, instance=output, stage=output.stage
    )
    if request.method == "POST" and form.is_valid():
        status_before = output.status
        try:
            output = services.output_update(
                actor=request.user, output=output, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if output.status != status_before:
                messages.success(
                    request,
                    f"Output {output.code} saved. Its evidence changed after it was "
                    f"{Output.Status(status_before).label.lower()}, so it is back in progress "
                    "and any acceptance is cleared: submit it again for another officer to "
                    "accept.",
                )
            else:
                messages.success(request, f"Output {output.code} saved.")
            return redirect(output.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=f"Edit output {output.code}",
        caption=f"Stage {output.stage.number}: {output.stage.name}",
        back_url=output.get_absolute_url(),
        submit="Save the output",
    )


@require_POST
def output_status(request, slug, number, code):
    output = get_output_for_user(request.user, slug, number, code, Capability.UPDATE_STAGES)
    form = OutputStatusForm(
        request.POST, allowed=services.allowed_next_statuses(output, request.user)
    )
    if form.is_valid():
        try:
            output = services.output_transition(
                actor=request.user,
                output=output,
                to_status=form.cleaned_data["status"],
                seen_evidence=form.cleaned_data["seen_evidence"] or None,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"Output {output.code} is now {output.get_status_display().lower()}."
            )
            return redirect(output.get_absolute_url())
    return _output_page(request, slug, number, code, status_form=form)


@require_GET
def evidence_download(request, slug, number, code):
    """Evidence files are served only here, after the access check (never from /media/)."""
    output = get_output_for_user(request.user, slug, number, code)
    if not output.evidence_file:
        raise Http404("This output has no evidence file.")
    name = PurePosixPath(output.evidence_file.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    try:
        handle = output.evidence_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The evidence file is missing from storage.") from error
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


@require_GET
def export(request, slug, dataset, fmt):
    programme = get_programme_for_user(request.user, slug)
    if dataset not in exports.DATASETS or fmt not in ("csv", "xlsx"):
        raise Http404("No such export.")
    title, headers, rows = exports.DATASETS[dataset](programme)
    filename = f"{programme.slug}-{dataset}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, headers, rows)
    return xlsx_response(filename, [(title, headers, rows)])


# Tolerances, exceptions and escalations ----------------------------------------------------


@require_GET
def tolerances(request, slug):
    programme = get_programme_for_user(request.user, slug)
    return render(
        request,
        "stages/tolerances.html",
        {"programme": programme, **selectors.tolerance_page(programme), "can": _can(request)},
    )


def _tolerances_form_page(request, *, programme, stage):
    target = stage or programme
    fields = services.STAGE_TOLERANCE_FIELDS if stage else services.TOLERANCE_FIELDS
    form = ToleranceForm(
        request.POST or None,
        stage=stage,
        initial={
            **{name: getattr(target, name) for name in fields},
            "decided_on": timezone.localdate(),
            "decision_maker": "Cabinet",
        },
    )
    back_url = reverse("stages:tolerances", kwargs={"slug": programme.slug})
    if request.method == "POST" and form.is_valid():
        try:
            services.tolerances_set(
                actor=request.user, programme=programme, stage=stage, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            what = f"stage {stage.number}" if stage else "the programme"
            messages.success(request, f"Tolerances for {what} recorded as Cabinet's decision.")
            return redirect(back_url)
    what = f"stage {stage.number}" if stage else "the programme"
    return _form_page(
        request,
        form=form,
        title=f"Set the tolerances for {what}",
        caption=programme.name,
        back_url=back_url,
        submit="Record the decision",
        intro=(
            "Tolerances say how far forecasts may move before Cabinet must decide. A forecast "
            "beyond one raises an exception at once. Leave a tolerance blank to set none."
        ),
    )


@require_http_methods(["GET", "POST"])
def tolerances_set(request, slug):
    programme = get_programme_for_user(request.user, slug, Capability.RECORD_DECISION)
    return _tolerances_form_page(request, programme=programme, stage=None)


@require_http_methods(["GET", "POST"])
def stage_tolerances_set(request, slug, number):
    stage = get_stage_for_user(request.user, slug, number, Capability.RECORD_DECISION)
    return _tolerances_form_page(request, programme=stage.programme, stage=stage)


@require_GET
def exception_log(request, slug):
    programme = get_programme_for_user(request.user, slug)
    log = selectors.exception_log(
        programme,
        today=timezone.localdate(),
        exceptions_page=request.GET.get("exceptions"),
        escalations_page=request.GET.get("escalations"),
    )
    return render(
        request,
        "stages/exceptions.html",
        {"programme": programme, "log": log, "can": _can(request)},
    )


def _exception_page(request, exception, *, report_form=None, decide_form=None, status=200):
    can_ = _can(request)
    open_ = exception.status != exception.Status.DECIDED
    if report_form is None and can_["update"] and open_:
        report_form = ExceptionReportForm(instance=exception)
    if decide_form is None and can_["decide"] and exception.status == exception.Status.REPORTED:
        decide_form = ExceptionDecisionForm()
    return render(
        request,
        "stages/exception.html",
        {
            "programme": exception.stage.programme,
            "exception": exception,
            "report_form": report_form,
            "decide_form": decide_form,
            "can": can_,
        },
        status=status,
    )


@require_GET
def exception_detail(request, slug, pk):
    return _exception_page(request, get_exception_for_user(request.user, slug, pk))


@require_POST
def exception_report(request, slug, pk):
    exception = get_exception_for_user(request.user, slug, pk, Capability.UPDATE_STAGES)
    form = ExceptionReportForm(request.POST)
    if form.is_valid():
        try:
            services.exception_report(
                actor=request.user, exception=exception, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Exception report sent to Cabinet.")
            return redirect(exception.get_absolute_url())
    return _exception_page(request, exception, report_form=form)


@require_POST
def exception_decide(request, slug, pk):
    exception = get_exception_for_user(request.user, slug, pk, Capability.RECORD_DECISION)
    form = ExceptionDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.exception_decide(
                actor=request.user, exception=exception, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Cabinet's decision recorded: the exception is closed.")
            return redirect(exception.get_absolute_url())
    exception.refresh_from_db()
    return _exception_page(request, exception, decide_form=form)


def _escalation_page(request, escalation, *, form=None, status=200):
    can_ = _can(request)
    if form is None and can_["decide"] and escalation.status == escalation.Status.AWAITING:
        form = EscalationDecisionForm()
    return render(
        request,
        "stages/escalation.html",
        {
            "programme": escalation.stage.programme,
            "escalation": escalation,
            "form": form,
            "can": can_,
        },
        status=status,
    )


@require_GET
def escalation_detail(request, slug, pk):
    return _escalation_page(request, get_escalation_for_user(request.user, slug, pk))


@require_POST
def escalation_decide(request, slug, pk):
    escalation = get_escalation_for_user(request.user, slug, pk, Capability.RECORD_DECISION)
    form = EscalationDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.escalation_decide(
                actor=request.user, escalation=escalation, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Cabinet's decision recorded and shown to the officer.")
            return redirect(escalation.get_absolute_url())
    escalation.refresh_from_db()
    return _escalation_page(request, escalation, form=form)
