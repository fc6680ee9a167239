"""The facilitator workspace: confidential session notes.

Lists (per workshop, per program, everywhere, with search), one note, its editor (with the
Chatham House name check and autosaved drafts), its history and earlier versions. Every note
comes through ``core.permissions``; a note one may not see, or may see but not change when
editing, answers 404. Each page that shows a restricted note's text is audited
(``note.viewed``), and no note page is cached anywhere.
"""

from __future__ import annotations

import html

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit, permissions
from core.models import User
from core.validators import has_unstorable, parse_id
from dialogues.models import Program
from workshops.models import NoteDraft, NoteLevel, SessionNote, Workshop
from workshops.notes import names, selectors, services
from workshops.notes.forms import NoteFilterForm, NoteForm
from workshops.notes.markdown import render as render_markdown
from workshops.notes.markdown import render_for_page
from workshops.views.workshops import add_service_errors

PAGE_SIZE = 25


def _audit_view(user: User, note: SessionNote, page: str, **extra: object) -> None:
    """Who read a restricted note's text, and where (ids and labels only)."""
    levels = {note.level, *(extra.pop("levels", ()))}
    if NoteLevel.RESTRICTED in levels:
        audit.record(user, "note.viewed", note, note=note.pk, level=note.level, page=page, **extra)


# --- Lists ------------------------------------------------------------------------------------


