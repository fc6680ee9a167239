"""Demo data: three Track II programs with their people, workshops, notes and follow-ups.

Why it is built this way:

* **Deterministic.** Names come from fixed lists drawn with ``random.Random(SEED)``, so every
  run describes the same people; screenshots, manuals and bug reports can refer to them.
* **Idempotent.** Every row is found by a natural key (a slug, a username, a participant's
  email and name, ``(workshop, title)``…) and only created when missing or saved when a value
  differs. A second run on the same day writes nothing, so it is safe to run on every deploy
  of a demo site.
* **Always current.** Dates are offsets from *today* (at fixed local times, so two runs on one
  day agree); a demo seeded any day has held workshops to read and upcoming ones to plan.
* **Portable.** Plain ORM calls only: it runs on PostgreSQL and on the SQLite default.

Entry point: ``seed_demo()``; the ``seed_demo`` management command wraps it in a transaction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from core.demo.base import DEMO_PASSWORD, SEED, Clock, Tally
from core.demo.people import seed_participants
from core.demo.programs import USERS, seed_programs, seed_users, seed_vocabulary
from core.demo.workshops import (
    seed_delegations,
    seed_message_templates,
    seed_messages,
    seed_notes,
    seed_workshops,
)
from workshops.models import Attendance, Invitation, ScheduledMessage, Session, SessionNote

__all__ = ["DEMO_PASSWORD", "USERS", "DemoResult", "seed_demo"]


# --- Entry point --------------------------------------------------------------------------------


@dataclass
class DemoResult:
    tally: Tally
    counts: dict[str, int]


def seed_demo(today: date | None = None) -> DemoResult:
    """Build (or bring up to date) the whole demo. Call inside ``transaction.atomic()``."""
    clock = Clock(today or timezone.localdate())
    rng = random.Random(SEED)
    tally = Tally()
    communities, tags, themes = seed_vocabulary(tally)
    users = seed_users(tally)
    programs = seed_programs(tally, clock, communities, users)
    participants = seed_participants(tally, clock, rng, communities, tags, users)
    workshops = seed_workshops(tally, clock, programs, users)
    invitations, accepted = seed_delegations(
        tally, clock, workshops, participants, communities, users
    )
    actions = seed_notes(tally, clock, workshops, users, themes, accepted)
    seed_messages(tally, clock, workshops, invitations, actions, users)
    seed_message_templates(tally, programs, users)
    counts = {
        "programs": len(programs),
        "communities": len(communities),
        "participants": len(participants),
        "workshops": len(workshops),
        "sessions": Session.objects.filter(workshop__in=workshops).count(),
        "invitations": Invitation.objects.filter(workshop__in=workshops).count(),
        "attendance records": Attendance.objects.filter(session__workshop__in=workshops).count(),
        "session notes": SessionNote.objects.filter(workshop__in=workshops).count(),
        "follow-up actions": len(actions),
        "scheduled messages": ScheduledMessage.objects.filter(
            invitation__workshop__in=workshops
        ).count()
        + ScheduledMessage.objects.filter(follow_up_action__in=actions.values()).count(),
        "users": len(users),
    }
    return DemoResult(tally=tally, counts=counts)
