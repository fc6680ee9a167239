"""Writes to session notes: create and edit (keeping every earlier version), themes typed
on the fly, and the editor's autosaved drafts. Audited with ids and field names only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, permissions
from core.models import User
from workshops.models import (
    NoteDraft,
    NoteTheme,
    Session,
    SessionNote,
    SessionNoteRevision,
    Workshop,
)
from workshops.notes.selectors import (
    COMPARED,
    levels_for_writer,
    theme_names,
    workshops_for_writing,
)

THEME_MAX = NoteTheme._meta.get_field("name").max_length


class NoteError(Exception):
    """A note change the domain refuses; the message is shown to the user."""


def split_themes(text: str) -> list[str]:
    """Comma-separated theme names, tidied (spaces collapsed), each once ignoring case."""
    seen: dict[str, str] = {}
    for raw in (text or "").replace("،", ",").split(","):
        name = " ".join(raw.split())[:THEME_MAX]
        if name:
            seen.setdefault(name.casefold(), name)
    return list(seen.values())


def themes_named(names: Iterable[str]) -> list[NoteTheme]:
    """The themes with these names (ignoring case), created when new."""
    themes = []
    for name in names:
        theme = NoteTheme.objects.filter(name__iexact=name).first()
        if theme is None:
            theme = NoteTheme.objects.create(name=name)
        themes.append(theme)
    return themes


def _check(*, workshop: Workshop, session: Session | None, level: str, by: User) -> None:
    """What every write checks, whoever calls it (views check permission first too)."""
    if session is not None and session.workshop_id != workshop.pk:
        raise NoteError(_("That session belongs to another workshop."))
    if level not in levels_for_writer(by, workshop):
        # Saving it would hide the note from its own writer.
        raise NoteError(_("You would not be able to read a note at that level: choose another."))


@transaction.atomic
def note_create(
    *,
    workshop: Workshop,
    by: User,
    title: str,
    body: str,
    level: str,
    chatham_house: bool,
    session: Session | None = None,
    themes: Iterable[NoteTheme] = (),
    new_themes: Iterable[str] = (),
    names_acknowledged: int = 0,
) -> SessionNote:
    if not workshops_for_writing(by).filter(pk=workshop.pk).exists():
        raise NoteError(_("You may not write notes in this workshop."))
    _check(workshop=workshop, session=session, level=level, by=by)
    note = SessionNote(
        workshop=workshop,
        session=session,
        author=by,
        title=title,
        body=body,
        level=level,
        chatham_house=chatham_house,
    )
    note.full_clean()
    note.save()
    note.themes.set([*themes, *themes_named(new_themes)])
    NoteDraft.objects.filter(user=by, workshop=workshop, note__isnull=True).delete()
    audit.record(
        by,
        "note.create",
        note,
        workshop=workshop.pk,
        level=level,
        chatham_house=chatham_house,
        names_acknowledged=names_acknowledged,
    )
    return note


@transaction.atomic
def note_update(
    *,
    note: SessionNote,
    by: User,
    names_acknowledged: int = 0,
    new_themes: Iterable[str] = (),
    **fields: Any,
) -> SessionNote:
    """Change a note, first keeping the version it replaces (who changed it, when). A save
    that changes nothing keeps no version. ``fields``: title, body, level, chatham_house,
    session, themes."""
    note = SessionNote.objects.select_for_update().select_related("workshop").get(pk=note.pk)
    if not permissions.can_change(by, note):
        raise NoteError(_("You may not change this note."))
    session = fields.get("session", note.session)
    level = fields.get("level", note.level)
    _check(workshop=note.workshop, session=session, level=level, by=by)
    before_themes = theme_names(note)
    themes = [*fields.pop("themes", note.themes.all()), *themes_named(new_themes)]
    after_themes = ", ".join(sorted({t.name for t in themes}))
    previous = SessionNoteRevision(
        note=note,
        title=note.title,
        body=note.body,
        level=note.level,
        chatham_house=note.chatham_house,
        session_id=note.session_id,
        themes=before_themes,
        edited_by=by,
    )
    for name, value in fields.items():
        setattr(note, name, value)
    after = {
        "title": note.title,
        "body": note.body,
        "level": note.level,
        "chatham_house": note.chatham_house,
        "session_id": note.session_id,
        "themes": after_themes,
    }
    changed = [f for f in COMPARED if getattr(previous, f) != after[f]]
    NoteDraft.objects.filter(user=by, note=note).delete()
    if not changed:
        return note
    note.full_clean()
    previous.save()
    note.save()
    note.themes.set(themes)
    audit.record(
        by,
        "note.update",
        note,
        workshop=note.workshop_id,
        level=note.level,
        previous_level=previous.level,
        fields=sorted(changed),
        revision=previous.pk,
        names_acknowledged=names_acknowledged,
    )
    return note


@transaction.atomic
def draft_save(
    *,
    user: User,
    workshop: Workshop,
    note: SessionNote | None,
    title: str,
    body: str,
    level: str,
    chatham_house: bool,
    themes: str,
    session: Session | None = None,
) -> NoteDraft:
    """Keep what the editor holds (one draft per user and note, or new note of a
    workshop). Not audited: it is the user's own typing, seen by no one else."""
    if session is not None and session.workshop_id != workshop.pk:
        session = None
    draft, _created = NoteDraft.objects.select_for_update().update_or_create(
        user=user,
        workshop=workshop,
        note=note,
        defaults={
            "title": title[:200],
            "body": body,
            "level": level,
            "chatham_house": chatham_house,
            "themes": themes[:500],
            "session": session,
        },
    )
    return draft


@transaction.atomic
def draft_discard(*, user: User, workshop: Workshop, note: SessionNote | None) -> None:
    NoteDraft.objects.filter(user=user, workshop=workshop, note=note).delete()
