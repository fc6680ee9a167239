"""Planning in a real browser: a program, a workshop with an agenda, a balanced delegation."""

import pytest
from playwright.sync_api import expect

from dialogues.models import Program
from tests import factories
from tests.core.test_browser import sign_in
from workshops.models import Invitation, Session, Workshop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_plan_a_program_workshop_agenda_and_delegation(page, live_server, cast, screenshot):
    turkish = factories.cyprus_registry().turkish
    factories.ParticipantFactory(
        full_name="Hasan Demir",
        community=turkish,
        do_not_contact=True,
        do_not_contact_reason="asked us",
    )
    sign_in(page, live_server, "staff-user")

    page.get_by_role("link", name="Programs").first.click()
    page.get_by_role("link", name="New program").click()
    page.get_by_label("Name").fill("Cyprus youth dialogue 2027")
    page.get_by_label("Greek Cypriot").check()
    page.get_by_label("Turkish Cypriot").check()
    page.get_by_label("Religious").check()
    page.get_by_label("Starts").fill("2027-01-10")
    page.get_by_role("button", name="Create program").click()
    page.get_by_role("heading", name="Cyprus youth dialogue 2027").wait_for()
    program = Program.objects.get(name="Cyprus youth dialogue 2027")

    page.get_by_role("link", name="New workshop").click()
    page.get_by_label("Title").fill("Nicosia living-room dialogue")
    page.get_by_label("Capacity").fill("4")
    page.get_by_label("Starts (venue time)").fill("2027-03-05T09:00")
    page.get_by_label("Ends (venue time)").fill("2027-03-06T17:00")
    page.get_by_label("Venue time zone").select_option("Asia/Nicosia")
    page.get_by_label("City", exact=True).fill("Nicosia")
    screenshot("workshop-form")
    page.get_by_role("button", name="Create workshop").click()
    page.get_by_role("heading", name="Nicosia living-room dialogue").wait_for()
    workshop = Workshop.objects.get(program=program)

    agenda = page.locator("#agenda")
    agenda.get_by_label("Title").fill("Opening circle")
    agenda.get_by_label("Starts").fill("2027-03-05T09:00")
    agenda.get_by_label("Ends").fill("2027-03-05T10:30")
    agenda.get_by_role("button", name="Add session").click()
    page.locator("#agenda li", has_text="Opening circle").wait_for()
    agenda = page.locator("#agenda")
    agenda.get_by_label("Title").fill("Shared stories")
    agenda.get_by_label("Starts").fill("2027-03-05T10:00")
    agenda.get_by_label("Ends").fill("2027-03-05T12:00")
    agenda.get_by_role("button", name="Add session").click()
    page.get_by_text("This overlaps “Opening circle”").wait_for()  # htmx kept the form
    page.locator("#agenda").get_by_label("Starts").fill("2027-03-05T11:00")
    page.locator("#agenda").get_by_role("button", name="Add session").click()
    page.locator("#agenda li", has_text="Shared stories").wait_for()
    assert Session.objects.filter(workshop=workshop).count() == 2
    screenshot("workshop-detail")

    page.get_by_role("link", name="Build delegation").click()
    page.get_by_text("Marked do not contact: asked us.").wait_for()
    for name in ("Eleni Charalambous", "Andreas Georgiou", "Maria Ioannou", "Mehmet Yilmaz"):
        page.get_by_label(f"Select {name}").check()
    page.get_by_role("button", name="Add selected to the invite list").click()
    page.get_by_text("4 people added to the invite list.").wait_for()
    # The message is at the top of the new page; the balance panel is parsed after the
    # registry's table, maybe a moment later: wait for it rather than read it once.
    expect(page.locator("#balance")).to_contain_text(
        "Communities are unbalanced", use_inner_text=True
    )
    screenshot("delegation-unbalanced")
    page.get_by_label("Select Ayşe Kaya").check()
    page.get_by_role("button", name="Add selected to the invite list").click()
    page.get_by_text("1 person went to the waitlist").wait_for()
    page.get_by_role("button", name="Remove Maria Ioannou").click()
    page.get_by_text("Ayşe Kaya moved up from the waitlist.").wait_for()
    expect(page.get_by_test_id("balance-ok")).to_be_visible()
    assert Invitation.objects.filter(workshop=workshop, status="draft").count() == 4
    screenshot("delegation-balanced")
