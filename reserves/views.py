"""Pages for finance and officers: reserves, the reserve statement, the drawdown queue and its
actions, the cost profile, the stated-figure checks and the refusal log. Thin: access helpers
decide who may act, services write, selectors read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import Capability, can, require
from core.exports import csv_response, xlsx_response
from core.forms import apply_errors
from core.money import format_gbp
from core.names import person_name
from core.pagination import page_from_request
from programme.access import get_programme_for_user

from . import ledger, selectors, services, statement
from .access import get_cost_line_for_user, get_drawdown_for_user, get_reserve_for_user
from .charts import balance_svg
from .forms import (
    CancelForm,
    CeilingProposalForm,
    CostLineForm,
    DrawdownRequestForm,
    DrawnForm,
    RejectForm,
    ReserveForm,
    ScheduleForm,
)
from .models import CeilingProposal, CostLine, Drawdown


def _check_format(fmt: str) -> None:
    if fmt not in ("csv", "xlsx"):
        raise Http404("Downloads are .csv or .xlsx")


def _can(user) -> dict:
    return {cap.value: can(user, cap) for cap in Capability}


# Reserves ------------------------------------------------------------------------------


@require_GET
def reserve_list(request):
    require(request.user, Capability.VIEW)
    return render(
        request,
        "reserves/list.html",
        {**selectors.reserves_overview(), "can": _can(request.user)},
    )


def _statement_context(request, reserve):
    position = selectors.reserve_position(reserve, today=timezone.localdate())
    return {
        "reserve": reserve,
        "position": position,
        "chart": balance_svg(
            position,
            title_id="balance-chart-title",
            title=(
                f"Projected balance of the {reserve.name}, {position['mtfs_label']}, with its floor"
            ),
        ),
        "can": _can(request.user),
    }


@require_GET
def reserve_statement(request, pk):
    reserve = get_reserve_for_user(request.user, pk)
    return render(request, "reserves/statement.html", _statement_context(request, reserve))


def _statement_sheets(position):
    """The statement's tables as workbook sheets: the one builder reporting uses too."""
    return [
        (table.sheet_title, table.headers, table.rows)
        for table in statement.statement_tables(position)
    ]


@require_GET
def reserve_statement_export(request, pk, fmt):
    _check_format(fmt)
    reserve = get_reserve_for_user(request.user, pk)
    position = selectors.reserve_position(reserve, today=timezone.localdate())
    sheets = _statement_sheets(position)
    stem = f"reserve-statement-{reserve.pk}-{position['today']:%Y-%m-%d}"
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", sheets)
    _title, headers, rows = sheets[1]
    return csv_response(f"{stem}.csv", headers, rows)


@require_http_methods(["GET", "POST"])
def reserve_edit(request, pk):
    reserve = get_reserve_for_user(request.user, pk, Capability.EDIT_RESERVES)
    form = ReserveForm(request.POST or None, instance=reserve)
    if request.method == "POST" and form.is_valid():
        try:
            services.reserve_update(
                reserve=reserve,
                user=request.user,
                data={name: form.cleaned_data[name] for name in services.RESERVE_EDITABLE},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"The {reserve.name} has been updated.")
            return redirect(reserve.get_absolute_url())
    return render(request, "reserves/reserve_form.html", {"reserve": reserve, "form": form})


# Drawdowns -----------------------------------------------------------------------------


@require_GET
def drawdown_queue(request):
    require(request.user, Capability.VIEW)
    status = request.GET.get("status", "")
    if status not in Drawdown.Status.values:
        status = ""
    queue = selectors.drawdown_queue(status=status)
    return render(
        request,
        "reserves/queue.html",
        {
            **queue,
            # Each list turns its own pages of 25, so the page stays small at any scale.
            "awaiting": page_from_request(request, queue["awaiting"], param="awaiting"),
            "to_draw": page_from_request(request, queue["to_draw"], param="to_draw"),
            "drawdowns": page_from_request(request, queue["drawdowns"]),
            "statuses": Drawdown.Status.choices,
            "can": _can(request.user),
        },
    )


def _drawdown_rows(drawdowns):
    def who(user):
        return (user.get_full_name() or user.get_username()) if user else ""

    for d in drawdowns:
        yield (
            d.reference,
            d.reserve.name,
            d.programme.name if d.programme else "",
            d.purpose,
            d.amount,
            d.get_status_display(),
            who(d.requested_by),
            d.requested_at,
            who(d.approved_by),
            d.approved_at,
            d.scheduled_for,
            d.drawn_on,
            who(d.rejected_by or d.cancelled_by),
            d.rejection_reason or d.cancellation_reason,
        )


