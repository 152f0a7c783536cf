"""The Django admin's common parts, used by every app's admin.py: history that can be read but
never reverted, a refusal (a guard's ValidationError, a database constraint or trigger) shown
on the form instead of a server error, and the product's one date field.

Admin users repair data here; the rules still hold (guards, constraints, triggers), and when
one refuses a save the admin says why next to the fields and keeps what was typed, as the
product's own pages do (decision 0162).
"""

import re

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DatabaseError, DataError, IntegrityError, models, transaction
from django.forms import modelform_factory
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from .dates import govuk_date
from .forms import DateField, apply_errors
from .models import RoleChange

# The product's one date field (2000 to 2100), and links typed without a scheme read as https
# as on the product's own forms.
FIELD_OVERRIDES = {
    models.DateField: {"form_class": DateField},
    models.URLField: {"assume_scheme": "https"},
}

# The database's own last line, by SQLSTATE: a value the column cannot hold (class 22), a
# check, unique or foreign-key constraint (class 23), a trigger's RAISE (P0001) or ASSERT
# (P0004). Anything else (a lost connection, a bug in a query) stays a server error.
REFUSING_STATES = ("22", "23", "P0001", "P0004")


def is_refusal(error: Exception) -> bool:
    """Whether `error` is a rule refusing a save (shown on the form), not a failure."""
    if isinstance(error, ValidationError):
        return True
    if not isinstance(error, DatabaseError):
        return False
    state = getattr(error.__cause__, "sqlstate", None)
    if state is None:  # SQLite names no state: its constraint and data errors are refusals
        return isinstance(error, IntegrityError | DataError)
    return state.startswith(REFUSING_STATES)


# Each check constraint's rule in plain words, so an Admin user never reads a constraint's
# code name (Django says "Constraint “x” is violated.", PostgreSQL names it too). A constraint
# not listed gets the general sentence.
RULES_IN_WORDS = {
    "output_accepted_has_acceptor": "An accepted output must say who accepted it and when.",
    "progress_percent_0_to_100": "Percent complete must be from 0 to 100.",
    "progress_rag_known": "Choose a delivery confidence rating from the list.",
    "stage_planned_end_after_start": "The planned end must be on or after the planned start.",
    "stage_actual_end_after_start": "The actual end must be on or after the actual start.",
    "risk_closed_has_closing_note": "A closed risk needs a closing note.",
    "riskreview_next_after_this": "The next review must be after this review.",
    "review_signed_by_user_or_as_in_report": (
        "A sign-off names the user who signed it or the reviewer as the report gives it, not both."
    ),
}
ANY_RULE = "These values break one of this record's rules, so nothing was saved."
_DJANGO_CONSTRAINT = re.compile(r"^Constraint “(?P<name>[^”]+)” is violated\.$")
_DATABASE_CONSTRAINT = re.compile(r'constraint "(?P<name>[^"]+)"')


def rule_in_words(message: str) -> str:
    """`message`, with a constraint's code name replaced by its rule in plain words."""
    named = _DJANGO_CONSTRAINT.match(message) or _DATABASE_CONSTRAINT.search(message)
    if named is None:
        return message
    return RULES_IN_WORDS.get(named["name"], ANY_RULE)


def refusal_as_validation_error(error: Exception) -> ValidationError:
    """A refusal as a ValidationError for the form: a guard's own, or the database's first line."""
    if isinstance(error, ValidationError):
        return error
    first_line = (str(error).strip().splitlines() or ["no reason given"])[0]
    plain = rule_in_words(first_line)
    if plain != first_line:
        return ValidationError(plain)
    return ValidationError(f"The database refused this change: {first_line}")


