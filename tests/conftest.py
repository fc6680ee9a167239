"""Fixtures shared by the whole suite: one user per role around one program and workshop."""

from dataclasses import dataclass

import pytest

from core.models import User
from dialogues.models import Program, ProgramRole
from tests import factories
from workshops.models import Workshop


@dataclass
class Cast:
    """The people of the role matrix, around ``program`` and its ``workshop``."""

    program: Program
    workshop: Workshop
    other_program: Program
    other_workshop: Workshop  # same program, other facilitator
    admin: User
    staff: User  # programme staff of ``program``
    other_staff: User  # programme staff of ``other_program`` only
    facilitator: User  # facilitates ``workshop``
    other_facilitator: User  # facilitates ``other_workshop``
    observer: User  # observer of ``program``
    outsider: User  # signed in, no role anywhere


@pytest.fixture
def cast(db) -> Cast:
    program = factories.ProgramFactory(name="Cyprus bi-communal dialogue")
    other_program = factories.ProgramFactory(name="Karen villages peacebuilding")
    admin = factories.AdminFactory(username="admin-user")
    staff = factories.UserFactory(username="staff-user")
    other_staff = factories.UserFactory(username="other-staff")
    facilitator = factories.UserFactory(username="facilitator-user")
    other_facilitator = factories.UserFactory(username="other-facilitator")
    observer = factories.UserFactory(username="observer-user")
    outsider = factories.UserFactory(username="outsider")
    factories.MembershipFactory(program=program, user=staff, role=ProgramRole.MANAGER)
    factories.MembershipFactory(program=other_program, user=other_staff, role=ProgramRole.MANAGER)
    factories.MembershipFactory(program=program, user=facilitator, role=ProgramRole.FACILITATOR)
    factories.MembershipFactory(
        program=program, user=other_facilitator, role=ProgramRole.FACILITATOR
    )
    factories.MembershipFactory(program=program, user=observer, role=ProgramRole.OBSERVER)
    workshop = factories.WorkshopFactory(program=program, facilitators=[facilitator])
    other_workshop = factories.WorkshopFactory(program=program, facilitators=[other_facilitator])
    return Cast(
        program=program,
        workshop=workshop,
        other_program=other_program,
        other_workshop=other_workshop,
        admin=admin,
        staff=staff,
        other_staff=other_staff,
        facilitator=facilitator,
        other_facilitator=other_facilitator,
        observer=observer,
        outsider=outsider,
    )