DRAWDOWN_HEADERS = [
    "Reference",
    "Reserve",
    "Programme",
    "Purpose",
    "Amount",
    "Status",
    "Requested by",
    "Requested at",
    "Approved by",
    "Approved at",
    "Scheduled for",
    "Drawn on",
    "Rejected or cancelled by",
    "Reason",
]


@require_GET
def drawdown_export(request, fmt):
    _check_format(fmt)
    require(request.user, Capability.VIEW)
    drawdowns = list(selectors.all_drawdowns())
    stem = f"drawdowns-{timezone.localdate():%Y-%m-%d}"
    rows = list(_drawdown_rows(reversed(drawdowns)))
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", [("Drawdowns", DRAWDOWN_HEADERS, rows)])
    return csv_response(f"{stem}.csv", DRAWDOWN_HEADERS, rows)


@require_http_methods(["GET", "POST"])
def drawdown_request(request):
    require(request.user, Capability.REQUEST_DRAWDOWN)
    programme = None
    if slug := request.GET.get("programme"):
        programme = get_programme_for_user(request.user, slug)
    form = DrawdownRequestForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            drawdown = services.drawdown_request(
                reserve=data["reserve"],
                programme=data["programme"],
                purpose=data["purpose"],
                amount=data["amount"],
                needed_by=data["needed_by"],
                user=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, f"{drawdown.reference} has been requested: finance will review it."
            )
            return redirect(drawdown.get_absolute_url())
    return render(request, "reserves/drawdown_form.html", {"form": form})


def _detail(request, pk, *, forms=None, action_errors=None, status=200):
    context = selectors.drawdown_detail(pk)
    drawdown = context["drawdown"]
    user = request.user
    finance = can(user, Capability.APPROVE_DRAWDOWN)
    own = drawdown.requested_by_id == user.pk
    open_status = drawdown.status in (
        Drawdown.Status.REQUESTED,
        Drawdown.Status.APPROVED,
        Drawdown.Status.SCHEDULED,
    )
    forms = forms or {}
    context.update(
        {
            "may_decide": finance and not own and drawdown.status == Drawdown.Status.REQUESTED,
            "may_progress": finance
            and not own
            and drawdown.status in (Drawdown.Status.APPROVED, Drawdown.Status.SCHEDULED),
            "own_request": own,
            "finance": finance,
            "may_cancel": open_status
            and (finance or (own and drawdown.status == Drawdown.Status.REQUESTED)),
            "reject_form": forms.get("reject") or RejectForm(prefix="reject"),
            "schedule_form": forms.get("schedule")
            or ScheduleForm(prefix="schedule", initial={"scheduled_for": drawdown.scheduled_for}),
            "drawn_form": forms.get("drawn")
            or DrawnForm(prefix="drawn", initial={"drawn_on": timezone.localdate()}),
            "cancel_form": forms.get("cancel") or CancelForm(prefix="cancel"),
            "action_errors": action_errors or [],
        }
    )
    return render(request, "reserves/drawdown_detail.html", context, status=status)


@require_GET
def drawdown_detail(request, pk):
    get_drawdown_for_user(request.user, pk)
    return _detail(request, pk)


# "Check before you": every action that moves money shows its effect first (GOV.UK's check
# answers pattern). The first POST of a form checks it and shows the effect; the button there
# posts it again with `confirmed=yes`, and only that does it.
CONFIRM = {
    "approve": ("approve", "Approve", "reserves:drawdown_approve"),
    "reject": ("reject", "Reject", "reserves:drawdown_reject"),
    "drawn": ("record as drawn", "Record as drawn", "reserves:drawdown_mark_drawn"),
    "cancel": ("cancel", "Cancel the drawdown", "reserves:drawdown_cancel"),
}


def _confirm(request, drawdown, action, *, form=None, errors=()):
    verb, button, url_name = CONFIRM[action]
    return render(
        request,
        "reserves/drawdown_confirm.html",
        {
            "drawdown": drawdown,
            "action": action,
            "verb": verb,
            "button": f"{button} {format_gbp(drawdown.amount)}",
            "effect": selectors.drawdown_effect(drawdown, action),
            "post_url": reverse(url_name, kwargs={"pk": drawdown.pk}),
            "form": form,
            "errors": list(errors),
        },
    )


