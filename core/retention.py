"""Data retention: what the registry and the notes forget, and when.

Two rules, each set in ``config/settings/base.py`` (0 turns a rule off):

- ``RETENTION_PARTICIPANT_INACTIVE_YEARS``: a participant with no activity for that many
  years is *erased* with ``participants.privacy.participant_erase``: the row stays with its
  sector, community, track, gender, invitations and attendance, so every program's counts
  stay right, and everything that says who the person was is replaced by a placeholder.
  *Activity* is anything that shows a live relationship: the record created or edited, an
  invitation created, sent or answered, a workshop they were invited to that ends after the
  cut-off, attendance at a session, a consent record, a follow-up action they own (created,
  due or completed) and a message to them due after the cut-off.
- ``RETENTION_NOTES_AFTER_PROGRAM_DAYS``: the session notes of a *concluded* program are
  deleted that many days after it concluded, with their revisions and autosaved drafts
  (new-note drafts of its workshops too). A program is concluded when its status is
  *concluded* or *transitioned to Track One*, or when it is archived; it concluded on the
  latest of its end date, the day it was archived and the day its last workshop ended, so
  a program closed early but still holding a workshop keeps its notes until that is over.
  Notes are deleted rather than blanked: a blank note keeps nothing anyone needs, and the
  rows would still say who wrote what when. Follow-up actions stay (they lose their link to
  the note) and so does the audit log, which holds ids only.

``retention_plan`` computes what a run would do; ``retention_apply`` computes the plan and
carries it out, re-checking each person and program under a lock so that someone who became
active, or a program reopened, between the two is left alone. Every run that applies (the
daily Celery beat job, ``manage.py apply_retention``) writes one ``retention.applied`` audit
event with counts and ids, never names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from core import audit
from core.models import User
from dialogues.models import Program, ProgramStatus
from participants.models import ConsentRecord, Participant
from participants.safety import pseudonym
from participants.services import RegistryError
from workshops.models import (
    Attendance,
    FollowUpAction,
    Invitation,
    NoteDraft,
    ScheduledMessage,
    SessionNote,
    SessionNoteRevision,
    Workshop,
)

CONCLUDED_STATUSES = (ProgramStatus.CONCLUDED, ProgramStatus.TRANSITIONED)


# --- The rules as set ---------------------------------------------------------------------------


def participant_inactive_years() -> int:
    return int(getattr(settings, "RETENTION_PARTICIPANT_INACTIVE_YEARS", 0) or 0)


def notes_after_program_days() -> int:
    return int(getattr(settings, "RETENTION_NOTES_AFTER_PROGRAM_DAYS", 0) or 0)


def years_before(moment: datetime, years: int) -> datetime:
    """The same instant ``years`` calendar years earlier (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


# --- Who and what is due ------------------------------------------------------------------------


def participants_inactive_since(cutoff: datetime) -> QuerySet[Participant]:
    """Participants not yet erased with no activity on or after ``cutoff`` (see the module
    docstring for what counts). One query of NOT EXISTS subqueries, on PostgreSQL and SQLite."""
    person = OuterRef("pk")
    invitations = Invitation.objects.filter(participant=person).filter(
        Q(created_at__gte=cutoff)
        | Q(sent_at__gte=cutoff)
        | Q(responded_at__gte=cutoff)
        | Q(workshop__ends_at__gte=cutoff)
    )
    attendance = Attendance.objects.filter(participant=person).filter(
        Q(session__starts_at__gte=cutoff) | Q(recorded_at__gte=cutoff)
    )
    consent = ConsentRecord.objects.filter(participant=person).filter(
        Q(given_on__gte=cutoff.date()) | Q(recorded_at__gte=cutoff)
    )
    actions = FollowUpAction.objects.filter(owner_participant=person).filter(
        Q(created_at__gte=cutoff) | Q(due_on__gte=cutoff.date()) | Q(completed_at__gte=cutoff)
    )
    messages = ScheduledMessage.objects.filter(recipient_participant=person, send_at__gte=cutoff)
    return (
        Participant.objects.filter(
            erased_at__isnull=True, created_at__lt=cutoff, updated_at__lt=cutoff
        )
        .exclude(Exists(invitations))
        .exclude(Exists(attendance))
        .exclude(Exists(consent))
        .exclude(Exists(actions))
        .exclude(Exists(messages))
    )


def _day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def concluded_on(program: Program, last_workshop_end: datetime | None) -> date | None:
    """When a program concluded, or None while it has not (see the module docstring)."""
    if not (program.status in CONCLUDED_STATUSES or program.archived_at is not None):
        return None
    days = [d for d in (program.ends_on, _day(program.archived_at), _day(last_workshop_end)) if d]
    return max(days) if days else None


def _concluded_programs() -> QuerySet[Program]:
    return (
        Program.objects.filter(Q(status__in=CONCLUDED_STATUSES) | Q(archived_at__isnull=False))
        .annotate(last_workshop_end=Max("workshops__ends_at"))
        .order_by("pk")
    )


# --- The plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedParticipant:
    id: int
    pseudonym: str


@dataclass(frozen=True)
class PlannedProgram:
    """A concluded program past the notes' retention, and what of its notes would go."""

    id: int
    name: str
    concluded_on: date
    note_ids: tuple[int, ...]
    revisions: int
    drafts: int


@dataclass(frozen=True)
class RetentionPlan:
    now: datetime
    inactive_years: int
    notes_after_days: int
    participant_cutoff: datetime | None  # None: the rule is off
    notes_cutoff: date | None  # programs concluded on or before this day
    participants: tuple[PlannedParticipant, ...] = ()
    programs: tuple[PlannedProgram, ...] = ()

    @property
    def participant_ids(self) -> list[int]:
        return [p.id for p in self.participants]

    @property
    def note_ids(self) -> list[int]:
        return sorted(pk for program in self.programs for pk in program.note_ids)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "participants": len(self.participants),
            "programs": len(self.programs),
            "notes": sum(len(p.note_ids) for p in self.programs),
            "note_revisions": sum(p.revisions for p in self.programs),
            "note_drafts": sum(p.drafts for p in self.programs),
        }

    @property
    def is_empty(self) -> bool:
        return not any(self.counts.values())


