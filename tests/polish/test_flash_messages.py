"""After each change the page it lands on says what happened, naming what changed: a success
message (django.contrib.messages) shown once, in the flash area, on the redirected page."""

from datetime import UTC, datetime
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dialogues.models import ProgramMembership
from participants.models import ParticipantImport
from tests import factories
from tests.dialogues.test_programs import program_data
from tests.participants.test_registry import valid_data as person_data
from tests.polish.pages import parse, text_of
from tests.workshops.test_agenda import session_data
from tests.workshops.test_workshops import workshop_data
from workshops.models import InvitationStatus, MessageKind, MessageStatus, MessageTemplate


def flash_messages(response) -> list[tuple[str, str]]:
    """(Bootstrap alert class, text) of each flash message on the page."""
    document = parse(response.content.decode())
    holder = next(
        (d for d in document.iter("div") if "messages" in (d.get("class") or "").split()), None
    )
    if holder is None:
        return []
    return [
        (next(c for c in a.get("class").split() if c.startswith("alert-")), text_of(a))
        for a in holder.iter("div")
        if "alert" in (a.get("class") or "").split()
    ]


def _program_create(client, cast, _capture):
    return client.post(reverse("dialogues:create"), program_data(), follow=True), (
        "Program “Cyprus youth dialogue 2027” created. Next: plan its first workshop."
    )


def _program_edit(client, cast, _capture):
    url = reverse("dialogues:edit", args=[cast.program.pk])
    return client.post(url, program_data(name="Cyprus dialogue, renamed"), follow=True), (
        "Program “Cyprus dialogue, renamed” saved."
    )


def _workshop_create(client, cast, _capture):
    url = reverse("workshops:create", args=[cast.program.pk])
    return client.post(url, workshop_data(), follow=True), (
        "Workshop “Nicosia living-room dialogue” created. Next: its agenda and delegation."
    )


def _workshop_edit(client, cast, _capture):
    url = reverse("workshops:edit", args=[cast.workshop.pk])
    return client.post(url, workshop_data(title="Famagusta walk"), follow=True), (
        "Workshop “Famagusta walk” saved."
    )


def _workshop_cancel(client, cast, _capture):
    cast.workshop.title = "Kyrenia retreat"
    cast.workshop.save()
    url = reverse("workshops:cancel", args=[cast.workshop.pk])
    return client.post(url, {"confirm": "on"}, follow=True), (
        "Workshop “Kyrenia retreat” cancelled; pending reminders were cancelled."
    )


def _session_add(client, cast, _capture):
    workshop = cast.workshop  # 5–6 March 2027 in Nicosia, as tests/workshops/test_agenda.py
    workshop.time_zone = "Asia/Nicosia"
    workshop.starts_at = datetime(2027, 3, 5, 7, 0, tzinfo=UTC)
    workshop.ends_at = datetime(2027, 3, 6, 15, 0, tzinfo=UTC)
    workshop.save()
    url = reverse("workshops:session_add", args=[workshop.pk])
    return client.post(url, session_data(), follow=True), "Session “Opening circle” added."


def _member_remove(client, cast, _capture):
    member = ProgramMembership.objects.get(program=cast.program, user=cast.observer)
    url = reverse("dialogues:membership_remove", args=[cast.program.pk, member.pk])
    return client.post(url, follow=True), f"{cast.observer} left the team."


def _participant_create(client, cast, _capture):
    return client.post(reverse("participants:create"), person_data(), follow=True), (
        "Mehmet Ali Talat was added."
    )


def _import_upload(client, cast, capture):
    csv = b"full_name,email\nEleni Charalambous,eleni@example.org\n"
    with capture(execute=True):
        response = client.post(
            reverse("participants:import_upload"),
            {"file": SimpleUploadedFile("people.csv", csv)},
            follow=True,
        )
    assert ParticipantImport.objects.filter(original_name="people.csv").exists()
    return (
        response,
        "“people.csv” uploaded: it is being checked. Nothing is written until you confirm.",
    )


def _delegation_add(client, cast, _capture):
    person = factories.ParticipantFactory(full_name="Ayşe Kaya")
    url = reverse("workshops:delegation_add", args=[cast.workshop.pk])
    return client.post(url, {"participant": [person.pk]}, follow=True), (
        "1 person added to the invite list."
    )


def _message_cancel(client, cast, _capture):
    invitation = factories.InvitationFactory(
        workshop=cast.workshop, status=InvitationStatus.INVITED
    )
    message = factories.ScheduledMessageFactory(invitation=invitation, status=MessageStatus.PENDING)
    url = reverse("workshops:message_cancel", args=[message.pk])
    return client.post(url, follow=True), "The message was cancelled: it will not be sent."


def _template_delete(client, cast, _capture):
    template = MessageTemplate.objects.create(
        program=cast.program,
        kind=MessageKind.INVITATION,
        subject="Our invitation: {{ workshop }}",
        body="Dear {{ participant_name }}, join us {{ dates }}.",
    )
    url = reverse("workshops:message_template_delete", args=[cast.program.pk, template.pk])
    return client.post(url, follow=True), "Template deleted:"


CHANGES = {
    "create a program": ("staff", _program_create),
    "edit a program": ("staff", _program_edit),
    "create a workshop": ("staff", _workshop_create),
    "edit a workshop": ("staff", _workshop_edit),
    "cancel a workshop": ("staff", _workshop_cancel),
    "add a session": ("staff", _session_add),
    "remove a team member": ("staff", _member_remove),
    "add a participant": ("admin", _participant_create),
    "upload an import": ("admin", _import_upload),
    "add to the delegation": ("staff", _delegation_add),
    "cancel a message": ("staff", _message_cancel),
    "delete a message template": ("staff", _template_delete),
}


@pytest.mark.parametrize(("who", "change"), CHANGES.values(), ids=CHANGES.keys())
def test_each_change_says_what_it_did_on_the_next_page(
    client, cast, django_capture_on_commit_callbacks, who, change
):
    client.force_login(getattr(cast, who))
    response, expected = change(client, cast, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response.redirect_chain, "a change redirects (POST, redirect, GET)"
    shown = flash_messages(response)
    assert any(expected in unescape(text) for _kind, text in shown), shown
    assert any(kind == "alert-success" for kind, _text in shown), shown
    # Shown once: the next page has no leftover message.
    assert not flash_messages(client.get(reverse("home")))
