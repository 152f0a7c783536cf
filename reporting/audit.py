"""Audit history: every history-tracked model, scoped to a programme, as readable changes.

Reads django-simple-history rows only; nothing here writes history or lets anyone change it.
A history row is found for a programme through its model's foreign keys (Output → Stage →
Programme), or through the programme pointing at it (the funding reserve); models that belong
to no programme (shared settings) show in every programme's log.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import CharField, OuterRef, Q, Subquery, Value
from django.utils import timezone

from core.dates import govuk_date
from core.history import foreign_key_path, is_forward_fk
from core.money import MoneyField, format_gbp
from core.names import person_name

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
BLANK = "(blank)"
# Report runs are the reports themselves, and role changes are who may use the tracker: neither
# is "what changed in the programme" since the last report. Both stay in the audit log.
NOT_PROGRAMME_CHANGES = {"reporting.reportrun", "core.rolechange"}


@dataclass(frozen=True)
class TrackedModel:
    """A model with `history = HistoricalRecords()` and how its rows reach a programme."""

    model: type[models.Model]
    history_model: type[models.Model]
    # Lookup from a history row to the programme ("programme", "stage__programme", "id").
    scope: str | None
    # A field of Programme that points at this model ("funding_reserve").
    programme_points_here: str | None

    @property
    def key(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name).capitalize()

    def history_for(self, programme) -> models.QuerySet:
        """This model's history rows that belong to `programme`."""
        rows = self.history_model._default_manager.all()
        if self.scope:
            return rows.filter(**{self.scope: programme.pk})
        if self.programme_points_here:
            target = getattr(programme, f"{self.programme_points_here}_id")
            return rows.filter(**{self.model._meta.pk.attname: target})
        return rows


@functools.cache
def tracked_models() -> tuple[TrackedModel, ...]:
    """Every model that keeps simple-history rows, in label order."""
    programme_model = apps.get_model("programme", "Programme")
    pointers = {
        f.related_model: f.name for f in programme_model._meta.get_fields() if is_forward_fk(f)
    }
    found = []
    for model in apps.get_models():
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if not manager_name:
            continue
        scope = foreign_key_path(model, programme_model)
        found.append(
            TrackedModel(
                model=model,
                history_model=getattr(model, manager_name).model,
                scope=scope,
                programme_points_here=None if scope else pointers.get(model),
            )
        )
    return tuple(sorted(found, key=lambda t: (t.label, t.key)))


def tracked_model(app_label: str, model_name: str) -> TrackedModel | None:
    key = f"{app_label}.{model_name}".lower()
    return next((t for t in tracked_models() if t.key == key), None)


def tracked_model_by_key(key: str) -> TrackedModel | None:
    return next((t for t in tracked_models() if t.key == key), None)


# Entries ---------------------------------------------------------------------------------


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    """One history row as people read it: who, when, what, field: old → new, and why."""

    when: datetime
    user: object | None
    tracked: TrackedModel
    object_id: object
    object_repr: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)
    reason: str = ""
    history_id: int = 0

    @property
    def kind(self) -> str:
        return self.tracked.label

    @property
    def user_name(self) -> str:
        return person_name(self.user)


def _diff_fields(history_model) -> list:
    """The fields whose changes people care about: editable, tracked, not the id."""
    return [
        f
        for f in history_model.tracked_fields
        if f.editable and not f.primary_key and f.name != "id"
    ]


def _field_meta(history_model, name: str):
    return history_model._meta.get_field(name)


class _RelatedNames:
    """Resolves foreign-key ids to names in one query per related model."""

    def __init__(self):
        self.wanted: dict[type, set] = defaultdict(set)
        self.found: dict[tuple[type, object], object] = {}

    def want(self, model, pk) -> None:
        if pk not in (None, ""):
            self.wanted[model].add(pk)

    def fetch(self) -> None:
        for model, pks in self.wanted.items():
            for pk, obj in model._default_manager.in_bulk(list(pks)).items():
                self.found[(model, pk)] = obj
        self.wanted.clear()

    def name(self, model, pk) -> str:
        obj = self.found.get((model, pk))
        if obj is None:
            return f"{model._meta.verbose_name} {pk} (deleted)"
        if model is apps.get_model(settings.AUTH_USER_MODEL):
            return person_name(obj)
        return str(obj)


