"""Journey b: staff send an invitation, it arrives at a real SMTP server, and the participant
opens the RSVP link from that email and accepts.

The outbox is drained in this process, as a worker would (``claim_due`` then ``send_batch``),
through Django's SMTP backend to aiosmtpd on 127.0.0.1: the link the participant follows is
the one in the delivered message. Every page passes axe.
"""

import re

import pytest

from tests import factories
from tests.accessibility import assert_accessible, tab_to
from tests.core.test_browser import sign_in
from tests.workshops.outreach.smtp import SMTPServer
from workshops.models import Invitation, InvitationStatus, MessageStatus, ScheduledMessage
from workshops.outreach import outbox, scheduling

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def smtp(settings):
    """A real SMTP server that this process's Django sends through."""
    server = SMTPServer().start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    yield server
    server.stop()


def test_a_participant_accepts_from_the_emailed_link(
    page, live_server, cast, smtp, settings, monkeypatch
):
    settings.SITE_URL = live_server.url  # the link in the email opens this server
    # No broker from the live server: the test plays the worker below.
    monkeypatch.setattr(scheduling, "wake_dispatcher", lambda: None)
    workshop = cast.workshop
    workshop.title = "Nicosia living-room dialogue"
    workshop.venue_name = "Home for Cooperation"
    workshop.venue_city = "Nicosia"
    workshop.save()
    eleni = factories.ParticipantFactory(full_name="Eleni Charalambous", email="eleni@example.org")
    factories.InvitationFactory(workshop=workshop, participant=eleni)

    sign_in(page, live_server, "staff-user")
    page.goto(f"{live_server.url}{workshop.get_absolute_url()}")
    page.get_by_role("link", name="Send invitations").click()
    page.get_by_role("heading", name="Send invitations").wait_for()
    page.frame_locator("iframe.outreach-preview-frame").get_by_text(
        "Dear Eleni Charalambous,"
    ).wait_for()
    assert_accessible(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-send-button]").click()
    page.get_by_role("heading", name="Messages", exact=True).wait_for()
    assert "1 invitation scheduled" in page.locator(".messages").inner_text()
    assert_accessible(page)

    # The worker's part: claim what is due and send it through SMTP.
    ids = outbox.claim_due()
    assert outbox.send_batch(ids).sent == 1
    assert ScheduledMessage.objects.get().status == MessageStatus.SENT
    [received] = smtp.received
    assert received.to == ["eleni@example.org"]
    assert "Nicosia living-room dialogue" in received.subject
    text = received.text_of("text/plain")
    links = re.findall(rf"{re.escape(live_server.url)}/\S+", text)
    assert links, text
    link = links[0].rstrip(".,)>")

    # The participant, with no account, follows the link.
    page.context.clear_cookies()
    page.goto(link)
    page.get_by_role("heading", name="Your invitation").wait_for()
    assert "Home for Cooperation" in page.content()
    assert_accessible(page)
    # By keyboard: the answer, the dietary needs, then Enter on the button.
    tab_to(page, page.get_by_label("Yes, I will attend"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Dietary needs"))
    page.keyboard.type("Vegetarian")
    tab_to(page, page.get_by_role("button", name="Send my answer"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Thank you: your place is confirmed").wait_for()
    assert_accessible(page)

    invitation = Invitation.objects.get(participant=eleni)
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.dietary == "Vegetarian"
