"""Attendance: who may see and take it, one-tap marking (htmx and plain POST), mark-all,
walk-ins, refusals that write nothing, and a query count that does not grow."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from participants.models import Participant, RiskLevel
from tests import factories
from tests.html import assert_valid_page
from tests.workshops.facilitation.conftest import HX
from workshops.models import Attendance, AttendanceStatus, Invitation, WorkshopStatus

pytestmark = pytest.mark.django_db

TAKERS = ["admin", "staff", "facilitator"]
REFUSED = ["other_facilitator", "observer", "other_staff", "outsider"]


def sheet_url(room, session=None):
    return reverse(
        "workshops:attendance_session", args=[room.workshop.pk, (session or room.morning).pk]
    )


def mark_url(room, session=None):
    return reverse(
        "workshops:attendance_mark", args=[room.workshop.pk, (session or room.morning).pk]
    )


def mark(client, room, person, status="present", session=None, **extra):
    return client.post(
        mark_url(room, session), {"participant": person.pk, "status": status}, **extra
    )


# --- Who may ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, room):
    for url in (
        reverse("workshops:attendance", args=[room.workshop.pk]),
        sheet_url(room),
        reverse("workshops:attendance_walk_in", args=[room.workshop.pk, room.morning.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = mark(client, room, room.people[0])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("role", TAKERS)
def test_staff_facilitator_and_admin_see_the_sheet_of_the_current_session(client, cast, room, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("workshops:attendance", args=[room.workshop.pk]))
    assert response.status_code == 200
    assert_valid_page(response)
    html = response.content.decode()
    assert "Opening circle" in html  # running now: the default
    for person in room.people:
        assert person.full_name in html
    assert "Mehmet Yilmaz" not in html  # invited, never accepted
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", TAKERS)
def test_takers_may_mark(client, cast, room, role):
    client.force_login(getattr(cast, role))
    response = mark(client, room, room.people[0])
    assert response.status_code == 302
    record = Attendance.objects.get()
    assert record.status == AttendanceStatus.PRESENT and record.recorded_by == getattr(cast, role)


@pytest.mark.parametrize("role", REFUSED)
def test_everyone_else_gets_404_and_writes_nothing(client, cast, room, role):
    client.force_login(getattr(cast, role))
    urls = [
        reverse("workshops:attendance", args=[room.workshop.pk]),
        sheet_url(room),
        reverse("workshops:attendance_walk_in", args=[room.workshop.pk, room.morning.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert mark(client, room, room.people[0]).status_code == 404
    mark_all = reverse("workshops:attendance_mark_all", args=[room.workshop.pk, room.morning.pk])
    assert client.post(mark_all).status_code == 404
    walk_in = reverse("workshops:attendance_walk_in", args=[room.workshop.pk, room.morning.pk])
    assert client.post(walk_in, {"participant": room.invited.pk}).status_code == 404
    new = reverse("workshops:attendance_walk_in_new", args=[room.workshop.pk, room.morning.pk])
    data = {"new-full_name": "Nobody", "new-sector": factories.sector().pk}
    assert client.post(new, data).status_code == 404
    assert not Attendance.objects.exists()
    assert not Participant.objects.filter(full_name="Nobody").exists()


def test_the_other_facilitator_takes_attendance_of_their_own_workshop(client, cast, room):
    client.force_login(cast.other_facilitator)
    url = reverse("workshops:attendance", args=[cast.other_workshop.pk])
    assert client.get(url).status_code == 200


def test_a_session_of_another_workshop_is_refused_and_nothing_is_written(client, cast, room):
    client.force_login(cast.staff)  # staff of the program: may see both workshops
    other = room.other_session
    for url in (
        reverse("workshops:attendance_session", args=[room.workshop.pk, other.pk]),
        reverse("workshops:attendance_walk_in", args=[room.workshop.pk, other.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("workshops:attendance_mark", args=[room.workshop.pk, other.pk]),
        {"participant": room.people[0].pk, "status": "present"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("workshops:attendance_mark_all", args=[room.workshop.pk, other.pk])
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="workshop.attendance").exists()


# --- Marking ----------------------------------------------------------------------------------


def test_a_tap_creates_one_row_and_a_second_tap_updates_it(client, cast, room):
    client.force_login(cast.facilitator)
    person = room.people[1]
    mark(client, room, person, "present")
    mark(client, room, person, "absent")
    record = Attendance.objects.get()
    assert record.status == AttendanceStatus.ABSENT and not record.is_walk_in
    assert record.session == room.morning and record.participant == person
    mark(client, room, person, "absent")  # the same again changes nothing
    assert Attendance.objects.count() == 1
    events = AuditEvent.objects.filter(action="workshop.attendance.mark")
    assert events.count() == 2
    assert "Ayşe" not in str(list(events.values_list("data", flat=True)))


def test_htmx_gets_the_row_and_the_counts_back(client, cast, room):
    client.force_login(cast.facilitator)
    response = mark(client, room, room.people[0], "present", **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="attendee-{room.people[0].pk}"' in html and "is-present" in html
    assert 'aria-pressed="true"' in html
    assert 'id="attendance-summary" class="attendance-summary" hx-swap-oob="true"' in html
    assert "1 present" in html and "2 not marked" in html
    assert "no-store" in response["Cache-Control"]


def test_without_javascript_a_tap_redirects_back_to_the_row(client, cast, room):
    client.force_login(cast.facilitator)
    response = mark(client, room, room.people[0], "absent")
    assert response["Location"] == f"{sheet_url(room)}#attendee-{room.people[0].pk}"
    page = client.get(sheet_url(room)).content.decode()
    assert "1 absent" in page and "is-absent" in page


def test_people_not_on_the_list_cannot_be_marked(client, cast, room):
    client.force_login(cast.facilitator)
    stranger = factories.ParticipantFactory()
    for person in (room.invited, stranger):
        assert mark(client, room, person).status_code == 404
    assert (
        client.post(mark_url(room), {"participant": "nope", "status": "present"}).status_code == 404
    )
    assert not Attendance.objects.exists()


def test_an_unknown_status_is_refused(client, cast, room):
    client.force_login(cast.facilitator)
    response = mark(client, room, room.people[0], "maybe", **HX)
    # htmx reloads the sheet, which says why.
    assert response.status_code == 204 and response["HX-Redirect"] == sheet_url(room)
    assert not Attendance.objects.exists()
    assert "Choose present or absent." in client.get(sheet_url(room)).content.decode()


def test_mark_all_marks_only_those_not_yet_marked(client, cast, room):
    client.force_login(cast.facilitator)
    first, second, third = room.people
    mark(client, room, first, "absent")
    url = reverse("workshops:attendance_mark_all", args=[room.workshop.pk, room.morning.pk])
    response = client.post(url, **HX)
    assert response.status_code == 200 and 'id="attendance-sheet"' in response.content.decode()
    statuses = dict(Attendance.objects.values_list("participant__full_name", "status"))
    assert statuses == {
        first.full_name: AttendanceStatus.ABSENT,
        second.full_name: AttendanceStatus.PRESENT,
        third.full_name: AttendanceStatus.PRESENT,
    }
    assert "2 present" in response.content.decode()
    # Nothing left to mark: a second press changes nothing; the afternoon is untouched.
    response = client.post(url, follow=True)
    assert "0 people marked present." in response.content.decode()
    assert Attendance.objects.count() == 3
    assert not Attendance.objects.filter(session=room.afternoon).exists()


# --- Walk-ins ---------------------------------------------------------------------------------


def walk_in_url(room, session=None):
    return reverse(
        "workshops:attendance_walk_in", args=[room.workshop.pk, (session or room.morning).pk]
    )


def test_walk_in_from_the_registry_is_marked_present_without_an_invitation(client, cast, room):
    visitor = factories.ParticipantFactory(full_name="Yiannis Pavlou")
    client.force_login(cast.staff)  # staff search the whole registry
    found = client.get(walk_in_url(room), {"q": "Pavlou"})
    assert found.status_code == 200 and "Yiannis Pavlou" in found.content.decode()
    assert_valid_page(found)
    partial = client.get(walk_in_url(room), {"q": "Pavlou"}, **HX).content.decode()
    assert "<html" not in partial and "Yiannis Pavlou" in partial
    response = client.post(walk_in_url(room), {"participant": visitor.pk})
    assert response["Location"] == f"{sheet_url(room)}#attendee-{visitor.pk}"
    record = Attendance.objects.get(participant=visitor)
    assert record.is_walk_in and record.status == AttendanceStatus.PRESENT
    assert record.session == room.morning
    assert not Invitation.objects.filter(participant=visitor).exists()
    # On every session's sheet from now on, marked as a walk-in; marking them there works.
    afternoon = client.get(sheet_url(room, room.afternoon)).content.decode()
    assert "Yiannis Pavlou" in afternoon and "walk-in" in afternoon
    client.force_login(cast.facilitator)
    mark(client, room, visitor, "absent", session=room.afternoon)
    assert Attendance.objects.get(participant=visitor, session=room.afternoon).is_walk_in


def test_a_facilitator_finds_only_people_they_may_see(client, cast, room):
    factories.ParticipantFactory(full_name="Yiannis Pavlou")
    client.force_login(cast.facilitator)
    html = client.get(walk_in_url(room), {"q": "Yiannis"}).content.decode()
    assert "Yiannis Pavlou" not in html and "Nobody you may see" in html
    # Someone they may not see cannot be added by id either.
    stranger = Participant.objects.get(full_name="Yiannis Pavlou")
    assert client.post(walk_in_url(room), {"participant": stranger.pk}).status_code == 404
    # The invitee who never answered is theirs to see: they may walk in.
    html = client.get(walk_in_url(room), {"q": "Mehmet"}).content.decode()
    assert "Mehmet Yilmaz" in html
    client.post(walk_in_url(room), {"participant": room.invited.pk})
    assert Attendance.objects.get(participant=room.invited).is_walk_in


def test_high_risk_people_appear_by_pseudonym_in_the_search(client, cast, room):
    factories.ParticipantFactory(
        full_name="Hidden Person", organisation="Secret Org", risk_level=RiskLevel.HIGH
    )
    client.force_login(cast.staff)
    html = client.get(walk_in_url(room), {"q": "Hidden"}).content.decode()
    assert "P-" in html and "shown by pseudonym" in html
    assert "Hidden Person" not in html.replace('value="Hidden"', "") and "Secret Org" not in html


def test_people_already_on_the_list_are_not_added_twice(client, cast, room):
    client.force_login(cast.staff)
    html = client.get(walk_in_url(room), {"q": "Andreas"}).content.decode()
    assert "already on the list" in html
    client.post(walk_in_url(room), {"participant": room.people[0].pk})
    record = Attendance.objects.get()
    assert not record.is_walk_in and record.status == AttendanceStatus.PRESENT


def test_walk_in_created_minimally(client, cast, room):
    community = factories.CommunityFactory(name="Maronite")
    cast.program.communities.add(community)
    client.force_login(cast.facilitator)  # facilitators add people at the door too
    url = reverse("workshops:attendance_walk_in_new", args=[room.workshop.pk, room.morning.pk])
    response = client.post(
        url,
        {
            "new-full_name": "Maria Antoniou",
            "new-community": community.pk,
            "new-sector": factories.sector("civil-society").pk,
        },
    )
    person = Participant.objects.get(full_name="Maria Antoniou")
    assert response["Location"] == f"{sheet_url(room)}#attendee-{person.pk}"
    assert person.community == community and person.created_by == cast.facilitator
    record = Attendance.objects.get(participant=person)
    assert record.is_walk_in and record.status == AttendanceStatus.PRESENT
    assert AuditEvent.objects.filter(action="participant.create").exists()


def test_walk_in_form_errors_are_shown_and_nothing_is_written(client, cast, room):
    client.force_login(cast.facilitator)
    url = reverse("workshops:attendance_walk_in_new", args=[room.workshop.pk, room.morning.pk])
    response = client.post(url, {"new-full_name": ""})
    assert response.status_code == 400
    assert_valid_page(response)
    assert "This field is required" in response.content.decode()
    assert not Attendance.objects.exists()


# --- Read-only --------------------------------------------------------------------------------


def test_a_cancelled_workshop_is_read_only(client, cast, room):
    factories.AttendanceFactory(session=room.morning, participant=room.people[0])
    room.workshop.status = WorkshopStatus.CANCELLED
    room.workshop.save()
    client.force_login(cast.facilitator)
    response = client.get(sheet_url(room))
    html = response.content.decode()
    assert response.status_code == 200 and "cancelled" in html
    assert (
        reverse("workshops:attendance_mark", args=[room.workshop.pk, room.morning.pk]) not in html
    )
    assert "Mark the" not in html and "Add a walk-in" not in html
    response = mark(client, room, room.people[1], **HX)
    assert response["HX-Redirect"] == sheet_url(room)
    response = client.post(
        reverse("workshops:attendance_mark_all", args=[room.workshop.pk, room.morning.pk]),
        follow=True,
    )
    assert "can no longer be changed" in response.content.decode()
    client.post(walk_in_url(room), {"participant": room.invited.pk})
    assert Attendance.objects.count() == 1


def test_a_workshop_without_sessions_says_how_to_get_some(client, cast):
    client.force_login(cast.facilitator)
    response = client.get(reverse("workshops:attendance", args=[cast.workshop.pk]))
    assert response.status_code == 200 and "no sessions yet" in response.content.decode()
    assert_valid_page(response)


def test_the_sheet_query_count_does_not_grow_with_people(
    client, cast, room, django_assert_max_num_queries
):
    client.force_login(cast.facilitator)
    with django_assert_max_num_queries(30) as small:
        short = client.get(sheet_url(room))
    assert 'id="attendance-filter"' not in short.content.decode()
    for n in range(30):
        person = factories.ParticipantFactory()
        factories.InvitationFactory(workshop=room.workshop, participant=person, status="accepted")
        if n % 2:
            factories.AttendanceFactory(session=room.morning, participant=person)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(sheet_url(room))
    assert len(response.context["rows"]) == 33
    # A long list gets a name filter (shown by static/js/attendance.js); a short one not.
    assert 'id="attendance-filter"' in response.content.decode()
