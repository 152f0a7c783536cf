"""Audit history pages: one object's changes, and the programme-wide log with filters and a
CSV export. Read only: there is no view that edits or deletes history, and these accept GET
only."""

import functools

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.exports import csv_response
from core.forms import DateField
from core.fragments import fragment, lazy
from core.names import person_name
from programme.access import get_programme_for_user

from . import audit, documents, selectors

EXPORT_CHUNK = 500


class AuditFilterForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Person", queryset=None, required=False, empty_label="Anyone"
    )
    kind = forms.ChoiceField(label="Kind of record", required=False)
    date_from = DateField(label="From", required=False)
    date_to = DateField(label="To", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("first_name", "last_name", "username")
        self.fields["person"].queryset = users
        self.fields["person"].label_from_instance = person_name
        self.fields["kind"].choices = (
            [("", "Any kind")]
            + [(t.key, t.label) for t in audit.tracked_models()]
            + [(selectors.REFUSALS_KIND, "Refused drawdowns")]
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

    def history_filter(self) -> audit.HistoryFilter:
        """The filters that are valid; an invalid one is ignored (and shown as an error)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        person = data.get("person")
        kind = data.get("kind") or None
        return audit.HistoryFilter(
            user_id=person.pk if person else None,
            kind=kind,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


def _filters(request):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form, form.history_filter()


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
def audit_log(request, slug):
    programme = get_programme_for_user(request.user, slug)
    form, filters = _filters(request)

    @functools.cache
    def page():
        return Paginator(
            audit.history_rows(programme, filters), selectors.AUDIT_PAGE_SIZE
        ).get_page(request.GET.get("page"))

    # Read only inside the page's cached fragment: a hit draws nothing (core/fragments.py).
    return render(
        request,
        "reporting/audit/log.html",
        {
            "programme": programme,
            "form": form,
            "page": lazy(page),
            "entries": lazy(lambda: audit.entries_for_rows(page().object_list)),
            "fragment": fragment(request, programme, request.GET.urlencode()),
            "refusals": selectors.drawdown_refusals(programme, filters),
            "query": _query_without_page(request),
        },
    )


@require_GET
def audit_export(request, slug):
    programme = get_programme_for_user(request.user, slug)
    _form, filters = _filters(request)
    rows = audit.history_rows(programme, filters)
    history_ids = list(rows)
    body = []
    for start in range(0, len(history_ids), EXPORT_CHUNK):
        chunk = history_ids[start : start + EXPORT_CHUNK]
        body += documents.change_rows(audit.entries_for_rows(chunk))
    body += selectors.refusal_change_rows(
        selectors.drawdown_refusals(programme, filters, limit=None)
    )
    stamp = timezone.localdate().isoformat()
    return csv_response(f"{programme.slug}-audit-log-{stamp}.csv", documents.CHANGE_HEADERS, body)


@require_GET
def object_history(request, slug, app_label, model_name, pk):
    programme = get_programme_for_user(request.user, slug)
    tracked = audit.tracked_model(app_label, model_name)
    if tracked is None:
        raise Http404("No history is kept for that kind of record")
    belongs = tracked.history_for(programme).filter(**{tracked.model._meta.pk.attname: pk})
    if not belongs.exists():
        raise Http404("No history for that record in this programme")
    entries = audit.object_history(tracked, pk)
    return render(
        request,
        "reporting/audit/object_history.html",
        {
            "programme": programme,
            "tracked": tracked,
            "entries": entries,
            "title": entries[0].object_repr if entries else f"{tracked.label} {pk}",
        },
    )
