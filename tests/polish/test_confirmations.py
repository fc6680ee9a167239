"""Destructive actions ask first, without JavaScript: the button that sends the POST sits in a
closed <details class="ob-confirm"> whose summary is the visible button, so one click (or a
page whose scripts did not load) cannot archive, remove, withdraw, cancel or delete. The
action itself still happens only on POST."""

from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from dialogues.models import ProgramMembership
from participants.models import ImportStatus, ParticipantImport
from tests import factories
from tests.polish.pages import (
    forms_posting_to,
    inside_confirm_disclosure,
    parse,
    submit_buttons,
    text_of,
)
from workshops import calendar
from workshops.models import (
    InvitationStatus,
    MessageKind,
    MessageStatus,
    MessageTemplate,
    Session,
)


def _archive(cast):
    url = reverse("dialogues:archive", args=[cast.program.pk])
    return cast.staff, reverse("dialogues:detail", args=[cast.program.pk]), url


def _remove_member(cast):
    member = ProgramMembership.objects.get(program=cast.program, user=cast.observer)
    url = reverse("dialogues:membership_remove", args=[cast.program.pk, member.pk])
    return cast.staff, reverse("dialogues:team", args=[cast.program.pk]), url


def _remove_session(cast):
    session = factories.SessionFactory(workshop=cast.workshop, title="Opening circle")
    url = reverse("workshops:session_remove", args=[cast.workshop.pk, session.pk])
    return cast.staff, reverse("workshops:detail", args=[cast.workshop.pk]), url


def _withdraw(cast):
    invitation = factories.InvitationFactory(
        workshop=cast.workshop, status=InvitationStatus.INVITED
    )
    url = reverse("workshops:invitation_withdraw", args=[invitation.pk])
    return cast.staff, reverse("workshops:invitations_send", args=[cast.workshop.pk]), url


def _cancel_message(cast):
    invitation = factories.InvitationFactory(
        workshop=cast.workshop, status=InvitationStatus.INVITED
    )
    message = factories.ScheduledMessageFactory(invitation=invitation, status=MessageStatus.PENDING)
    url = reverse("workshops:message_cancel", args=[message.pk])
    return cast.staff, reverse("workshops:messages", args=[cast.workshop.pk]), url


def _delete_template(cast):
    template = MessageTemplate.objects.create(
        program=cast.program,
        kind=MessageKind.INVITATION,
        subject="Our invitation: {{ workshop }}",
        body="Dear {{ participant_name }}, join us {{ dates }}.",
    )
    url = reverse("workshops:message_template_delete", args=[cast.program.pk, template.pk])
    return cast.staff, reverse("workshops:message_templates", args=[cast.program.pk]), url


def _delete_template_from_its_form(cast):
    user, _page, url = _delete_template(cast)
    template = MessageTemplate.objects.get(program=cast.program)
    page = reverse("workshops:message_template_edit", args=[cast.program.pk, template.pk])
    return user, page, url


def _cancel_import(cast):
    item = ParticipantImport.objects.create(
        file=ContentFile(b"full_name,email\n", name="people.csv"),
        original_name="people.csv",
        uploaded_by=cast.admin,
        status=ImportStatus.READY,
    )
    url = reverse("participants:import_cancel", args=[item.pk])
    return cast.admin, reverse("participants:import_detail", args=[item.pk]), url


def _switch_feed_off(cast):
    calendar.calendar_feed_issue(user=cast.staff)
    url = reverse("workshops:calendar_feed_manage")
    return cast.staff, reverse("workshops:calendar_list"), url


DESTRUCTIVE = {
    "archive a program": _archive,
    "remove a team member": _remove_member,
    "remove a session": _remove_session,
    "withdraw an invitation": _withdraw,
    "cancel a message": _cancel_message,
    "delete a message template": _delete_template,
    "delete a template from its form": _delete_template_from_its_form,
    "cancel an import": _cancel_import,
    "switch the calendar feed off": _switch_feed_off,
}


