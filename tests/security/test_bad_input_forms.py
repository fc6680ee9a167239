"""Every form-handling endpoint under hostile input: never a 500, never a logged exception,
never a partial write.

Each endpoint below gets a valid submission and the kind of each field; hypothesis replaces
some fields with hostile values (huge strings, NUL, lone surrogates, bidi marks, mixed
scripts, emoji, HTML/JS, SQL-looking text, bad numbers and dates, unknown choices, other
objects' ids). Every example runs in a savepoint that is rolled back, and must:

* answer below 500 with nothing logged at ERROR;
* either change nothing in the database (digest of every project table before and after:
  an invalid submission re-renders with its errors, or is refused with a message),
* or be a success answer (redirect, or the endpoint's own success) whose record holds every
  text exactly as it was accepted (``Endpoint.check``): one complete record, never half.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given

from core.models import AuditEvent
from dialogues.models import Program, ProgramRole
from participants.models import Language, Participant
from tests import factories
from tests.conftest import Cast
from tests.security import hostile
from workshops.models import (
    FollowUpAction,
    Invitation,
    InvitationStatus,
    MessageTemplate,
    Session,
    SessionNote,
    Workshop,
)
from workshops.outreach import links

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """The cast plus one of everything a form can point at, and things it must not."""

    cast: Cast
    session: Session
    other_session: Session  # of another workshop
    participant: Participant
    other_participant: Participant
    invitation: Invitation
    note: SessionNote
    action: FollowUpAction
    template: MessageTemplate
    community_ids: list[int]
    sector_id: int
    language_id: int

    def ids(self) -> list[str]:
        """Ids of objects that exist but that a field should not accept everywhere."""
        return [
            str(pk)
            for pk in (
                self.other_session.pk,
                self.other_participant.pk,
                self.cast.other_workshop.pk,
                self.cast.other_program.pk,
                self.cast.outsider.pk,
                self.note.pk,
                self.invitation.pk,
            )
        ]


@pytest.fixture
def world(cast) -> World:
    communities = [factories.CommunityFactory(), factories.CommunityFactory()]
    cast.program.communities.set(communities)
    sector = factories.sector("academic")
    session = factories.SessionFactory(workshop=cast.workshop)
    other_session = factories.SessionFactory(workshop=cast.other_workshop)
    participant = factories.ParticipantFactory(community=communities[0], sector=sector)
    other_participant = factories.ParticipantFactory(community=communities[1], sector=sector)
    invitation = factories.InvitationFactory(
        workshop=cast.workshop, participant=participant, status=InvitationStatus.ACCEPTED
    )
    note = factories.SessionNoteFactory(workshop=cast.workshop, author=cast.facilitator)
    action = factories.FollowUpActionFactory(workshop=cast.workshop, owner_user=cast.staff)
    template = MessageTemplate.objects.create(
        program=cast.program, kind="invitation", subject="Invitation", body="Dear {{ name }}"
    )
    language = Language.objects.order_by("pk").first() or Language.objects.create(
        code="en", name="English"
    )
    return World(
        cast=cast,
        session=session,
        other_session=other_session,
        participant=participant,
        other_participant=other_participant,
        invitation=invitation,
        note=note,
        action=action,
        template=template,
        community_ids=[c.pk for c in communities],
        sector_id=sector.pk,
        language_id=language.pk,
    )


def _local(days: int, hour: int = 9) -> str:
    moment = timezone.now() + timedelta(days=days)
    return moment.strftime(f"%Y-%m-%dT{hour:02d}:00")


def _today(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _redirect(response) -> bool:
    return response.status_code in (301, 302, 303)


@dataclass
class Endpoint:
    name: str
    user: str  # attribute of Cast, or "" for anonymous
    url: Callable[[World], str]
    valid: Callable[[World], dict[str, Any]]
    kinds: dict[str, str]
    method: str = "POST"
    success: Callable[[Any], bool] = _redirect
    # After a success: the record as written, checked against what was sent.
    check: Callable[[World, dict[str, Any], Any], None] | None = None
    # Tables a refused submission may still write (a failed sign-in is audited).
    may_write: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    examples: int = 7
    # Values worth trying for a field besides the hostile ones (every action of a form).
    extra: dict[str, list[str]] = field(default_factory=dict)


def _text_kept(model, lookup: Callable[[World, dict], Any], fields: dict[str, str]):
    """A check: the newest row of ``model`` holds each text field exactly as it was cleaned
    (stripped, as Django's forms strip), so nothing was cut or half-written."""

    def check(world: World, data: dict[str, Any], response) -> None:
        obj = lookup(world, data)
        assert obj is not None, "success answered but no record written"
        for field_name, attribute in fields.items():
            sent = data.get(field_name)
            if isinstance(sent, str):
                assert getattr(obj, attribute) == as_received(sent).strip(), field_name

    return check


def as_received(value: str) -> str:
    """What Django reads from the bytes ``hostile.post`` sends: a lone surrogate arrives as
    broken UTF-8 and is decoded to U+FFFD (one per byte)."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _newest(model):
    return lambda world, data: model.objects.order_by("-pk").first()


def _same(getter):
    def lookup(world, data):
        obj = getter(world)
        obj.refresh_from_db()
        return obj

    return lookup


PROGRAM_VALID = lambda w: {  # noqa: E731
    "name": "Cyprus youth dialogue",
    "conflict_context": "Divided island",
    "communities": [str(pk) for pk in w.community_ids],
    "track_level": "track_2",
    "starts_on": _today(),
    "ends_on": _today(300),
    "status": "planning",
    "objectives": "Trust",
    "balance_tolerance": "20",
}
PROGRAM_KINDS = {
    "name": "text",
    "conflict_context": "text",
    "communities": "id",
    "track_level": "choice",
    "tracks": "id",
    "processes": "id",
    "target_sectors": "id",
    "starts_on": "date",
    "ends_on": "date",
    "status": "choice",
    "objectives": "text",
    "balance_tolerance": "number",
    "discreet_mode": "bool",
}
WORKSHOP_VALID = lambda w: {  # noqa: E731
    "title": "Living-room dialogue",
    "code_name": "Olive",
    "format": "problem_solving",
    "time_zone": "Asia/Nicosia",
    "starts_local": _local(30),
    "ends_local": _local(31),
    "venue_name": "Ledra Palace",
    "venue_city": "Nicosia",
    "venue_country": "CY",
    "capacity": "20",
    "reminders": "7d, 1d",
    "objectives": "Listen",
}
WORKSHOP_KINDS = {
    "title": "text",
    "code_name": "text",
    "format": "choice",
    "time_zone": "choice",
    "starts_local": "date",
    "ends_local": "date",
    "venue_name": "text",
    "venue_address": "text",
    "venue_city": "text",
    "venue_country": "choice",
    "capacity": "number",
    "working_languages": "id",
    "interpretation": "text",
    "facilitators": "id",
    "objectives": "text",
    "chatham_house": "bool",
    "send_follow_up": "bool",
    "feedback_url": "text",
    "reminders": "text",
}
PARTICIPANT_VALID = lambda w: {  # noqa: E731
    "full_name": "Eleni Christodoulou",
    "native_name": "Ελένη Χριστοδούλου",
    "email": "eleni@example.org",
    "phone": "+357 99 765432",
    "country": "CY",
    "sector": str(w.sector_id),
    "community": str(w.community_ids[0]),
    "risk_level": "normal",
    "organisation": "Home for Cooperation",
    "not_a_duplicate": "on",
}
PARTICIPANT_KINDS = {
    "full_name": "text",
    "native_name": "text",
    "email": "text",
    "phone": "text",
    "country": "choice",
    "languages": "id",
    "preferred_language": "id",
    "gender": "choice",
    "pronouns": "text",
    "sector": "id",
    "community": "id",
    "track": "id",
    "organisation": "text",
    "position": "text",
    "risk_level": "choice",
    "do_not_contact": "bool",
    "do_not_contact_reason": "text",
    "tags": "id",
}
SESSION_VALID = lambda w: {  # noqa: E731
    "title": "Opening circle",
    "room": "Hall A",
    "starts_local": (w.session.ends_at + timedelta(hours=1))
    .astimezone(w.cast.workshop.venue_zone)
    .strftime("%Y-%m-%dT%H:%M"),
    "ends_local": (w.session.ends_at + timedelta(hours=2))
    .astimezone(w.cast.workshop.venue_zone)
    .strftime("%Y-%m-%dT%H:%M"),
    "description": "Introductions",
}
SESSION_KINDS = {
    "title": "text",
    "room": "text",
    "starts_local": "date",
    "ends_local": "date",
    "is_parallel": "bool",
    "description": "text",
}
NOTE_VALID = lambda w: {  # noqa: E731
    "title": "Day one",
    "body": "We *listened*.",
    "level": "team",
    "session": str(w.session.pk),
}
NOTE_KINDS = {
    "title": "text",
    "body": "text",
    "level": "choice",
    "chatham_house": "bool",
    "session": "id",
    "themes": "id",
    "new_themes": "text",
    "save_anyway": "bool",
    "acknowledged": "id",
}
ACTION_VALID = lambda w: {  # noqa: E731
    "description": "Send the summary",
    "owner": f"u:{w.cast.staff.pk}",
    "due_on": _today(10),
}
ACTION_KINDS = {"description": "text", "owner": "id", "due_on": "date", "note": "id"}
TEMPLATE_VALID = lambda w: {  # noqa: E731
    "kind": "reminder",
    "subject": "See you soon",
    "body": "Dear participant, see you soon.",
}
TEMPLATE_KINDS = {"kind": "choice", "language": "id", "subject": "text", "body": "text"}
RSVP_VALID = lambda w: {"answer": "accept", "note": "Thanks", "dietary": "Vegetarian"}  # noqa: E731
RSVP_KINDS = {
    "answer": "choice",
    "note": "text",
    "dietary": "text",
    "accessibility": "text",
    "interpretation": "text",
    "other_needs": "text",
}
EXPORT_KINDS = {
    "columns": "choice",
    "scope": "choice",
    "format": "choice",
    "chatham": "bool",
    "reveal": "bool",
    "confirm_reveal": "bool",
    "preset_name": "text",
    "preset": "id",
    "action": "choice",
    "filters": "text",
}
EXPORT_EXTRA = {
    "action": ["export", "save_preset", "delete_preset"],
    "columns": ["name", "email", "phone", "community", "status", "pseudonym"],
    "format": ["csv", "xlsx"],
    "scope": ["invited", "accepted", "attended"],
}
FILTER_KINDS = {
    "q": "text",
    "sector": "id",
    "community": "id",
    "track": "id",
    "country": "choice",
    "language": "id",
    "organisation": "text",
    "risk_level": "choice",
    "consent": "choice",
    "do_not_contact": "choice",
    "tags": "id",
    "sort": "choice",
    "page": "number",
}


def _workshop_url(name: str, *more) -> Callable[[World], str]:
    return lambda w: reverse(f"workshops:{name}", args=[w.cast.workshop.pk, *more])


ENDPOINTS: list[Endpoint] = [
    # --- Programs and their team ---------------------------------------------------------
    Endpoint(
        "program_create",
        "admin",
        lambda w: reverse("dialogues:create"),
        PROGRAM_VALID,
        PROGRAM_KINDS,
        check=_text_kept(Program, _newest(Program), {"name": "name", "objectives": "objectives"}),
        examples=10,
    ),
    Endpoint(
        "program_edit",
        "staff",
        lambda w: reverse("dialogues:edit", args=[w.cast.program.pk]),
        PROGRAM_VALID,
        PROGRAM_KINDS,
        check=_text_kept(
            Program, _same(lambda w: w.cast.program), {"name": "name", "objectives": "objectives"}
        ),
    ),
    Endpoint(
        "program_archive",
        "staff",
        lambda w: reverse("dialogues:archive", args=[w.cast.program.pk]),
        lambda w: {"archived": "1"},
        {"archived": "choice"},
        examples=4,
    ),
    Endpoint(
        "program_team_add",
        "staff",
        lambda w: reverse("dialogues:team", args=[w.cast.program.pk]),
        lambda w: {"user": str(w.cast.outsider.pk), "role": ProgramRole.OBSERVER},
        {"user": "id", "role": "choice"},
    ),
    Endpoint(
        "program_team_role",
        "staff",
        lambda w: reverse(
            "dialogues:membership_change",
            args=[
                w.cast.program.pk,
                w.cast.program.memberships.get(user=w.cast.observer).pk,
            ],
        ),
        lambda w: {"role": ProgramRole.FACILITATOR},
        {"role": "choice"},
        examples=4,
    ),
    Endpoint(
        "program_list_filters",
        "staff",
        lambda w: reverse("dialogues:list"),
        lambda w: {"status": "active", "archived": "1"},
        {"status": "choice", "archived": "choice"},
        method="GET",
        examples=4,
    ),
    # --- Workshops ---------------------------------------------------------------------
    Endpoint(
        "workshop_create",
        "staff",
        lambda w: reverse("workshops:create", args=[w.cast.program.pk]),
        WORKSHOP_VALID,
        WORKSHOP_KINDS,
        check=_text_kept(
            Workshop, _newest(Workshop), {"title": "title", "venue_name": "venue_name"}
        ),
        examples=11,
    ),
    Endpoint(
        "workshop_edit",
        "staff",
        _workshop_url("edit"),
        WORKSHOP_VALID,
        WORKSHOP_KINDS,
        check=_text_kept(
            Workshop,
            _same(lambda w: w.cast.workshop),
            {"title": "title", "objectives": "objectives"},
        ),
        examples=10,
    ),
    Endpoint(
        "workshop_duplicate",
        "staff",
        _workshop_url("duplicate"),
        lambda w: {"title": "Second round", "starts_local": _local(90)},
        {"title": "text", "starts_local": "date"},
        check=_text_kept(Workshop, _newest(Workshop), {"title": "title"}),
        examples=10,
    ),
    Endpoint(
        "workshop_status",
        "staff",
        _workshop_url("status"),
        lambda w: {"status": "planned"},
        {"status": "choice"},
        examples=4,
    ),
    Endpoint(
        "workshop_cancel",
        "staff",
        _workshop_url("cancel"),
        lambda w: {"confirm": "on"},
        {"confirm": "bool"},
        examples=4,
    ),
    # --- Agenda (htmx) ---------------------------------------------------------------------
    Endpoint(
        "session_add",
        "staff",
        _workshop_url("session_add"),
        lambda w: {f"new-{k}": v for k, v in SESSION_VALID(w).items()},
        {f"new-{k}": v for k, v in SESSION_KINDS.items()},
        success=lambda r: r.status_code in (200, 302) and "HX-Request" not in r.request,
        headers={"HX-Request": "true"},
        examples=10,
    ),
    Endpoint(
        "session_edit",
        "staff",
        lambda w: reverse("workshops:session_edit", args=[w.cast.workshop.pk, w.session.pk]),
        lambda w: {f"edit-{k}": v for k, v in SESSION_VALID(w).items()},
        {f"edit-{k}": v for k, v in SESSION_KINDS.items()},
        success=lambda r: r.status_code in (200, 302),
        headers={"HX-Request": "true"},
    ),
    Endpoint(
        "session_move",
        "staff",
        lambda w: reverse("workshops:session_move", args=[w.cast.workshop.pk, w.session.pk]),
        lambda w: {"direction": "up"},
        {"direction": "choice"},
        success=lambda r: r.status_code in (200, 302),
        examples=4,
    ),
    # --- Delegation builder ----------------------------------------------------------------
    Endpoint(
        "delegation_filters",
        "staff",
        _workshop_url("delegation"),
        lambda w: {"q": "Eleni", "sort": "name"},
        FILTER_KINDS,
        method="GET",
        examples=10,
    ),
    Endpoint(
        "delegation_add",
        "staff",
        _workshop_url("delegation_add"),
        lambda w: {"participant": [str(w.other_participant.pk)], "query": "q=x"},
        {"participant": "id", "query": "text"},
    ),
    Endpoint(
        "delegation_remove",
        "staff",
        _workshop_url("delegation_remove"),
        lambda w: {"invitation": str(w.invitation.pk)},
        {"invitation": "id", "query": "text"},
        examples=4,
    ),
    # --- Registry ----------------------------------------------------------------------------
    Endpoint(
        "participant_list_filters",
        "staff",
        lambda w: reverse("participants:list"),
        lambda w: {"q": "Eleni"},
        FILTER_KINDS,
        method="GET",
        examples=11,
    ),
    Endpoint(
        "participant_create",
        "staff",
        lambda w: reverse("participants:create"),
        PARTICIPANT_VALID,
        PARTICIPANT_KINDS,
        check=_text_kept(
            Participant,
            _newest(Participant),
            {
                "full_name": "full_name",
                "native_name": "native_name",
                "organisation": "organisation",
            },
        ),
        examples=14,
    ),
    Endpoint(
        "participant_edit",
        "staff",
        lambda w: reverse("participants:edit", args=[w.participant.pk]),
        PARTICIPANT_VALID,
        PARTICIPANT_KINDS,
        check=_text_kept(
            Participant,
            _same(lambda w: w.participant),
            {"full_name": "full_name", "position": "position"},
        ),
        examples=10,
    ),
    Endpoint(
        "participant_lookalikes",
        "staff",
        lambda w: reverse("participants:lookalikes"),
        lambda w: {"full_name": "Eleni", "email": "e@example.org", "phone": "+35799765432"},
        {
            "full_name": "text",
            "email": "text",
            "phone": "text",
            "country": "choice",
            "exclude": "id",
        },
        method="GET",
        examples=10,
    ),
    Endpoint(
        "consent_add",
        "staff",
        lambda w: reverse("participants:consent_add", args=[w.participant.pk]),
        lambda w: {
            "scope": "contact",
            "granted": "on",
            "method": "written",
            "given_on": _today(-1),
            "note": "Signed at the door",
        },
        {
            "scope": "choice",
            "granted": "bool",
            "method": "choice",
            "given_on": "date",
            "note": "text",
        },
    ),
    Endpoint(
        "participant_erase",
        "admin",
        lambda w: reverse("participants:erase", args=[w.other_participant.pk]),
        lambda w: {"confirm_id": str(w.other_participant.pk)},
        {"confirm_id": "number"},
        examples=6,
    ),
    Endpoint(
        "participant_export_record",
        "admin",
        lambda w: reverse("participants:export_record", args=[w.participant.pk]),
        lambda w: {"confirm": "on"},
        {"confirm": "bool"},
        success=lambda r: r.status_code == 200 and r["Content-Type"].startswith("application/json"),
        examples=4,
    ),
    Endpoint(
        "participant_merge",
        "staff",
        lambda w: reverse("participants:merge", args=[w.participant.pk, w.other_participant.pk]),
        lambda w: {"confirm": "on", "take_full_name": "other", "take_email": "keep"},
        {"confirm": "bool", "take_full_name": "choice", "take_email": "choice"},
        examples=6,
    ),
    Endpoint(
        "duplicates_page",
        "staff",
        lambda w: reverse("participants:duplicates"),
        lambda w: {"page": "1"},
        {"page": "number"},
        method="GET",
        examples=4,
    ),
    # --- Outreach --------------------------------------------------------------------------
    Endpoint(
        "template_create",
        "staff",
        lambda w: reverse("workshops:message_template_create", args=[w.cast.program.pk]),
        TEMPLATE_VALID,
        TEMPLATE_KINDS,
        check=_text_kept(MessageTemplate, _newest(MessageTemplate), {"subject": "subject"}),
        examples=10,
    ),
    Endpoint(
        "template_preview",
        "staff",
        lambda w: reverse("workshops:message_template_create", args=[w.cast.program.pk]),
        lambda w: {**TEMPLATE_VALID(w), "preview": "1"},
        TEMPLATE_KINDS,
        headers={"HX-Request": "true"},
        success=lambda r: False,  # a preview never writes
        examples=7,
    ),
    Endpoint(
        "template_edit",
        "staff",
        lambda w: reverse(
            "workshops:message_template_edit", args=[w.cast.program.pk, w.template.pk]
        ),
        lambda w: {**TEMPLATE_VALID(w), "kind": "invitation"},
        TEMPLATE_KINDS,
        check=_text_kept(MessageTemplate, _same(lambda w: w.template), {"body": "body"}),
    ),
    Endpoint(
        "invitations_send",
        "staff",
        _workshop_url("invitations_send"),
        lambda w: {"invitations": [str(w.invitation.pk)]},
        {"invitations": "id"},
        examples=6,
    ),
    Endpoint(
        "invitation_withdraw",
        "staff",
        lambda w: reverse("workshops:invitation_withdraw", args=[w.invitation.pk]),
        lambda w: {"next": "/"},
        {"next": "text"},
        examples=4,
    ),
    Endpoint(
        "message_queue_filters",
        "staff",
        _workshop_url("messages"),
        lambda w: {"q": "Eleni", "status": "pending"},
        {"q": "text", "status": "choice", "kind": "choice", "workshop": "id", "page": "number"},
        method="GET",
        examples=7,
    ),
    Endpoint(
        "program_queue_filters",
        "staff",
        lambda w: reverse("workshops:program_messages", args=[w.cast.program.pk]),
        lambda w: {"q": "Eleni", "workshop": str(w.cast.workshop.pk)},
        {"q": "text", "status": "choice", "kind": "choice", "workshop": "id", "page": "number"},
        method="GET",
        examples=6,
    ),
    Endpoint(
        "rsvp",
        "",
        lambda w: reverse("rsvp", args=[links.rsvp_token(w.invitation)]),
        RSVP_VALID,
        RSVP_KINDS,
        check=_text_kept(
            Invitation,
            _same(lambda w: w.invitation),
            {"note": "response_note", "dietary": "dietary"},
        ),
        examples=14,
    ),
    # --- Notes -------------------------------------------------------------------------------
    Endpoint(
        "note_create",
        "facilitator",
        _workshop_url("note_create"),
        NOTE_VALID,
        NOTE_KINDS,
        check=_text_kept(SessionNote, _newest(SessionNote), {"body": "body"}),
        examples=11,
    ),
    Endpoint(
        "note_edit",
        "facilitator",
        lambda w: reverse("workshops:note_edit", args=[w.note.pk]),
        NOTE_VALID,
        NOTE_KINDS,
        check=_text_kept(SessionNote, _same(lambda w: w.note), {"body": "body"}),
    ),
    Endpoint(
        "note_draft",
        "facilitator",
        _workshop_url("note_draft"),
        lambda w: {**NOTE_VALID(w), "themes": "water, trust", "note": str(w.note.pk)},
        {**NOTE_KINDS, "themes": "text", "note": "id", "discard": "bool"},
        success=lambda r: r.status_code == 200,
        examples=11,
    ),
    Endpoint(
        "note_names",
        "facilitator",
        _workshop_url("note_names"),
        lambda w: {"title": "Day", "body": "Eleni said", "chatham_house": "on"},
        {"title": "text", "body": "text", "chatham_house": "bool", "note": "id"},
        success=lambda r: False,
        examples=7,
    ),
    Endpoint(
        "notes_filters",
        "facilitator",
        _workshop_url("notes"),
        lambda w: {"q": "day", "level": "team"},
        {
            "q": "text",
            "level": "choice",
            "theme": "id",
            "session": "id",
            "chatham_house": "choice",
            "page": "number",
        },
        method="GET",
        may_write=("core_auditevent",),  # note.viewed
        examples=7,
    ),
    Endpoint(
        "all_notes_filters",
        "staff",
        lambda w: reverse("workshops:notes_all"),
        lambda w: {"q": "day", "workshop": str(w.cast.workshop.pk)},
        {"q": "text", "level": "choice", "theme": "id", "workshop": "id", "page": "number"},
        method="GET",
        may_write=("core_auditevent",),
        examples=6,
    ),
    # --- Attendance ----------------------------------------------------------------------
    Endpoint(
        "attendance_mark",
        "facilitator",
        lambda w: reverse("workshops:attendance_mark", args=[w.cast.workshop.pk, w.session.pk]),
        lambda w: {"participant": str(w.participant.pk), "status": "present"},
        {"participant": "id", "status": "choice"},
        examples=6,
    ),
    Endpoint(
        "walk_in_search",
        "facilitator",
        lambda w: reverse("workshops:attendance_walk_in", args=[w.cast.workshop.pk, w.session.pk]),
        lambda w: {"q": "Eleni"},
        {"q": "text"},
        method="GET",
        examples=8,
    ),
    Endpoint(
        "walk_in_add",
        "staff",
        lambda w: reverse("workshops:attendance_walk_in", args=[w.cast.workshop.pk, w.session.pk]),
        lambda w: {"participant": str(w.other_participant.pk)},
        {"participant": "id"},
        examples=4,
    ),
    Endpoint(
        "walk_in_create",
        "facilitator",
        lambda w: reverse(
            "workshops:attendance_walk_in_new", args=[w.cast.workshop.pk, w.session.pk]
        ),
        lambda w: {
            "new-full_name": "Mehmet Yilmaz",
            "new-native_name": "Mehmet Yılmaz",
            "new-community": str(w.community_ids[1]),
            "new-sector": str(w.sector_id),
        },
        {
            "new-full_name": "text",
            "new-native_name": "text",
            "new-community": "id",
            "new-sector": "id",
        },
        check=_text_kept(
            Participant,
            _newest(Participant),
            {"new-full_name": "full_name", "new-native_name": "native_name"},
        ),
        examples=10,
    ),
    # --- Follow-up actions -------------------------------------------------------------------
    Endpoint(
        "action_create",
        "staff",
        _workshop_url("action_create"),
        ACTION_VALID,
        ACTION_KINDS,
        check=_text_kept(FollowUpAction, _newest(FollowUpAction), {"description": "description"}),
        examples=10,
    ),
    Endpoint(
        "action_edit",
        "staff",
        lambda w: reverse("workshops:action_edit", args=[w.action.pk]),
        lambda w: {**ACTION_VALID(w), "status": "in_progress", "next": "/"},
        {**ACTION_KINDS, "status": "choice", "next": "text"},
        check=_text_kept(FollowUpAction, _same(lambda w: w.action), {"description": "description"}),
    ),
    Endpoint(
        "action_status",
        "staff",
        lambda w: reverse("workshops:action_status", args=[w.action.pk]),
        lambda w: {"status": "done", "scope": "workshop"},
        {"status": "choice", "scope": "choice"},
        success=lambda r: r.status_code in (200, 302),
        examples=4,
    ),
    Endpoint(
        "action_list_filters",
        "staff",
        _workshop_url("actions"),
        lambda w: {"status": "open", "owner": f"u:{w.cast.staff.pk}"},
        {"status": "choice", "owner": "id", "overdue": "bool", "page": "number"},
        method="GET",
        examples=6,
    ),
    # --- Rosters and exports -------------------------------------------------------------
    Endpoint(
        "roster_export",
        "staff",
        _workshop_url("roster_export"),
        lambda w: {"format": "csv", "scope": "invited", "columns": ["name", "email"]},
        EXPORT_KINDS,
        success=lambda r: r.status_code in (200, 302) and "text/html" not in r["Content-Type"],
        examples=8,
        extra=EXPORT_EXTRA,
    ),
    Endpoint(
        "roster_preset_save",
        "staff",
        _workshop_url("roster_export"),
        lambda w: {
            "action": "save_preset",
            "preset_name": "Door list",
            "columns": ["name", "email"],
            "format": "csv",
            "scope": "invited",
        },
        EXPORT_KINDS,
        success=lambda r: r.status_code in (200, 302),
        examples=6,
        extra=EXPORT_EXTRA,
    ),
    Endpoint(
        "program_roster_export",
        "staff",
        lambda w: reverse("workshops:program_roster_export", args=[w.cast.program.pk]),
        lambda w: {"format": "xlsx", "columns": ["name", "email"]},
        EXPORT_KINDS,
        success=lambda r: r.status_code in (200, 302) and "text/html" not in r["Content-Type"],
        examples=6,
    ),
    Endpoint(
        "registry_export",
        "admin",
        lambda w: reverse("participants:export"),
        lambda w: {"format": "csv", "columns": ["name", "email"], "filters": "q=Eleni"},
        EXPORT_KINDS,
        success=lambda r: r.status_code in (200, 302) and "text/html" not in r["Content-Type"],
        examples=7,
    ),
    Endpoint(
        "roster_pdf",
        "staff",
        _workshop_url("roster_pdf"),
        lambda w: {"kind": "pdf-signin", "scope": "accepted", "paper": "a4"},
        {
            "kind": "choice",
            "scope": "choice",
            "paper": "choice",
            "chatham_house": "bool",
            "community_colour": "bool",
        },
        success=lambda r: r.status_code == 200 and r["Content-Type"] == "application/pdf",
        examples=4,
    ),
    # --- Calendar, preferences, audit log, sign-in ---------------------------------------
    Endpoint(
        "calendar_month",
        "staff",
        lambda w: reverse("workshops:calendar"),
        lambda w: {"month": "2027-06"},
        {"month": "date"},
        method="GET",
        examples=6,
    ),
    Endpoint(
        "calendar_list",
        "staff",
        lambda w: reverse("workshops:calendar_list"),
        lambda w: {"past": "1", "page": "2"},
        {"past": "choice", "page": "number"},
        method="GET",
        examples=4,
    ),
    Endpoint(
        "calendar_feed_manage",
        "staff",
        lambda w: reverse("workshops:calendar_feed_manage"),
        lambda w: {"action": "issue", "next": "/workshops/calendar/"},
        {"action": "choice", "next": "text"},
        examples=4,
    ),
    Endpoint(
        "calendar_feed",
        "",
        lambda w: reverse("workshops:calendar_feed", args=["x" * 43]),
        lambda w: {},
        {"token": "text"},
        method="GET",
        examples=4,
    ),
    Endpoint(
        "preferences",
        "staff",
        lambda w: reverse("preferences"),
        lambda w: {
            "first_name": "Eleni",
            "last_name": "Christodoulou",
            "email": "eleni@example.org",
            "language": "en",
            "time_zone": "Asia/Nicosia",
        },
        {
            "first_name": "text",
            "last_name": "text",
            "email": "text",
            "language": "choice",
            "time_zone": "choice",
        },
        check=_text_kept(
            type(None),
            lambda w, d: type(w.cast.staff).objects.get(pk=w.cast.staff.pk),
            {"first_name": "first_name", "last_name": "last_name"},
        ),
        examples=10,
    ),
    Endpoint(
        "audit_log_filters",
        "admin",
        lambda w: reverse("audit_log"),
        lambda w: {"action": "participant", "created_after": _today(-3)},
        {
            "actor": "id",
            "action": "text",
            "content_type": "id",
            "object_id": "text",
            "created_after": "date",
            "created_before": "date",
            "page": "number",
        },
        method="GET",
        examples=8,
    ),
    Endpoint(
        "audit_log_export",
        "admin",
        lambda w: reverse("audit_log_export"),
        lambda w: {"action": "participant"},
        {
            "actor": "id",
            "action": "text",
            "object_id": "text",
            "created_after": "date",
            "created_before": "date",
        },
        method="GET",
        may_write=("core_auditevent",),
        examples=4,
    ),
    Endpoint(
        "login",
        "",
        lambda w: reverse("login"),
        lambda w: {"username": "staff-user", "password": "wrong"},
        {"username": "text", "password": "text", "next": "text"},
        may_write=("core_auditevent",),
        examples=7,
    ),
]


def _client(world: World, endpoint: Endpoint) -> Client:
    client = Client(raise_request_exception=False)
    if endpoint.user:
        client.force_login(getattr(world.cast, endpoint.user))
    return client


def _send(client: Client, endpoint: Endpoint, url: str, data: dict[str, Any]):
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in endpoint.headers.items()}
    if endpoint.method == "GET":
        return hostile.get(client, url, data, **headers)
    return hostile.post(client, url, data, **headers)


def _run(world: World, endpoint: Endpoint, client: Client, data: dict[str, Any]) -> Any:
    """One submission in a rolled-back savepoint, with every check."""
    with hostile.rolled_back():
        url = endpoint.url(world)
        audit_before = AuditEvent.objects.count()
        before = hostile.Snapshot.take()
        with hostile.logged_errors() as errors:
            response = _send(client, endpoint, url, data)
        hostile.assert_no_server_error(response, errors, data)
        after = hostile.Snapshot.take()
        changed = [t for t in before.changed(after) if t not in endpoint.may_write]
        if changed:
            assert endpoint.success(response), (
                f"{endpoint.name}: {response.status_code} but {changed} changed for "
                f"{repr(data)[:400]}"
            )
            if endpoint.check is not None:
                endpoint.check(world, data, response)
        elif "core_auditevent" not in endpoint.may_write:
            assert AuditEvent.objects.count() == audit_before
        return response


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_hostile_input_never_500s_nor_writes_half(world, endpoint):
    client = _client(world, endpoint)
    # First the valid submission each example starts from: it works, so the hostile runs
    # test the fields rather than a form that was never valid.
    response = _run(world, endpoint, client, endpoint.valid(world))
    assert response.status_code < 400 or endpoint.name in ("login", "calendar_feed"), (
        response.status_code,
        response.content.decode(errors="replace")[:3000],
    )
    ids = world.ids()
    valid = endpoint.valid(world)
    extra = {name: ids for name, kind in endpoint.kinds.items() if kind == "id"}
    for name, values in endpoint.extra.items():
        extra[name] = [*extra.get(name, []), *values]

    @hostile.examples(endpoint.examples)
    @given(data=hostile.submissions(valid, endpoint.kinds, extra))
    def run(data):
        _run(world, endpoint, client, data)

    run()


# --- Regressions: concrete examples found by the runs above ----------------------------------

LONG_ID = "1" * 5000  # isdigit(), but int() refuses more than 4,300 digits
SUPERSCRIPT = "²"  # isdigit(), but int() refuses it


def _workshop_pk(w: World) -> int:
    return w.cast.workshop.pk


REGRESSIONS = [
    # redirect("0") reads "0" as a URL name: NoReverseMatch, a 500.
    (
        "staff",
        "POST",
        lambda w: reverse("workshops:invitation_withdraw", args=[w.invitation.pk]),
        {"next": "0"},
    ),
    (
        "staff",
        "POST",
        lambda w: reverse("workshops:action_status", args=[w.action.pk]),
        {"status": "done", "next": "detail"},
    ),
    (
        "staff",
        "POST",
        lambda w: reverse("workshops:action_edit", args=[w.action.pk]),
        {"description": "x", "owner": "u:0", "status": "open", "next": "0"},
    ),
    (
        "staff",
        "POST",
        lambda w: reverse("workshops:calendar_feed_manage"),
        {"action": "issue", "next": "0"},
    ),
    # A Location past 16 KB: DisallowedRedirect, logged as an error.
    (
        "staff",
        "POST",
        _workshop_url("delegation_add"),
        {"participant": "1", "query": "q=" + "A" * 100_000},
    ),
    (
        "staff",
        "POST",
        lambda w: reverse("workshops:invitation_withdraw", args=[w.invitation.pk]),
        {"next": "/" + "A" * 100_000},
    ),
    # A NUL sent straight to a query: PostgreSQL refuses it, a 500.
    (
        "staff",
        "GET",
        lambda w: reverse("participants:lookalikes"),
        {"full_name": "Eleni", "email": "\x00"},
    ),
    (
        "staff",
        "GET",
        lambda w: reverse("participants:lookalikes"),
        {"full_name": "Ele\x00ni", "exclude": SUPERSCRIPT},
    ),
    (
        "facilitator",
        "GET",
        lambda w: reverse("workshops:attendance_walk_in", args=[w.cast.workshop.pk, w.session.pk]),
        {"q": "Ele\x00ni"},
    ),
    # Year 1 in a zone east of UTC, or 9999 plus four weeks: OverflowError.
    ("staff", "POST", _workshop_url("duplicate"), {"title": "x", "starts_local": "0001-01-01"}),
    ("staff", "POST", _workshop_url("duplicate"), {"title": "x", "starts_local": "9999-12-31"}),
    (
        "staff",
        "POST",
        lambda w: reverse("workshops:create", args=[w.cast.program.pk]),
        {
            **{k: v for k, v in WORKSHOP_VALID(None).items() if "local" not in k},
            "time_zone": "America/New_York",
            "starts_local": "9999-12-31T22:00",
            "ends_local": "9999-12-31T23:00",
        },
    ),
    # A NUL in the autosaved draft (stored as jsonb).
    ("facilitator", "POST", _workshop_url("note_draft"), {"title": "x", "body": "a\x00b"}),
    ("facilitator", "POST", _workshop_url("note_draft"), {"title": "x", "session": SUPERSCRIPT}),
    # filter(pk="abc"): ValueError, a 500.
    ("staff", "POST", _workshop_url("roster_export"), {"action": "delete_preset", "preset": "abc"}),
    ("staff", "GET", _workshop_url("roster_export"), {"preset": "abc"}),
    # isdigit() ids that int() refuses.
    ("staff", "POST", _workshop_url("delegation_remove"), {"invitation": SUPERSCRIPT}),
    ("staff", "POST", _workshop_url("delegation_remove"), {"invitation": LONG_ID}),
    ("staff", "POST", _workshop_url("delegation_add"), {"participant": [SUPERSCRIPT, LONG_ID]}),
    ("staff", "GET", _workshop_url("delegation"), {"page": "99999999999999999999"}),
    ("staff", "GET", _workshop_url("delegation"), {"page": SUPERSCRIPT}),
    ("staff", "GET", lambda w: reverse("workshops:calendar_list"), {"page": LONG_ID}),
    ("staff", "GET", _workshop_url("invitations_send"), {"preview": SUPERSCRIPT}),
    ("staff", "GET", _workshop_url("actions"), {"owner": "u:" + SUPERSCRIPT}),
    ("staff", "GET", _workshop_url("actions"), {"owner": "p:" + LONG_ID}),
    ("facilitator", "GET", _workshop_url("note_create"), {"session": SUPERSCRIPT}),
    (
        "facilitator",
        "POST",
        _workshop_url("note_create"),
        {**{"title": "t", "body": "b", "level": "team"}, "acknowledged": SUPERSCRIPT},
    ),
    ("staff", "POST", _workshop_url("invitations_send"), {"invitations": [SUPERSCRIPT]}),
    (
        "staff",
        "POST",
        lambda w: reverse("workshops:attendance_mark", args=[w.cast.workshop.pk, w.session.pk]),
        {"participant": SUPERSCRIPT, "status": "present"},
    ),
    (
        "staff",
        "POST",
        lambda w: reverse("workshops:attendance_walk_in", args=[w.cast.workshop.pk, w.session.pk]),
        {"participant": LONG_ID},
    ),
]


@pytest.mark.parametrize(
    ("user", "method", "url", "data"),
    REGRESSIONS,
    ids=[f"{i}-{r[1]}" for i, r in enumerate(REGRESSIONS)],
)
def test_concrete_examples_that_were_500s(world, user, method, url, data):
    endpoint = Endpoint(
        "regression",
        user,
        url,
        lambda w: data,
        {},
        method=method,
        success=lambda r: r.status_code < 400,
    )
    response = _run(world, endpoint, _client(world, endpoint), data)
    assert response.status_code in (200, 302, 400, 404), response.status_code


def test_an_unstorable_draft_is_refused_and_nothing_is_written(world):
    client = _client(world, Endpoint("draft", "facilitator", str, dict, {}))
    before = hostile.Snapshot.take()
    response = hostile.post(
        client,
        reverse("workshops:note_draft", args=[world.cast.workshop.pk]),
        {"title": "Day one", "body": "We agreed\x00"},
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.json()["error"]
    assert not hostile.Snapshot.take().changed(before)


def test_the_storable_text_validator_is_on_every_text_field_of_the_forms():
    """NUL is refused by Django's CharField already; lone surrogates (from a JSON body or
    a spreadsheet) only by ours, on the forms the import and every page use."""
    from core.validators import validate_storable_text
    from participants.forms import ParticipantForm

    form = ParticipantForm(data={"full_name": "Eleni\ud800", "organisation": "A\x00"})
    assert not form.is_valid()
    assert "cannot be stored" in " ".join(form.errors["full_name"])
    assert all(
        validate_storable_text in field.validators
        for field in form.fields.values()
        if isinstance(field, forms.CharField)
    )
