"""Taking attendance on a phone: 375 px wide, taps only, no horizontal scroll."""

import pytest

from tests import factories
from tests.conftest import new_page
from tests.core.test_browser import sign_in
from workshops.models import Attendance, AttendanceStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_facilitator_takes_attendance_on_a_phone(browser, live_server, cast, room, screenshot):
    greek = factories.CommunityFactory(name="Greek Cypriot", slug="greek-cy", colour="#1f77b4")
    long_name = factories.ParticipantFactory(
        full_name="Konstantinos Papachristodoulou-Hadjimichael",
        native_name="Κωνσταντίνος Παπαχριστοδούλου-Χατζημιχαήλ",
        community=greek,
    )
    factories.InvitationFactory(workshop=room.workshop, participant=long_name, status="accepted")
    visitor = factories.ParticipantFactory(full_name="Yiannis Pavlou", community=greek)
    factories.InvitationFactory(workshop=cast.other_workshop, participant=visitor)
    cast.other_workshop.facilitators.add(cast.facilitator)  # so the facilitator may see him
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = new_page(context)
    try:
        sign_in(page, live_server, "facilitator-user")
        page.get_by_role("heading", name="You facilitate today").wait_for()
        screenshot("attendance-home-phone", of=page)
        page.get_by_role("link", name="Take attendance").click()
        page.get_by_role("heading", name="Attendance").wait_for()
        assert "Opening circle" in page.locator(".attendance-current").inner_text()

        andreas, ayse, eleni = room.people
        page.get_by_role("button", name=f"Present: {andreas.full_name}").tap()
        page.locator(f"#attendee-{andreas.pk}.is-present").wait_for()
        page.locator(f"#attendee-{ayse.pk}").get_by_role("button", name="Absent").tap()
        page.locator(f"#attendee-{ayse.pk}.is-absent").wait_for()
        page.get_by_text("1 absent", exact=True).wait_for()
        page.get_by_text("2 not marked", exact=True).wait_for()
        assert no_horizontal_scroll(page)
        screenshot("attendance-sheet-phone", of=page)

        page.get_by_role("button", name="Mark the 2 not marked present").tap()
        page.locator(f"#attendee-{eleni.pk}.is-present").wait_for()
        page.get_by_text("3 present", exact=True).wait_for()

        page.get_by_role("link", name="Add a walk-in").tap()
        page.get_by_label("Name, organisation or email").fill("Pavlou")
        page.get_by_role("button", name="Add: Yiannis Pavlou").wait_for()
        assert no_horizontal_scroll(page)
        screenshot("attendance-walk-in-phone", of=page)
        page.get_by_role("button", name="Add: Yiannis Pavlou").tap()
        page.locator(f"#attendee-{visitor.pk}.is-present").wait_for()
        assert "walk-in" in page.locator(f"#attendee-{visitor.pk}").inner_text()
        assert no_horizontal_scroll(page)
        screenshot("attendance-after-walk-in-phone", of=page)

        page.get_by_role("button", name="Toggle navigation").tap()
        page.get_by_role("link", name="My workshops").tap()
        page.get_by_role("heading", name="Today").wait_for()
        assert no_horizontal_scroll(page)
        screenshot("my-workshops-phone", of=page)
    finally:
        context.close()
    statuses = dict(
        Attendance.objects.filter(session=room.morning).values_list("participant_id", "status")
    )
    assert statuses == {
        andreas.pk: AttendanceStatus.PRESENT,
        ayse.pk: AttendanceStatus.ABSENT,
        eleni.pk: AttendanceStatus.PRESENT,
        long_name.pk: AttendanceStatus.PRESENT,
        visitor.pk: AttendanceStatus.PRESENT,
    }
