"""Journey c: a facilitator on a 375-px phone takes attendance, then writes a Chatham House
note about the session. Every page passes axe at that width, and nothing scrolls sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.accessibility import assert_accessible, tab_to
from tests.core.test_browser import sign_in
from workshops.models import Attendance, AttendanceStatus, InvitationStatus, NoteLevel, SessionNote

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width}px)"


def check(page) -> None:
    fits_the_phone(page)
    assert_accessible(page)


def test_a_facilitator_takes_attendance_and_writes_a_chatham_house_note_on_a_phone(
    page, live_server, cast
):
    now = timezone.now()
    workshop = cast.workshop
    workshop.starts_at = now - timedelta(hours=2)
    workshop.ends_at = now + timedelta(hours=8)
    workshop.chatham_house = True
    workshop.save()
    session = factories.SessionFactory(
        workshop=workshop, title="Opening circle", starts_at=now - timedelta(hours=1)
    )
    greek = factories.CommunityFactory(name="Greek Cypriot", slug="gc", colour="#1f77b4")
    turkish = factories.CommunityFactory(name="Turkish Cypriot", slug="tc", colour="#d62728")
    andreas, ayse, eleni = (
        factories.ParticipantFactory(full_name=name, community=community)
        for name, community in [
            ("Andreas Georgiou", greek),
            ("Ayşe Demir", turkish),
            ("Eleni Charalambous", greek),
        ]
    )
    for person in (andreas, ayse, eleni):
        factories.InvitationFactory(
            workshop=workshop, participant=person, status=InvitationStatus.ACCEPTED
        )
    page.set_viewport_size(PHONE)

    sign_in(page, live_server, "facilitator-user")
    page.get_by_role("heading", name="You facilitate today").wait_for()
    check(page)

    page.get_by_role("link", name="Take attendance").click()
    page.get_by_role("heading", name="Attendance").wait_for()
    check(page)
    page.get_by_role("button", name=f"Present: {andreas.full_name}").click()
    page.locator(f"#attendee-{andreas.pk}.is-present").wait_for()
    # With a keyboard too: htmx replaces the row and gives the focus back to the button.
    tab_to(page, page.get_by_role("button", name=f"Absent: {ayse.full_name}"))
    page.keyboard.press("Space")
    page.locator(f"#attendee-{ayse.pk}.is-absent").wait_for()
    # Poll for the focus rather than read it once: where htmx puts it back, and when, is its
    # own business (the agenda's focus moves on afterSettle, after its swap).
    expect(page.locator(f"#attendee-{ayse.pk}-absent")).to_be_focused()
    page.get_by_role("button", name="Mark the 1 not marked present").click()
    page.locator(f"#attendee-{eleni.pk}.is-present").wait_for()
    page.get_by_text("2 present", exact=True).wait_for()
    # The state is said, not only coloured: pressed buttons and written counts.
    present = page.get_by_role("button", name=f"Present: {andreas.full_name}")
    assert present.get_attribute("aria-pressed") == "true"
    assert page.get_by_text("1 absent", exact=True).is_visible()
    check(page)
    marks = dict(Attendance.objects.filter(session=session).values_list("participant", "status"))
    assert marks == {
        andreas.pk: AttendanceStatus.PRESENT,
        ayse.pk: AttendanceStatus.ABSENT,
        eleni.pk: AttendanceStatus.PRESENT,
    }

    # The note: from the workshop's notes, a new Chatham House note on this session.
    page.goto(f"{live_server.url}/workshops/{workshop.pk}/notes/")
    page.get_by_role("heading", name="Session notes").wait_for()
    check(page)
    page.get_by_role("link", name="New note").first.click()
    page.get_by_role("heading", name="New note").wait_for()
    assert page.get_by_label("Chatham House", exact=True).is_checked()  # the workshop's rule
    check(page)
    page.locator("#id_title").fill("Fears and needs around the crossings")
    page.get_by_label("Session").select_option(label="Opening circle")
    page.locator("#id_body").fill(
        "One participant said the crossings changed how their family talks about the past.\n\n"
        "- The group agreed to share stories, not positions."
    )
    page.get_by_role("button", name="Save note").click()
    page.get_by_role("heading", name="Fears and needs around the crossings").wait_for()
    check(page)

    note = SessionNote.objects.get()
    assert note.chatham_house and note.session == session
    assert note.author == cast.facilitator and note.level == NoteLevel.TEAM
    expect(page.locator(".note-body")).to_contain_text(
        "stories, not positions", use_inner_text=True
    )