@require_http_methods(["GET", "POST"])
def drawdown_approve(request, pk):
    drawdown = get_drawdown_for_user(request.user, pk, Capability.APPROVE_DRAWDOWN)
    if request.method == "GET":
        return _confirm(request, drawdown, "approve")
    try:
        services.drawdown_approve(drawdown=drawdown, user=request.user)
    except ValidationError as exc:
        return _detail(request, pk, action_errors=exc.messages)
    messages.success(request, f"{drawdown.reference} has been approved.")
    if request.POST.get("return_to") == "queue":
        return redirect(reverse("reserves:drawdown_queue"))
    return redirect(drawdown.get_absolute_url())


def _form_action(request, pk, *, key, form_class, capability, call, done, confirm=""):
    drawdown = get_drawdown_for_user(request.user, pk, capability)
    form = form_class(request.POST, prefix=key)
    if form.is_valid():
        if confirm and request.POST.get("confirmed") != "yes":
            return _confirm(request, drawdown, confirm, form=form)
        try:
            call(drawdown, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{drawdown.reference} {done}.")
            return redirect(drawdown.get_absolute_url())
    return _detail(request, pk, forms={key: form})


@require_POST
def drawdown_reject(request, pk):
    return _form_action(
        request,
        pk,
        key="reject",
        form_class=RejectForm,
        capability=Capability.APPROVE_DRAWDOWN,
        call=lambda d, data: services.drawdown_reject(
            drawdown=d, user=request.user, reason=data["reason"]
        ),
        done="has been rejected",
        confirm="reject",
    )


@require_POST
def drawdown_schedule(request, pk):
    return _form_action(
        request,
        pk,
        key="schedule",
        form_class=ScheduleForm,
        capability=Capability.APPROVE_DRAWDOWN,
        call=lambda d, data: services.drawdown_schedule(
            drawdown=d, user=request.user, scheduled_for=data["scheduled_for"]
        ),
        done="has been scheduled",
    )


@require_POST
def drawdown_mark_drawn(request, pk):
    return _form_action(
        request,
        pk,
        key="drawn",
        form_class=DrawnForm,
        capability=Capability.APPROVE_DRAWDOWN,
        call=lambda d, data: services.drawdown_mark_drawn(
            drawdown=d, user=request.user, drawn_on=data["drawn_on"]
        ),
        done="has been marked as drawn",
        confirm="drawn",
    )


@require_POST
def drawdown_cancel(request, pk):
    return _form_action(
        request,
        pk,
        key="cancel",
        form_class=CancelForm,
        capability=Capability.REQUEST_DRAWDOWN,
        call=lambda d, data: services.drawdown_cancel(
            drawdown=d, user=request.user, reason=data["reason"]
        ),
        done="has been cancelled",
        confirm="cancel",
    )


@require_GET
def refusal_list(request):
    require(request.user, Capability.VIEW)
    refusals = page_from_request(request, selectors.refusals())
    return render(request, "reserves/refusals.html", {"refusals": refusals})


# Cost profile and stated figures -------------------------------------------------------


@require_GET
def cost_profile(request, slug):
    programme = get_programme_for_user(request.user, slug)
    return render(
        request,
        "reserves/cost_profile.html",
        {**selectors.cost_profile(programme), "can": _can(request.user)},
    )


@require_GET
def cost_profile_export(request, slug, fmt):
    _check_format(fmt)
    programme = get_programme_for_user(request.user, slug)
    profile = selectors.cost_profile(programme)
    headers = ["Table", "R/C", "Line", "Estimate", *profile["headings"], "Total"]
    rows = []
    for table in profile["tables"]:
        for row in table["rows"]:
            rows.append(
                [
                    table["title"],
                    # The report marks R or C (and estimates) in its cost table only; a cell it
                    # left blank stays blank rather than becoming 0.00.
                    row["kind_letter"] if table["key"] == CostLine.Table.COSTS else "",
                    row["label"],
                    row["is_estimate"],
                    *(value if value else "" for value in row["values"]),
                    row["total"],
                ]
            )
        rows.append(
            [table["title"], "", "TOTAL", "", *table["total"]["values"], table["total"]["total"]]
        )
    stem = f"cost-profile-{programme.slug}"
    if fmt == "xlsx":
        return xlsx_response(f"{stem}.xlsx", [("Cost profile", headers, rows)])
    return csv_response(f"{stem}.csv", headers, rows)


@require_http_methods(["GET", "POST"])
def cost_line_edit(request, slug, pk=None):
    programme = get_programme_for_user(request.user, slug, Capability.EDIT_RESERVES)
    line = get_cost_line_for_user(request.user, programme, pk) if pk else None
    initial = {}
    if line is not None:
        initial = {
            "table": line.table,
            "kind": line.kind,
            "label": line.label,
            "financial_year": line.financial_year,
            "amount": f"{line.amount}",
            "is_estimate": line.is_estimate,
            "stages": list(line.stages.all()),
            "source_reference": line.source_reference,
        }
    form = CostLineForm(request.POST or None, programme=programme, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        stages = data.pop("stages")
        try:
            services.cost_line_save(
                programme=programme, user=request.user, data=data, stages=stages, cost_line=line
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "The cost line has been saved.")
            return redirect("reserves:cost_profile", slug=programme.slug)
    return render(
        request,
        "reserves/cost_line_form.html",
        {"programme": programme, "form": form, "line": line},
    )


@require_http_methods(["GET", "POST"])
def cost_line_delete(request, slug, pk):
    programme = get_programme_for_user(request.user, slug, Capability.EDIT_RESERVES)
    line = get_cost_line_for_user(request.user, programme, pk)
    error = None
    if request.method == "POST":
        try:
            services.cost_line_delete(cost_line=line, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "The cost line has been removed.")
            return redirect("reserves:cost_profile", slug=programme.slug)
    return render(
        request,
        "reserves/cost_line_delete.html",
        {"programme": programme, "line": line, "error": error},
    )


@require_GET
def stated_figures(request, slug):
    programme = get_programme_for_user(request.user, slug)
    return render(
        request,
        "reserves/stated_figures.html",
        {"programme": programme, "checks": selectors.stated_figures(programme)},
    )


# The programme's spend against its ceiling, and changing the ceiling --------------------------


@require_GET
def programme_spend(request, slug):
    programme = get_programme_for_user(request.user, slug)
    return render(
        request,
        "reserves/programme_spend.html",
        {
            "programme": programme,
            "guard": selectors.key_decision_guard(programme),
            "can_decide": can(request.user, Capability.RECORD_DECISION),
        },
    )


def _ceiling_context(programme, **extra) -> dict:
    return {
        "programme": programme,
        "guard": selectors.key_decision_guard(programme),
        "proposals": selectors.ceiling_proposals(programme),
        "can_decide": False,
        **extra,
    }


@require_http_methods(["GET", "POST"])
def ceiling_change(request, slug):
    """Propose a new spending ceiling (the first of two people), and see what waits."""
    programme = get_programme_for_user(request.user, slug, Capability.RECORD_DECISION)
    form = CeilingProposalForm(
        request.POST or None,
        threshold=programme.key_decision_threshold,
        initial={"decision_maker": programme.decision_maker},
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.ceiling_propose(
                programme=programme, user=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"You proposed a spending ceiling of {format_gbp(proposal.new_ceiling)} "
                f"({proposal.reference}). A different Cabinet member must approve it before "
                "the ceiling changes.",
            )
            return redirect("reserves:ceiling_change", slug=programme.slug)
    return render(request, "reserves/ceiling_change.html", _ceiling_context(programme, form=form))


@require_http_methods(["GET", "POST"])
def ceiling_approve(request, slug, pk):
    """Check your answers, then approve (the second person): the effect before the button."""
    programme = get_programme_for_user(request.user, slug, Capability.RECORD_DECISION)
    proposal = get_object_or_404(
        CeilingProposal.objects.select_related("proposed_by"), pk=pk, programme=programme
    )
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.ceiling_approve(proposal=proposal, user=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                f"The spending ceiling is now {format_gbp(proposal.new_ceiling)}: proposed by "
                f"{person_name(proposal.proposed_by)}, approved by {person_name(request.user)}.",
            )
            return redirect("reserves:programme_spend", slug=programme.slug)
    money = ledger.programme_money(programme)
    return render(
        request,
        "reserves/ceiling_confirm.html",
        {
            "programme": programme,
            "proposal": proposal,
            "money": money,
            "headroom_after": proposal.new_ceiling - money.committed,
            "own": proposal.proposed_by_id == request.user.pk,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@require_POST
def ceiling_withdraw(request, slug, pk):
    programme = get_programme_for_user(request.user, slug, Capability.RECORD_DECISION)
    proposal = get_object_or_404(CeilingProposal, pk=pk, programme=programme)
    try:
        services.ceiling_withdraw(proposal=proposal, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{proposal.reference} is withdrawn: the ceiling is unchanged.")
    return redirect("reserves:ceiling_change", slug=programme.slug)