def _planned_program(program: Program, day: date) -> PlannedProgram:
    note_ids = tuple(
        SessionNote.objects.filter(workshop__program=program)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return PlannedProgram(
        id=program.pk,
        name=program.name,
        concluded_on=day,
        note_ids=note_ids,
        revisions=SessionNoteRevision.objects.filter(note__workshop__program=program).count(),
        drafts=NoteDraft.objects.filter(workshop__program=program).count(),
    )


def _has_notes(program: Program) -> bool:
    return (
        SessionNote.objects.filter(workshop__program=program).exists()
        or NoteDraft.objects.filter(workshop__program=program).exists()
    )


def retention_plan(*, now: datetime | None = None) -> RetentionPlan:
    """What a run at ``now`` would erase and delete. Reads only."""
    now = now or timezone.now()
    years, days = participant_inactive_years(), notes_after_program_days()
    participant_cutoff = years_before(now, years) if years > 0 else None
    notes_cutoff = timezone.localdate(now) - timedelta(days=days) if days > 0 else None

    participants: tuple[PlannedParticipant, ...] = ()
    if participant_cutoff is not None:
        participants = tuple(
            PlannedParticipant(id=p.pk, pseudonym=pseudonym(p))
            for p in participants_inactive_since(participant_cutoff).only("pk").order_by("pk")
        )

    programs: list[PlannedProgram] = []
    if notes_cutoff is not None:
        for program in _concluded_programs():
            day = concluded_on(program, program.last_workshop_end)
            if day is not None and day <= notes_cutoff and _has_notes(program):
                programs.append(_planned_program(program, day))

    return RetentionPlan(
        now=now,
        inactive_years=years,
        notes_after_days=days,
        participant_cutoff=participant_cutoff,
        notes_cutoff=notes_cutoff,
        participants=participants,
        programs=tuple(programs),
    )


# --- Applying it --------------------------------------------------------------------------------


@dataclass
class RetentionResult:
    plan: RetentionPlan
    erased_ids: list[int] = field(default_factory=list)
    skipped_ids: list[int] = field(default_factory=list)  # active again, or erased meanwhile
    program_ids: list[int] = field(default_factory=list)
    note_ids: list[int] = field(default_factory=list)
    revisions_deleted: int = 0
    drafts_deleted: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "participants_erased": len(self.erased_ids),
            "participants_skipped": len(self.skipped_ids),
            "programs": len(self.program_ids),
            "notes_deleted": len(self.note_ids),
            "note_revisions_deleted": self.revisions_deleted,
            "note_drafts_deleted": self.drafts_deleted,
        }


