"""Follow-up actions around the cast's workshop: one overdue, one due later, one done."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from participants.models import Participant, RiskLevel
from tests import factories
from workshops.models import ActionStatus, FollowUpAction, InvitationStatus


@dataclass
class Actions:
    overdue: FollowUpAction
    later: FollowUpAction
    done: FollowUpAction
    elsewhere: FollowUpAction  # of the other workshop (same program)
    invitee: Participant
    hidden: Participant  # high risk, invited


@pytest.fixture
def actions(cast) -> Actions:
    today = timezone.localdate()
    invitee = factories.ParticipantFactory(full_name="Andreas Georgiou")
    hidden = factories.ParticipantFactory(full_name="Layla Haddad", risk_level=RiskLevel.HIGH)
    for person in (invitee, hidden):
        factories.InvitationFactory(
            workshop=cast.workshop, participant=person, status=InvitationStatus.ACCEPTED
        )
    return Actions(
        overdue=factories.FollowUpActionFactory(
            workshop=cast.workshop,
            owner_user=cast.facilitator,
            description="Circulate the minutes",
            due_on=today - timedelta(days=3),
        ),
        later=factories.FollowUpActionFactory(
            workshop=cast.workshop,
            owner_user=None,
            owner_participant=hidden,
            description="Introduce the mayors",
            due_on=today + timedelta(days=10),
        ),
        done=factories.FollowUpActionFactory(
            workshop=cast.workshop,
            owner_user=cast.staff,
            description="Book the venue",
            due_on=today - timedelta(days=5),
            status=ActionStatus.DONE,
            completed_at=timezone.now(),
        ),
        elsewhere=factories.FollowUpActionFactory(
            workshop=cast.other_workshop,
            owner_user=cast.other_facilitator,
            description="Translate the agenda",
        ),
        invitee=invitee,
        hidden=hidden,
    )
