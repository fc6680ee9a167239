from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from core.admin import AuditedModelAdmin
from participants.models import (
    Community,
    ConsentRecord,
    ExportJob,
    ExportPreset,
    Language,
    LikelyDuplicate,
    Participant,
    ParticipantImport,
    Sector,
    Tag,
    Track,
)


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "slug", "colour")
    list_filter = ("region",)
    search_fields = ("name", "region")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "description")
    list_display_links = ("number", "name")
    search_fields = ("name", "description")


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "native_name", "is_rtl")
    list_filter = ("is_rtl",)
    search_fields = ("code", "name", "native_name")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


class ConsentRecordInline(admin.TabularInline):
    model = ConsentRecord
    fields = ("scope", "granted", "method", "given_on", "note", "recorded_by", "recorded_at")
    readonly_fields = ("recorded_by", "recorded_at")
    extra = 0


@admin.register(Participant)
class ParticipantAdmin(AuditedModelAdmin):
    list_display = (
        "full_name",
        "native_name",
        "community",
        "sector",
        "organisation",
        "country",
        "risk_level",
        "do_not_contact",
    )
    list_filter = (
        "risk_level",
        "do_not_contact",
        "community",
        "sector",
        "track",
        "country",
        "tags",
    )
    list_select_related = ("community", "sector")
    search_fields = ("full_name", "native_name", "email", "organisation")
    autocomplete_fields = ("preferred_language", "languages", "tags")
    readonly_fields = ("created_at", "updated_at", "created_by")
    date_hierarchy = "created_at"
    inlines = [ConsentRecordInline]

    def save_model(
        self, request: HttpRequest, obj: Participant, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        for record in formset.save(commit=False):
            if record.pk is None:
                record.recorded_by = request.user
            record.save()
        for record in formset.deleted_objects:
            record.delete()
        formset.save_m2m()


@admin.register(ConsentRecord)
class ConsentRecordAdmin(AuditedModelAdmin):
    list_display = ("participant", "scope", "granted", "method", "given_on", "recorded_by")
    list_filter = ("scope", "granted", "method")
    list_select_related = ("participant", "recorded_by")
    search_fields = ("participant__full_name", "participant__email", "note")
    autocomplete_fields = ("participant",)
    readonly_fields = ("recorded_at", "recorded_by")
    date_hierarchy = "given_on"

    def save_model(
        self, request: HttpRequest, obj: ConsentRecord, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ParticipantImport)
class ParticipantImportAdmin(admin.ModelAdmin):
    """Imports are made in the app (preview, confirm); the admin only looks at them."""

    list_display = ("original_name", "status", "total_rows", "uploaded_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("uploaded_by",)
    search_fields = ("original_name",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ParticipantImport._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LikelyDuplicate)
class LikelyDuplicateAdmin(admin.ModelAdmin):
    """Read-only: pairs come from the scan and are merged or dismissed in the registry."""

    list_display = ("first", "second", "reason", "score", "found_at", "dismissed_at")
    list_filter = ("dismissed_at",)
    list_select_related = ("first", "second")
    readonly_fields = [f.name for f in LikelyDuplicate._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ExportPreset)
class ExportPresetAdmin(AuditedModelAdmin):
    list_display = ("name", "program", "kind", "created_by", "updated_at")
    list_filter = ("kind",)
    list_select_related = ("program", "created_by")
    search_fields = ("name", "program__name")
    autocomplete_fields = ("program",)
    readonly_fields = ("created_by", "created_at", "updated_at")


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Background exports, listed for support (stuck or failed ones). The file and its
    parameters are left out: only the requester may download an export."""

    list_display = ("pk", "requester", "kind", "status", "progress", "row_count", "created_at")
    list_filter = ("kind", "status")
    list_select_related = ("requester",)
    search_fields = ("requester__username",)
    fields = (
        "requester", "kind", "status", "progress", "row_count", "error",
        "created_at", "finished_at", "expires_at",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
