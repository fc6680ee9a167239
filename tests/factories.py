"""factory_boy factories for every model, in one place."""

from dataclasses import dataclass
from datetime import timedelta

import factory
from django.utils import timezone

from core.models import User
from dialogues.models import Program, ProgramMembership, ProgramRole
from participants.models import Community, ConsentRecord, ConsentScope, Participant, Sector
from workshops.models import (
    Attendance,
    AttendanceStatus,
    FollowUpAction,
    Invitation,
    MessageKind,
    ScheduledMessage,
    Session,
    SessionNote,
    Workshop,
)
from workshops.outreach.compose import message_id_for

DEMO_PASSWORD = "olive-branch-demo"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(DEMO_PASSWORD)


class AdminFactory(UserFactory):
    is_staff = True
    is_superuser = True


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    region = "Cyprus"


def sector(slug: str = "academic") -> Sector:
    """Sectors are seeded by a migration; tests use those rows. A transactional test that
    runs after another one's flush may find the table empty, so create it then."""
    return Sector.objects.get_or_create(
        slug=slug, defaults={"name": slug.replace("-", " ").capitalize()}
    )[0]


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"participant{n}@example.org")
    sector = factory.LazyFunction(sector)
    community = factory.SubFactory(CommunityFactory)
    organisation = factory.Faker("company")


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentRecord

    participant = factory.SubFactory(ParticipantFactory)
    scope = ConsentScope.CONTACT
    granted = True
    method = "written"
    given_on = factory.LazyFunction(lambda: timezone.localdate())


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Dialogue program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate())


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramMembership

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)
    role = ProgramRole.MANAGER


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Workshop {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda w: w.starts_at + timedelta(days=2))
    time_zone = "Asia/Nicosia"
    capacity = 24

    @factory.post_generation
    def facilitators(self, create: bool, extracted: list[User] | None, **kwargs: object) -> None:
        if create and extracted:
            self.facilitators.add(*extracted)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    workshop = factory.SubFactory(WorkshopFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyAttribute(lambda s: s.workshop.starts_at)
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=2))


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    workshop = factory.SubFactory(WorkshopFactory)
    participant = factory.SubFactory(ParticipantFactory)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    participant = factory.SubFactory(ParticipantFactory)
    status = AttendanceStatus.PRESENT


class SessionNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionNote

    workshop = factory.SubFactory(WorkshopFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Note {n}")
    body = "The group agreed to meet again in spring."


class FollowUpActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpAction

    workshop = factory.SubFactory(WorkshopFactory)
    description = "Circulate the shareable summary"
    owner_user = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class ScheduledMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduledMessage

    kind = MessageKind.INVITATION
    invitation = factory.SubFactory(InvitationFactory)
    recipient_participant = factory.LazyAttribute(lambda m: m.invitation.participant)
    workshop = factory.LazyAttribute(lambda m: m.invitation.workshop)
    dedupe_key = factory.Sequence(lambda n: f"invitation:{n}")
    message_id = factory.LazyAttribute(lambda m: message_id_for(m.dedupe_key))
    send_at = factory.LazyFunction(timezone.now)


@dataclass(frozen=True)
class CyprusRegistry:
    greek: Community
    turkish: Community
    academic: Sector
    religious: Sector


def cyprus_registry() -> CyprusRegistry:
    """Two communities, two sectors and five people, Greek and Turkish Cypriot academics and
    clergy: enough for the planning journeys to build a balanced delegation."""
    registry = CyprusRegistry(
        greek=CommunityFactory(name="Greek Cypriot", slug="greek-cypriot", colour="#1f77b4"),
        turkish=CommunityFactory(name="Turkish Cypriot", slug="turkish-cypriot", colour="#d62728"),
        academic=sector("academic"),
        religious=sector("religious"),
    )
    for name, community, area in [
        ("Eleni Charalambous", registry.greek, registry.academic),
        ("Andreas Georgiou", registry.greek, registry.religious),
        ("Maria Ioannou", registry.greek, registry.academic),
        ("Mehmet Yilmaz", registry.turkish, registry.academic),
        ("Ayşe Kaya", registry.turkish, registry.religious),
    ]:
        ParticipantFactory(full_name=name, community=community, sector=area)
    return registry
