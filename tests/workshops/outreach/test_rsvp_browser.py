"""The RSVP page on a 375-px phone, in English and in Arabic (right to left)."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from participants.models import Language
from tests import factories
from workshops.models import InvitationStatus
from workshops.outreach import links

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}


def _invitation(workshop, language: str = ""):
    if language:
        Language.objects.get_or_create(code=language, defaults={"name": language, "is_rtl": True})
    person = factories.ParticipantFactory(preferred_language_id=language or None)
    return factories.InvitationFactory(
        workshop=workshop,
        participant=person,
        status=InvitationStatus.INVITED,
        sent_at=timezone.now(),
    )


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width}px)"


@pytest.mark.parametrize("language", ["", "ar"])
def test_a_participant_accepts_on_a_phone(page, live_server, cast, screenshot, language):
    workshop = cast.workshop
    workshop.venue_name = "Ledra Palace Hotel"
    workshop.venue_address = "Markou Drakou"
    workshop.venue_city = "Nicosia"
    workshop.venue_country = "CY"
    workshop.save()
    invitation = _invitation(workshop, language)
    name = language or "en"
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + reverse("rsvp", args=[links.rsvp_token(invitation)]))
    html = page.locator("html")
    assert html.get_attribute("lang") == name
    assert html.get_attribute("dir") == ("rtl" if language else "ltr")
    with translation.override(name):  # the page speaks the participant's language
        said = {
            text: translation.gettext(text)
            for text in (
                "Your invitation",
                "Yes, I will attend",
                "Dietary needs",
                "Send my answer",
                "Thank you: your place is confirmed",
            )
        }
    if language:
        assert said["Your invitation"] != "Your invitation", "the Arabic catalogue is missing"
    page.get_by_role("heading", name=said["Your invitation"]).wait_for()
    _fits_the_phone(page)
    screenshot(f"rsvp-phone-{name}")

    page.get_by_text(said["Yes, I will attend"]).click()
    page.get_by_label(said["Dietary needs"]).fill("Vegetarian")
    page.get_by_role("button", name=said["Send my answer"]).click()

    page.get_by_role("heading", name=said["Thank you: your place is confirmed"]).wait_for()
    assert "/answered/" in page.url
    assert "Ledra Palace Hotel" in page.get_by_test_id("venue").inner_text()
    assert "Vegetarian" in page.content()
    _fits_the_phone(page)
    screenshot(f"rsvp-phone-{name}-accepted")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.dietary == "Vegetarian"
