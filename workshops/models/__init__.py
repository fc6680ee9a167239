"""Workshops and everything that happens around them."""

from workshops.models.calendar import CalendarFeed
from workshops.models.invitations import Attendance, AttendanceStatus, Invitation, InvitationStatus
from workshops.models.notes import (
    ActionStatus,
    FollowUpAction,
    NoteDraft,
    NoteLevel,
    NoteTheme,
    SessionNote,
    SessionNoteRevision,
)
from workshops.models.outbox import MessageKind, MessageStatus, MessageTemplate, ScheduledMessage
from workshops.models.workshop import Session, Workshop, WorkshopFormat, WorkshopStatus

__all__ = [
    "ActionStatus",
    "Attendance",
    "AttendanceStatus",
    "CalendarFeed",
    "FollowUpAction",
    "Invitation",
    "InvitationStatus",
    "MessageKind",
    "MessageStatus",
    "MessageTemplate",
    "NoteDraft",
    "NoteLevel",
    "NoteTheme",
    "ScheduledMessage",
    "Session",
    "SessionNote",
    "SessionNoteRevision",
    "Workshop",
    "WorkshopFormat",
    "WorkshopStatus",
]
