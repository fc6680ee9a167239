"""Sending a workshop's invitations from the browser: the invite list with each person's
blocker, the preview as one person would receive it, the send itself and withdrawing."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import ConsentScope, RiskLevel
from tests import factories
from tests.html import assert_valid_page
from workshops.models import (
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
    WorkshopStatus,
)
from workshops.outreach import links, rules, scheduling, selectors

pytestmark = pytest.mark.django_db


def send_url(workshop) -> str:
    return reverse("workshops:invitations_send", args=[workshop.pk])


def invite(workshop, name: str, **person) -> Invitation:
    participant = factories.ParticipantFactory(full_name=name, **person)
    return factories.InvitationFactory(workshop=workshop, participant=participant)


@pytest.fixture
def invite_list(cast):
    """Three people who can be invited and two who cannot, on the workshop's list."""
    cast.workshop.title = "Nicosia living-room dialogue"
    cast.workshop.venue_name = "Home for Cooperation"
    cast.workshop.venue_city = "Nicosia"
    cast.workshop.save()
    return {
        "eleni": invite(cast.workshop, "Eleni Charalambous", email="eleni@example.org"),
        "mehmet": invite(cast.workshop, "Mehmet Yilmaz", email="mehmet@example.org"),
        "maria": invite(cast.workshop, "Maria Ioannou", email="maria@example.org"),
        "hasan": invite(
            cast.workshop,
            "Hasan Demir",
            do_not_contact=True,
            do_not_contact_reason="asked us in 2025",
        ),
        "nomail": invite(cast.workshop, "Zeynep Aydin", email=""),
    }


