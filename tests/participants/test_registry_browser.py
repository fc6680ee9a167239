"""Adding a person in a real browser: possible duplicates appear while typing."""

import pytest
from django.urls import reverse

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
