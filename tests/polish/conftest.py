"""Fixtures of the polish tests."""

import pytest

from tests import factories


@pytest.fixture
def world(cast):
    """One of everything a page can be about, in the cast's program."""
    workshop = cast.workshop
    workshop.title = "Nicosia living-room dialogue"
    workshop.save()
    session = factories.SessionFactory(workshop=workshop, title="Opening circle")
    note = factories.SessionNoteFactory(workshop=workshop, author=cast.facilitator, title="Day one")
    action = factories.FollowUpActionFactory(workshop=workshop, owner_user=cast.staff)
    person = factories.ParticipantFactory(full_name="Eleni Charalambous")
    other = factories.ParticipantFactory(full_name="Eleni Charalambou")
    return {
        "program": cast.program.pk,
        "workshop": workshop.pk,
        "session": session.pk,
        "note": note.pk,
        "action": action.pk,
        "person": person.pk,
        "other": other.pk,
    }
