from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from core.admin import AuditedModelAdmin
from dialogues.models import Process, Program, ProgramMembership


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class ProgramMembershipInline(admin.TabularInline):
    model = ProgramMembership
    fk_name = "program"
    fields = ("user", "role", "added_by", "added_at")
    readonly_fields = ("added_by", "added_at")
    autocomplete_fields = ("user",)
    extra = 0


@admin.register(Program)
class ProgramAdmin(AuditedModelAdmin):
    list_display = (
        "name",
        "status",
        "track_level",
        "starts_on",
        "ends_on",
        "discreet_mode",
        "archived_at",
    )
    list_filter = ("status", "track_level", "discreet_mode", "communities")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("communities", "tracks", "processes", "target_sectors")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "starts_on"
    inlines = [ProgramMembershipInline]

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        for membership in formset.save(commit=False):
            if membership.pk is None:
                membership.added_by = request.user
            membership.save()
        for membership in formset.deleted_objects:
            membership.delete()
        formset.save_m2m()


@admin.register(ProgramMembership)
class ProgramMembershipAdmin(AuditedModelAdmin):
    list_display = ("user", "program", "role", "added_at", "added_by")
    list_filter = ("role", "program")
    list_select_related = ("user", "program", "added_by")
    search_fields = ("user__username", "user__first_name", "user__last_name", "program__name")
    autocomplete_fields = ("program", "user")
    readonly_fields = ("added_at", "added_by")

    def save_model(
        self, request: HttpRequest, obj: ProgramMembership, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
