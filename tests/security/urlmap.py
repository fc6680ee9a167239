"""The objects the security matrix requests: the suite's cast (tests/conftest.py ``cast``)
plus one object of every kind a URL names, in the cast's program and workshop and again in
the other program (``foreign_*``), so that every id in a URL can be swapped for one the
user must not reach.

Built once per test module (``world`` fixtures in the test modules), inside a transaction
that is rolled back when the module is done; each test then runs in its own savepoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.models import User
from dialogues.models import Program, ProgramMembership, ProgramRole
from participants.models import (
    ExportJob,
    ExportJobStatus,
    ExportKind,
    ExportPreset,
    ImportStatus,
    LikelyDuplicate,
    Participant,
    ParticipantImport,
)
from tests import factories
from workshops.calendar import calendar_feed_issue
from workshops.models import (
    FollowUpAction,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageTemplate,
    NoteLevel,
    ScheduledMessage,
    Session,
    SessionNote,
    SessionNoteRevision,
    Workshop,
)
from workshops.outreach.links import rsvp_token

# The roles of the matrix, in the order the catalogue lists them (``outsider``: signed in,
# no role anywhere, on top of the seven roles of the issue).
ROLES = (
    "anonymous",
    "admin",
    "staff",
    "other_staff",
    "facilitator",
    "other_facilitator",
    "observer",
    "outsider",
)


@dataclass
class World:
    # The cast (same people and roles as tests/conftest.py ``cast``).
    program: Program
    workshop: Workshop
    other_program: Program
    other_workshop: Workshop  # same program, other facilitator
    admin: User
    staff: User
    other_staff: User
    facilitator: User
    other_facilitator: User
    observer: User
    outsider: User
    # Objects of ``program`` / ``workshop``.
    session: Session
    participant: Participant  # invited to ``workshop`` (accepted)
    invitation: Invitation
    draft_invitation: Invitation  # on the invite list, not sent yet (consent to contact)
    rsvp_token: str
    note_restricted: SessionNote  # all three by ``facilitator``
    note_team: SessionNote
    note_shareable: SessionNote
    revision: SessionNoteRevision  # an earlier version of ``note_team``
    action: FollowUpAction  # owned by ``staff``
    message: ScheduledMessage  # the invitation's email
    template: MessageTemplate
    preset: ExportPreset  # a workshop-roster preset of ``program``
    membership: ProgramMembership  # the observer's, in ``program``
    export_job: ExportJob  # requested by ``staff``, done
    participant_import: ParticipantImport  # uploaded by ``staff``
    duplicate: LikelyDuplicate
    twin: Participant  # the other half of ``duplicate``
    feed_token: str  # ``staff``'s calendar feed
    # The same kinds in ``other_program`` (a workshop there, staff ``other_staff``).
    foreign_workshop: Workshop
    foreign_session: Session
    foreign_participant: Participant  # invited to ``foreign_workshop`` only
    foreign_invitation: Invitation
    foreign_note_restricted: SessionNote
    foreign_note_team: SessionNote
    foreign_note_shareable: SessionNote
    foreign_revision: SessionNoteRevision
    foreign_action: FollowUpAction
    foreign_message: ScheduledMessage
    foreign_template: MessageTemplate
    foreign_preset: ExportPreset
    foreign_membership: ProgramMembership  # other_staff's, in ``other_program``
    foreign_export_job: ExportJob  # requested by ``other_staff``
    foreign_import: ParticipantImport  # uploaded by ``other_staff``

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


def _notes(workshop: Workshop, author: User, prefix: str) -> dict[str, SessionNote]:
    return {
        level: factories.SessionNoteFactory(
            workshop=workshop,
            author=author,
            title=f"{prefix} {level} note",
            body=f"What was said ({level}).",
            level=level,
        )
        for level in NoteLevel.values
    }


def _revision(note: SessionNote, by: User) -> SessionNoteRevision:
    return SessionNoteRevision.objects.create(
        note=note,
        title=f"{note.title} (first draft)",
        body=note.body,
        level=note.level,
        chatham_house=note.chatham_house,
        edited_by=by,
    )


def _invitation(workshop: Workshop) -> Invitation:
    return factories.InvitationFactory(workshop=workshop, status=InvitationStatus.ACCEPTED)


def _export_job(requester: User, workshop: Workshop) -> ExportJob:
    """A workshop roster prepared in the background (done: its file is there)."""
    kind = ExportKind.WORKSHOP
    job = ExportJob.objects.create(
        requester=requester,
        kind=kind,
        params={
            "kind": kind,
            "workshop_id": workshop.pk,
            "format": "csv",
            "filename": "roster.csv",
            "columns": ["name"],
        },
        status=ExportJobStatus.DONE,
        row_count=1,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=24),
    )
    from django.core.files.base import ContentFile

    job.file.save("roster.csv", ContentFile(b"full_name\r\nSomeone\r\n"), save=True)
    return job


def _import(by: User) -> ParticipantImport:
    from django.core.files.base import ContentFile

    item = ParticipantImport(
        original_name="people.csv", status=ImportStatus.READY, total_rows=0, uploaded_by=by
    )
    item.file.save("people.csv", ContentFile(b"full_name,email\r\n"), save=False)
    item.preview = {"rows": [], "counts": {}, "notices": []}
    item.save()
    return item


def build_world() -> World:
    program = factories.ProgramFactory(name="Cyprus bi-communal dialogue")
    other_program = factories.ProgramFactory(name="Karen villages peacebuilding")
    admin = factories.AdminFactory(username="admin-user")
    staff = factories.UserFactory(username="staff-user")
    other_staff = factories.UserFactory(username="other-staff")
    facilitator = factories.UserFactory(username="facilitator-user")
    other_facilitator = factories.UserFactory(username="other-facilitator")
    observer = factories.UserFactory(username="observer-user")
    outsider = factories.UserFactory(username="outsider")
    factories.MembershipFactory(program=program, user=staff, role=ProgramRole.MANAGER)
    foreign_membership = factories.MembershipFactory(
        program=other_program, user=other_staff, role=ProgramRole.MANAGER
    )
    factories.MembershipFactory(program=program, user=facilitator, role=ProgramRole.FACILITATOR)
    factories.MembershipFactory(
        program=program, user=other_facilitator, role=ProgramRole.FACILITATOR
    )
    membership = factories.MembershipFactory(
        program=program, user=observer, role=ProgramRole.OBSERVER
    )
    workshop = factories.WorkshopFactory(program=program, facilitators=[facilitator])
    other_workshop = factories.WorkshopFactory(program=program, facilitators=[other_facilitator])
    foreign_workshop = factories.WorkshopFactory(program=other_program)

    session = factories.SessionFactory(workshop=workshop)
    foreign_session = factories.SessionFactory(workshop=foreign_workshop)
    invitation = _invitation(workshop)
    draft_invitation = factories.InvitationFactory(workshop=workshop, status=InvitationStatus.DRAFT)
    factories.ConsentRecordFactory(participant=draft_invitation.participant)
    foreign_invitation = _invitation(foreign_workshop)
    notes = _notes(workshop, facilitator, "Workshop")
    foreign_notes = _notes(foreign_workshop, other_staff, "Foreign")
    twin = factories.ParticipantFactory(full_name=invitation.participant.full_name)
    first, second = sorted([invitation.participant, twin], key=lambda p: p.pk)
    return World(
        program=program,
        workshop=workshop,
        other_program=other_program,
        other_workshop=other_workshop,
        admin=admin,
        staff=staff,
        other_staff=other_staff,
        facilitator=facilitator,
        other_facilitator=other_facilitator,
        observer=observer,
        outsider=outsider,
        session=session,
        participant=invitation.participant,
        invitation=invitation,
        draft_invitation=draft_invitation,
        rsvp_token=rsvp_token(invitation),
        note_restricted=notes[NoteLevel.RESTRICTED],
        note_team=notes[NoteLevel.TEAM],
        note_shareable=notes[NoteLevel.SHAREABLE],
        revision=_revision(notes[NoteLevel.TEAM], facilitator),
        action=factories.FollowUpActionFactory(workshop=workshop, owner_user=staff),
        message=factories.ScheduledMessageFactory(invitation=invitation),
        template=MessageTemplate.objects.create(
            program=program, kind=MessageKind.INVITATION, subject="Invitation", body="Welcome"
        ),
        preset=ExportPreset.objects.create(
            program=program, name="Sign-in", kind=ExportKind.WORKSHOP, columns=["name"]
        ),
        membership=membership,
        export_job=_export_job(staff, workshop),
        participant_import=_import(staff),
        duplicate=LikelyDuplicate.objects.create(
            first=first, second=second, reason="name", score=0.9
        ),
        twin=twin,
        feed_token=calendar_feed_issue(user=staff),
        foreign_workshop=foreign_workshop,
        foreign_session=foreign_session,
        foreign_participant=foreign_invitation.participant,
        foreign_invitation=foreign_invitation,
        foreign_note_restricted=foreign_notes[NoteLevel.RESTRICTED],
        foreign_note_team=foreign_notes[NoteLevel.TEAM],
        foreign_note_shareable=foreign_notes[NoteLevel.SHAREABLE],
        foreign_revision=_revision(foreign_notes[NoteLevel.TEAM], other_staff),
        foreign_action=factories.FollowUpActionFactory(
            workshop=foreign_workshop, owner_user=other_staff
        ),
        foreign_message=factories.ScheduledMessageFactory(invitation=foreign_invitation),
        foreign_template=MessageTemplate.objects.create(
            program=other_program, kind=MessageKind.INVITATION, subject="Invite", body="Hello"
        ),
        foreign_preset=ExportPreset.objects.create(
            program=other_program, name="Badges", kind=ExportKind.WORKSHOP, columns=["name"]
        ),
        foreign_membership=foreign_membership,
        foreign_export_job=_export_job(other_staff, foreign_workshop),
        foreign_import=_import(other_staff),
    )


def world_for_module(django_db_blocker) -> Iterator[World]:
    """The world, built once for a test module in a transaction rolled back at its end.

    Use it as a module-scoped fixture (``yield from world_for_module(django_db_blocker)``);
    tests take it with ``db``, so each one runs in a savepoint of that transaction and
    whatever a POST changes is gone for the next test.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- The catalogue ----------------------------------------------------------------------------