def preview_of(client, workshop, who: Invitation | None = None) -> str:
    """The preview panel alone (what htmx swaps in), followed by the email its sandboxed
    iframe shows (served on its own URL with its own Content-Security-Policy)."""
    query = {"preview": who.pk} if who else {}
    response = client.get(send_url(workshop), query, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="invitation-preview"' in body
    frame = re.search(r'<iframe[^>]* src="([^"]+)"', body)
    if frame:
        email = client.get(unescape(frame.group(1)))
        assert email.status_code == 200
        body += email.content.decode()
    return unescape(body)


# --- Who may open and use the page --------------------------------------------------------------


ROLES = [
    ("admin", 200),
    ("staff", 200),
    ("facilitator", 403),  # sees the workshop, may not change it
    ("observer", 403),
    ("other_facilitator", 404),  # facilitators see only their own workshops
    ("other_staff", 404),
    ("outsider", 404),
]


@pytest.mark.parametrize(("role", "expected"), ROLES)
def test_who_may_open_the_send_page(client, cast, invite_list, role, expected):
    client.force_login(getattr(cast, role))
    response = client.get(send_url(cast.workshop))
    assert response.status_code == expected
    if expected == 200:
        assert_valid_page(response)


@pytest.mark.parametrize(("role", "expected"), ROLES)
def test_who_may_send(client, cast, invite_list, role, expected):
    client.force_login(getattr(cast, role))
    response = client.post(send_url(cast.workshop), {"invitations": [invite_list["eleni"].pk]})
    if expected == 200:
        assert response.status_code == 302
        assert ScheduledMessage.objects.count() == 1
    else:
        assert response.status_code == expected
        assert not ScheduledMessage.objects.exists()
        invite_list["eleni"].refresh_from_db()
        assert invite_list["eleni"].status == InvitationStatus.DRAFT


def test_anonymous_visitors_are_sent_to_sign_in(client, cast, invite_list):
    for response in (
        client.get(send_url(cast.workshop)),
        client.post(send_url(cast.workshop), {"invitations": [invite_list["eleni"].pk]}),
        client.post(reverse("workshops:invitation_withdraw", args=[invite_list["eleni"].pk])),
    ):
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert not ScheduledMessage.objects.exists()


# --- The list --------------------------------------------------------------------------------


def test_the_list_ticks_everyone_who_can_be_sent_and_says_why_not_for_the_others(
    client, cast, invite_list
):
    withdrew = invite(cast.workshop, "Ayşe Kaya", email="ayse@example.org")
    factories.ConsentRecordFactory(
        participant=withdrew.participant,
        scope=ConsentScope.CONTACT,
        granted=False,
        given_on=timezone.localdate(),
    )
    client.force_login(cast.staff)
    html = client.get(send_url(cast.workshop)).content.decode()
    for key in ("eleni", "mehmet", "maria"):
        pk = invite_list[key].pk
        assert re.search(rf'value="{pk}" id="invite-{pk}" checked>', html), key
    for blocked in (invite_list["hasan"], invite_list["nomail"], withdrew):
        pk = blocked.pk
        assert re.search(rf'value="{pk}" id="invite-{pk}" disabled>', html)
    assert "Marked do not contact: asked us in 2025." in html
    assert "No email address: invite them another way." in html
    assert "Withdrew consent to be contacted on" in html
    assert "no email" in html and "eleni@example.org" in html
    assert invite_list["eleni"].participant.community.name in html
    assert "Send 3 invitations" in html
    assert 'data-confirm="Send 3 invitations now? They cannot be unsent."' in html


def test_the_listed_reason_is_the_services_reason(cast, invite_list):
    """The page computes blockers for the whole list at once; it must say what
    ``rules.sendable`` says, person by person."""
    withdrew = invite(cast.workshop, "Ayşe Kaya", email="ayse@example.org")
    factories.ConsentRecordFactory(
        participant=withdrew.participant,
        scope=ConsentScope.CONTACT,
        granted=False,
        given_on=timezone.localdate(),
    )
    erased = invite(cast.workshop, "Someone erased", email="gone@example.org")
    erased.participant.erased_at = timezone.now()
    erased.participant.save()
    rows = selectors.invite_list(cast.workshop)
    assert len(rows) == 7
    for row in rows:
        fresh = Invitation.objects.select_related("participant").get(pk=row.invitation.pk)
        assert row.reason == rules.sendable(fresh), row.invitation.participant.full_name


def test_an_empty_invite_list_points_to_the_delegation_builder(client, cast):
    client.force_login(cast.staff)
    response = client.get(send_url(cast.workshop))
    assert_valid_page(response)
    html = response.content.decode()
    assert "Nobody is on the invite list" in html
    assert reverse("workshops:delegation", args=[cast.workshop.pk]) in html
    assert "nothing to preview" in html


@pytest.mark.parametrize("people", [3, 30])
def test_the_page_costs_the_same_queries_for_3_or_30_people(
    client, cast, people, django_assert_max_num_queries
):
    for n in range(people):
        invite(cast.workshop, f"Person {n:02d}", email=f"p{n}@example.org")
    client.force_login(cast.staff)
    with django_assert_max_num_queries(10):
        response = client.get(send_url(cast.workshop))
    assert response.content.decode().count('name="invitations"') == people


# --- The preview -----------------------------------------------------------------------------


def test_the_preview_shows_the_first_persons_message_with_its_calendar(client, cast, invite_list):
    client.force_login(cast.staff)
    response = client.get(send_url(cast.workshop))
    assert_valid_page(response)
    html = response.content.decode()
    assert 'sandbox="" title="Email preview" src="' in html
    preview = preview_of(client, cast.workshop)
    # Sorted by name: Eleni comes first.
    assert f'<option value="{invite_list["eleni"].pk}" selected>' in preview
    assert "Invitation: Nicosia living-room dialogue" in preview  # subject
    assert "Dear Eleni Charalambous," in preview  # plain text and HTML
    assert "<p>Dear Eleni Charalambous,</p>" in preview  # the HTML body, in the iframe
    assert "Home for Cooperation" in preview
    assert "eleni@example.org" in preview
    assert "invitation.ics attached (METHOD:REQUEST)" in preview
    assert "ATTENDEE" in preview and "/rsvp/" in preview
    # Blocked people are not offered as "preview as".
    assert f'value="{invite_list["hasan"].pk}"' not in preview
    assert not ScheduledMessage.objects.exists()


def test_preview_as_someone_else(client, cast, invite_list):
    client.force_login(cast.staff)
    preview = preview_of(client, cast.workshop, invite_list["mehmet"])
    assert f'<option value="{invite_list["mehmet"].pk}" selected>' in preview
    assert "Dear Mehmet Yilmaz," in preview and "Dear Eleni" not in preview
    # Without htmx the whole page comes back, with the same preview.
    response = client.get(send_url(cast.workshop), {"preview": invite_list["mehmet"].pk})
    assert_valid_page(response)
    assert "Dear Mehmet Yilmaz," in response.content.decode()


def test_preview_of_someone_who_cannot_be_sent_falls_back_to_the_first(client, cast, invite_list):
    client.force_login(cast.staff)
    preview = preview_of(client, cast.workshop, invite_list["hasan"])
    assert "Dear Eleni Charalambous," in preview and "Hasan" not in preview


def test_discreet_program_preview_uses_the_code_name_and_no_venue(client, cast, invite_list):
    cast.program.discreet_mode = True
    cast.program.save()
    cast.workshop.code_name = "Garden meeting"
    cast.workshop.save()
    client.force_login(cast.staff)
    preview = preview_of(client, cast.workshop)
    assert "Invitation: Garden meeting" in preview
    assert "Dear Eleni Charalambous," in preview
    assert "Nicosia living-room dialogue" not in preview
    assert "Home for Cooperation" not in preview
    assert "Venue: shared once you accept the invitation" in preview
    assert "LOCATION" not in preview  # nor in the .ics


def test_preview_in_the_persons_language_when_the_program_has_a_template(client, cast, invite_list):
    from participants.models import Language
    from workshops.models import MessageTemplate

    french, _ = Language.objects.get_or_create(code="fr", defaults={"name": "French"})
    person = invite_list["eleni"].participant
    person.preferred_language = french
    person.save()
    MessageTemplate.objects.create(
        program=cast.program,
        kind=MessageKind.INVITATION,
        language=french,
        subject="Invitation : {{ workshop }}",
        body="Chère {{ participant_name }}, bienvenue. {{ rsvp_link }}",
    )
    client.force_login(cast.staff)
    preview = preview_of(client, cast.workshop)
    assert "Chère Eleni Charalambous, bienvenue." in preview
    assert "Invitation : Nicosia living-room dialogue" in preview


# --- Sending ---------------------------------------------------------------------------------


def test_sending_schedules_one_message_per_ticked_person_who_can_be_sent(client, cast, invite_list):
    client.force_login(cast.staff)
    ticked = [invite_list["eleni"], invite_list["mehmet"], invite_list["hasan"]]
    response = client.post(
        send_url(cast.workshop), {"invitations": [i.pk for i in ticked]}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("workshops:messages", args=[cast.workshop.pk])
    html = unescape(response.content.decode())
    assert "2 invitations scheduled" in html
    assert "1 person skipped — Hasan Demir: Marked do not contact: asked us in 2025." in html
    rows = ScheduledMessage.objects.all()
    assert sorted(r.invitation_id for r in rows) == sorted(
        [invite_list["eleni"].pk, invite_list["mehmet"].pk]
    )
    assert {r.kind for r in rows} == {MessageKind.INVITATION}
    assert {r.status for r in rows} == {MessageStatus.PENDING}
    statuses = dict(Invitation.objects.values_list("participant__full_name", "status"))
    assert statuses == {
        "Eleni Charalambous": InvitationStatus.INVITED,
        "Mehmet Yilmaz": InvitationStatus.INVITED,
        "Maria Ioannou": InvitationStatus.DRAFT,  # not ticked
        "Hasan Demir": InvitationStatus.DRAFT,
        "Zeynep Aydin": InvitationStatus.DRAFT,
    }
    # The new invitations are in the queue the page lands on.
    assert "Eleni Charalambous" in html and "Mehmet Yilmaz" in html


def test_sending_nobody_is_a_form_error(client, cast, invite_list):
    client.force_login(cast.staff)
    response = client.post(send_url(cast.workshop), {})
    assert response.status_code == 200
    assert_valid_page(response)
    html = response.content.decode()
    assert "Tick at least one person to invite." in html
    assert "Send 0 invitations" in html
    assert not re.search(r'id="invite-\d+" checked', html)  # what was sent, nothing ticked
    assert not ScheduledMessage.objects.exists()


def test_an_invitation_of_another_workshop_cannot_be_slipped_in(client, cast, invite_list):
    stranger = invite(cast.other_workshop, "Other person", email="other@example.org")
    client.force_login(cast.staff)
    response = client.post(
        send_url(cast.workshop), {"invitations": [invite_list["eleni"].pk, stranger.pk]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "no longer on this workshop" in html
    # The ticks that were valid stay ticked.
    pk = invite_list["eleni"].pk
    assert re.search(rf'value="{pk}" id="invite-{pk}" checked>', html)
    assert not ScheduledMessage.objects.exists()


def test_a_refused_send_says_why_and_sends_nothing(client, cast, invite_list):
    cast.program.discreet_mode = True  # and no code name
    cast.program.save()
    client.force_login(cast.staff)
    page = client.get(send_url(cast.workshop)).content.decode()
    assert "give the workshop a code name first" in page  # said before pressing Send
    response = client.post(
        send_url(cast.workshop),
        {"invitations": [invite_list["eleni"].pk, invite_list["mehmet"].pk]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The program is in discreet mode: give the workshop a code name first." in html
    assert not ScheduledMessage.objects.exists()
    assert Invitation.objects.filter(status=InvitationStatus.INVITED).count() == 0
    for key in ("eleni", "mehmet"):
        pk = invite_list[key].pk
        assert re.search(rf'value="{pk}" id="invite-{pk}" checked>', html)
    pk = invite_list["maria"].pk
    assert re.search(rf'value="{pk}" id="invite-{pk}">', html)  # unticked stays unticked


def test_a_cancelled_workshop_warns_and_refuses(client, cast, invite_list):
    cast.workshop.status = WorkshopStatus.CANCELLED
    cast.workshop.save()
    client.force_login(cast.staff)
    page = client.get(send_url(cast.workshop)).content.decode()
    assert "cannot be sent for a cancelled or archived workshop" in page
    response = client.post(send_url(cast.workshop), {"invitations": [invite_list["eleni"].pk]})
    assert "cannot be sent for a cancelled or archived workshop" in response.content.decode()
    assert not ScheduledMessage.objects.exists()


# --- Withdrawing -----------------------------------------------------------------------------


@pytest.fixture
def sent(cast, invite_list, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        scheduling.invitations_send(
            workshop=cast.workshop,
            invitations=[invite_list["eleni"], invite_list["mehmet"]],
            by=cast.staff,
        )
    return invite_list


def withdraw_url(invitation) -> str:
    return reverse("workshops:invitation_withdraw", args=[invitation.pk])


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 302),
        ("staff", 302),
        ("facilitator", 403),  # runs the room, sees the invitation, may not change it
        ("observer", 404),  # observers never see invitations
        ("other_facilitator", 404),
        ("other_staff", 404),
        ("outsider", 404),
    ],
)
def test_who_may_withdraw(client, cast, sent, role, expected):
    client.force_login(getattr(cast, role))
    response = client.post(withdraw_url(sent["eleni"]))
    assert response.status_code == expected
    sent["eleni"].refresh_from_db()
    withdrawn = sent["eleni"].status == InvitationStatus.WITHDRAWN
    assert withdrawn is (expected == 302)


def test_withdrawing_retires_the_rsvp_link_and_cancels_what_waits(client, cast, sent):
    invitation = sent["eleni"]
    old_token = links.rsvp_token(invitation)
    assert links.invitation_for_token(old_token) == invitation
    client.force_login(cast.staff)
    page = client.get(send_url(cast.workshop)).content.decode()
    assert withdraw_url(invitation) in page and withdraw_url(sent["maria"]) not in page
    assert "Withdraw the invitation of Eleni Charalambous?" in page  # data-confirm
    response = client.post(withdraw_url(invitation), {"next": send_url(cast.workshop)}, follow=True)
    assert response.redirect_chain[-1][0] == send_url(cast.workshop)
    assert "invitation was withdrawn: their RSVP link no longer works." in unescape(
        response.content.decode()
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN
    assert links.invitation_for_token(old_token) is None
    message = ScheduledMessage.objects.get(invitation=invitation)
    assert message.status == MessageStatus.CANCELLED
    assert message.last_error == "The invitation was withdrawn."


def test_withdrawing_an_invitation_never_sent_is_refused(client, cast, invite_list):
    client.force_login(cast.staff)
    response = client.post(withdraw_url(invite_list["maria"]), follow=True)
    assert "Only an invitation that was sent can be withdrawn." in response.content.decode()
    invite_list["maria"].refresh_from_db()
    assert invite_list["maria"].status == InvitationStatus.DRAFT


def test_withdrawing_goes_back_only_to_this_site(client, cast, sent):
    client.force_login(cast.staff)
    response = client.post(withdraw_url(sent["eleni"]), {"next": "https://evil.example/"})
    assert response["Location"] == send_url(cast.workshop)


# --- Links from the workshop and program pages ----------------------------------------------


@pytest.mark.parametrize("role", ["admin", "staff", "facilitator", "observer"])
def test_workshop_and_program_pages_link_here_for_those_who_may_send(
    client, cast, invite_list, role
):
    client.force_login(getattr(cast, role))
    may = role in ("admin", "staff")
    workshop_page = client.get(reverse("workshops:detail", args=[cast.workshop.pk]))
    assert_valid_page(workshop_page)
    html = workshop_page.content.decode()
    assert (send_url(cast.workshop) in html) is may
    assert (reverse("workshops:messages", args=[cast.workshop.pk]) in html) is may
    if may:
        # The count of people on the invite list rides on the button.
        assert re.search(r"Send invitations <span[^>]*>5</span>", html)
    program_page = client.get(reverse("dialogues:detail", args=[cast.program.pk]))
    assert_valid_page(program_page)
    html = program_page.content.decode()
    assert (reverse("workshops:program_messages", args=[cast.program.pk]) in html) is may
    assert (reverse("workshops:message_templates", args=[cast.program.pk]) in html) is may


def test_high_risk_people_are_marked_on_the_list(client, cast):
    invite(cast.workshop, "Yusuf Kaplan", email="y@example.org", risk_level=RiskLevel.HIGH)
    client.force_login(cast.staff)
    assert "high risk" in client.get(send_url(cast.workshop)).content.decode()


# --- In a real browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_preview_and_send_invitations_in_the_browser(
    page, live_server, cast, screenshot, monkeypatch
):
    from tests.core.test_browser import sign_in

    # No broker round trip from the live server: the rows are what this test checks.
    monkeypatch.setattr(scheduling, "wake_dispatcher", lambda: None)
    cast.workshop.title = "Nicosia living-room dialogue"
    cast.workshop.venue_name = "Home for Cooperation"
    cast.workshop.venue_city = "Nicosia"
    cast.workshop.save()
    for name, email in [
        ("Eleni Charalambous", "eleni@example.org"),
        ("Mehmet Yilmaz", "mehmet@example.org"),
        ("Maria Ioannou", "maria@example.org"),
        ("Zeynep Aydin", ""),
    ]:
        invite(cast.workshop, name, email=email)
    invite(cast.workshop, "Hasan Demir", do_not_contact=True, do_not_contact_reason="asked us")

    sign_in(page, live_server, "staff-user")
    page.goto(f"{live_server.url}{reverse('workshops:detail', args=[cast.workshop.pk])}")
    page.get_by_role("link", name="Send invitations").click()
    page.get_by_role("heading", name="Send invitations").wait_for()
    frame = page.frame_locator("iframe.outreach-preview-frame")
    frame.get_by_text("Dear Eleni Charalambous,").wait_for()
    button = page.locator("[data-send-button]")
    assert button.inner_text().strip() == "Send 3 invitations"
    screenshot("outreach-send-preview")

    page.get_by_label("Preview as").select_option(label="Mehmet Yilmaz")
    page.frame_locator("iframe.outreach-preview-frame").get_by_text(
        "Dear Mehmet Yilmaz,"
    ).wait_for()
    page.get_by_label("Maria Ioannou").uncheck()
    assert button.inner_text().strip() == "Send 2 invitations"
    # The ticks survive the preview being redrawn.
    assert page.get_by_label("Eleni Charalambous").is_checked()
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    button.click()
    page.get_by_role("heading", name="Messages", exact=True).wait_for()
    assert questions == ["Send 2 invitations now? They cannot be unsent."]
    assert "2 invitations scheduled" in page.locator(".messages").inner_text()
    names = set(ScheduledMessage.objects.values_list("recipient_participant__full_name", flat=True))
    assert names == {"Eleni Charalambous", "Mehmet Yilmaz"}
    screenshot("outreach-send-done")
