"""The Chatham House name check: whole names and family names of the workshop's invitees
and attendees, in Latin and Arabic (and Hebrew) script, folded so spelling variants match."""

import pytest
from django.urls import reverse

from participants.models import Participant
from tests import factories
from workshops.models import SessionNote
from workshops.notes.names import find_mentions, fold, mentions_in

pytestmark = pytest.mark.django_db

PEOPLE = [
    Participant(pk=1, full_name="Layla Haddad", native_name="ليلى حدّاد"),
    Participant(pk=2, full_name="Maria Green"),
    Participant(pk=3, full_name="Yossi Cohen", native_name="יוסי כהן"),
    Participant(pk=4, full_name="Fatima Al-Khatib", native_name="فاطمة الخطيب"),
    Participant(pk=5, full_name="Kostas Ioannou", native_name="Κώστας Ιωάννου"),
]


def found(text: str) -> dict[int, list[str]]:
    return {m.pk: m.found for m in find_mentions(text, PEOPLE)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Layla Haddad spoke first.", {1: ["Layla Haddad"]}),
        ("layla  HADDAD, then silence", {1: ["layla HADDAD"]}),
        ("As Haddad put it", {1: ["Haddad"]}),
        ("Green said the line must open.", {2: ["Green"]}),
        ("Mrs Al-Khatib asked for time.", {4: ["Khatib"]}),
        ("Κώστας Ιωάννου", {5: ["Κώστας Ιωάννου"]}),
        ("κωστας ιωαννου", {5: ["κωστας ιωαννου"]}),  # no accents, lower case
    ],
)
def test_latin_and_greek_names(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "قالت ليلى حدّاد إن",  # as registered, with shadda
        "قالت ليلي حداد إن",  # alef maqsura written as yeh, no shadda
        "قالت لَيْلَى حَدَّاد",  # full vocalisation
        "وليلى حداد قالت",  # "and" joined to the name
        "قالت ليلـى حـداد",  # tatweel
    ],
)
def test_arabic_whole_names_match_through_spelling_variants(text):
    assert list(found(text)) == [1]


def test_arabic_family_name_alone_and_ta_marbuta_and_hamza():
    assert list(found("رأي الخطيب واضح")) == [4]
    # ta marbuta written as heh, alef with hamza written bare: still Fatima Al-Khatib.
    assert list(found("فاطمه الخطيب")) == [4]
    assert fold("أحمد") == fold("احمد") == fold("إحمد")
    assert fold("مدرسة") == fold("مدرسه")


def test_hebrew_names():
    assert list(found("דיברנו עם יוסי כהן")) == [3]
    assert list(found("וכהן אמר")) == [3]


@pytest.mark.parametrize(
    "text",
    [
        "We walked along the green line.",  # a family name as a lower-case word
        "Layla spoke first.",  # given names alone are not checked
        "Haddadin is another family.",  # whole words only
        "Peace and salam.",
        "",
    ],
)
def test_no_false_alarm(text):
    assert found(text) == {}


def test_whole_name_is_listed_once_even_with_its_family_name():
    assert found("Layla Haddad said so, and Haddad repeated it.") == {1: ["Layla Haddad", "Haddad"]}


def test_the_workshop_participants_are_invitees_and_attendees_not_others(cast):
    invitee = factories.InvitationFactory(
        workshop=cast.workshop, participant__full_name="Layla Haddad"
    ).participant
    walk_in = factories.AttendanceFactory(
        session=factories.SessionFactory(workshop=cast.workshop),
        participant__full_name="Omar Nasser",
    ).participant
    factories.ParticipantFactory(full_name="Eleni Georgiou")  # in the registry only
    factories.InvitationFactory(
        workshop=cast.other_workshop, participant__full_name="Andreas Petrou"
    )
    text = "Layla Haddad, Omar Nasser, Eleni Georgiou and Andreas Petrou."
    assert {m.pk for m in mentions_in(cast.workshop, text)} == {invitee.pk, walk_in.pk}


