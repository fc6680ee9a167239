"""A held workshop with attendance across communities and sectors, notes at every level,
follow-up actions and one high-risk participant whose names appear in the text."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from participants.models import Participant, RiskLevel
from tests import factories
from workshops.models import (
    ActionStatus,
    AttendanceStatus,
    InvitationStatus,
    NoteLevel,
    WorkshopStatus,
)

ARABIC = "اتفق المشاركون على إنشاء لجنة مشتركة للمياه"
HEBREW = "המשתתפים הסכימו להקים ועדה משותפת"
RESTRICTED_TEXT = "Restricted-only: the minister's envoy wants out"
TEAM_TEXT = "Team-only: funding gap before spring"
SHAREABLE_TEXT = "Shareable summary: both sides proposed a joint water committee"


@dataclass
class ReportData:
    hidden: Participant  # high risk
    named: Participant  # normal risk
    greek: object
    turkish: object


@pytest.fixture
def report_data(cast) -> ReportData:
    workshop = cast.workshop
    workshop.status = WorkshopStatus.HELD
    workshop.starts_at = timezone.now() - timedelta(days=3)
    workshop.ends_at = workshop.starts_at + timedelta(days=2)
    workshop.venue_name = "Ledra Palace"
    workshop.venue_city = "Nicosia"
    workshop.objectives = "Build trust between the two communities."
    workshop.save()
    greek = factories.CommunityFactory(name="Greek Cypriots", slug="greek-cypriots")
    turkish = factories.CommunityFactory(name="Turkish Cypriots", slug="turkish-cypriots")
    academic, media = factories.sector("academic"), factories.sector("media")
    morning = factories.SessionFactory(workshop=workshop, title="Opening circle")
    afternoon = factories.SessionFactory(
        workshop=workshop,
        title="Water",
        starts_at=workshop.starts_at + timedelta(hours=4),
        ends_at=workshop.starts_at + timedelta(hours=6),
    )
    hidden = factories.ParticipantFactory(
        full_name="Layla Haddad",
        native_name="ليلى حداد",
        risk_level=RiskLevel.HIGH,
        community=turkish,
        sector=media,
    )
    named = factories.ParticipantFactory(
        full_name="Andreas Georgiou", community=greek, sector=academic
    )
    # Present: Greek/academic 2 (one of them twice), Turkish/academic 1, Turkish/media 1
    # (the high-risk person); absent people and the other workshop do not count.
    other_greek = factories.ParticipantFactory(community=greek, sector=academic)
    turkish_academic = factories.ParticipantFactory(community=turkish, sector=academic)
    absent = factories.ParticipantFactory(community=greek, sector=media)
    for person in (hidden, named, other_greek, turkish_academic, absent):
        factories.InvitationFactory(
            workshop=workshop, participant=person, status=InvitationStatus.ACCEPTED
        )
    for person in (hidden, named, other_greek, turkish_academic):
        factories.AttendanceFactory(session=morning, participant=person)
    factories.AttendanceFactory(session=afternoon, participant=named)
    factories.AttendanceFactory(
        session=afternoon, participant=absent, status=AttendanceStatus.ABSENT
    )
    elsewhere = factories.SessionFactory(workshop=cast.other_workshop)
    factories.AttendanceFactory(session=elsewhere, participant=factories.ParticipantFactory())

    factories.SessionNoteFactory(
        workshop=workshop, author=cast.facilitator, level=NoteLevel.RESTRICTED,
        title="Restricted note", body=RESTRICTED_TEXT,
    )  # fmt: skip
    factories.SessionNoteFactory(
        workshop=workshop, author=cast.facilitator, level=NoteLevel.TEAM,
        title="Team note", body=TEAM_TEXT,
    )  # fmt: skip
    factories.SessionNoteFactory(
        workshop=workshop,
        session=afternoon,
        author=cast.facilitator,
        level=NoteLevel.SHAREABLE,
        title="Water committee",
        body=(
            f"{SHAREABLE_TEXT}.\n\nLayla Haddad suggested the name; LAYLA  HADDAD agreed "
            f"to chair, and Layla will write.\n\n{ARABIC} (ليلى حداد)\n\n{HEBREW}"
        ),
    )
    factories.FollowUpActionFactory(
        workshop=workshop, owner_user=cast.staff, description="Send the minutes to the funders"
    )
    factories.FollowUpActionFactory(
        workshop=workshop,
        owner_user=None,
        owner_participant=hidden,
        description="Draft the committee's terms with Layla Haddad's network",
    )
    factories.FollowUpActionFactory(
        workshop=workshop, owner_user=None, owner_participant=named, description="Host the next"
    )
    factories.FollowUpActionFactory(
        workshop=workshop, owner_user=cast.staff, description="Dropped idea",
        status=ActionStatus.DROPPED,
    )  # fmt: skip
    restricted = factories.SessionNoteFactory(
        workshop=workshop, author=cast.facilitator, level=NoteLevel.RESTRICTED, title="x"
    )
    factories.FollowUpActionFactory(
        workshop=workshop, owner_user=cast.facilitator, note=restricted,
        description="Call the envoy privately",
    )  # fmt: skip
    return ReportData(hidden=hidden, named=named, greek=greek, turkish=turkish)
