"""The Django admin's common parts, used by every app's admin.py: history that can be read but
never reverted, a refusal (a guard's ValidationError, a database constraint or trigger) shown
on the form instead of a server error, and the product's one date field.

Admin users repair data here; the rules still hold (guards, constraints, triggers), and when
one refuses a save the admin says why next to the fields and keeps what was typed, as the
product's own pages do (decision 0162).
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, InternalError, models, transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from .forms import DateField, apply_errors
from .models import RoleChange

# What a save may be refused with: a guard's ValidationError, or the database's own last line
# (a check or unique constraint, a trigger's RAISE, a value the column cannot hold). A lost
# connection (OperationalError) is not a refusal: it stays a server error.
REFUSALS = (ValidationError, IntegrityError, InternalError, DataError)

DATE_OVERRIDES = {models.DateField: {"form_class": DateField}}


def refusal_as_validation_error(error: Exception) -> ValidationError:
    """A refusal as a ValidationError for the form: a guard's own, or the database's first line."""
    if isinstance(error, ValidationError):
        return error
    first_line = (str(error).strip().splitlines() or ["no reason given"])[0]
    return ValidationError(f"The database refused this change: {first_line}")


class GuardedAdminMixin:
    """A save or delete that a rule refuses is a message on the page, never a 500.

    The admin saves inside one transaction; a refusal ends it (nothing is saved), then the
    form is shown again with the data that was posted and the refusal next to its fields."""

    formfield_overrides = DATE_OVERRIDES

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as error:
            if request.method != "POST" or hasattr(request, "tracker_admin_refusal"):
                raise
            request.tracker_admin_refusal = refusal_as_validation_error(error)
        # The refused transaction has rolled back; this pass validates the same data and adds
        # the refusal, so the form is redisplayed instead of saved.
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
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
        except REFUSALS as error:
            self._message_refusal(request, error)
            return HttpResponseRedirect(request.path)

    def delete_queryset(self, request, queryset):
        # Django's "delete selected" action: all or nothing, and a refusal is a message.
        try:
            with transaction.atomic(using=queryset.db):
                super().delete_queryset(request, queryset)
        except REFUSALS as error:
            self._message_refusal(request, error)

    def _message_refusal(self, request, error: Exception) -> None:
        for message in refusal_as_validation_error(error).messages:
            self.message_user(request, f"Nothing was deleted: {message}", messages.ERROR)


class HistoryAdmin(GuardedAdminMixin, SimpleHistoryAdmin):
    """The admin of a model with history: its history can be read, never reverted.

    simple-history's "revert" page is a second change form that skips the model's own admin
    settings (read-only fields, no change permission) and saves whatever is posted. Here it
    shows the old version with every field read-only and answers 405 to a POST."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        request.tracker_history_version = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if getattr(request, "tracker_history_version", False):
            opts = self.model._meta
            readonly += [
                f.name
                for f in [*opts.concrete_fields, *opts.many_to_many]
                if f.editable and not f.auto_created and f.name not in readonly
            ]
        return readonly


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
    formfield_overrides = DATE_OVERRIDES


class StackedInline(admin.StackedInline):
    formfield_overrides = DATE_OVERRIDES


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