def format_value(f, value, names: _RelatedNames) -> str:
    """A field's value as the pages show it: £, dates in words, choices by their label."""
    if value is None or value == "":
        return BLANK
    if isinstance(f, models.ForeignKey):
        return names.name(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(f, MoneyField):
        return format_gbp(value)
    if isinstance(value, date):  # a datetime too, in local time: `19 July 2022 at 14:05`
        return govuk_date(value)
    if isinstance(f, models.FileField):
        return getattr(value, "name", str(value)) or BLANK
    return str(value)


def _m2m_names(field_meta, rows, names: _RelatedNames) -> str:
    from simple_history.utils import get_m2m_reverse_field_name

    key = get_m2m_reverse_field_name(field_meta)
    labels = [names.name(field_meta.related_model, row.get(key)) for row in rows]
    return ", ".join(labels) if labels else BLANK


def build_entries(
    tracked: TrackedModel, records: Sequence, previous: dict, *, with_m2m: bool = False
) -> list[AuditEntry]:
    """Entries for `records` of one model; `previous` maps history_id to the row before it."""
    history_model = tracked.history_model
    fields = _diff_fields(history_model)
    names = _RelatedNames()
    pending = []
    for record in records:
        before = previous.get(record.history_id)
        if before is not None and record.history_type != "-":
            included = [f.name for f in fields]
            if with_m2m:
                included += [f.name for f in history_model._history_m2m_fields]
            delta = record.diff_against(before, included_fields=included)
            raw = [(c.field, c.old, c.new) for c in delta.changes]
        elif record.history_type == "+":
            raw = [
                (f.name, None, getattr(record, f.attname))
                for f in fields
                if getattr(record, f.attname) not in (None, "")
            ]
        else:
            raw = []
        for name, old, new in raw:
            meta = _model_field(tracked, name)
            if isinstance(meta, models.ForeignKey):
                names.want(meta.related_model, old)
                names.want(meta.related_model, new)
            elif isinstance(meta, models.ManyToManyField):
                from simple_history.utils import get_m2m_reverse_field_name

                key = get_m2m_reverse_field_name(meta)
                for row in list(old or []) + list(new or []):
                    names.want(meta.related_model, row.get(key))
        pending.append((record, raw))
    names.fetch()
    entries = []
    for record, raw in pending:
        changes = []
        for name, old, new in raw:
            meta = _model_field(tracked, name)
            label = str(meta.verbose_name).capitalize()
            if isinstance(meta, models.ManyToManyField):
                changes.append(
                    FieldChange(label, _m2m_names(meta, old, names), _m2m_names(meta, new, names))
                )
            else:
                hist_meta = _field_meta(history_model, name)
                changes.append(
                    FieldChange(
                        label,
                        format_value(hist_meta, old, names),
                        format_value(hist_meta, new, names),
                    )
                )
        entries.append(
            AuditEntry(
                when=record.history_date,
                user=record.history_user,
                tracked=tracked,
                object_id=getattr(record, tracked.model._meta.pk.attname),
                object_repr=_describe(record),
                action=ACTIONS.get(record.history_type, record.history_type),
                changes=changes,
                reason=record.history_change_reason or "",
                history_id=record.history_id,
            )
        )
    return entries


def _model_field(tracked: TrackedModel, name: str):
    try:
        return tracked.model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed from the model: read it from history
        return tracked.history_model._meta.get_field(name)


def _describe(record) -> str:
    try:
        return str(record.instance)
    except Exception:  # a __str__ that needs a deleted related row must not break the log
        return f"{record.instance_type._meta.verbose_name} {record.pk}"


def _previous_subquery(history_model, pk_name: str):
    """The history_id of the row just before OuterRef's, for the same object."""
    return Subquery(
        history_model._default_manager.filter(**{pk_name: OuterRef(pk_name)})
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )


def entries_for_rows(rows: Iterable[tuple[int, object, str]]) -> list[AuditEntry]:
    """Entries for (history_id, history_date, model key) rows, in the order given.

    Two queries per kind of object on the list (the rows and the rows before them) and one
    per related model named in a change: the count does not grow with the number of rows.
    """
    rows = list(rows)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for history_id, _when, key in rows:
        by_kind[key].append(history_id)
    built: dict[tuple[str, int], AuditEntry] = {}
    for key, ids in by_kind.items():
        tracked = tracked_model_by_key(key)
        if tracked is None:
            continue
        history_model = tracked.history_model
        pk_name = tracked.model._meta.pk.attname
        records = list(
            history_model._default_manager.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(previous_history_id=_previous_subquery(history_model, pk_name))
        )
        previous_ids = [r.previous_history_id for r in records if r.previous_history_id]
        before = history_model._default_manager.in_bulk(previous_ids)
        previous = {r.history_id: before.get(r.previous_history_id) for r in records}
        for entry in build_entries(tracked, records, previous):
            built[(key, entry.history_id)] = entry
    return [built[(key, hid)] for hid, _when, key in rows if (key, hid) in built]


def object_history(tracked: TrackedModel, pk) -> list[AuditEntry]:
    """Every change to one object, newest first, with many-to-many links included."""
    history_model = tracked.history_model
    records = list(
        history_model._default_manager.filter(**{tracked.model._meta.pk.attname: pk})
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    previous = {b.history_id: a for a, b in zip(records, records[1:], strict=False)}
    return list(reversed(build_entries(tracked, records, previous, with_m2m=True)))


# The programme-wide log ------------------------------------------------------------------


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class HistoryFilter:
    user_id: int | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    # Exclusive lower bound, for "changed since the last report".
    after: datetime | None = None
    exclude_kinds: frozenset[str] = frozenset()


def history_rows(programme, filters: HistoryFilter) -> models.QuerySet:
    """(history_id, history_date, model key) for every matching row, newest first: one UNION
    over all history tables, so a page of it and its count are one query each."""
    parts = []
    for tracked in tracked_models():
        if filters.kind and tracked.key != filters.kind:
            continue
        if tracked.key in filters.exclude_kinds:
            continue
        rows = tracked.history_for(programme)
        if filters.user_id:
            rows = rows.filter(history_user_id=filters.user_id)
        if filters.date_from:
            rows = rows.filter(history_date__gte=day_start(filters.date_from))
        if filters.date_to:
            rows = rows.filter(history_date__lt=day_start(filters.date_to + timedelta(days=1)))
        if filters.after:
            rows = rows.filter(history_date__gt=filters.after)
        parts.append(
            rows.annotate(model_key=Value(tracked.key, output_field=CharField()))
            .values_list("history_id", "history_date", "model_key")
            .order_by()
        )
    if not parts:
        # An empty result with the same shape (no kind matched the filter).
        return (
            tracked_models()[0]
            .history_model._default_manager.none()
            .annotate(model_key=Value("", output_field=CharField()))
            .values_list("history_id", "history_date", "model_key")
        )
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("-history_date", "-history_id")