#
# One entry per URL pattern name (``name#variant`` when one pattern is requested with several
# objects, e.g. a note at each level). ``kwargs`` names the World attributes whose pk (or
# token) goes into the URL. ``get`` and ``post`` give the expected status per role, in the
# order of ``ROLES``:
#
#   anonymous, admin, staff, other_staff, facilitator, other_facilitator, observer, outsider
#
# ``L`` is a redirect to the sign-in page. POSTs carry ``data`` (empty unless given): the
# matrix asks who gets in, not whether the form is right, so 200 (form shown again with its
# errors), 400 (refused form) and 302 (done, or sent back) all mean "let in".
#
# Conventions of the code base the expectations follow (core/permissions.py):
# * an object the user may not see answers 404; one they see but may not change 403
#   (programme pages for facilitators and observers, planning pages for facilitators);
# * pages for registry editors (admins, programme staff of any program) or admins only
#   answer 403 as a whole, before any id is looked at (nothing about the id leaks);
# * notes answer 404 when seen but not editable (note_edit), as notes.py says.

L = "login"


def R(*codes: int | str) -> dict[str, int | str]:
    """Expected statuses in the order of ``ROLES``."""
    assert len(codes) == len(ROLES), codes
    return dict(zip(ROLES, codes, strict=True))