# --- The editor ---------------------------------------------------------------------------------


@pytest.fixture
def invitees(cast):
    return [
        factories.InvitationFactory(
            workshop=cast.workshop, participant__full_name=name, participant__native_name=native
        ).participant
        for name, native in [("Layla Haddad", "ليلى حدّاد"), ("Andreas Petrou", "Ανδρέας Πέτρου")]
    ]


def post_note(client, cast, **data):
    fields = {
        "title": "Fears and needs",
        "body": "The group agreed not to rank suffering.",
        "level": "team",
        "chatham_house": "on",
    }
    fields.update(data)
    return client.post(reverse("workshops:note_create", args=[cast.workshop.pk]), fields)


@pytest.mark.parametrize(
    "body",
    ["Layla Haddad asked that the data be shared.", "طلبت ليلى حداد أن تُشارك البيانات."],
    ids=["latin", "arabic"],
)
def test_a_chatham_house_note_naming_a_participant_is_refused_once_with_the_names(
    client, cast, invitees, body
):
    client.force_login(cast.facilitator)
    response = post_note(client, cast, body=body)
    assert response.status_code == 400
    html = response.content.decode()
    assert "this Chatham House note names participants of the workshop" in html
    assert "Layla Haddad" in html and "ليلى حدّاد" in html  # both spellings shown
    assert "Andreas Petrou" not in html
    assert f'name="acknowledged" value="{invitees[0].pk}"' in html
    assert not SessionNote.objects.exists()
    # "Save anyway", confirming the names shown: saved.
    response = post_note(client, cast, body=body, save_anyway="on", acknowledged=invitees[0].pk)
    assert response.status_code == 302
    note = SessionNote.objects.get()
    from core.models import AuditEvent

    event = AuditEvent.objects.get(action="note.create")
    assert event.data["names_acknowledged"] == 1
    assert "Layla" not in str(event.data)
    assert note.body == body


def test_a_name_added_after_the_confirmation_warns_again(client, cast, invitees):
    client.force_login(cast.facilitator)
    body = "Layla Haddad and Andreas Petrou disagreed."
    response = post_note(client, cast, body=body, save_anyway="on", acknowledged=invitees[0].pk)
    assert response.status_code == 400
    assert "Andreas Petrou" in response.content.decode()
    assert not SessionNote.objects.exists()


def test_an_attributable_note_may_name_people(client, cast, invitees):
    client.force_login(cast.facilitator)
    response = post_note(client, cast, body="Layla Haddad will host.", chatham_house="")
    assert response.status_code == 302


def test_the_title_is_checked_too(client, cast, invitees):
    client.force_login(cast.facilitator)
    response = post_note(client, cast, title="Talk with Πέτρου")
    assert response.status_code == 400 and "Andreas Petrou" in response.content.decode()


def test_the_live_check_while_typing(client, cast, invitees):
    client.force_login(cast.facilitator)
    url = reverse("workshops:note_names", args=[cast.workshop.pk])
    response = client.post(url, {"body": "قال حداد", "chatham_house": "on"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Layla Haddad" in html and "“<bdi>حداد</bdi>”" in html
    response = client.post(url, {"body": "قال حداد"}, HTTP_HX_REQUEST="true")
    assert "Layla Haddad" not in response.content.decode()
    response = client.post(url, {"body": "Nothing here", "chatham_house": "on"})
    assert "No participant" in response.content.decode()


@pytest.mark.parametrize("role", ["observer", "other_staff", "program_facilitator"])
def test_the_live_check_is_only_for_writers(as_role, cast, invitees, role):
    url = reverse("workshops:note_names", args=[cast.workshop.pk])
    response = as_role(role).post(url, {"body": "Layla Haddad", "chatham_house": "on"})
    assert response.status_code == 404
