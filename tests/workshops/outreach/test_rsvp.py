"""The participant's RSVP page: personal links, answers, capacity, language, bad input."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from participants.models import Language
from tests import factories
from tests.html import assert_valid_page
from workshops.models import (
    InvitationStatus,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
    WorkshopStatus,
)
from workshops.outreach import links, scheduling

pytestmark = pytest.mark.django_db

NOT_VALID = "This link is not valid"


def invite(workshop, language: str = "", **participant):
    """An invitation that went out, as the outbox leaves it."""
    if language:
        Language.objects.get_or_create(code=language, defaults={"name": language})
        participant["preferred_language_id"] = language
    person = factories.ParticipantFactory(**participant)
    return factories.InvitationFactory(
        workshop=workshop,
        participant=person,
        status=InvitationStatus.INVITED,
        sent_at=timezone.now(),
    )


def link_token(invitation) -> str:
    """The link's token, made once per invitation: a token carries the second it was signed
    in, so two made on either side of a second differ."""
    if not hasattr(invitation, "_test_token"):
        invitation._test_token = links.rsvp_token(invitation)
    return invitation._test_token


def url(invitation) -> str:
    return reverse("rsvp", args=[link_token(invitation)])


def answered_url(invitation) -> str:
    return reverse("rsvp_answered", args=[link_token(invitation)])


def answer(client, invitation, choice: str = "accept", **fields):
    return client.post(url(invitation), {"answer": choice, **fields})


def assert_private(response, form: bool = False) -> None:
    """Not cached, not indexed, the URL (and its token) passed on to no one: a page with a
    form (the answer, the language switcher) says same-origin, because under no-referrer
    browsers post it with "Origin: null" and the CSRF check refuses it (the browser test
    shows it)."""
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == ("same-origin" if form else "no-referrer")


def statuses(*invitations) -> list[str]:
    for invitation in invitations:
        invitation.refresh_from_db()
    return [invitation.status for invitation in invitations]


def reminders(invitation, status=MessageStatus.PENDING):
    return ScheduledMessage.objects.filter(
        invitation=invitation, kind=MessageKind.REMINDER, status=status
    )


@pytest.fixture
def workshop(cast):
    cast.workshop.venue_name = "Ledra Palace"
    cast.workshop.venue_city = "Nicosia"
    cast.workshop.save()
    return cast.workshop


@pytest.fixture
def invitation(workshop):
    return invite(workshop)


# --- The page ---------------------------------------------------------------------------------


def test_the_page_shows_the_workshop_and_a_form(client, invitation, workshop):
    response = client.get(url(invitation))
    assert response.status_code == 200
    assert_valid_page(response)
    assert_private(response, form=True)
    body = response.content.decode()
    assert workshop.title in body
    assert "Asia/Nicosia" in body  # dates in the venue's time zone
    assert "Ledra Palace" in body
    assert "You have not answered yet." in body
    assert 'name="answer"' in body and 'name="csrfmiddlewaretoken"' in body
    for name in ("note", "dietary", "accessibility", "interpretation", "other_needs"):
        assert f'name="{name}"' in body
    # Standalone: no staff navigation, no user menu, no link into the staff pages.
    assert "Log out" not in body and 'href="/"' not in body and "/workshops/" not in body


def test_the_form_is_filled_with_the_last_answer(client, invitation):
    invitation.status = InvitationStatus.ACCEPTED
    invitation.dietary = "Vegetarian"
    invitation.response_note = "Arriving late on Friday"
    invitation.needs = "Visa letter"
    invitation.save()
    response = client.get(url(invitation))
    form = response.context["form"]
    assert form.initial["answer"] == "accept"
    body = response.content.decode()
    assert re.search(r'<input type="radio"[^>]*value="accept"\s*checked', body)
    assert 'value="Vegetarian"' in body
    assert "Arriving late on Friday</textarea>" in body
    assert "Visa letter</textarea>" in body
    assert "You are attending" in body


def test_accepting_confirms_the_place_and_schedules_reminders(client, invitation, workshop):
    response = answer(client, invitation, dietary="Halal", note="Looking forward")
    answered = answered_url(invitation)
    assert response.status_code == 302 and response["Location"] == answered
    assert_private(response)
    assert statuses(invitation) == [InvitationStatus.ACCEPTED]
    assert invitation.dietary == "Halal" and invitation.response_note == "Looking forward"
    assert invitation.responded_at is not None
    assert {m.dedupe_key for m in reminders(invitation)} == {
        f"reminder:{invitation.pk}:7d",
        f"reminder:{invitation.pk}:1d",
    }
    page = client.get(answered)
    assert page.status_code == 200
    assert_valid_page(page)
    assert_private(page, form=True)  # the language switcher
    body = page.content.decode()
    assert "your place is confirmed" in body
    assert "Ledra Palace" in body and "Halal" in body
    assert f'href="{url(invitation)}"' in body  # change the answer
    event = AuditEvent.objects.get(action="invitation.rsvp")
    assert event.data == {"status": "accepted", "previous": "invited"}
    assert "Looking forward" not in str(event.data)


def test_declining_thanks_them_and_cancels_reminders(client, invitation):
    answer(client, invitation)
    assert reminders(invitation).count() == 2
    response = answer(client, invitation, "decline", note="Sorry, a family wedding")
    assert statuses(invitation) == [InvitationStatus.DECLINED]
    assert reminders(invitation).count() == 0
    assert reminders(invitation, MessageStatus.CANCELLED).count() == 2
    body = client.get(response["Location"]).content.decode()
    assert "Thank you for letting us know" in body
    assert "same link" in body and "until the workshop ends" in body
    assert "Sorry, a family wedding" in body


def test_changing_ones_mind_after_declining_brings_the_reminders_back(client, invitation):
    answer(client, invitation)
    answer(client, invitation, "decline")
    answer(client, invitation, "accept")
    assert statuses(invitation) == [InvitationStatus.ACCEPTED]
    assert reminders(invitation).count() == 2


def test_the_confirmation_of_someone_who_has_not_answered_is_the_form(client, invitation):
    answered = answered_url(invitation)
    response = client.get(answered)
    assert response.status_code == 302 and response["Location"] == url(invitation)


def test_changing_needs_only_keeps_the_answer(client, invitation):
    answer(client, invitation)
    answer(client, invitation, accessibility="Step-free access")
    assert statuses(invitation) == [InvitationStatus.ACCEPTED]
    assert invitation.accessibility == "Step-free access"
    assert reminders(invitation).count() == 2


# --- Capacity ---------------------------------------------------------------------------------


@pytest.fixture
def full_house(workshop):
    workshop.capacity = 2
    workshop.save()
    return [invite(workshop) for _ in range(4)]


def test_past_capacity_an_acceptance_joins_the_waitlist(client, full_house):
    first, second, third, _ = full_house
    answer(client, first)
    answer(client, second)
    response = answer(client, third, dietary="Kosher")
    assert statuses(first, second, third) == ["accepted", "accepted", "waitlisted"]
    assert reminders(third).count() == 0
    body = client.get(response["Location"]).content.decode()
    assert "You are on the waitlist" in body
    assert "If a place opens for you, we will tell you by email." in body
    # In an open program the waitlisted see the venue too.
    assert "Ledra Palace" in body
    form = client.get(url(third)).content.decode()
    assert "You are on the waitlist" in form


def test_a_decline_gives_the_place_to_the_first_waitlisted(client, full_house):
    first, second, third, fourth = full_house
    for invitation in full_house:
        answer(client, invitation)
    assert statuses(*full_house) == ["accepted", "accepted", "waitlisted", "waitlisted"]
    answer(client, first, "decline")
    assert statuses(*full_house) == ["declined", "accepted", "accepted", "waitlisted"]
    offer = ScheduledMessage.objects.get(kind=MessageKind.SEAT_OFFER)
    assert offer.invitation == third and offer.status == MessageStatus.PENDING
    assert offer.send_at <= timezone.now()
    assert reminders(third).count() == 2
    assert reminders(first).count() == 0
    assert not ScheduledMessage.objects.filter(invitation=fourth, kind=MessageKind.SEAT_OFFER)
    # The one who moved up sees it on their page.
    body = client.get(url(third)).content.decode()
    assert "You are attending" in body
    promoted = AuditEvent.objects.get(action="workshop.delegation.promote")
    assert promoted.data == {"invitation": third.pk}


def test_updating_needs_on_the_waitlist_keeps_ones_turn(client, full_house):
    first, second, third, fourth = full_house
    for invitation in full_house:
        answer(client, invitation)
    answer(client, third, dietary="No nuts, please")
    answer(client, second, "decline")
    assert statuses(*full_house) == ["accepted", "declined", "accepted", "waitlisted"]


def test_a_place_offered_after_a_change_of_mind_brings_the_reminders_back(client, full_house):
    first, second, third, _ = full_house
    answer(client, first)
    answer(client, second)
    answer(client, first, "decline")
    answer(client, third)  # takes the free place
    answer(client, first)  # changes their mind: now the workshop is full
    assert statuses(first, second, third) == ["waitlisted", "accepted", "accepted"]
    assert reminders(first).count() == 0
    answer(client, second, "decline")
    assert statuses(first, second, third) == ["accepted", "declined", "accepted"]
    assert reminders(first).count() == 2
    assert ScheduledMessage.objects.filter(invitation=first, kind=MessageKind.SEAT_OFFER).exists()


def test_a_waitlisted_decline_offers_nothing(client, full_house):
    first, second, third, fourth = full_house
    for invitation in full_house:
        answer(client, invitation)
    answer(client, third, "decline")
    assert statuses(*full_house) == ["accepted", "accepted", "declined", "waitlisted"]
    assert not ScheduledMessage.objects.filter(kind=MessageKind.SEAT_OFFER).exists()


# --- Discreet programs ------------------------------------------------------------------------


def test_discreet_mode_keeps_the_venue_back_until_they_accept(client, cast, workshop):
    cast.program.discreet_mode = True
    cast.program.save()
    workshop.code_name = "Spring meeting"
    workshop.save()
    invitation = invite(workshop)
    body = client.get(url(invitation)).content.decode()
    assert "Spring meeting" in body
    assert workshop.title not in body
    assert "Ledra Palace" not in body and "Nicosia" not in body  # nor the zone's name
    assert "The venue will be shared with you once you accept." in body
    response = answer(client, invitation)
    confirmation = client.get(response["Location"]).content.decode()
    assert "Ledra Palace" in confirmation and workshop.title not in confirmation
    assert "Ledra Palace" in client.get(url(invitation)).content.decode()
    # Declining hides it again.
    answer(client, invitation, "decline")
    assert "Ledra Palace" not in client.get(url(invitation)).content.decode()


def test_discreet_waitlisted_do_not_see_the_venue(client, cast, workshop):
    cast.program.discreet_mode = True
    cast.program.save()
    workshop.code_name = "Spring meeting"
    workshop.capacity = 1
    workshop.save()
    first, second = invite(workshop), invite(workshop)
    answer(client, first)
    response = answer(client, second)
    body = client.get(response["Location"]).content.decode()
    assert "You are on the waitlist" in body and "Ledra Palace" not in body


# --- Language ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preferred", "lang", "direction"),
    [("ar", "ar", "rtl"), ("he", "he", "rtl"), ("fr", "fr", "ltr"), ("ar-EG", "ar", "rtl")],
)
def test_the_page_speaks_the_participants_language(client, workshop, preferred, lang, direction):
    invitation = invite(workshop, language=preferred)
    response = client.get(url(invitation), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in body
    assert response["Content-Language"] == lang
    rtl_css = "bootstrap.rtl.min.css" in body
    assert rtl_css == (direction == "rtl")
    # The confirmation too, and Django's own form messages are in that language.
    redirect = answer(client, invitation)
    assert (
        f'<html lang="{lang}" dir="{direction}">'
        in client.get(redirect["Location"]).content.decode()
    )
    invalid = client.post(url(invitation), {"answer": ""})
    assert f'<html lang="{lang}"' in invalid.content.decode()


def test_an_unshipped_language_falls_back_to_the_browsers(client, workshop):
    invitation = invite(workshop, language="el")
    response = client.get(url(invitation), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr" dir="ltr">' in response.content.decode()
    response = client.get(url(invitation), HTTP_ACCEPT_LANGUAGE="el")
    assert '<html lang="en" dir="ltr">' in response.content.decode()


# --- Bad input --------------------------------------------------------------------------------


def test_no_choice_re_renders_with_an_error_and_keeps_what_was_typed(client, invitation):
    response = client.post(
        url(invitation), {"note": "Can I bring a colleague?", "dietary": "Vegan"}
    )
    assert response.status_code == 200
    assert_valid_page(response)
    assert_private(response, form=True)
    body = response.content.decode()
    assert "Choose whether you will attend." in body
    assert 'role="alert"' in body
    assert "Can I bring a colleague?</textarea>" in body and 'value="Vegan"' in body
    assert statuses(invitation) == [InvitationStatus.INVITED]
    assert not AuditEvent.objects.filter(action="invitation.rsvp").exists()


def test_an_unknown_choice_is_refused(client, invitation):
    response = client.post(url(invitation), {"answer": "maybe"})
    assert "Choose whether you will attend." in response.content.decode()
    assert statuses(invitation) == [InvitationStatus.INVITED]


def test_overlong_text_is_refused_and_the_rest_kept(client, invitation):
    response = client.post(
        url(invitation),
        {
            "answer": "accept",
            "note": "x" * 10_000,
            "dietary": "y" * 301,
            "interpretation": "Greek into Turkish",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"note", "dietary"}
    body = response.content.decode()
    assert "Ensure this value has at most 2000 characters" in body
    assert 'value="Greek into Turkish"' in body
    assert re.search(r'value="accept"\s*checked', body)
    assert "x" * 10_000 in body  # nothing typed is lost, even what is too long
    assert statuses(invitation) == [InvitationStatus.INVITED]


def test_csrf_is_enforced(invitation):
    client = Client(enforce_csrf_checks=True)
    refused = client.post(url(invitation), {"answer": "accept"})
    assert refused.status_code == 403
    # A page that says what to do, not Django's technical one.
    assert "allow cookies" in refused.content.decode()
    assert "CSRF verification failed" not in refused.content.decode()
    assert statuses(invitation) == [InvitationStatus.INVITED]
    client.get(url(invitation))
    token = client.cookies["csrftoken"].value
    accepted = client.post(url(invitation), {"answer": "accept", "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert statuses(invitation) == [InvitationStatus.ACCEPTED]


def test_other_methods_are_refused(client, invitation):
    assert client.put(url(invitation)).status_code == 405
    answered = answered_url(invitation)
    assert client.post(answered, {"answer": "accept"}).status_code == 405
    assert statuses(invitation) == [InvitationStatus.INVITED]


# --- Links that are not valid -----------------------------------------------------------------


def _tampered(invitation) -> str:
    token = links.rsvp_token(invitation)
    last = "A" if token[-1] != "A" else "B"
    return token[:-1] + last


def _other_salt(invitation) -> str:
    return signing.dumps([invitation.pk, invitation.rsvp_secret], compress=True)


def _other_invitation_id(invitation) -> str:
    return signing.dumps([invitation.pk + 10_000, invitation.rsvp_secret], salt=links.SALT)


BROKEN = {
    "tampered": _tampered,
    "signed elsewhere": _other_salt,
    "no such invitation": _other_invitation_id,
    "garbage": lambda invitation: "garbage",
    "unicode": lambda invitation: "ﷲ%E2%80%AE",
    "long": lambda invitation: "a" * 5000,
    "truncated": lambda invitation: links.rsvp_token(invitation)[:20],
}


def _invalid_bodies(client, invitation) -> dict[str, tuple[int, bytes]]:
    """Every way a link can be not valid, GET and POST, and the answer each gets."""
    seen = {}
    for name, make in BROKEN.items():
        token = make(invitation)
        for method in ("get", "post"):
            response = getattr(client, method)(f"/rsvp/{token}/")
            assert_private(response)
            seen[f"{name} {method}"] = (response.status_code, response.content)
        answered = client.get(f"/rsvp/{token}/answered/")
        seen[f"{name} answered"] = (answered.status_code, answered.content)
    return seen


def _retire(kind: str, invitation, cast) -> None:
    if kind == "withdrawn":
        scheduling.invitation_withdraw(invitation=invitation, by=cast.staff)
    elif kind == "secret rotated":
        invitation.rsvp_secret = "a-new-secret"
        invitation.save()
    elif kind == "erased":
        invitation.participant.erased_at = timezone.now()
        invitation.participant.save()
    elif kind == "never sent":
        invitation.status = InvitationStatus.DRAFT
        invitation.save()
    elif kind == "deleted":
        invitation.delete()


@pytest.mark.parametrize("kind", ["withdrawn", "secret rotated", "erased", "never sent", "deleted"])
def test_a_retired_link_is_not_valid(client, cast, invitation, kind):
    token = links.rsvp_token(invitation)
    assert client.get(f"/rsvp/{token}/").status_code == 200
    _retire(kind, invitation, cast)
    for response in (
        client.get(f"/rsvp/{token}/"),
        client.post(f"/rsvp/{token}/", {"answer": "accept"}),
        client.get(f"/rsvp/{token}/answered/"),
    ):
        assert response.status_code == 404
        assert_private(response)
        assert NOT_VALID in response.content.decode()
    assert not AuditEvent.objects.filter(action="invitation.rsvp").exists()


def test_a_link_expires_when_the_workshop_ends(client, invitation, workshop):
    token = links.rsvp_token(invitation)
    with time_machine.travel(workshop.starts_at + timedelta(hours=1)):
        assert client.get(f"/rsvp/{token}/").status_code == 200  # still open during it
    with time_machine.travel(workshop.ends_at + timedelta(seconds=1)):
        response = client.get(f"/rsvp/{token}/")
        assert response.status_code == 404 and NOT_VALID in response.content.decode()
        assert client.post(f"/rsvp/{token}/", {"answer": "accept"}).status_code == 404
    assert statuses(invitation) == [InvitationStatus.INVITED]


def test_every_invalid_link_gets_the_same_plain_page(client, cast, workshop):
    """Whatever is wrong, the answer is byte for byte the same: it tells nothing."""
    arabic = invite(workshop, language="ar", full_name="Layla Haddad")
    seen = _invalid_bodies(client, arabic)
    retired = {}
    for kind in ("secret rotated", "withdrawn", "erased"):
        person = invite(workshop, language="ar", full_name="Layla Haddad")
        token = links.rsvp_token(person)
        _retire(kind, person, cast)
        response = client.get(f"/rsvp/{token}/", HTTP_ACCEPT_LANGUAGE="fr")
        retired[kind] = (response.status_code, response.content)
    expired = links.rsvp_token(arabic)
    with time_machine.travel(workshop.ends_at + timedelta(days=1)):
        response = client.get(f"/rsvp/{expired}/")
        retired["expired"] = (response.status_code, response.content)
    seen.update(retired)
    assert {status for status, _ in seen.values()} == {404}
    bodies = {content for _, content in seen.values()}
    assert len(bodies) == 1, sorted(seen)
    body = bodies.pop().decode()
    assert NOT_VALID in body
    assert '<html lang="en" dir="ltr">' in body  # English, whoever it was for
    for secret in ("Layla", workshop.title, "Ledra", "Traceback", "csrfmiddlewaretoken"):
        assert secret not in body


def test_the_invalid_page_is_a_valid_page(client):
    response = client.get("/rsvp/garbage/")
    assert response.status_code == 404
    assert_valid_page(response)
    assert response["Content-Language"] == "en"


# --- Closed invitations -----------------------------------------------------------------------


def test_a_cancelled_workshop_closes_the_page(client, invitation, workshop):
    answer(client, invitation)
    workshop.status = WorkshopStatus.CANCELLED
    workshop.save()
    for response in (
        client.get(url(invitation)),
        client.post(url(invitation), {"answer": "decline"}),
        client.get(answered_url(invitation)),
    ):
        assert response.status_code == 410
        assert_private(response)
        assert_valid_page(response)
        body = response.content.decode()
        assert "This workshop was cancelled." in body
        assert "can no longer be answered" in body
        assert "csrfmiddlewaretoken" not in body
    assert statuses(invitation) == [InvitationStatus.ACCEPTED]


def test_a_closed_answer_from_the_service_is_a_clear_page(client, invitation, monkeypatch):
    """Between opening the page and sending it, the invitation may close (a race)."""

    def closed(**kwargs):
        raise scheduling.RSVPClosed("This invitation is no longer open.")

    monkeypatch.setattr(scheduling, "rsvp_respond", closed)
    response = answer(client, invitation)
    assert response.status_code == 410
    assert "This invitation is no longer open." in response.content.decode()
