"""Reads for session notes: lists and search, one note's page, its history and earlier
versions, the editor's choices and drafts. Every note comes through
``core.permissions.notes_visible_to``; each list costs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import User
from dialogues.models import Program
from workshops.models import (
    NoteDraft,
    NoteLevel,
    NoteTheme,
    Session,
    SessionNote,
    SessionNoteRevision,
    Workshop,
)

# From the smallest audience to the largest: each level's readers include the previous ones'.
STRICTNESS = [NoteLevel.RESTRICTED, NoteLevel.TEAM, NoteLevel.SHAREABLE]
# What a revision and the note have in common, compared to say what an edit changed.
COMPARED = ("title", "body", "level", "chatham_house", "session_id", "themes")


def stricter(a: str, b: str) -> str:
    return min(a, b, key=STRICTNESS.index)


# --- Lists and search -------------------------------------------------------------------------


@dataclass
class NoteFilters:
    """What a list is narrowed to (all optional; every one lives in the URL)."""

    q: str = ""
    level: str = ""
    theme: NoteTheme | None = None
    session: Session | None = None
    chatham_house: bool | None = None
    workshop: Workshop | None = None


def _contains(field_name: str) -> str:
    # Accent-blind on PostgreSQL (unaccent is installed by participants/0004_search).
    if connection.vendor == "postgresql":
        return f"{field_name}__unaccent__icontains"
    return f"{field_name}__icontains"


def notes_for_list(
    user: User,
    *,
    workshop: Workshop | None = None,
    program: Program | None = None,
    filters: NoteFilters | None = None,
) -> QuerySet[SessionNote]:
    """The notes this user may see, of one workshop, one program or everywhere, narrowed by
    ``filters``, newest first, with what a row shows joined in (three queries in all)."""
    notes = permissions.notes_visible_to(user)
    if workshop is not None:
        notes = notes.filter(workshop=workshop)
    if program is not None:
        notes = notes.filter(workshop__program=program)
    filters = filters or NoteFilters()
    if filters.workshop is not None:
        notes = notes.filter(workshop=filters.workshop)
    if filters.level:
        notes = notes.filter(level=filters.level)
    if filters.theme is not None:
        notes = notes.filter(themes=filters.theme)
    if filters.session is not None:
        notes = notes.filter(session=filters.session)
    if filters.chatham_house is not None:
        notes = notes.filter(chatham_house=filters.chatham_house)
    for term in filters.q.split():
        matching_themes = NoteTheme.objects.filter(**{_contains("name"): term}).values("pk")
        notes = notes.filter(
            Q(**{_contains("title"): term})
            | Q(**{_contains("body"): term})
            | Q(pk__in=SessionNote.themes.through.objects.filter(
                notetheme__in=matching_themes
            ).values("sessionnote_id"))
        )  # fmt: skip
    return (
        notes.select_related("workshop__program", "session", "author")
        .prefetch_related(Prefetch("themes", queryset=NoteTheme.objects.order_by("name")))
        .order_by("-created_at", "-pk")
    )


def workshop_for_notes_or_404(user: User, pk: int) -> Workshop:
    """A workshop whose notes list this user may open: one they see, or one of whose notes
    they may read (the program's facilitators read its team notes, see
    ``permissions.notes_visible_to``, without seeing every workshop); 404 otherwise."""
    readable = permissions.notes_visible_to(user).filter(workshop=pk).values("workshop_id")
    workshops = Workshop.objects.filter(
        Q(pk__in=permissions.workshops_visible_to(user).values("pk")) | Q(pk__in=readable)
    )
    try:
        return workshops.select_related("program").get(pk=pk)
    except (Workshop.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No workshop matches the given query.") from exc


def themes_for(user: User) -> QuerySet[NoteTheme]:
    """Themes to offer and filter by: those on notes this user may see, and the vocabulary
    no note uses yet. A theme typed only on notes hidden from this user stays hidden, as its
    name can say what the note is about."""
    used = SessionNote.themes.through.objects.values("notetheme_id")
    seen = SessionNote.themes.through.objects.filter(
        sessionnote__in=permissions.notes_visible_to(user).values("pk")
    ).values("notetheme_id")
    return NoteTheme.objects.filter(Q(pk__in=seen) | ~Q(pk__in=used)).order_by("name")


# --- Who may write ----------------------------------------------------------------------------


def workshops_for_writing(user: User) -> QuerySet[Workshop]:
    """Workshops whose notes this user may write: those they facilitate, their programs'
    when they are programme staff, all for admins. Observers and the program's other
    facilitators read."""
    if permissions.is_admin(user):
        return Workshop.objects.all()
    if not user.is_authenticated:
        return Workshop.objects.none()
    return permissions.workshops_visible_to(user).filter(
        Q(facilitators=user) | Q(pk__in=permissions.workshops_changeable_by(user).values("pk"))
    )


def writable_workshop_or_404(user: User, pk: int) -> Workshop:
    """A workshop this user may write a note in; 404 when they may not see it or only read
    it, so a note's existence is never implied."""
    try:
        return workshops_for_writing(user).select_related("program").distinct().get(pk=pk)
    except (Workshop.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No workshop matches the given query.") from exc


def levels_for_writer(user: User, workshop: Workshop) -> list[str]:
    """The levels a writer may choose: those at which they will still read their note."""
    return [level for level in STRICTNESS if permissions.may_read_note_level(user, workshop, level)]


def sessions_of(workshop: Workshop) -> QuerySet[Session]:
    return workshop.sessions.order_by("starts_at", "position", "pk")


# --- One note, its history and earlier versions ---------------------------------------------


def visible_note(user: User, pk: int) -> SessionNote:
    """A note this user may see, with what its page shows; 404 otherwise."""
    notes = permissions.notes_visible_to(user).select_related(
        "workshop__program", "session", "author"
    )
    try:
        return notes.prefetch_related("themes").get(pk=pk)
    except (SessionNote.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No session note matches the given query.") from exc


def theme_names(note: SessionNote) -> str:
    return ", ".join(sorted(theme.name for theme in note.themes.all()))


@dataclass
class Version:
    """One state of a note: the current one (``revision`` None) or an earlier one, who
    wrote it and when, what that edit changed, and whether this user may open it."""

    number: int
    title: str
    level: str
    written_by: User | None
    written_at: datetime
    revision: SessionNoteRevision | None = None
    changed: list[str] = field(default_factory=list)
    readable: bool = True

    @property
    def is_current(self) -> bool:
        return self.revision is None

    def get_level_display(self) -> str:
        return NoteLevel(self.level).label


FIELD_LABELS = {
    "title": _("title"),
    "body": _("text"),
    "level": _("confidentiality"),
    "chatham_house": _("Chatham House"),
    "session_id": _("session"),
    "themes": _("themes"),
}


def _state(obj: SessionNote | SessionNoteRevision, themes: str) -> dict:
    return {
        "title": obj.title,
        "body": obj.body,
        "level": obj.level,
        "chatham_house": obj.chatham_house,
        "session_id": obj.session_id,
        "themes": themes,
    }


def history(user: User, note: SessionNote) -> list[Version]:
    """Every version of ``note``, newest first, in two queries.

    A revision is the note as it was before an edit, stamped with who made that edit and
    when; so version *n* was written by whoever made edit *n-1* (the author for the first),
    and edit *n* changed the fields that differ between version *n* and *n+1*.

    An earlier version opens only for those who may read the note at the stricter of its
    level then and now: a note restricted yesterday and team today keeps yesterday's text
    from the team.
    """
    revisions = list(
        note.revisions.select_related("edited_by", "session").order_by("edited_at", "pk")
    )
    states = [_state(r, r.themes) for r in revisions] + [_state(note, theme_names(note))]
    readable = {
        level: permissions.may_read_note_level(user, note.workshop, level)
        for level in NoteLevel.values
    }
    versions: list[Version] = []
    for n, revision in enumerate([*revisions, None]):
        source = revision or note
        previous = revisions[n - 1] if n else None
        changed = []
        if revision is not None:
            after, before = states[n + 1], states[n]
            changed = [FIELD_LABELS[f] for f in COMPARED if after[f] != before[f]]
        versions.append(
            Version(
                number=n + 1,
                title=source.title,
                level=source.level,
                written_by=previous.edited_by if previous else note.author,
                written_at=previous.edited_at if previous else note.created_at,
                revision=revision,
                changed=changed,
                readable=revision is None or readable[stricter(revision.level, note.level)],
            )
        )
    return versions[::-1]


def revision_for_page(user: User, note: SessionNote, pk: int) -> tuple[Version, Version | None]:
    """One earlier version of a visible note (and the version after it), or 404 when this
    user may not read it at the stricter of its level then and now."""
    versions = history(user, note)
    for index, version in enumerate(versions):
        if version.revision is not None and version.revision.pk == pk:
            if not version.readable:
                raise Http404("No revision matches the given query.")
            return version, versions[index - 1]
    raise Http404("No revision matches the given query.")


# --- Drafts -----------------------------------------------------------------------------------


def draft_for(user: User, workshop: Workshop, note: SessionNote | None) -> NoteDraft | None:
    """This user's autosaved draft of ``note`` (or of a new note in ``workshop``), if any."""
    return NoteDraft.objects.filter(user=user, workshop=workshop, note=note).first()