@dataclass(frozen=True)
class Route:
    kwargs: dict[str, str]
    get: dict[str, int | str]
    post: dict[str, int | str]
    # The same URL naming the other program's objects: every role but admin and other_staff
    # gets 404 (``foreign_expect`` overrides, each with its reason).
    foreign: dict[str, str] | None = None
    foreign_expect: dict[str, int] | None = None
    # The URL's parent from this program, its child from the other one (a session of
    # another workshop under this workshop's URL): 404 for everyone let in with the real
    # child.
    mixed: dict[str, str] | None = None
    # The POST body, from the world (ids of the objects the form names).
    data: Callable[[World], dict] | None = None
    # ``Cache-Control: no-store`` expected on a 200 GET (notes, rosters, exports, people).
    no_store: bool = False
    # Whether a POST may change something (tests/security/test_csrf_and_methods.py).
    writes: bool = True


# Pages refused as a whole to everyone but registry editors (admins and programme staff of any
# program) or admins: 403 before the id is looked at, so an id of another program tells
# nothing more than any other id.
EDITORS_ONLY = {"facilitator": 403, "other_facilitator": 403, "observer": 403, "outsider": 403}
ADMINS_ONLY = {"staff": 403, **EDITORS_ONLY}

ROUTES: dict[str, Route] = {
    "home": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 200, 200),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        writes=False,
    ),
    "healthz": Route(
        {},
        get=R(200, 200, 200, 200, 200, 200, 200, 200),
        post=R(405, 405, 405, 405, 405, 405, 405, 405),
        writes=False,
    ),
    # The language switcher of every page (Django's set_language; a signed-in user's choice
    # is saved too): anyone may post, and is sent back (to "/" without a ``next``).
    "set_language": Route(
        {},
        get=R(405, 405, 405, 405, 405, 405, 405, 405),
        post=R(302, 302, 302, 302, 302, 302, 302, 302),
        data=lambda w: {"language": "fr", "next": "/"},
    ),
    "preferences": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 200, 200),
        post=R(L, 200, 200, 200, 200, 200, 200, 200),
    ),
    "audit_log": Route(
        {},
        get=R(L, 200, 404, 404, 404, 404, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        no_store=True,
        writes=False,
    ),
    "audit_log_export": Route(
        {},
        get=R(L, 200, 404, 404, 404, 404, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        no_store=True,
        writes=False,
    ),
    # Signed-in people are sent on (redirect_authenticated_user).
    "login": Route(
        {},
        get=R(200, 302, 302, 302, 302, 302, 302, 302),
        post=R(200, 302, 302, 302, 302, 302, 302, 302),
    ),
    # POST only (a GET must not sign anyone out); anonymous posts land on the sign-in page.
    "logout": Route(
        {},
        get=R(405, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, L, L, L, L, L, L, L),
    ),
    "password_change": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 200, 200),
        post=R(L, 200, 200, 200, 200, 200, 200, 200),
    ),
    "password_change_done": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 200, 200),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        writes=False,
    ),
    "retention": Route(
        {},
        get=R(L, 200, 404, 404, 404, 404, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        no_store=True,
        writes=False,
    ),
    # The user's own second factor: no object of anyone else is named. Without a code the
    # POSTs send the user back to the two-factor page; an admin signed in by the suite
    # (verified, with a device) is sent from setup to the management page; verify sends
    # anyone who owes no code home.
    "two_factor": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 200, 200),
        post=R(L, 200, 200, 200, 200, 200, 200, 200),
        no_store=True,
        writes=False,
    ),
    "two_factor_setup": Route(
        {},
        get=R(L, 302, 200, 200, 200, 200, 200, 200),
        post=R(L, 302, 200, 200, 200, 200, 200, 200),
        no_store=True,
    ),
    "two_factor_verify": Route(
        {},
        get=R(L, 302, 302, 302, 302, 302, 302, 302),
        post=R(L, 302, 302, 302, 302, 302, 302, 302),
        no_store=True,
    ),
    "two_factor_backup_codes": Route(
        {},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 302, 302, 302, 302, 302),
        no_store=True,
    ),
    "two_factor_disable": Route(
        {},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 302, 302, 302, 302, 302),
        no_store=True,
    ),
    "workshops:invitation_preview_email": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 403, 404, 403, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_workshop"},
        no_store=True,
        writes=False,
    ),
    "dialogues:list": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 200, 200),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        writes=False,
    ),
    # Any programme staff (of any program) may start a program; facilitators and observers 403.
    "dialogues:create": Route(
        {},
        get=R(L, 200, 200, 200, 403, 403, 403, 403),
        post=R(L, 200, 200, 200, 403, 403, 403, 403),
    ),
    # The program team sees the program (facilitators and observers too).
    "dialogues:detail": Route(
        {"pk": "program"},
        get=R(L, 200, 200, 404, 200, 200, 200, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "other_program"},
        writes=False,
    ),
    # Seen but not run (facilitators, observers): 403; not seen: 404.
    "dialogues:edit": Route(
        {"pk": "program"},
        get=R(L, 200, 200, 404, 403, 403, 403, 404),
        post=R(L, 200, 200, 404, 403, 403, 403, 404),
        foreign={"pk": "other_program"},
    ),
    "dialogues:archive": Route(
        {"pk": "program"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 403, 403, 403, 404),
        foreign={"pk": "other_program"},
    ),
    "dialogues:team": Route(
        {"pk": "program"},
        get=R(L, 200, 200, 404, 403, 403, 403, 404),
        post=R(L, 200, 200, 404, 403, 403, 403, 404),
        foreign={"pk": "other_program"},
    ),
    "dialogues:membership_change": Route(
        {"pk": "program", "membership": "membership"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 403, 403, 403, 404),
        data=lambda w: {"role": "facilitator"},
        foreign={"pk": "other_program", "membership": "foreign_membership"},
        mixed={"pk": "program", "membership": "foreign_membership"},
    ),
    "dialogues:membership_remove": Route(
        {"pk": "program", "membership": "membership"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 403, 403, 403, 404),
        foreign={"pk": "other_program", "membership": "foreign_membership"},
        mixed={"pk": "program", "membership": "foreign_membership"},
    ),
    "dialogues:dashboard": Route(
        {"pk": "program"},
        get=R(L, 200, 200, 404, 200, 200, 200, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "other_program"},
        writes=False,
    ),
    "workshops:calendar": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 200, 200),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        writes=False,
    ),
    "workshops:calendar_list": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 200, 200),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        writes=False,
    ),
    # Empty POST: 400 (no action) for those who may have a feed; observers and outsiders 403.
    "workshops:calendar_feed_manage": Route(
        {},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 400, 400, 400, 400, 400, 403, 403),
    ),
    # No session: the token is the key, so every role (anonymous too) gets the feed.
    "workshops:calendar_feed": Route(
        {"token": "feed_token"},
        get=R(200, 200, 200, 200, 200, 200, 200, 200),
        post=R(405, 405, 405, 405, 405, 405, 405, 405),
        writes=False,
    ),
    "workshops:create": Route(
        {"program": "program"},
        get=R(L, 200, 200, 404, 403, 403, 403, 404),
        post=R(L, 200, 200, 404, 403, 403, 403, 404),
        foreign={"program": "other_program"},
    ),
    # Facilitators see the workshops they run only, not the program's others.
    "workshops:detail": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 200, 404, 200, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_workshop"},
        writes=False,
    ),
    "workshops:edit": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 403, 404, 403, 404),
        post=R(L, 200, 200, 404, 403, 404, 403, 404),
        foreign={"pk": "foreign_workshop"},
    ),
    "workshops:duplicate": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 403, 404, 403, 404),
        post=R(L, 200, 200, 404, 403, 404, 403, 404),
        foreign={"pk": "foreign_workshop"},
    ),
    "workshops:status": Route(
        {"pk": "workshop"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 403, 404, 403, 404),
        data=lambda w: {"status": "planned"},
        foreign={"pk": "foreign_workshop"},
    ),
    "workshops:cancel": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 403, 404, 403, 404),
        post=R(L, 200, 200, 404, 403, 404, 403, 404),
        foreign={"pk": "foreign_workshop"},
    ),
    "workshops:session_add": Route(
        {"pk": "workshop"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 400, 400, 404, 403, 404, 403, 404),
        foreign={"pk": "foreign_workshop"},
    ),
    # Planning pages: programme staff; facilitators and observers see the workshop: 403.
    "workshops:delegation": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 403, 404, 403, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_workshop"},
        no_store=True,
        writes=False,
    ),
    "workshops:delegation_add": Route(
        {"pk": "workshop"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 403, 404, 403, 404),
        data=lambda w: {"participant": [w.twin.pk]},
        foreign={"pk": "foreign_workshop"},
    ),
    "workshops:delegation_remove": Route(
        {"pk": "workshop"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 403, 404, 403, 404),
        data=lambda w: {"invitation": w.invitation.pk},
        foreign={"pk": "foreign_workshop"},
    ),
    "workshops:invitations_send": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 403, 404, 403, 404),
        post=R(L, 302, 302, 404, 403, 404, 403, 404),
        data=lambda w: {"invitations": [w.draft_invitation.pk]},
        foreign={"pk": "foreign_workshop"},
        no_store=True,
    ),
    # The progress panel of the latest send of invitations: whoever may send them.
    "workshops:invitations_progress": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 403, 404, 403, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_workshop"},
        no_store=True,
        writes=False,
    ),
    "workshops:messages": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 403, 404, 403, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_workshop"},
        no_store=True,
        writes=False,
    ),
    # Attendance: staff of the program and the workshop's facilitators; observers 404.
    "workshops:attendance": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 200, 404, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_workshop"},
        no_store=True,
        writes=False,
    ),
    # Quirk: program-role facilitators read the program's team notes
    # (core.permissions.notes_visible_to), so other_facilitator opens this list although not the
    # workshop (404 there).
    "workshops:notes": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 200, 200, 200, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_workshop"},
        no_store=True,
        writes=False,
    ),
    # Writers: the workshop's facilitators, programme staff, admins; others 404.
    "workshops:note_create": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 200, 404, 404, 404),
        post=R(L, 400, 400, 404, 400, 404, 404, 404),
        foreign={"pk": "foreign_workshop"},
        no_store=True,
    ),
    "workshops:note_draft": Route(
        {"pk": "workshop"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 200, 200, 404, 200, 404, 404, 404),
        foreign={"pk": "foreign_workshop"},
    ),
    "workshops:note_names": Route(
        {"pk": "workshop"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 200, 200, 404, 200, 404, 404, 404),
        foreign={"pk": "foreign_workshop"},
    ),
    "workshops:actions": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 200, 404, 200, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_workshop"},
        writes=False,
    ),
    # Quirk: observers see the workshop but are not on its team: 403.
    "workshops:action_create": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 200, 404, 403, 404),
        post=R(L, 200, 200, 404, 200, 404, 403, 404),
        foreign={"pk": "foreign_workshop"},
    ),
    "workshops:report": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 200, 404, 200, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_workshop"},
        no_store=True,
        writes=False,
    ),
    "workshops:report_pdf": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 200, 404, 200, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_workshop"},
        no_store=True,
        writes=False,
    ),
    "workshops:roster_pdf": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 200, 404, 403, 404),
        post=R(L, 200, 200, 404, 200, 404, 403, 404),
        foreign={"pk": "foreign_workshop"},
        no_store=True,
    ),
    "workshops:roster_export": Route(
        {"pk": "workshop"},
        get=R(L, 200, 200, 404, 200, 404, 403, 404),
        post=R(L, 400, 400, 404, 400, 404, 403, 404),
        foreign={"pk": "foreign_workshop"},
        no_store=True,
    ),
    "workshops:session_edit": Route(
        {"pk": "workshop", "session": "session"},
        get=R(L, 200, 200, 404, 403, 404, 403, 404),
        post=R(L, 200, 200, 404, 403, 404, 403, 404),
        foreign={"pk": "foreign_workshop", "session": "foreign_session"},
        mixed={"pk": "workshop", "session": "foreign_session"},
    ),
    "workshops:session_remove": Route(
        {"pk": "workshop", "session": "session"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 403, 404, 403, 404),
        foreign={"pk": "foreign_workshop", "session": "foreign_session"},
        mixed={"pk": "workshop", "session": "foreign_session"},
    ),
    "workshops:session_move": Route(
        {"pk": "workshop", "session": "session"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 403, 404, 403, 404),
        foreign={"pk": "foreign_workshop", "session": "foreign_session"},
        mixed={"pk": "workshop", "session": "foreign_session"},
    ),
    "workshops:attendance_session": Route(
        {"pk": "workshop", "session": "session"},
        get=R(L, 200, 200, 404, 200, 404, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_workshop", "session": "foreign_session"},
        mixed={"pk": "workshop", "session": "foreign_session"},
        no_store=True,
        writes=False,
    ),
    "workshops:attendance_mark": Route(
        {"pk": "workshop", "session": "session"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 302, 404, 404, 404),
        data=lambda w: {"participant": w.participant.pk, "status": "present"},
        foreign={"pk": "foreign_workshop", "session": "foreign_session"},
        mixed={"pk": "workshop", "session": "foreign_session"},
    ),
    "workshops:attendance_mark_all": Route(
        {"pk": "workshop", "session": "session"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 302, 404, 404, 404),
        foreign={"pk": "foreign_workshop", "session": "foreign_session"},
        mixed={"pk": "workshop", "session": "foreign_session"},
    ),
    "workshops:attendance_walk_in": Route(
        {"pk": "workshop", "session": "session"},
        get=R(L, 200, 200, 404, 200, 404, 404, 404),
        post=R(L, 302, 302, 404, 302, 404, 404, 404),
        data=lambda w: {"participant": w.participant.pk},
        foreign={"pk": "foreign_workshop", "session": "foreign_session"},
        mixed={"pk": "workshop", "session": "foreign_session"},
        no_store=True,
    ),
    "workshops:attendance_walk_in_new": Route(
        {"pk": "workshop", "session": "session"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 400, 400, 404, 400, 404, 404, 404),
        foreign={"pk": "foreign_workshop", "session": "foreign_session"},
        mixed={"pk": "workshop", "session": "foreign_session"},
    ),
    "workshops:invitation_withdraw": Route(
        {"pk": "invitation"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 403, 404, 404, 404),
        foreign={"pk": "foreign_invitation"},
    ),
    "workshops:program_messages": Route(
        {"program": "program"},
        get=R(L, 200, 200, 404, 403, 403, 403, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"program": "other_program"},
        no_store=True,
        writes=False,
    ),
    "workshops:message_resend": Route(
        {"pk": "message"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 404, 404, 404, 404),
        foreign={"pk": "foreign_message"},
    ),
    "workshops:message_cancel": Route(
        {"pk": "message"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 404, 404, 404, 404),
        foreign={"pk": "foreign_message"},
    ),
    "workshops:message_templates": Route(
        {"program": "program"},
        get=R(L, 200, 200, 404, 403, 403, 403, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"program": "other_program"},
        writes=False,
    ),
    "workshops:message_template_create": Route(
        {"program": "program"},
        get=R(L, 200, 200, 404, 403, 403, 403, 404),
        post=R(L, 200, 200, 404, 403, 403, 403, 404),
        foreign={"program": "other_program"},
    ),
    "workshops:message_template_edit": Route(
        {"program": "program", "pk": "template"},
        get=R(L, 200, 200, 404, 403, 403, 403, 404),
        post=R(L, 200, 200, 404, 403, 403, 403, 404),
        foreign={"program": "other_program", "pk": "foreign_template"},
        mixed={"program": "program", "pk": "foreign_template"},
    ),
    "workshops:message_template_delete": Route(
        {"program": "program", "pk": "template"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 403, 403, 403, 404),
        foreign={"program": "other_program", "pk": "foreign_template"},
        mixed={"program": "program", "pk": "foreign_template"},
    ),
    # Everyone signed in; it lists only the rooms they run (admins too: not all).
    "workshops:mine": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 200, 200),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        no_store=True,
        writes=False,
    ),
    "workshops:notes_all": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 200, 200),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        no_store=True,
        writes=False,
    ),
    "workshops:program_notes": Route(
        {"program": "program"},
        get=R(L, 200, 200, 404, 200, 200, 200, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"program": "other_program"},
        no_store=True,
        writes=False,
    ),
    "workshops:program_actions": Route(
        {"program_pk": "program"},
        get=R(L, 200, 200, 404, 200, 200, 200, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"program_pk": "other_program"},
        writes=False,
    ),
    "workshops:actions_mine": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 200, 200),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        writes=False,
    ),
    "workshops:action_edit": Route(
        {"pk": "action"},
        get=R(L, 200, 200, 404, 200, 404, 403, 404),
        post=R(L, 200, 200, 404, 200, 404, 403, 404),
        foreign={"pk": "foreign_action"},
    ),
    "workshops:action_status": Route(
        {"pk": "action"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 302, 404, 403, 404),
        data=lambda w: {"status": "done"},
        foreign={"pk": "foreign_action"},
    ),
    "workshops:program_roster_export": Route(
        {"pk": "program"},
        get=R(L, 200, 200, 404, 403, 403, 403, 404),
        post=R(L, 400, 400, 404, 403, 403, 403, 404),
        foreign={"pk": "other_program"},
        no_store=True,
    ),
    "workshops:note_version": Route(
        {"pk": "note_team", "revision": "revision"},
        get=R(L, 200, 200, 404, 200, 200, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_note_team", "revision": "foreign_revision"},
        mixed={"pk": "note_team", "revision": "foreign_revision"},
        no_store=True,
        writes=False,
    ),
    # Restricted: the workshop's facilitators (and admins) only; staff 404.
    "workshops:note#restricted": Route(
        {"pk": "note_restricted"},
        get=R(L, 200, 404, 404, 200, 404, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_note_restricted"},
        no_store=True,
        writes=False,
    ),
    # Team: staff and the program's facilitators (other_facilitator too, see notes).
    "workshops:note#team": Route(
        {"pk": "note_team"},
        get=R(L, 200, 200, 404, 200, 200, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_note_team"},
        no_store=True,
        writes=False,
    ),
    # Shareable: observers too.
    "workshops:note#shareable": Route(
        {"pk": "note_shareable"},
        get=R(L, 200, 200, 404, 200, 200, 200, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_note_shareable"},
        no_store=True,
        writes=False,
    ),
    # Editing: the note's author (facilitator) or an admin; seen but not editable answers 404
    # too (notes.py).
    "workshops:note_edit#restricted": Route(
        {"pk": "note_restricted"},
        get=R(L, 200, 404, 404, 200, 404, 404, 404),
        post=R(L, 400, 404, 404, 400, 404, 404, 404),
        foreign={"pk": "foreign_note_restricted"},
        no_store=True,
    ),
    "workshops:note_edit#team": Route(
        {"pk": "note_team"},
        get=R(L, 200, 404, 404, 200, 404, 404, 404),
        post=R(L, 400, 404, 404, 400, 404, 404, 404),
        foreign={"pk": "foreign_note_team"},
        no_store=True,
    ),
    "workshops:note_edit#shareable": Route(
        {"pk": "note_shareable"},
        get=R(L, 200, 404, 404, 200, 404, 404, 404),
        post=R(L, 400, 404, 404, 400, 404, 404, 404),
        foreign={"pk": "foreign_note_shareable"},
        no_store=True,
    ),
    "workshops:note_history#restricted": Route(
        {"pk": "note_restricted"},
        get=R(L, 200, 404, 404, 200, 404, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_note_restricted"},
        no_store=True,
        writes=False,
    ),
    "workshops:note_history#team": Route(
        {"pk": "note_team"},
        get=R(L, 200, 200, 404, 200, 200, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_note_team"},
        no_store=True,
        writes=False,
    ),
    "workshops:note_history#shareable": Route(
        {"pk": "note_shareable"},
        get=R(L, 200, 200, 404, 200, 200, 200, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_note_shareable"},
        no_store=True,
        writes=False,
    ),
    # Admins, programme staff (whole registry), facilitators (their invitees); observers 403.
    "participants:list": Route(
        {},
        get=R(L, 200, 200, 200, 200, 200, 403, 403),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        no_store=True,
        writes=False,
    ),
    # Registry editors (admins, programme staff of any program): the page is 403 to others.
    "participants:create": Route(
        {},
        get=R(L, 200, 200, 200, 403, 403, 403, 403),
        post=R(L, 200, 200, 200, 403, 403, 403, 403),
        no_store=True,
    ),
    "participants:lookalikes": Route(
        {},
        get=R(L, 200, 200, 200, 403, 403, 403, 403),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        no_store=True,
        writes=False,
    ),
    "participants:import_upload": Route(
        {},
        get=R(L, 200, 200, 200, 403, 403, 403, 403),
        post=R(L, 200, 200, 200, 403, 403, 403, 403),
        no_store=True,
    ),
    "participants:import_template": Route(
        {},
        get=R(L, 200, 200, 200, 403, 403, 403, 403),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        writes=False,
    ),
    "participants:duplicates": Route(
        {},
        get=R(L, 200, 200, 200, 403, 403, 403, 403),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        no_store=True,
        writes=False,
    ),
    "participants:duplicates_scan": Route(
        {},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 302, 403, 403, 403, 403),
    ),
    # The registry export: admins only.
    "participants:export": Route(
        {},
        get=R(L, 200, 403, 403, 403, 403, 403, 403),
        post=R(L, 400, 403, 403, 403, 403, 403, 403),
        no_store=True,
    ),
    # Staff of any program see the whole registry; facilitators their invitees.
    "participants:detail": Route(
        {"pk": "participant"},
        get=R(L, 200, 200, 200, 200, 404, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        # The registry is shared by all programme staff: they see the other program's people.
        foreign_expect={"staff": 200},
        foreign={"pk": "foreign_participant"},
        no_store=True,
        writes=False,
    ),
    "participants:edit": Route(
        {"pk": "participant"},
        get=R(L, 200, 200, 200, 403, 403, 403, 403),
        post=R(L, 200, 200, 200, 403, 403, 403, 403),
        foreign_expect=EDITORS_ONLY | {"staff": 200},
        foreign={"pk": "foreign_participant"},
        no_store=True,
    ),
    "participants:consent_add": Route(
        {"pk": "participant"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 400, 400, 400, 403, 403, 403, 403),
        foreign_expect=EDITORS_ONLY | {"staff": 400},
        foreign={"pk": "foreign_participant"},
    ),
    # Data-protection pages: admins only (403 as a page).
    "participants:erase": Route(
        {"pk": "participant"},
        get=R(L, 200, 403, 403, 403, 403, 403, 403),
        post=R(L, 200, 403, 403, 403, 403, 403, 403),
        foreign_expect=ADMINS_ONLY,
        foreign={"pk": "foreign_participant"},
        no_store=True,
    ),
    "participants:export_record": Route(
        {"pk": "participant"},
        get=R(L, 200, 403, 403, 403, 403, 403, 403),
        post=R(L, 200, 403, 403, 403, 403, 403, 403),
        foreign_expect=ADMINS_ONLY,
        foreign={"pk": "foreign_participant"},
        no_store=True,
    ),
    # An import is its uploader's (and admins'): other staff 404.
    "participants:import_detail": Route(
        {"pk": "participant_import"},
        get=R(L, 200, 200, 404, 403, 403, 403, 403),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign_expect=EDITORS_ONLY,
        foreign={"pk": "foreign_import"},
        no_store=True,
        writes=False,
    ),
    "participants:import_progress": Route(
        {"pk": "participant_import"},
        get=R(L, 200, 200, 404, 403, 403, 403, 403),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign_expect=EDITORS_ONLY,
        foreign={"pk": "foreign_import"},
        no_store=True,
        writes=False,
    ),
    "participants:import_confirm": Route(
        {"pk": "participant_import"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 400, 400, 404, 403, 403, 403, 403),
        foreign_expect=EDITORS_ONLY,
        foreign={"pk": "foreign_import"},
    ),
    "participants:import_cancel": Route(
        {"pk": "participant_import"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 404, 403, 403, 403, 403),
        foreign_expect=EDITORS_ONLY,
        foreign={"pk": "foreign_import"},
    ),
    "participants:duplicate_dismiss": Route(
        {"pk": "duplicate"},
        get=R(L, 405, 405, 405, 405, 405, 405, 405),
        post=R(L, 302, 302, 302, 403, 403, 403, 403),
    ),
    "participants:merge": Route(
        {"pk": "participant", "other": "twin"},
        get=R(L, 200, 200, 200, 403, 403, 403, 403),
        post=R(L, 200, 200, 200, 403, 403, 403, 403),
        foreign_expect=EDITORS_ONLY | {"staff": 200},
        foreign={"pk": "foreign_participant", "other": "twin"},
        no_store=True,
    ),
    # Only the requester (staff here), admins neither: 404.
    "participants:export_job": Route(
        {"pk": "export_job"},
        get=R(L, 404, 200, 404, 404, 404, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_export_job"},
        no_store=True,
        writes=False,
    ),
    "participants:export_job_status": Route(
        {"pk": "export_job"},
        get=R(L, 404, 200, 404, 404, 404, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_export_job"},
        no_store=True,
        writes=False,
    ),
    "participants:export_job_download": Route(
        {"pk": "export_job"},
        get=R(L, 404, 200, 404, 404, 404, 404, 404),
        post=R(L, 405, 405, 405, 405, 405, 405, 405),
        foreign={"pk": "foreign_export_job"},
        no_store=True,
        writes=False,
    ),
    # The token is the key: the same answer whoever is signed in.
    "rsvp": Route(
        {"token": "rsvp_token"},
        get=R(200, 200, 200, 200, 200, 200, 200, 200),
        post=R(200, 200, 200, 200, 200, 200, 200, 200),
        no_store=True,
    ),
    "rsvp_answered": Route(
        {"token": "rsvp_token"},
        get=R(200, 200, 200, 200, 200, 200, 200, 200),
        post=R(405, 405, 405, 405, 405, 405, 405, 405),
        no_store=True,
        writes=False,
    ),
}


# --- What the resolver serves ----------------------------------------------------------------

# Served by someone else's rules, so outside the matrix (each checked in its own tests):
SKIPPED_NAMESPACES = {
    # Django's admin: is_staff plus Django's model permissions, tests/test_admin.py.
    "admin",
}
# Static and media files are served by WhiteNoise (middleware) and the web server, never by a
# URL pattern, so nothing of theirs appears in the resolver; a pattern serving them would be
# skipped here by its prefix.
SKIPPED_PREFIXES = ("static/", "media/")


def url_pattern_names(patterns=None, namespace: str = "", prefix: str = "") -> dict[str, str]:
    """Every named URL pattern of the project (``namespace:name`` → route), walked from
    the resolver itself, less the skipped ones."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, str] = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            if inner in SKIPPED_NAMESPACES or route.startswith(SKIPPED_PREFIXES):
                continue
            qualified = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            found.update(url_pattern_names(entry.url_patterns, qualified, route))
        elif isinstance(entry, URLPattern):
            if route.startswith(SKIPPED_PREFIXES):
                continue
            # An unnamed pattern cannot be reversed, so it cannot have an entry: it fails.
            name = entry.name or f"<unnamed {route}>"
            found[f"{namespace}:{name}" if namespace else name] = route
    return found


def base_name(key: str) -> str:
    return key.split("#", 1)[0]


def url_for(world: World, key: str, kwargs: dict[str, str]) -> str:
    from django.urls import reverse

    values = {}
    for arg, attribute in kwargs.items():
        value = getattr(world, attribute)
        values[arg] = getattr(value, "pk", value)
    return reverse(base_name(key), kwargs=values)