def _list(
    request: HttpRequest,
    *,
    workshop: Workshop | None = None,
    program: Program | None = None,
) -> HttpResponse:
    workshops = None
    if workshop is None:
        workshops = permissions.workshops_visible_to(request.user).select_related("program")
        if program is not None:
            workshops = workshops.filter(program=program)
        workshops = workshops.order_by("-starts_at", "pk")
    form = NoteFilterForm(
        request.GET or None, user=request.user, workshop=workshop, workshops=workshops
    )
    notes = selectors.notes_for_list(
        request.user, workshop=workshop, program=program, filters=form.filters()
    )
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    for note in page.object_list:
        # Restricted text is read on the note's page only, where the reading is logged.
        note.excerpt = (
            ""
            if note.level == NoteLevel.RESTRICTED
            else Truncator(html.unescape(strip_tags(render_markdown(note.body)))).chars(220)
        )
    query = request.GET.copy()
    query.pop("page", None)
    writable = selectors.workshops_for_writing(request.user)
    context = {
        "workshop": workshop,
        "program": program or (workshop.program if workshop else None),
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "may_write": workshop is not None and writable.filter(pk=workshop.pk).exists(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "workshops/notes/_results.html", context)
    return render(request, "workshops/notes/list.html", context)


@never_cache
@login_required
@require_GET
def workshop_notes(request: HttpRequest, pk: int) -> HttpResponse:
    return _list(request, workshop=selectors.workshop_for_notes_or_404(request.user, pk))


@never_cache
@login_required
@require_GET
def program_notes(request: HttpRequest, program: int) -> HttpResponse:
    found = permissions.get_visible_or_404(request.user, Program, pk=program)
    return _list(request, program=found)


@never_cache
@login_required
@require_GET
def all_notes(request: HttpRequest) -> HttpResponse:
    return _list(request)


# --- One note ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = selectors.visible_note(request.user, pk)
    _audit_view(request.user, note, "detail")
    return render(
        request,
        "workshops/notes/detail.html",
        {
            "note": note,
            "workshop": note.workshop,
            "html": render_for_page(note.body),
            "may_change": permissions.can_change(request.user, note),
            "revisions": note.revisions.count(),
        },
    )


def _editor(
    request: HttpRequest,
    *,
    workshop: Workshop,
    note: SessionNote | None,
    form: NoteForm,
    status: int = 200,
) -> HttpResponse:
    draft = selectors.draft_for(request.user, workshop, note)
    # A draft older than the note was overtaken by a save elsewhere: not offered.
    if draft is not None and note is not None and draft.updated_at < note.updated_at:
        draft = None
    if form.is_bound:
        draft = None
    return render(
        request,
        "workshops/notes/form.html",
        {
            "workshop": workshop,
            "note": note,
            "form": form,
            "draft": draft,
            "draft_data": _draft_data(draft) if draft else None,
            "mentions": form.mentions,
            "other_errors": form.other_errors() if form.is_bound else [],
            # This browser's copy while offline: per user, so a shared device mixes nothing.
            "storage_key": f"ob-note-draft:{request.user.pk}:{workshop.pk}:{note.pk or 0}"
            if note
            else f"ob-note-draft:{request.user.pk}:{workshop.pk}:0",
        },
        status=status,
    )


def _draft_data(draft: NoteDraft) -> dict:
    """What the editor's "Restore draft" puts back (read by static/js/notes.js)."""
    return {
        "title": draft.title,
        "body": draft.body,
        "level": draft.level,
        "chatham_house": draft.chatham_house,
        "session": draft.session_id or "",
        "themes": draft.themes,
        "saved_at": draft.updated_at.isoformat(),
    }


def _save(request: HttpRequest, form: NoteForm, note: SessionNote | None) -> SessionNote | None:
    try:
        fields = form.service_fields()
        if note is None:
            return services.note_create(workshop=form.workshop, by=request.user, **fields)
        return services.note_update(note=note, by=request.user, **fields)
    except ValidationError as error:
        add_service_errors(form, error)
    except services.NoteError as error:
        form.add_error(None, str(error))
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def note_create(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.writable_workshop_or_404(request.user, pk)
    initial = {"level": NoteLevel.TEAM, "chatham_house": workshop.chatham_house}
    session = request.GET.get("session", "")
    session_pk = parse_id(session)
    if session_pk and selectors.sessions_of(workshop).filter(pk=session_pk).exists():
        initial["session"] = session_pk
    if NoteLevel.TEAM not in selectors.levels_for_writer(request.user, workshop):
        initial["level"] = NoteLevel.RESTRICTED
    form = NoteForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        workshop=workshop,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        note = _save(request, form, None)
        if note is not None:
            messages.success(request, _("Note “%(title)s” saved.") % {"title": note.title})
            return redirect("workshops:note", pk=note.pk)
    return _editor(
        request, workshop=workshop, note=None, form=form, status=400 if form.errors else 200
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Seen but not changeable answers 404 too: nothing to tell someone who may not edit.
    note = permissions.get_changeable_or_404(request.user, SessionNote, pk=pk)
    note = selectors.visible_note(request.user, note.pk)
    form = NoteForm(
        request.POST if request.method == "POST" else None,
        instance=note,
        workshop=note.workshop,
        user=request.user,
    )
    if request.method == "GET":
        _audit_view(request.user, note, "edit")
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, note)
        if saved is not None:
            messages.success(
                request,
                _("Note “%(title)s” saved; the earlier version is in its history.")
                % {"title": saved.title},
            )
            return redirect("workshops:note", pk=saved.pk)
    note.refresh_from_db()
    return _editor(
        request, workshop=note.workshop, note=note, form=form, status=400 if form.errors else 200
    )


@never_cache
@login_required
@require_GET
def note_history(request: HttpRequest, pk: int) -> HttpResponse:
    note = selectors.visible_note(request.user, pk)
    versions = selectors.history(request.user, note)
    _audit_view(request.user, note, "history")
    return render(
        request,
        "workshops/notes/history.html",
        {"note": note, "workshop": note.workshop, "versions": versions},
    )


@never_cache
@login_required
@require_GET
def note_version(request: HttpRequest, pk: int, revision: int) -> HttpResponse:
    note = selectors.visible_note(request.user, pk)
    version, newer = selectors.revision_for_page(request.user, note, revision)
    _audit_view(request.user, note, "version", revision=revision, levels=[version.level])
    return render(
        request,
        "workshops/notes/version.html",
        {
            "note": note,
            "workshop": note.workshop,
            "version": version,
            "newer": newer,
            "html": render_for_page(version.revision.body),
        },
    )


# --- The editor's helpers: autosave and the live name check ---------------------------------


def _editor_target(request: HttpRequest, pk: int) -> tuple[Workshop, SessionNote | None]:
    """The workshop (and note) the editor is writing, checked as the editor itself is."""
    note_id = request.POST.get("note", "") or request.GET.get("note", "")
    if note_id:
        note = permissions.get_changeable_or_404(request.user, SessionNote, pk=note_id)
        if note.workshop_id != pk:
            raise Http404("No session note matches the given query.")
        return note.workshop, note
    return selectors.writable_workshop_or_404(request.user, pk), None


@never_cache
@login_required
@require_POST
def note_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep the editor's content (JSON answer for static/js/notes.js); ``discard`` drops it."""
    workshop, note = _editor_target(request, pk)
    if request.POST.get("discard"):
        services.draft_discard(user=request.user, workshop=workshop, note=note)
        return JsonResponse({"discarded": True})
    level = request.POST.get("level", "")
    session_id = request.POST.get("session", "")
    texts = [request.POST.get(name, "") for name in ("title", "body", "themes")]
    if any(has_unstorable(text) for text in texts):
        # Refused like the editor's own form refuses it (a draft is stored as JSON, where
        # PostgreSQL refuses NUL): the browser keeps its copy and says it was not saved.
        return JsonResponse(
            {"error": _("This text contains a character that cannot be stored.")}, status=400
        )
    draft = services.draft_save(
        user=request.user,
        workshop=workshop,
        note=note,
        title=request.POST.get("title", ""),
        body=request.POST.get("body", ""),
        level=level if level in NoteLevel.values else NoteLevel.TEAM,
        chatham_house=request.POST.get("chatham_house") in ("on", "true", "1"),
        themes=request.POST.get("themes", ""),
        session=selectors.sessions_of(workshop).filter(pk=parse_id(session_id)).first()
        if parse_id(session_id) is not None
        else None,
    )
    saved = timezone.localtime(draft.updated_at)
    return JsonResponse(
        {
            "saved_at": saved.isoformat(),
            "message": _("Saved as draft at %(time)s")
            % {"time": formats.time_format(saved, "H:i")},
        }
    )


@never_cache
@login_required
@require_POST
def note_names(request: HttpRequest, pk: int) -> HttpResponse:
    """The name check while typing (htmx): the participants a Chatham House note names."""
    workshop, _note = _editor_target(request, pk)
    chatham = request.POST.get("chatham_house") in ("on", "true", "1")
    mentions = (
        names.mentions_in(workshop, request.POST.get("title", ""), request.POST.get("body", ""))
        if chatham
        else []
    )
    return render(
        request,
        "workshops/notes/_names.html",
        {"mentions": mentions, "live": True, "chatham": chatham},
    )


urlpatterns: list[URLPattern] = [
    path("notes/", all_notes, name="notes_all"),
    path("program/<int:program>/notes/", program_notes, name="program_notes"),
    path("<int:pk>/notes/", workshop_notes, name="notes"),
    path("<int:pk>/notes/new/", note_create, name="note_create"),
    path("<int:pk>/notes/draft/", note_draft, name="note_draft"),
    path("<int:pk>/notes/names/", note_names, name="note_names"),
    path("notes/<int:pk>/", note_detail, name="note"),
    path("notes/<int:pk>/edit/", note_edit, name="note_edit"),
    path("notes/<int:pk>/history/", note_history, name="note_history"),
    path("notes/<int:pk>/history/<int:revision>/", note_version, name="note_version"),
]
