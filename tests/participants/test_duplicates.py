"""The duplicate scan, its page, dismissing a pair and merging two entries into one."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from participants.duplicates import find_duplicate_pairs, name_key
from participants.merge import participants_merge
from participants.models import (
    ConsentRecord,
    Language,
    LikelyDuplicate,
    Participant,
    RiskLevel,
)
from participants.services import RegistryError, duplicate_dismiss, duplicates_rescan
from tests import factories
from tests.html import assert_valid_page
from workshops.models import (
    Attendance,
    AttendanceStatus,
    FollowUpAction,
    Invitation,
    InvitationStatus,
    MessageStatus,
    ScheduledMessage,
)

pytestmark = pytest.mark.django_db


def person(name: str, **fields) -> Participant:
    fields.setdefault("email", "")
    fields.setdefault("organisation", "")
    return factories.ParticipantFactory(full_name=name, **fields)


def found() -> dict[tuple[int, int], str]:
    return {(p.first_id, p.second_id): p.reason for p in find_duplicate_pairs()}


def pair_of(a: Participant, b: Participant) -> tuple[int, int]:
    return (min(a.pk, b.pk), max(a.pk, b.pk))


# --- The scan ------------------------------------------------------------------------------


def test_name_key_ignores_case_accents_spaces_and_punctuation():
    assert name_key("Abdel-Aziz  Ḥaddad") == name_key("abdelaziz haddad") == "abdelazizhaddad"
    assert name_key("Ζωή Χαραλάμπους") == name_key("ΖΩΗ ΧΑΡΑΛΑΜΠΟΥΣ")


def test_same_email_in_any_case_and_same_phone_are_pairs():
    a = person("Noa Levi", email="noa@example.org")
    b = person("N. Levi-Cohen")
    # The registry's unique constraint is case-blind; a stray space from an old import is
    # the way two entries still share an address.
    Participant.objects.filter(pk=b.pk).update(email="Noa@Example.org ")
    c = person("Khaled Nasser", phone="+970599123456")
    d = person("Khalid Naser", phone="+970599123456")
    pairs = found()
    assert pairs[pair_of(a, b)] == "email"
    assert pairs[pair_of(c, d)].startswith("phone")


def test_names_a_space_or_a_slip_apart_with_the_same_organisation():
    org = "Birzeit University"
    a = person("Abdel Aziz Haddad", organisation=org)
    b = person("Abdelaziz Haddad", organisation=org.upper())
    c = person("Eleni Charalambous", organisation="University of Cyprus")
    d = person("Eleni Charalambuos", organisation="University of Cyprus")  # swapped letters
    e = person("Eleni Charalambous", organisation="Politis")  # a namesake elsewhere
    pairs = found()
    assert pairs[pair_of(a, b)] == "same_name,organisation"
    assert pairs[pair_of(c, d)] == "similar_name,organisation"
    assert pair_of(c, e) not in pairs and pair_of(d, e) not in pairs


def test_native_script_name_or_community_and_country_back_a_name_match():
    community = factories.CommunityFactory()
    a = person("Yael Mizrahi", native_name="יעל מזרחי", organisation="Haaretz")
    b = person("Yael Mizrachi", native_name="יעל מזרחי")
    c = person("Saw Htoo Paw", community=community, country="MM")
    d = person("Saw Htoo Paw", community=community, country="MM")
    e = person("Saw Htoo Paw", community=community, country="TH")
    pairs = found()
    assert pairs[pair_of(a, b)] == "similar_name,native_name"
    assert pairs[pair_of(c, d)] == "same_name,community_country"
    assert pair_of(c, e) not in pairs


def test_a_common_name_alone_or_two_different_emails_is_not_a_pair():
    person("Mohammed Ahmed")
    person("Mohammed Ahmed")
    person("Omar Saleh", organisation="Al-Ayyam", email="omar@alayyam.ps")
    person("Omar Saleh", organisation="Al-Ayyam", email="osaleh@example.org")
    assert found() == {}


def test_a_shared_switchboard_number_is_not_evidence():
    people = [person(f"Staff member {i}", phone="+35722000000") for i in range(13)]
    assert found() == {}
    people[0].delete()
    assert len(found()) == 12 * 11 // 2


def test_erased_people_are_left_out():
    a = person("Ingrid Halvorsen", email="ingrid@example.org")
    b = person("Ingrid Halvorsen", phone="+4791234567")
    Participant.objects.filter(pk=b.pk).update(
        erased_at=timezone.now(), email="ingrid2@example.org"
    )
    assert pair_of(a, b) not in found()


def test_rescan_replaces_open_pairs_keeps_dismissed_ones_and_is_audited(cast):
    a = person("Tamar Peretz", phone="+972501234567")
    b = person("Tamar Perez", phone="+972501234567")
    c = person("Avi Friedman", email="avi@example.org", organisation="Peace Now")
    d = person("Avi Friedmann", organisation="Peace Now")
    assert duplicates_rescan(by=cast.staff) == 2
    assert duplicates_rescan(by=cast.staff) == 2  # idempotent
    assert LikelyDuplicate.objects.count() == 2
    pair = LikelyDuplicate.objects.get(first=min(a.pk, b.pk))
    duplicate_dismiss(pair=pair, by=cast.staff)
    assert duplicates_rescan(by=None) == 1
    assert LikelyDuplicate.objects.filter(dismissed_at__isnull=False).count() == 1
    assert set(LikelyDuplicate.objects.values_list("first", "second")) == {
        pair_of(a, b),
        pair_of(c, d),
    }
    scans = AuditEvent.objects.filter(action="participant.duplicates.scan")
    assert [e.data["pairs"] for e in scans.order_by("pk")] == [2, 2, 1]
    assert AuditEvent.objects.filter(
        action="participant.duplicates.dismiss", data__other=pair.second_id
    ).exists()


# --- The page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", 200), ("staff", 200), ("facilitator", 403), ("observer", 403), ("outsider", 403)],
)
def test_duplicates_page_is_for_registry_editors(client, cast, role, expected):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("participants:duplicates")).status_code == expected
    response = client.post(reverse("participants:duplicates_scan"))
    assert response.status_code == (302 if expected == 200 else 403)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (reverse("participants:duplicates"), reverse("participants:merge", args=[1, 2])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_scan_dismiss_and_list_through_the_browser_client(client, cast):
    a = person("Layla Khoury", email="layla@example.org", organisation="Al-Quds University")
    b = person("Laila Khoury", organisation="Al-Quds University")
    c = person("Layla Khouri", organisation="Al-Quds University")
    client.force_login(cast.staff)
    empty = client.get(reverse("participants:duplicates"))
    assert "has not been scanned yet" in empty.content.decode()
    response = client.post(reverse("participants:duplicates_scan"), follow=True)
    assert_valid_page(response)
    html = response.content.decode()
    assert "Scan finished: 2 likely duplicates." in html
    assert "similar names" in html and "same organisation" in html
    assert reverse("participants:merge", args=pair_of(a, b)) in html
    pair = LikelyDuplicate.objects.get(first=min(a.pk, b.pk), second=max(a.pk, b.pk))
    response = client.post(reverse("participants:duplicate_dismiss", args=[pair.pk]), follow=True)
    assert "two different people" in response.content.decode()
    assert reverse("participants:merge", args=pair_of(a, b)) not in response.content.decode()
    # Laila Khoury and Layla Khouri are two slips apart: only through Layla Khoury.
    assert reverse("participants:merge", args=pair_of(a, c)) in response.content.decode()
    assert reverse("participants:merge", args=pair_of(b, c)) not in response.content.decode()
    assert client.get(reverse("participants:duplicate_dismiss", args=[pair.pk])).status_code == 405


# --- Merging -------------------------------------------------------------------------------


@pytest.fixture
def twins(cast):
    """Two entries for one person, each with history; one shared workshop and session."""
    keep = person(
        "Eleni Charalambous",
        email="eleni@example.org",
        organisation="University of Cyprus",
        position="Lecturer",
    )
    other = person(
        "Eleni Charalambus",
        native_name="Ελένη Χαραλάμπους",
        email="eleni.ch@example.org",
        phone="+35799123456",
        organisation="University of Cyprus",
        risk_level=RiskLevel.HIGH,
        do_not_contact=True,
        do_not_contact_reason="Asked not to be emailed during the elections.",
    )
    greek = Language.objects.get_or_create(code="el", defaults={"name": "Greek"})[0]
    other.languages.add(greek)
    shared = cast.workshop
    session = factories.SessionFactory(workshop=shared)
    factories.InvitationFactory(workshop=shared, participant=keep, status=InvitationStatus.INVITED)
    theirs = factories.InvitationFactory(
        workshop=shared,
        participant=other,
        status=InvitationStatus.ACCEPTED,
        needs="Vegetarian meals",
    )
    factories.InvitationFactory(workshop=cast.other_workshop, participant=other)
    factories.AttendanceFactory(session=session, participant=keep, status=AttendanceStatus.ABSENT)
    factories.AttendanceFactory(session=session, participant=other)
    factories.ConsentRecordFactory(participant=other)
    factories.FollowUpActionFactory(
        workshop=shared, owner_user=None, owner_participant=other, description="Send paper"
    )
    ScheduledMessage.objects.create(
        kind="reminder",
        dedupe_key="reminder:other",
        send_at=timezone.now(),
        recipient_participant=other,
        invitation=theirs,
    )
    return keep, other


def test_merge_keeps_every_piece_of_history_of_both(cast, twins):
    keep, other = twins
    other_pk = other.pk
    participants_merge(keep=keep, other=other, by=cast.staff)
    assert not Participant.objects.filter(pk=other_pk).exists()
    keep.refresh_from_db()
    invitations = Invitation.objects.filter(participant=keep)
    assert invitations.count() == 2
    shared = invitations.get(workshop=cast.workshop)
    assert shared.status == InvitationStatus.ACCEPTED  # the answer is kept
    assert shared.needs == "Vegetarian meals"
    attendance = Attendance.objects.get(participant=keep)
    assert attendance.status == AttendanceStatus.PRESENT
    assert ConsentRecord.objects.filter(participant=keep).count() == 1
    assert FollowUpAction.objects.get(owner_participant=keep).description == "Send paper"
    message = ScheduledMessage.objects.get(dedupe_key="reminder:other")
    assert message.recipient_participant == keep and message.invitation == shared
    assert message.status == MessageStatus.PENDING  # the surviving invitation's message
    # Blank fields are filled, differing ones stay unless taken, safety is the stricter one.
    assert keep.native_name == "Ελένη Χαραλάμπους" and keep.phone == "+35799123456"
    assert keep.email == "eleni@example.org" and keep.full_name == "Eleni Charalambous"
    assert keep.risk_level == RiskLevel.HIGH and keep.do_not_contact
    assert keep.do_not_contact_reason.startswith("Asked not to be emailed")
    assert list(keep.languages.values_list("code", flat=True)) == ["el"]


def test_merge_cancels_the_losing_invitations_messages(cast, twins):
    keep, other = twins
    mine = Invitation.objects.get(participant=keep, workshop=cast.workshop)
    ScheduledMessage.objects.create(
        kind="reminder",
        dedupe_key="reminder:mine",
        send_at=timezone.now(),
        recipient_participant=keep,
        invitation=mine,
    )
    participants_merge(keep=keep, other=other, by=cast.staff)
    message = ScheduledMessage.objects.get(dedupe_key="reminder:mine")
    assert message.status == MessageStatus.CANCELLED  # never a second reminder
    assert message.invitation.participant == keep


def test_merge_takes_chosen_fields_including_the_unique_email(cast, twins):
    keep, other = twins
    participants_merge(keep=keep, other=other, by=cast.staff, take=["email", "full_name"])
    keep.refresh_from_db()
    assert keep.email == "eleni.ch@example.org" and keep.full_name == "Eleni Charalambus"


def test_merge_moves_every_relation_to_the_registry(cast, twins):
    """A relation added later is moved too: nothing may still point at the removed entry."""
    keep, other = twins
    relations = [
        r for r in Participant._meta.related_objects if not r.many_to_many and not r.hidden
    ]
    other_pk = other.pk
    before = {
        r.related_model: r.related_model._default_manager.filter(**{r.field.name: other_pk}).count()
        for r in relations
    }
    assert sum(before.values()) >= 6
    participants_merge(keep=keep, other=other, by=cast.staff)
    for relation in relations:
        lookup = {relation.field.name: other_pk}
        assert not relation.related_model._default_manager.filter(**lookup).exists()


def test_merge_is_audited_without_personal_data(cast, twins):
    keep, other = twins
    other_pk = other.pk
    participants_merge(keep=keep, other=other, by=cast.admin, take=["email"])
    event = AuditEvent.objects.get(action="participant.merge")
    assert event.actor == cast.admin and event.object_id == str(keep.pk)
    assert event.data["merged"] == other_pk and "email" in event.data["fields"]
    assert event.data["moved"]["invitations"] == 2
    assert "eleni" not in str(event.data).lower()
    assert AuditEvent.objects.filter(
        action="participant.merged_into", object_id=str(other_pk)
    ).exists()


def test_merge_refuses_erased_or_identical_entries(cast, twins):
    keep, other = twins
    with pytest.raises(RegistryError):
        participants_merge(keep=keep, other=keep, by=cast.staff)
    Participant.objects.filter(pk=other.pk).update(erased_at=timezone.now())
    with pytest.raises(RegistryError):
        participants_merge(keep=keep, other=other, by=cast.staff)
    assert Participant.objects.filter(pk=other.pk).exists()


def test_merge_page_shows_both_and_asks_for_each_difference(client, cast, twins):
    keep, other = twins
    client.force_login(cast.staff)
    url = reverse("participants:merge", args=[keep.pk, other.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert_valid_page(response)
    html = response.content.decode()
    assert "eleni.ch@example.org" in html and 'name="take_email"' in html
    assert 'name="take_full_name"' in html and 'name="take_phone"' not in html
    assert "Invitations: 2" in html  # the removed entry's history is shown
    # Without the confirmation nothing happens.
    choices = {"take_email": "other", "take_full_name": "keep", "take_community": "keep"}
    response = client.post(url, choices)
    assert response.status_code == 200 and Participant.objects.filter(pk=other.pk).exists()
    response = client.post(url, {**choices, "confirm": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("participants:detail", args=[keep.pk])
    assert "with all its history" in response.content.decode()
    keep.refresh_from_db()
    assert keep.email == "eleni.ch@example.org"
    assert not Participant.objects.filter(pk=other.pk).exists()
    # The removed entry is gone: its merge page answers 404.
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["facilitator", "observer", "other_facilitator", "outsider"])
def test_only_registry_editors_may_merge(client, cast, twins, role):
    keep, other = twins
    client.force_login(getattr(cast, role))
    url = reverse("participants:merge", args=[keep.pk, other.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "on"}).status_code == 403
    assert Participant.objects.filter(pk=other.pk).exists()


def test_duplicates_page_query_count_does_not_grow_with_pairs(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def pairs(n: int) -> None:
        for i in range(n):
            person(f"Twin {i} Kyriakou", phone=f"+3579900{i:04d}")
            person(f"Twin {i} Kyriakou", phone=f"+3579900{i:04d}")
        duplicates_rescan(by=cast.staff)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("participants:duplicates")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(cast.staff)
    pairs(2)
    few = queries()
    pairs(18)
    assert LikelyDuplicate.objects.count() >= 20
    assert queries() == few
