"""Workshop pages: the page, create/edit in venue time, duplicate, status, cancel."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from tests import factories
from tests.html import assert_valid_page
from workshops.models import (
    MessageStatus,
    NoteLevel,
    ScheduledMessage,
    Session,
    Workshop,
    WorkshopStatus,
)

pytestmark = pytest.mark.django_db


def workshop_data(**overrides) -> dict:
    data = {
        "title": "Nicosia living-room dialogue",
        "code_name": "Garden meeting",
        "format": "living_room",
        "time_zone": "Asia/Nicosia",
        "starts_local": "2027-03-05T09:00",
        "ends_local": "2027-03-06T17:00",
        "venue_name": "Home for Cooperation",
        "venue_city": "Nicosia",
        "venue_country": "CY",
        "capacity": 20,
        "interpretation": "Greek ↔ Turkish",
        "chatham_house": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "attendance", "rosters", "notes"),
    [
        ("admin", False, True, 3),  # admins take attendance only where they run the room
        ("staff", True, True, 2),
        ("facilitator", True, True, 3),
        ("observer", False, False, 1),
    ],
)
def test_the_workshop_page_leads_to_the_room_with_counts_each_role_may_see(
    client, cast, role, attendance, rosters, notes
):
    for level in (NoteLevel.RESTRICTED, NoteLevel.TEAM, NoteLevel.SHAREABLE):
        factories.SessionNoteFactory(workshop=cast.workshop, level=level)
    factories.FollowUpActionFactory(workshop=cast.workshop, description="Share the map")
    client.force_login(getattr(cast, role))
    response = client.get(reverse("workshops:detail", args=[cast.workshop.pk]))
    html = response.content.decode()
    assert (reverse("workshops:attendance", args=[cast.workshop.pk]) in html) is attendance
    for name in ("roster_export", "roster_pdf"):
        url = reverse(f"workshops:{name}", args=[cast.workshop.pk])
        assert (url in html) is rosters
        assert (client.get(url).status_code == 200) is rosters
    for name in ("notes", "actions", "report"):
        assert reverse(f"workshops:{name}", args=[cast.workshop.pk]) in html
    assert response.context["page"].note_count == notes
    assert response.context["page"].open_action_count == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 200),
        ("staff", 200),
        ("facilitator", 200),
        ("observer", 200),
        ("other_facilitator", 404),  # facilitators see only their own workshops
        ("other_staff", 404),
        ("outsider", 404),
    ],
)
def test_who_sees_a_workshop_page(client, cast, role, expected):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("workshops:detail", args=[cast.workshop.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert_valid_page(response)
        may_plan = role in ("admin", "staff")
        assert (
            reverse("workshops:edit", args=[cast.workshop.pk]) in response.content.decode()
        ) is may_plan


@pytest.mark.parametrize(
    ("role", "expected"), [("facilitator", 403), ("observer", 403), ("other_staff", 404)]
)
def test_only_programme_staff_plan_workshops(client, cast, role, expected):
    client.force_login(getattr(cast, role))
    pk = cast.workshop.pk
    for url in (
        reverse("workshops:edit", args=[pk]),
        reverse("workshops:duplicate", args=[pk]),
        reverse("workshops:cancel", args=[pk]),
        reverse("workshops:delegation", args=[pk]),
    ):
        assert client.get(url).status_code == expected, url
    assert (
        client.post(reverse("workshops:status", args=[pk]), {"status": "planned"}).status_code
        == expected
    )
    create = client.get(reverse("workshops:create", args=[cast.program.pk]))
    assert create.status_code == (404 if role == "other_staff" else 403)


def test_create_a_workshop_typed_in_venue_time(client, cast):
    client.force_login(cast.staff)
    response = client.post(reverse("workshops:create", args=[cast.program.pk]), workshop_data())
    workshop = Workshop.objects.get(title="Nicosia living-room dialogue")
    assert response["Location"] == reverse("workshops:detail", args=[workshop.pk])
    # 09:00 in Nicosia in March (EET, UTC+2) is 07:00 UTC.
    assert workshop.starts_at == datetime(2027, 3, 5, 7, 0, tzinfo=UTC)
    assert workshop.status == WorkshopStatus.DRAFT
    page = client.get(response["Location"]).content.decode()
    assert "Fri 5 Mar 2027, 09:00" in page and "EET" in page
    assert AuditEvent.objects.filter(action="workshop.create", object_id=str(workshop.pk)).exists()


def test_times_are_also_shown_in_the_viewers_own_zone(client, cast):
    cast.staff.time_zone = "Europe/Oslo"
    cast.staff.save()
    cast.workshop.time_zone = "Asia/Yangon"
    cast.workshop.starts_at = datetime(2027, 6, 1, 3, 30, tzinfo=UTC)  # 10:00 in Yangon
    cast.workshop.ends_at = cast.workshop.starts_at + timedelta(hours=6)
    cast.workshop.save()
    client.force_login(cast.staff)
    html = client.get(reverse("workshops:detail", args=[cast.workshop.pk])).content.decode()
    assert "10:00–16:00" in html  # venue time
    assert "Your time:" in html and "05:30–11:30" in html  # Oslo, CEST


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_local": "2027-03-05T08:00"}, "must end after it starts"),
        ({"capacity": 0}, "Capacity must be at least one person"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"starts_local": "tomorrow"}, "Enter a valid date/time"),
    ],
)
def test_bad_workshop_input_is_refused_with_a_message(client, cast, overrides, message):
    client.force_login(cast.staff)
    response = client.post(
        reverse("workshops:create", args=[cast.program.pk]), workshop_data(**overrides)
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Workshop.objects.filter(title="Nicosia living-room dialogue").exists()


def test_edit_refuses_dates_that_leave_sessions_outside(client, cast):
    workshop = cast.workshop
    factories.SessionFactory(workshop=workshop)
    client.force_login(cast.staff)
    local = workshop.local_starts_at() + timedelta(days=30)
    data = workshop_data(
        time_zone=workshop.time_zone,
        starts_local=local.strftime("%Y-%m-%dT%H:%M"),
        ends_local=(local + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = client.post(reverse("workshops:edit", args=[workshop.pk]), data)
    assert response.status_code == 200
    assert "1 agenda sessions would fall outside the new dates" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.title != "Nicosia living-room dialogue"  # nothing half-saved


def test_status_lifecycle(client, cast):
    client.force_login(cast.staff)
    url = reverse("workshops:status", args=[cast.workshop.pk])
    client.post(url, {"status": "confirmed"})
    cast.workshop.refresh_from_db()
    assert cast.workshop.status == WorkshopStatus.DRAFT  # draft cannot jump to confirmed
    client.post(url, {"status": "planned"})
    client.post(url, {"status": "confirmed"})
    cast.workshop.refresh_from_db()
    assert cast.workshop.status == WorkshopStatus.CONFIRMED
    response = client.post(url, {"status": "held"}, follow=True)
    assert "once it has started" in response.content.decode()
    cast.workshop.starts_at = timezone.now() - timedelta(hours=1)
    cast.workshop.save()
    client.post(url, {"status": "held"})
    cast.workshop.refresh_from_db()
    assert cast.workshop.status == WorkshopStatus.HELD
    statuses = list(
        AuditEvent.objects.filter(action="workshop.status")
        .order_by("pk")
        .values_list("data__status", flat=True)
    )
    assert statuses == ["planned", "confirmed", "held"]


def test_cancel_cancels_pending_messages_and_freezes_the_workshop(client, cast):
    invitation = factories.InvitationFactory(workshop=cast.workshop)
    pending = factories.ScheduledMessageFactory(invitation=invitation)
    sent = factories.ScheduledMessageFactory(
        invitation=invitation, status=MessageStatus.SENT, sent_at=timezone.now()
    )
    client.force_login(cast.staff)
    url = reverse("workshops:cancel", args=[cast.workshop.pk])
    assert_valid_page(client.get(url))
    assert client.post(url).status_code == 200  # not confirmed: nothing happens
    client.post(url, {"confirm": "on"})
    cast.workshop.refresh_from_db()
    assert cast.workshop.status == WorkshopStatus.CANCELLED and cast.workshop.cancelled_at
    assert ScheduledMessage.objects.get(pk=pending.pk).status == MessageStatus.CANCELLED
    assert ScheduledMessage.objects.get(pk=sent.pk).status == MessageStatus.SENT
    page = client.get(reverse("workshops:detail", args=[cast.workshop.pk])).content.decode()
    # The queue stays reachable (what was cancelled, what went out); sending does not.
    assert reverse("workshops:messages", args=[cast.workshop.pk]) in page
    assert reverse("workshops:invitations_send", args=[cast.workshop.pk]) not in page
    response = client.get(reverse("workshops:edit", args=[cast.workshop.pk]), follow=True)
    assert "was cancelled and can no longer be changed" in response.content.decode()
    response = client.post(
        reverse("workshops:session_add", args=[cast.workshop.pk]),
        {"new-title": "Late session"},
    )
    assert not Session.objects.filter(title="Late session").exists()


def test_duplicate_copies_the_agenda_at_a_new_date_without_invitations(client, cast):
    workshop = cast.workshop
    workshop.starts_at = datetime(2027, 4, 1, 7, 0, tzinfo=UTC)
    workshop.ends_at = workshop.starts_at + timedelta(days=2)
    workshop.save()
    factories.SessionFactory(workshop=workshop, title="Opening circle")
    factories.SessionFactory(
        workshop=workshop,
        title="Storytelling",
        starts_at=workshop.starts_at + timedelta(hours=3),
        ends_at=workshop.starts_at + timedelta(hours=5),
    )
    factories.InvitationFactory(workshop=workshop)
    client.force_login(cast.staff)
    new_start = workshop.local_starts_at() + timedelta(days=60)
    response = client.post(
        reverse("workshops:duplicate", args=[workshop.pk]),
        {"title": "Second round", "starts_local": new_start.strftime("%Y-%m-%dT%H:%M")},
    )
    copy = Workshop.objects.get(title="Second round")
    assert response["Location"] == reverse("workshops:detail", args=[copy.pk])
    assert copy.status == WorkshopStatus.DRAFT and copy.invitations.count() == 0
    assert copy.starts_at == workshop.starts_at + timedelta(days=60)
    assert list(copy.sessions.values_list("title", flat=True)) == ["Opening circle", "Storytelling"]
    assert copy.sessions.get(title="Storytelling").starts_at == workshop.starts_at + timedelta(
        days=60, hours=3
    )
    assert list(copy.facilitators.all()) == [cast.facilitator]


# --- The Messages section of the workshop form --------------------------------------------------


def test_messages_section_saves_reminders_thank_you_and_feedback_link(client, cast):
    client.force_login(cast.staff)
    form = client.get(reverse("workshops:create", args=[cast.program.pk])).context["form"]
    assert form["reminders"].value() == "7d, 1d"  # the default, shown as typed
    response = client.post(
        reverse("workshops:create", args=[cast.program.pk]),
        workshop_data(
            reminders="12h, 3d,  3D",
            send_follow_up="on",
            feedback_url="https://forms.example.org/nicosia",
        ),
    )
    assert response.status_code == 302
    workshop = Workshop.objects.get(title="Nicosia living-room dialogue")
    assert workshop.reminder_offsets == ["3d", "12h"]  # longest first, once each
    assert workshop.send_follow_up is True
    assert workshop.feedback_url == "https://forms.example.org/nicosia"
    edit = client.get(reverse("workshops:edit", args=[workshop.pk]))
    assert edit.context["form"]["reminders"].value() == "3d, 12h"
    page = edit.content.decode()
    assert ">Messages</legend>" in page
    assert reverse("workshops:message_templates", args=[cast.program.pk]) in page


def test_empty_reminders_mean_none(client, cast):
    client.force_login(cast.staff)
    client.post(reverse("workshops:create", args=[cast.program.pk]), workshop_data(reminders=""))
    workshop = Workshop.objects.get(title="Nicosia living-room dialogue")
    assert workshop.reminder_offsets == [] and workshop.send_follow_up is False


@pytest.mark.parametrize("typed", ["7x", "1d, soon", "0d", "400d"])
def test_bad_reminders_re_render_with_the_error_and_what_was_typed(client, cast, typed):
    client.force_login(cast.staff)
    response = client.post(
        reverse("workshops:create", args=[cast.program.pk]), workshop_data(reminders=typed)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["reminders"]
    assert form["reminders"].value() == typed and form["title"].value() == workshop_data()["title"]
    assert_valid_page(response)
    assert not Workshop.objects.filter(title="Nicosia living-room dialogue").exists()


def test_editing_reminders_moves_the_scheduled_ones(client, cast):
    from workshops.models import InvitationStatus, MessageKind
    from workshops.outreach import scheduling

    client.force_login(cast.staff)
    client.post(
        reverse("workshops:create", args=[cast.program.pk]), workshop_data(reminders="7d, 1d")
    )
    workshop = Workshop.objects.get(title="Nicosia living-room dialogue")
    invitation = factories.InvitationFactory(workshop=workshop, status=InvitationStatus.ACCEPTED)
    scheduling.schedule(scheduling.reminders_for([invitation], workshop))
    reminders = ScheduledMessage.objects.filter(kind=MessageKind.REMINDER)
    assert set(reminders.values_list("dedupe_key", flat=True)) == {
        f"reminder:{invitation.pk}:7d",
        f"reminder:{invitation.pk}:1d",
    }

    response = client.post(
        reverse("workshops:edit", args=[workshop.pk]), workshop_data(reminders="2d, 1d")
    )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.reminder_offsets == ["2d", "1d"]
    status = dict(reminders.values_list("dedupe_key", "status"))
    assert status == {
        f"reminder:{invitation.pk}:7d": MessageStatus.CANCELLED,
        f"reminder:{invitation.pk}:1d": MessageStatus.PENDING,
        f"reminder:{invitation.pk}:2d": MessageStatus.PENDING,
    }
    two_days = reminders.get(dedupe_key=f"reminder:{invitation.pk}:2d")
    assert two_days.send_at == workshop.starts_at - timedelta(days=2)
    event = AuditEvent.objects.filter(action="workshop.update").latest("pk")
    assert "reminder_offsets" in event.data["fields"]


def test_discreet_programs_need_a_code_name(client, cast):
    from workshops.forms import WorkshopForm

    cast.program.discreet_mode = True
    cast.program.save()
    client.force_login(cast.staff)
    response = client.post(
        reverse("workshops:edit", args=[cast.workshop.pk]), workshop_data(code_name="")
    )
    assert response.status_code == 200
    assert "discreet mode" in response.context["form"].errors["code_name"][0]
    cast.workshop.refresh_from_db()
    assert cast.workshop.title != "Nicosia living-room dialogue"
    response = client.post(
        reverse("workshops:edit", args=[cast.workshop.pk]), workshop_data(code_name="Orchard")
    )
    assert response.status_code == 302
    cast.workshop.refresh_from_db()
    assert cast.workshop.code_name == "Orchard"

    # A new workshop: the form is told the program it is for.
    assert "code_name" in WorkshopForm(workshop_data(code_name=""), program=cast.program).errors
    assert WorkshopForm(workshop_data(code_name=""), program=cast.other_program).is_valid()


def test_creating_a_workshop_in_a_discreet_program_needs_a_code_name(client, cast):
    cast.program.discreet_mode = True
    cast.program.save()
    client.force_login(cast.staff)
    url = reverse("workshops:create", args=[cast.program.pk])
    before = cast.program.workshops.count()
    response = client.post(url, workshop_data(code_name=""))
    assert response.status_code == 200
    assert "code_name" in response.context["form"].errors
    assert cast.program.workshops.count() == before
    assert client.post(url, workshop_data(code_name="Orchard")).status_code == 302
    assert cast.program.workshops.filter(code_name="Orchard").exists()


def test_the_admin_takes_a_feedback_link_without_a_scheme_as_https(cast, rf):
    """As the workshop form does; Django's http default is deprecated (and warned about)."""
    from django.contrib import admin

    request = rf.get("/")
    request.user = cast.admin
    form_class = admin.site._registry[Workshop].get_form(request, cast.workshop)
    field = form_class.base_fields["feedback_url"]
    assert field.clean("forms.example.org/feedback") == "https://forms.example.org/feedback"
