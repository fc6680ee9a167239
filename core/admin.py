from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core import audit, permissions
from core.models import AuditEvent, User

admin.site.site_header = _("Olive Branch administration")
admin.site.site_title = _("Olive Branch admin")
admin.site.index_title = _("Programs, registry and users")
admin.site.site_url = "/"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("language", "time_zone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Preferences"), {"fields": ("language", "time_zone")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_superuser")
    list_filter = (*BaseUserAdmin.list_filter, "language")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail: readable by admins, never written or erased through the admin (nor
    anywhere else: a database trigger refuses UPDATE and DELETE, see core/0002)."""

    list_display = ("created_at", "actor", "action", "content_type", "object_repr")
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    search_fields = ("action", "object_repr", "object_id", "actor__username")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_view_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        # Admins only, as on the audit page (``core.permissions.audit_events_visible_to``):
        # a staff account granted "view audit event" does not open the log.
        return permissions.is_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin for personal data, notes or memberships: every add, change and delete made
    through the admin goes to the audit log too (field names, never values), as the services
    record them elsewhere. The admin's own history (``LogEntry``) is labelled
    "participant #12" instead of ``str(obj)``, which for a person is their name and would
    outlive an erasure."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        name = obj._meta.model_name
        if change:
            model_fields = {f.name for f in obj._meta.get_fields()}
            changed = [field for field in form.changed_data if field in model_fields]
            audit.record_change(request.user, obj, changed, action=f"{name}.changed", via="admin")
        else:
            audit.record(request.user, f"{name}.created", obj, via="admin")

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit.record(request.user, f"{obj._meta.model_name}.deleted", obj, via="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            audit.record(request.user, f"{obj._meta.model_name}.deleted", obj, via="admin")
        super().delete_queryset(request, queryset)

    @staticmethod
    def _relabel(entries: Any) -> Any:
        from django.contrib.admin.models import LogEntry

        for entry in entries if isinstance(entries, list) else [entries]:
            label = (
                f"{ContentType.objects.get_for_id(entry.content_type_id).name} #{entry.object_id}"
            )
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=label[:200])
            entry.object_repr = label
        return entries

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        return self._relabel(super().log_addition(request, obj, message))

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        return self._relabel(super().log_change(request, obj, message))

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        return self._relabel(super().log_deletions(request, queryset))
