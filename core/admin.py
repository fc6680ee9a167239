from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core import permissions
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
