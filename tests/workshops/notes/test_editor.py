"""Writing and editing notes: history of every edit, themes typed on the fly, autosaved
drafts, and Markdown that can carry nothing dangerous."""

import json
import re

import pytest
from django.urls import reverse

from core.models import AuditEvent
from tests import factories
from workshops.models import NoteDraft, NoteLevel, NoteTheme, SessionNote
from workshops.notes import markdown, services

pytestmark = pytest.mark.django_db


def edit(client, note, **data):
    fields = {
        "title": note.title,
        "body": note.body,
        "level": note.level,
        "chatham_house": "on" if note.chatham_house else "",
        "themes": [t.pk for t in note.themes.all()],
    }
    fields.update(data)
    return client.post(reverse("workshops:note_edit", args=[note.pk]), fields)


# --- Creating ---------------------------------------------------------------------------------


def test_a_facilitator_writes_a_note_for_a_session_with_new_and_existing_themes(client, cast):
    session = factories.SessionFactory(workshop=cast.workshop, title="Opening circle")
    water = NoteTheme.objects.create(name="water")
    client.force_login(cast.facilitator)
    url = reverse("workshops:note_create", args=[cast.workshop.pk])
    page = client.get(url + f"?session={session.pk}")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert re.search(rf'<option value="{session.pk}" selected', page.content.decode())
    response = client.post(
        url,
        {
            "title": "Fears  and needs",
            "body": "We *listened*.",
            "level": "restricted",
            "chatham_house": "on",
            "session": session.pk,
            "themes": [water.pk],
            "new_themes": "Trust, missing persons, trust, WATER",
        },
    )
    note = SessionNote.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "workshops:note", args=[note.pk]
    )
    assert note.title == "Fears and needs" and note.session == session
    assert note.author == cast.facilitator and note.level == NoteLevel.RESTRICTED
    assert {t.name for t in note.themes.all()} == {"missing persons", "Trust", "water"}
    assert NoteTheme.objects.filter(name__iexact="water").count() == 1
    event = AuditEvent.objects.get(action="note.create")
    assert event.data["level"] == "restricted" and "body" not in event.data


def test_a_session_of_another_workshop_is_refused(client, cast):
    other = factories.SessionFactory(workshop=cast.other_workshop)
    client.force_login(cast.facilitator)
    response = client.post(
        reverse("workshops:note_create", args=[cast.workshop.pk]),
        {"title": "T", "body": "B", "level": "team", "session": other.pk},
    )
    assert response.status_code == 400 and not SessionNote.objects.exists()


def test_themes_only_on_hidden_notes_are_not_offered(client, cast, notes):
    secret = NoteTheme.objects.create(name="Route of the two travellers")
    notes.restricted.themes.add(secret)
    NoteTheme.objects.create(name="water")  # vocabulary no note uses yet
    client.force_login(cast.staff)
    html = client.get(reverse("workshops:note_create", args=[cast.workshop.pk])).content.decode()
    assert "water" in html and secret.name not in html
    html = client.get(reverse("workshops:notes_all")).content.decode()
    assert secret.name not in html
    client.force_login(cast.facilitator)
    html = client.get(reverse("workshops:notes", args=[cast.workshop.pk])).content.decode()
    assert secret.name in html


# --- History ----------------------------------------------------------------------------------


def test_every_edit_keeps_the_version_it_replaces_with_who_and_when(client, cast, notes):
    note = notes.team
    client.force_login(cast.facilitator)
    assert edit(client, note, body="Second version.").status_code == 302
    note.refresh_from_db()
    client.force_login(cast.admin)
    response = edit(client, note, title="Renamed", level="shareable", chatham_house="")
    assert response.status_code == 302
    note.refresh_from_db()
    first, second = note.revisions.order_by("edited_at", "pk")
    assert first.body == "The olive groves were discussed (team)." and first.level == "team"
    assert first.edited_by == cast.facilitator
    assert second.body == "Second version." and second.edited_by == cast.admin
    assert note.title == "Renamed" and note.level == NoteLevel.SHAREABLE
    events = AuditEvent.objects.filter(action="note.update").order_by("pk")
    assert [e.data["fields"] for e in events] == [
        ["body"],
        ["chatham_house", "level", "title"],
    ]
    client.force_login(cast.facilitator)
    html = client.get(reverse("workshops:note_history", args=[note.pk])).content.decode()
    assert "3 versions" in html
    assert "changed: text" in html and "changed: title, confidentiality, Chatham House" in html
    assert reverse("workshops:note_version", args=[note.pk, first.pk]) in html
    version = client.get(reverse("workshops:note_version", args=[note.pk, first.pk]))
    assert "The olive groves were discussed (team)." in version.content.decode()


