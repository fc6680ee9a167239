"""Who sees which note, for every role and level, on every page that shows notes: the
lists (per workshop, per program, everywhere), search, the note, its history and earlier
versions. Restricted readings are audited; nothing else is."""

import pytest
from django.urls import reverse

from core import permissions
from core.models import AuditEvent
from tests import factories
from tests.workshops.notes.conftest import READS, ROLES
from workshops.models import NoteLevel, NoteTheme, SessionNote
from workshops.notes import selectors, services

pytestmark = pytest.mark.django_db
LEVELS = NoteLevel.values


def titles_in(response) -> set[str]:
    html = response.content.decode()
    return {level for level in LEVELS if f"{level.capitalize()} note about the crossing" in html}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["workshop", "program", "everywhere", "search"])
def test_lists_and_search_show_exactly_the_notes_a_role_may_read(as_role, role, page, cast, notes):
    client = as_role(role)
    url = {
        "workshop": reverse("workshops:notes", args=[cast.workshop.pk]),
        "program": reverse("workshops:program_notes", args=[cast.program.pk]),
        "everywhere": reverse("workshops:notes_all"),
        "search": reverse("workshops:notes_all") + "?q=olive",
    }[page]
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    if page == "workshop" and role in ("other_staff", "outsider", "lone_facilitator"):
        assert response.status_code == 404  # the workshop itself is out of their sight
        return
    if page == "program" and role in ("other_staff", "outsider"):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert titles_in(response) == READS[role]
    html = response.content.decode()
    # Restricted text never shows in a list, even to those who may open the note.
    assert "(restricted)" not in html
    assert "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.filter(action="note.viewed").exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("level", LEVELS)
def test_a_note_its_history_and_earlier_versions_open_only_for_its_readers(
    as_role, role, level, cast, notes
):
    note = notes.at(level)
    services.note_update(note=note, by=cast.facilitator, body="Second thoughts on the groves.")
    revision = note.revisions.get()
    client = as_role(role)
    urls = [
        reverse("workshops:note", args=[note.pk]),
        reverse("workshops:note_history", args=[note.pk]),
        reverse("workshops:note_version", args=[note.pk, revision.pk]),
    ]
    for url in urls:
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302
        elif level in READS[role]:
            assert response.status_code == 200, url
            assert "no-store" in response["Cache-Control"]
        else:
            assert response.status_code == 404, url
    events = AuditEvent.objects.filter(action="note.viewed")
    if level == NoteLevel.RESTRICTED and level in READS[role]:
        assert sorted(e.data["page"] for e in events) == ["detail", "history", "version"]
        for event in events:
            assert event.object_id == str(note.pk) and event.actor == client_user(role, cast)
            assert event.data["note"] == note.pk and event.data["level"] == "restricted"
            assert "Second thoughts" not in str(event.data)
    else:
        assert not events.exists()