class GuardedAdminMixin:
    """A save or delete that a rule refuses is a message on the page, never a 500.

    The admin saves inside one transaction; a refusal ends it (nothing is saved), then the
    form is shown again with the data that was posted and the refusal next to its fields."""

    formfield_overrides = FIELD_OVERRIDES

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, DatabaseError) as error:
            refused = is_refusal(error) and request.method == "POST"
            if not refused or hasattr(request, "tracker_admin_refusal"):
                raise
            request.tracker_admin_refusal = refusal_as_validation_error(error)
        # The refused transaction has rolled back; this pass validates the same data and adds
        # the refusal, so the form is redisplayed instead of saved.
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        admin_form = super().get_form(request, obj, **kwargs)

        class PlainWordsForm(admin_form):
            def _post_clean(self):
                super()._post_clean()
                # A model constraint's message names the constraint: say its rule instead.
                for name, errors in list(self._errors.items()):
                    worded = [rule_in_words(message) for message in errors]
                    if worded != list(errors):
                        kind = {"error_class": "nonfield"} if name == NON_FIELD_ERRORS else {}
                        self._errors[name] = self.error_class(worded, **kind)

        form_class = PlainWordsForm
        refusal = getattr(request, "tracker_admin_refusal", None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                apply_errors(self, refusal)
                return cleaned

        return RefusedForm

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except (ValidationError, DatabaseError) as error:
            if not is_refusal(error):
                raise
            self._message_refusal(request, error)
            return HttpResponseRedirect(request.path)

    def delete_queryset(self, request, queryset):
        # Django's "delete selected" action: all or nothing, and a refusal is a message.
        try:
            with transaction.atomic(using=queryset.db):
                super().delete_queryset(request, queryset)
        except (ValidationError, DatabaseError) as error:
            if not is_refusal(error):
                raise
            self._message_refusal(request, error)

    def _message_refusal(self, request, error: Exception) -> None:
        for message in refusal_as_validation_error(error).messages:
            self.message_user(request, f"Nothing was deleted: {message}", messages.ERROR)


class HistoryAdmin(GuardedAdminMixin, SimpleHistoryAdmin):
    """The admin of a model with history: its history can be read, never reverted.

    simple-history's "revert" page is a second change form that skips the model's own admin
    settings (read-only fields, no change permission) and saves whatever is posted. Here an
    old version is shown with every field read-only, and a POST answers 405."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        request.current_app = self.admin_site.name
        opts = self.model._meta
        history_model = getattr(self.model, opts.simple_history_manager_attribute).model
        record = get_object_or_404(
            history_model, **{opts.pk.attname: unquote(object_id), "history_id": version_id}
        )
        obj = record.instance
        obj._state.adding = False
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        fieldsets = self.get_fieldsets(request, obj)
        # A form with no fields: every field of the old version is shown as text.
        form = modelform_factory(self.model, fields=[])(instance=obj)
        admin_form = helpers.AdminForm(
            form, fieldsets, {}, flatten_fieldsets(fieldsets), model_admin=self
        )
        prefix = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
        context = {
            **self.admin_site.each_context(request),
            "title": f"View {opts.verbose_name}: {obj} as it was on "
            f"{govuk_date(record.history_date)}",
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "media": self.media + admin_form.media,
            "errors": [],
            "app_label": opts.app_label,
            "original_opts": opts,
            "changelist_url": reverse(f"{prefix}_changelist"),
            "change_url": reverse(f"{prefix}_change", args=(obj.pk,)),
            "history_url": reverse(f"{prefix}_history", args=(obj.pk,)),
            "change_history": False,
            "revert_disabled": True,
            "add": False,
            "change": True,
            "has_add_permission": False,
            "has_view_permission": True,
            "has_change_permission": False,
            "has_delete_permission": False,
            "has_editable_inline_admin_formsets": False,
            "has_file_field": False,
            "has_absolute_url": False,
            "form_url": "",
            "opts": history_model._meta,
            "content_type_id": self.content_type_model_cls.objects.get_for_model(self.model).id,
            "save_as": False,
            "save_on_top": False,
            "inline_admin_formsets": [],
            **(extra_context or {}),
        }
        return self.render_history_view(request, self.object_history_form_template, context)


class ReadOnlyMixin:
    """Rows that change only through the product's services (or never): view, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, GuardedAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyHistoryAdmin(ReadOnlyMixin, HistoryAdmin):
    pass


class TabularInline(admin.TabularInline):
    formfield_overrides = FIELD_OVERRIDES


class StackedInline(admin.StackedInline):
    formfield_overrides = FIELD_OVERRIDES


# Users and roles ---------------------------------------------------------------------------

User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class TrackerUserAdmin(GuardedAdminMixin, UserAdmin):
    """Django's user admin; users are deactivated, never deleted (core.guards)."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Group)
class TrackerGroupAdmin(GuardedAdminMixin, GroupAdmin):
    pass


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    """Who granted or removed which role, to whom and when: a record, never edited."""

    list_display = ["changed_at", "user", "role", "action", "changed_by"]
    list_filter = ["action", "role"]
    list_select_related = ["user", "changed_by"]