def test_a_save_that_changes_nothing_keeps_no_version(client, cast, notes):
    client.force_login(cast.facilitator)
    assert edit(client, notes.team).status_code == 302
    assert not notes.team.revisions.exists()
    assert not AuditEvent.objects.filter(action="note.update").exists()


def test_theme_changes_are_history_too(cast, notes):
    water = NoteTheme.objects.create(name="water")
    services.note_update(note=notes.team, by=cast.facilitator, themes=[water])
    revision = notes.team.revisions.get()
    assert revision.themes == ""
    services.note_update(note=notes.team, by=cast.facilitator, themes=[])
    assert notes.team.revisions.order_by("-pk").first().themes == "water"


# --- Drafts -----------------------------------------------------------------------------------


def draft(client, workshop, **data):
    fields = {"title": "Half", "body": "Half a thought", "level": "team", "chatham_house": "on"}
    fields.update(data)
    return client.post(reverse("workshops:note_draft", args=[workshop.pk]), fields)


def test_drafts_are_kept_offered_back_and_deleted_when_the_note_is_saved(client, cast):
    client.force_login(cast.facilitator)
    response = draft(client, cast.workshop, themes="water, trust")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response.json()["message"].startswith("Saved as draft at ")
    draft(client, cast.workshop, body="Half a thought, and more", themes="water, trust")
    kept = NoteDraft.objects.get()
    assert kept.user == cast.facilitator and kept.note is None
    assert kept.body == "Half a thought, and more" and kept.themes == "water, trust"
    page = client.get(reverse("workshops:note_create", args=[cast.workshop.pk]))
    html = page.content.decode()
    assert "You have an unsaved draft from" in html
    data = json.loads(re.search(r'id="note-draft-data"[^>]*>(.*?)</script>', html).group(1))
    assert data["body"] == "Half a thought, and more" and data["themes"] == "water, trust"
    # Someone else opening the same editor is offered nothing.
    client.force_login(cast.staff)
    html = client.get(reverse("workshops:note_create", args=[cast.workshop.pk])).content.decode()
    assert "note-draft-data" not in html
    client.force_login(cast.facilitator)
    response = client.post(
        reverse("workshops:note_create", args=[cast.workshop.pk]),
        {"title": "Done", "body": "Whole thought", "level": "team"},
    )
    assert response.status_code == 302 and not NoteDraft.objects.exists()


def test_a_draft_of_an_existing_note_and_discarding_it(client, cast, notes):
    client.force_login(cast.facilitator)
    note = notes.restricted
    draft(client, cast.workshop, note=note.pk, body="Edited offline", level="restricted")
    kept = NoteDraft.objects.get()
    assert kept.note == note
    html = client.get(reverse("workshops:note_edit", args=[note.pk])).content.decode()
    assert "Edited offline" in html  # in the restore data, not in the form
    assert ">Edited offline</textarea>" not in html
    response = client.post(
        reverse("workshops:note_draft", args=[cast.workshop.pk]), {"note": note.pk, "discard": "1"}
    )
    assert response.json() == {"discarded": True} and not NoteDraft.objects.exists()


@pytest.mark.parametrize("role", ["observer", "staff", "other_staff", "program_facilitator"])
def test_no_draft_of_a_note_one_may_not_change(as_role, cast, notes, role):
    client = as_role(role)
    response = draft(client, cast.workshop, note=notes.shareable.pk)
    assert response.status_code == 404 and not NoteDraft.objects.exists()


def test_no_draft_in_a_workshop_one_may_not_write_in(as_role, cast):
    response = draft(as_role("observer"), cast.workshop)
    assert response.status_code == 404
    response = draft(as_role("facilitator"), cast.other_workshop)
    assert response.status_code == 404
    assert not NoteDraft.objects.exists()


def test_a_draft_for_a_note_of_another_workshop_is_refused(client, cast, notes):
    client.force_login(cast.admin)
    response = draft(client, cast.other_workshop, note=notes.team.pk)
    assert response.status_code == 404


