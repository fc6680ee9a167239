"""A workshop running now with two sessions and three accepted invitees, for the
attendance tests."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from participants.models import Participant
from tests import factories
from workshops.models import InvitationStatus, Session, Workshop

HX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class Room:
    workshop: Workshop
    morning: Session
    afternoon: Session
    people: list[Participant]  # accepted, by name
    invited: Participant  # invited, never answered: not on the sheet
    other_session: Session  # of cast.other_workshop


@pytest.fixture
def room(cast) -> Room:
    now = timezone.now()
    workshop = cast.workshop
    workshop.starts_at = now - timedelta(hours=2)
    workshop.ends_at = now + timedelta(hours=8)
    workshop.save()
    morning = factories.SessionFactory(
        workshop=workshop, title="Opening circle", starts_at=now - timedelta(hours=1)
    )
    afternoon = factories.SessionFactory(
        workshop=workshop, title="Shared histories", starts_at=now + timedelta(hours=3)
    )
    people = [
        factories.ParticipantFactory(full_name=name)
        for name in ("Andreas Georgiou", "Ayşe Demir", "Eleni Charalambous")
    ]
    for person in people:
        factories.InvitationFactory(
            workshop=workshop, participant=person, status=InvitationStatus.ACCEPTED
        )
    invited = factories.ParticipantFactory(full_name="Mehmet Yilmaz")
    factories.InvitationFactory(
        workshop=workshop, participant=invited, status=InvitationStatus.INVITED
    )
    other_session = factories.SessionFactory(workshop=cast.other_workshop, title="Elsewhere")
    return Room(workshop, morning, afternoon, people, invited, other_session)
