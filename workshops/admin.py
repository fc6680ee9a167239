from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from core import audit
from workshops.models import (
    Attendance,
    CalendarFeed,
    FollowUpAction,
    Invitation,
    MessageKind,
    MessageTemplate,
    NoteDraft,
    NoteLevel,
    NoteTheme,
    ScheduledMessage,
    Session,
    SessionNote,
    SessionNoteRevision,
    Workshop,
)
from workshops.outreach import placeholders


class SessionInline(admin.TabularInline):
    model = Session
    fields = ("title", "starts_at", "ends_at", "room", "is_parallel", "position")
    extra = 0


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ("title", "program", "format", "status", "starts_at", "venue_city", "capacity")
    list_filter = ("status", "format", "program")
    list_select_related = ("program",)
    search_fields = ("title", "code_name", "venue_name", "venue_city", "program__name")
    autocomplete_fields = ("program", "facilitators", "working_languages")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "starts_at"
    inlines = [SessionInline]
    # A feedback link typed without a scheme is https, as on the workshop form (and
    # Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "workshop", "starts_at", "ends_at", "room", "is_parallel")
    list_filter = ("is_parallel", "workshop__program")
    list_select_related = ("workshop",)
    search_fields = ("title", "room", "workshop__title")
    autocomplete_fields = ("workshop",)
    date_hierarchy = "starts_at"


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("participant", "workshop", "status", "sent_at", "responded_at")
    list_filter = ("status", "workshop__program")
    list_select_related = ("participant", "workshop")
    search_fields = ("participant__full_name", "participant__email", "workshop__title")
    autocomplete_fields = ("workshop", "participant", "invited_by")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("participant", "session", "status", "is_walk_in", "recorded_at")
    list_filter = ("status", "is_walk_in")
    list_select_related = ("participant", "session")
    search_fields = ("participant__full_name", "session__title", "session__workshop__title")
    autocomplete_fields = ("session", "participant", "recorded_by")
    readonly_fields = ("recorded_at",)


@admin.register(NoteTheme)
class NoteThemeAdmin(admin.ModelAdmin):
    search_fields = ("name",)


class SessionNoteRevisionInline(admin.TabularInline):
    """Earlier versions of a note: history, so never edited or removed by hand."""

    model = SessionNoteRevision
    fields = ("edited_at", "edited_by", "title", "level", "chatham_house", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: SessionNote | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SessionNote | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SessionNote | None = None) -> bool:
        return False


@admin.register(SessionNote)
class SessionNoteAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "workshop",
        "session",
        "author",
        "level",
        "chatham_house",
        "created_at",
    )
    list_filter = ("level", "chatham_house", "themes")
    list_select_related = ("workshop", "session", "author")
    search_fields = ("title", "workshop__title")
    autocomplete_fields = ("workshop", "session", "author", "themes")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
    inlines = [SessionNoteRevisionInline]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        # Reading a restricted note here is a reading like any other: logged.
        if request.method == "GET":
            note = self.get_object(request, object_id)
            if note is not None and note.level == NoteLevel.RESTRICTED:
                audit.record(
                    request.user, "note.viewed", note, note=note.pk, level=note.level, page="admin"
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(
        self, request: HttpRequest, obj: SessionNote, form: ModelForm, change: bool
    ) -> None:
        """An edit here keeps the version it replaces, as the editor in the app does."""
        if change and form.changed_data:
            before = SessionNote.objects.get(pk=obj.pk)
            SessionNoteRevision.objects.create(
                note=before,
                title=before.title,
                body=before.body,
                level=before.level,
                chatham_house=before.chatham_house,
                session_id=before.session_id,
                themes=", ".join(sorted(t.name for t in before.themes.all())),
                edited_by=request.user,
            )
            audit.record(
                request.user,
                "note.update",
                obj,
                workshop=obj.workshop_id,
                level=obj.level,
                previous_level=before.level,
                fields=sorted(form.changed_data),
                page="admin",
            )
        super().save_model(request, obj, form, change)


@admin.register(SessionNoteRevision)
class SessionNoteRevisionAdmin(admin.ModelAdmin):
    list_display = ("note", "edited_at", "edited_by", "level")
    list_filter = ("level",)
    list_select_related = ("note", "edited_by")
    search_fields = ("note__title", "title")
    date_hierarchy = "edited_at"

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        if request.method == "GET":
            revision = self.get_object(request, object_id)
            if revision is not None and NoteLevel.RESTRICTED in (
                revision.level,
                revision.note.level,
            ):
                audit.record(
                    request.user,
                    "note.viewed",
                    revision.note,
                    note=revision.note_id,
                    level=revision.note.level,
                    page="admin",
                    revision=revision.pk,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: SessionNoteRevision | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: SessionNoteRevision | None = None
    ) -> bool:
        return False


@admin.register(FollowUpAction)
class FollowUpActionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "workshop", "owner_user", "owner_participant", "due_on", "status")
    list_filter = ("status", "workshop__program")
    list_select_related = ("workshop", "owner_user", "owner_participant")
    search_fields = ("description", "workshop__title")
    autocomplete_fields = ("workshop", "note", "owner_user", "owner_participant")
    readonly_fields = ("created_at", "created_by")
    date_hierarchy = "due_on"

    def save_model(
        self, request: HttpRequest, obj: FollowUpAction, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ScheduledMessage)
class ScheduledMessageAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "status",
        "send_at",
        "recipient_participant",
        "recipient_user",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "kind")
    list_select_related = ("recipient_participant", "recipient_user")
    search_fields = ("dedupe_key", "recipient_participant__full_name", "recipient_user__username")
    raw_id_fields = ("invitation", "follow_up_action")
    autocomplete_fields = ("recipient_participant", "recipient_user")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "send_at"


class MessageTemplateAdminForm(forms.ModelForm):
    """The same placeholder check as the staff page: a broken template is refused here too,
    not discovered when mail goes out."""

    class Meta:
        model = MessageTemplate
        fields = ("program", "kind", "language", "subject", "body")

    def clean(self) -> dict:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in MessageKind.values:
            for name in ("subject", "body"):
                for problem in placeholders.problems(cleaned.get(name) or "", kind):
                    self.add_error(name, problem)
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Programme staff edit templates on the program's page; here admins see them all.
    Only superusers change them: other admin-site users read."""

    form = MessageTemplateAdminForm
    list_display = ("kind", "program", "language", "subject", "updated_at", "updated_by")
    list_filter = ("kind", "program")
    list_select_related = ("program", "language", "updated_by")
    search_fields = ("subject", "program__name", "language__name")
    autocomplete_fields = ("program", "language")
    readonly_fields = ("updated_by", "updated_at")
    date_hierarchy = "updated_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(
        self, request: HttpRequest, obj: MessageTemplate | None = None
    ) -> bool:
        return request.user.is_superuser

    def has_delete_permission(
        self, request: HttpRequest, obj: MessageTemplate | None = None
    ) -> bool:
        return request.user.is_superuser

    def save_model(
        self, request: HttpRequest, obj: MessageTemplate, form: ModelForm, change: bool
    ) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        audit.record(
            request.user,
            "message_template.update" if change else "message_template.create",
            obj,
            program=obj.program_id,
            kind=obj.kind,
            language=obj.language_id,
            fields=sorted(form.changed_data),
        )

    def delete_model(self, request: HttpRequest, obj: MessageTemplate) -> None:
        audit.record(
            request.user,
            "message_template.delete",
            obj,
            program=obj.program_id,
            kind=obj.kind,
            language=obj.language_id,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[MessageTemplate]) -> None:
        for template in queryset:
            self.delete_model(request, template)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Feeds are issued in the app, where the address is shown once; here they are only seen
    and, if an address has leaked, deleted (which revokes it)."""

    list_display = ("user", "issued_at", "last_fetched_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "issued_at", "last_fetched_at")
    readonly_fields = fields
    date_hierarchy = "issued_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CalendarFeed | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: CalendarFeed) -> None:
        audit.record(request.user, "calendar_feed.revoke", obj, user_id=obj.user_id)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarFeed]) -> None:
        for feed in queryset:
            audit.record(request.user, "calendar_feed.revoke", feed, user_id=feed.user_id)
        super().delete_queryset(request, queryset)


@admin.register(NoteDraft)
class NoteDraftAdmin(admin.ModelAdmin):
    """Autosaved drafts: listed so an admin can see that one exists and delete a stale one;
    their text is a note's text and is not shown here."""

    list_display = ("user", "workshop", "note", "updated_at")
    list_select_related = ("user", "workshop", "note")
    fields = ("user", "workshop", "note", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: NoteDraft | None = None) -> bool:
        return False