@pytest.mark.parametrize("setup", DESTRUCTIVE.values(), ids=DESTRUCTIVE.keys())
def test_the_destructive_button_is_behind_a_confirm_step(client, cast, setup):
    user, page_url, action_url = setup(cast)
    client.force_login(user)
    response = client.get(page_url)
    assert response.status_code == 200
    document = parse(response.content.decode())
    forms = forms_posting_to(document, action_url)
    assert forms, f"no form posts to {action_url} on {page_url}"
    for form in forms:
        buttons = submit_buttons(document, form)
        if action_url == reverse("workshops:calendar_feed_manage"):
            # The same URL also makes a new address; both replace or end the old one.
            assert form.find(".//input[@name='action']") is not None
        assert buttons, "the form has a button"
        for button in buttons:
            assert inside_confirm_disclosure(document, button), (
                f"{text_of(button)!r} sends {action_url} in one click"
            )
            assert button.get("data-confirm") is None, "no window.confirm on top of the step"
    # The disclosure says what will happen before the second button.
    panels = [
        d
        for d in document.iter("details")
        if "ob-confirm" in (d.get("class") or "") and d.find("summary") is not None
    ]
    assert panels and all("?" in text_of(d) for d in panels)


def test_a_get_request_changes_nothing(client, cast):
    """Only the confirmed POST acts: following a link (GET) to the action is refused."""
    client.force_login(cast.staff)
    session = factories.SessionFactory(workshop=cast.workshop)
    member = ProgramMembership.objects.get(program=cast.program, user=cast.observer)
    for url in (
        reverse("dialogues:archive", args=[cast.program.pk]),
        reverse("dialogues:membership_remove", args=[cast.program.pk, member.pk]),
        reverse("workshops:session_remove", args=[cast.workshop.pk, session.pk]),
    ):
        assert client.get(url).status_code == 405
    cast.program.refresh_from_db()
    assert not cast.program.is_archived
    assert ProgramMembership.objects.filter(pk=member.pk).exists()
    assert Session.objects.filter(pk=session.pk).exists()


def test_the_confirmed_post_acts_and_says_so(client, cast):
    user, _page, url = _remove_session(cast)
    client.force_login(user)
    response = client.post(url, follow=True)
    assert not Session.objects.filter(workshop=cast.workshop).exists()
    assert "Session “Opening circle” removed." in response.content.decode()


def test_team_removal_confirm_step_names_the_person(client, cast):
    user, page_url, _url = _remove_member(cast)
    client.force_login(user)
    html = client.get(page_url).content.decode()
    assert f"Remove {cast.observer} from the team?" in unescape(html)
    assert "Yes, remove" in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_javascript_the_first_click_only_opens_the_question(live_server, browser, cast):
    """In a browser with JavaScript off, Archive opens the question; nothing is archived
    until "Yes, archive the program"."""
    from tests.conftest import SCREENSHOTS, csp_violations, new_page, watch_csp
    from tests.core.test_browser import sign_in

    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    page = new_page(context)
    watch_csp(page)
    try:
        sign_in(page, live_server, "staff-user")
        page.goto(f"{live_server.url}{reverse('dialogues:detail', args=[cast.program.pk])}")
        yes = page.get_by_role("button", name="Yes, archive the program")
        assert not yes.is_visible()
        page.locator("summary", has_text="Archive").click()
        assert yes.is_visible()
        question = "Archive this program? It leaves the lists; nothing is deleted."
        assert page.get_by_text(question).is_visible()
        cast.program.refresh_from_db()
        assert not cast.program.is_archived
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "polish-confirm-archive.png"))
        yes.click()
        page.get_by_text("Program archived: it no longer appears in lists").wait_for()
        cast.program.refresh_from_db()
        assert cast.program.is_archived
        assert not csp_violations(page)
    finally:
        context.close()