def _erase_if_still_inactive(*, pk: int, cutoff: datetime, by: User | None) -> bool:
    from participants.privacy import participant_erase

    with transaction.atomic():
        participant = participants_inactive_since(cutoff).filter(pk=pk).select_for_update().first()
        if participant is None:
            return False
        try:
            participant_erase(participant=participant, by=by)
        except RegistryError:  # erased by someone else since the plan
            return False
    return True


def _delete_notes(*, planned: PlannedProgram, cutoff: date, result: RetentionResult) -> None:
    with transaction.atomic():
        program = Program.objects.select_for_update().filter(pk=planned.id).first()
        if program is None:
            return
        last_end = Workshop.objects.filter(program=program).aggregate(end=Max("ends_at"))["end"]
        day = concluded_on(program, last_end)
        if day is None or day > cutoff:  # reopened, or a workshop added, since the plan
            return
        notes = SessionNote.objects.filter(pk__in=planned.note_ids, workshop__program=program)
        note_ids = sorted(notes.values_list("pk", flat=True))
        revisions = SessionNoteRevision.objects.filter(note_id__in=note_ids)
        result.revisions_deleted += revisions.count()
        revisions.delete()
        drafts = NoteDraft.objects.filter(
            Q(note_id__in=note_ids) | Q(workshop__program=program, note__isnull=True)
        )
        result.drafts_deleted += drafts.count()
        drafts.delete()
        SessionNote.objects.filter(pk__in=note_ids).delete()
        # Django's admin history labels its entries with a note's title.
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(SessionNote),
            object_id__in=[str(pk) for pk in note_ids],
        ).update(object_repr="session note (deleted by retention)")
        result.program_ids.append(program.pk)
        result.note_ids.extend(note_ids)


def retention_apply(
    *, by: User | None = None, now: datetime | None = None, trigger: str = "schedule"
) -> RetentionResult:
    """Carry out the plan at ``now`` and audit the run (even one that found nothing, so the
    log shows the rules ran). Each person is erased in a transaction of their own, so a
    failure halfway keeps what was done; a second run finds nothing left to do."""
    plan = retention_plan(now=now)
    result = RetentionResult(plan=plan)
    if plan.participant_cutoff is not None:
        for planned in plan.participants:
            if _erase_if_still_inactive(pk=planned.id, cutoff=plan.participant_cutoff, by=by):
                result.erased_ids.append(planned.id)
            else:
                result.skipped_ids.append(planned.id)
    if plan.notes_cutoff is not None:
        for planned_program in plan.programs:
            _delete_notes(planned=planned_program, cutoff=plan.notes_cutoff, result=result)
    audit.record(
        by,
        "retention.applied",
        trigger=trigger,
        inactive_years=plan.inactive_years,
        notes_after_days=plan.notes_after_days,
        participant_cutoff=plan.participant_cutoff.isoformat() if plan.participant_cutoff else None,
        notes_cutoff=plan.notes_cutoff.isoformat() if plan.notes_cutoff else None,
        participant_ids=result.erased_ids,
        program_ids=result.program_ids,
        note_ids=result.note_ids,
        **result.counts,
    )
    return result