# --- Markdown ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("<script>alert('x')</script>Hello", ["<script", "alert("]),
        ("[click](javascript:alert(1))", ["javascript:"]),
        ("[click](JaVaScRiPt:alert(1))", ["javascript:", "JaVaScRiPt"]),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ["data:"]),
        ("![x](data:image/png;base64,AAAA)", ["data:", "<img"]),
        ('<img src=x onerror="alert(1)">', ["onerror", "<img"]),
        ('<p onclick="steal()">hi</p>', ["onclick"]),
        ('<iframe src="https://evil.example"></iframe>', ["<iframe"]),
        ("<style>body{display:none}</style>", ["<style", "display:none"]),
        ('<a href="vbscript:msgbox(1)">x</a>', ["vbscript"]),
        ('<svg onload="alert(1)"></svg>', ["<svg", "onload"]),
        ('<form action="https://evil.example"><input name=p></form>', ["<form", "<input"]),
    ],
)
def test_markdown_is_sanitised(text, forbidden):
    html = markdown.render(text)
    for bad in forbidden:
        assert bad.lower() not in html.lower(), html


def test_markdown_keeps_prose_and_safe_links():
    html = markdown.render(
        "**Bold** and *italic*\n\n- one\n- two\n\n[site](https://example.org) ليلى"
    )
    assert "<strong>Bold</strong>" in html and "<em>italic</em>" in html and "<li>one</li>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "ليلى" in html
    page = markdown.render_for_page("ليلى\n\n- one\n\n<p dir=rtl onclick=x>x</p>")
    assert page.count('dir="auto"') == 4 and "onclick" not in page


def test_the_note_page_shows_sanitised_html(client, cast):
    note = factories.SessionNoteFactory(
        workshop=cast.workshop,
        author=cast.facilitator,
        level=NoteLevel.TEAM,
        body="Fine <script>document.cookie</script>[x](javascript:alert(1)) **ok**",
    )
    client.force_login(cast.staff)
    response = client.get(reverse("workshops:note", args=[note.pk]))
    html = response.content.decode()
    assert "<strong>ok</strong>" in html and "document.cookie" not in html
    assert "javascript:" not in html
    assert 'class="card-body note-body" dir="auto"' in html
    # The list's excerpt is text, not markup.
    listing = client.get(reverse("workshops:notes", args=[cast.workshop.pk])).content.decode()
    assert "document.cookie" not in listing and "**ok**" not in listing


# --- Pages are valid HTML ---------------------------------------------------------------------


def test_every_note_page_is_valid_html(client, cast, notes):
    from tests.html import assert_valid_page

    water = NoteTheme.objects.create(name="water")
    notes.team.themes.add(water)
    services.note_update(note=notes.team, by=cast.facilitator, body="Changed **twice**.")
    revision = notes.team.revisions.get()
    NoteDraft.objects.create(user=cast.facilitator, workshop=cast.workshop, body="draft")
    client.force_login(cast.facilitator)
    for url in [
        reverse("workshops:notes", args=[cast.workshop.pk]),
        reverse("workshops:program_notes", args=[cast.program.pk]),
        reverse("workshops:notes_all") + "?q=olive&level=team",
        reverse("workshops:note", args=[notes.team.pk]),
        reverse("workshops:note_history", args=[notes.team.pk]),
        reverse("workshops:note_version", args=[notes.team.pk, revision.pk]),
        reverse("workshops:note_create", args=[cast.workshop.pk]),
        reverse("workshops:note_edit", args=[notes.team.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_valid_page(response)


# --- The admin site ---------------------------------------------------------------------------


def test_the_admin_site_logs_restricted_readings_and_keeps_versions(client, cast, notes):
    client.force_login(cast.admin)
    url = reverse("admin:workshops_sessionnote_change", args=[notes.restricted.pk])
    assert client.get(url).status_code == 200
    event = AuditEvent.objects.get(action="note.viewed")
    assert event.data == {"note": notes.restricted.pk, "level": "restricted", "page": "admin"}
    assert (
        client.get(reverse("admin:workshops_sessionnote_change", args=[notes.team.pk])).status_code
        == 200
    )
    assert AuditEvent.objects.filter(action="note.viewed").count() == 1
    response = client.post(
        url,
        {
            "workshop": cast.workshop.pk,
            "author": cast.facilitator.pk,
            "title": notes.restricted.title,
            "body": "Changed in the admin.",
            "level": "restricted",
            "chatham_house": "on",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    revision = notes.restricted.revisions.get()
    assert revision.body == "The olive groves were discussed (restricted)."
    assert revision.edited_by == cast.admin


def test_the_services_refuse_writers_without_the_right(cast, notes):
    with pytest.raises(services.NoteError):
        services.note_create(
            workshop=cast.workshop,
            by=cast.observer,
            title="T",
            body="B",
            level="shareable",
            chatham_house=True,
        )
    with pytest.raises(services.NoteError):
        services.note_update(note=notes.team, by=cast.staff, body="Not mine")
    assert not notes.team.revisions.exists()
