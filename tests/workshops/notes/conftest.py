"""Notes at every level on the cast's workshop, and the extra people of the role matrix."""

from dataclasses import dataclass

import pytest

from core.models import User
from dialogues.models import ProgramRole
from tests import factories
from workshops.models import NoteLevel, SessionNote


@dataclass
class Notes:
    restricted: SessionNote
    team: SessionNote
    shareable: SessionNote

    def at(self, level: str) -> SessionNote:
        return getattr(self, level)


@pytest.fixture
def notes(cast) -> Notes:
    """One note per level by the workshop's facilitator; each body holds the word "olive"."""
    made = {
        level: factories.SessionNoteFactory(
            workshop=cast.workshop,
            author=cast.facilitator,
            title=f"{level.capitalize()} note about the crossing",
            body=f"The olive groves were discussed ({level}).",
            level=level,
            chatham_house=True,
        )
        for level in NoteLevel.values
    }
    return Notes(**made)


@pytest.fixture
def program_facilitator(cast) -> User:
    """Facilitator by program role only: facilitates no workshop."""
    user = factories.UserFactory(username="program-facilitator")
    factories.MembershipFactory(program=cast.program, user=user, role=ProgramRole.FACILITATOR)
    return user


@pytest.fixture
def lone_facilitator(cast) -> User:
    """Facilitates the program's other workshop, with no role in the program."""
    user = factories.UserFactory(username="lone-facilitator")
    cast.other_workshop.facilitators.add(user)
    return user


# Who reads which level of a note of ``cast.workshop`` (DESIGN.md, core.permissions).
READS = {
    "admin": {"restricted", "team", "shareable"},
    "facilitator": {"restricted", "team", "shareable"},
    "staff": {"team", "shareable"},
    "other_facilitator": {"team", "shareable"},
    "program_facilitator": {"team", "shareable"},
    "observer": {"shareable"},
    "lone_facilitator": set(),
    "other_staff": set(),
    "outsider": set(),
    "anonymous": set(),
}
ROLES = list(READS)


@pytest.fixture
def person(request, cast, program_facilitator, lone_facilitator):
    """The user of a role name from ``ROLES`` (None for anonymous)."""

    def get(role: str) -> User | None:
        if role == "anonymous":
            return None
        if role == "program_facilitator":
            return program_facilitator
        if role == "lone_facilitator":
            return lone_facilitator
        return getattr(cast, role)

    return get


@pytest.fixture
def as_role(client, person):
    """A test client signed in as ``role`` (anonymous: not signed in)."""

    def sign_in(role: str):
        user = person(role)
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