def client_user(role, cast):
    return getattr(cast, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("level", LEVELS)
def test_level_readable_agrees_with_the_permissions_module(person, role, level, notes, cast):
    """The rule asked of a level a note does not have (earlier versions, the levels offered
    to a writer) is the permissions module's, for every role."""
    from django.contrib.auth.models import AnonymousUser

    user = person(role) or AnonymousUser()
    note = notes.at(level)
    assert permissions.may_read_note_level(user, cast.workshop, level) == (
        SessionNote.objects.filter(pk=note.pk)
        .filter(pk__in=selectors.permissions.notes_visible_to(user).values("pk"))
        .exists()
    )
    assert (level in READS[role]) == permissions.may_read_note_level(user, cast.workshop, level)


def test_a_revision_from_a_stricter_past_stays_with_those_who_could_read_it(client, cast, notes):
    """Restricted yesterday, team today: the team reads today's text, not yesterday's."""
    note = notes.restricted
    services.note_update(
        note=note, by=cast.facilitator, level=NoteLevel.TEAM, body="Safe to share with the team."
    )
    revision = note.revisions.get()
    client.force_login(cast.staff)
    assert client.get(reverse("workshops:note", args=[note.pk])).status_code == 200
    history = client.get(reverse("workshops:note_history", args=[note.pk]))
    assert history.status_code == 200
    html = history.content.decode()
    assert "kept at a stricter level" in html
    assert reverse("workshops:note_version", args=[note.pk, revision.pk]) not in html
    version = client.get(reverse("workshops:note_version", args=[note.pk, revision.pk]))
    assert version.status_code == 404
    # The facilitator reads both, and that reading of a once-restricted version is logged.
    client.force_login(cast.facilitator)
    response = client.get(reverse("workshops:note_version", args=[note.pk, revision.pk]))
    assert response.status_code == 200 and "(restricted)" in response.content.decode()
    event = AuditEvent.objects.get(action="note.viewed", data__page="version")
    assert event.data["revision"] == revision.pk and event.actor == cast.facilitator


def test_a_revision_of_another_note_answers_404(client, cast, notes):
    services.note_update(note=notes.team, by=cast.facilitator, body="Changed.")
    other = notes.team.revisions.get()
    client.force_login(cast.facilitator)
    url = reverse("workshops:note_version", args=[notes.shareable.pk, other.pk])
    assert client.get(url).status_code == 404


def test_the_program_list_leaves_out_other_programs(client, cast, notes):
    foreign = factories.SessionNoteFactory(
        workshop=factories.WorkshopFactory(program=cast.other_program),
        author=cast.other_staff,
        title="Karen villages note",
        level=NoteLevel.SHAREABLE,
    )
    client.force_login(cast.admin)
    response = client.get(reverse("workshops:program_notes", args=[cast.program.pk]))
    assert foreign.title not in response.content.decode()
    response = client.get(reverse("workshops:notes_all"))
    assert foreign.title in response.content.decode()


@pytest.mark.parametrize("role", ["staff", "observer", "other_facilitator", "program_facilitator"])
def test_editing_a_note_one_may_read_but_not_change_answers_404(as_role, role, notes):
    client = as_role(role)
    note = notes.shareable
    assert client.get(reverse("workshops:note", args=[note.pk])).status_code == 200
    url = reverse("workshops:note_edit", args=[note.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"title": "Hijacked", "body": "x", "level": "shareable"})
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.title != "Hijacked" and not note.revisions.exists()


@pytest.mark.parametrize("role", ["staff", "other_staff", "outsider", "observer"])
def test_editing_someone_elses_restricted_note_answers_404(as_role, role, notes):
    client = as_role(role)
    assert client.get(reverse("workshops:note_edit", args=[notes.restricted.pk])).status_code == 404


def test_the_author_and_admins_edit(as_role, notes):
    for role in ("facilitator", "admin"):
        client = as_role(role)
        response = client.get(reverse("workshops:note_edit", args=[notes.restricted.pk]))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("facilitator", 200),
        ("staff", 200),
        ("admin", 200),
        ("observer", 404),
        ("program_facilitator", 404),
        ("other_facilitator", 404),
        ("other_staff", 404),
        ("outsider", 404),
    ],
)
def test_who_writes_notes_in_a_workshop(as_role, cast, role, status):
    response = as_role(role).get(reverse("workshops:note_create", args=[cast.workshop.pk]))
    assert response.status_code == status


def test_staff_are_not_offered_a_level_they_could_not_read(client, cast):
    client.force_login(cast.staff)
    url = reverse("workshops:note_create", args=[cast.workshop.pk])
    html = client.get(url).content.decode()
    assert 'value="team"' in html and 'value="restricted"' not in html
    response = client.post(
        url, {"title": "Hidden", "body": "Text", "level": "restricted", "chatham_house": ""}
    )
    assert response.status_code == 400
    assert not SessionNote.objects.filter(title="Hidden").exists()


def test_lists_cost_the_same_whatever_the_number_of_notes(
    client, cast, notes, django_assert_max_num_queries
):
    client.force_login(cast.facilitator)
    url = reverse("workshops:program_notes", args=[cast.program.pk])

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url + "?q=olive").status_code == 200
        return len(captured)

    few = count()
    theme = NoteTheme.objects.create(name="water")
    for n in range(20):
        note = factories.SessionNoteFactory(
            workshop=cast.other_workshop,
            session=factories.SessionFactory(workshop=cast.other_workshop),
            author=cast.other_facilitator,
            title=f"More olive {n}",
            level=NoteLevel.TEAM,
        )
        note.themes.add(theme)
    assert count() == few
    with django_assert_max_num_queries(few):
        client.get(url + "?q=olive")
