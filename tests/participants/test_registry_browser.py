"""Adding a person in a real browser: possible duplicates appear while typing."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from participants.models import Participant
from tests import factories
from tests.core.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_add_a_person_after_checking_a_possible_duplicate(
    page, live_server, cast, screenshot
):
    factories.ParticipantFactory(
        full_name="Andreas Charalambous",
        native_name="Ανδρέας Χαραλάμπους",
        email="andreas@example.org",
        community=factories.CommunityFactory(name="Greek Cypriot", slug="greek-cypriot"),
    )
    sign_in(page, live_server, "staff-user")
    page.goto(f"{live_server.url}{reverse('participants:create')}")
    page.locator("#id_full_name").fill("Andreas Charalambus")
    page.locator("#id_email").fill("andreas.ch@example.org")
    page.locator("#id_sector").select_option(label="Academic")
    warning = page.get_by_text("Possible duplicates already in the registry")
    warning.wait_for()  # htmx asked the server while the name was typed
    assert "Ανδρέας Χαραλάμπους" in page.locator("#lookalikes").inner_text()
    screenshot("participant-create-lookalikes")

    page.get_by_role("button", name="Add participant").click()
    page.get_by_text("may already be in the registry").wait_for()
    assert Participant.objects.count() == 1
    page.get_by_label("this is a different person").check()
    page.get_by_role("button", name="Add participant").click()
    page.get_by_role("heading", name="Andreas Charalambus").wait_for()
    assert Participant.objects.count() == 2
    screenshot("participant-detail")


def test_staff_find_and_merge_a_duplicate(page, live_server, cast, screenshot):
    community = factories.CommunityFactory(name="Palestinian", slug="palestinian")
    kept = factories.ParticipantFactory(
        full_name="Abdel Aziz Haddad",
        email="aziz@example.org",
        organisation="Birzeit University",
        community=community,
    )
    gone = factories.ParticipantFactory(
        full_name="Abdelaziz Hadad",
        native_name="عبد العزيز حداد",
        email="",
        phone="+970599111222",
        organisation="Birzeit University",
        position="Professor of history",
        community=community,
    )
    factories.InvitationFactory(workshop=cast.workshop, participant=gone)
    sign_in(page, live_server, "staff-user")
    page.goto(f"{live_server.url}{reverse('participants:list')}")
    page.get_by_role("link", name="Likely duplicates").click()
    page.get_by_role("button", name="Scan now").click()
    page.get_by_text("Scan finished: 1 likely duplicate.").wait_for()
    # The message tops the new page; the list under it may be parsed a moment later.
    expect(page.locator("main")).to_contain_text("similar names", use_inner_text=True)
    screenshot("participant-duplicates")

    page.get_by_role("link", name="Compare and merge").click()
    page.get_by_role("heading", name="Merge two entries").wait_for()
    page.get_by_label("Abdelaziz Hadad").check()  # the spelling the person uses
    page.get_by_label("these two entries are the same person").check()
    screenshot("participant-merge")
    page.get_by_role("button", name=f"Merge #{gone.pk} into #{kept.pk}").click()
    page.get_by_text("with all its history").wait_for()
    kept.refresh_from_db()
    assert kept.full_name == "Abdelaziz Hadad" and kept.native_name == "عبد العزيز حداد"
    assert kept.email == "aziz@example.org" and kept.invitations.count() == 1
    assert not Participant.objects.filter(pk=gone.pk).exists()
