"""The demo's workshops with agendas, delegations, notes, actions and messages."""

from __future__ import annotations

import random
from datetime import timedelta

from core.demo.base import SEED, Clock, Tally, sync_links, sync_rows
from core.demo.programs import PROGRAMS
from core.models import User
from dialogues.models import (
    Program,
)
from participants.models import (
    Community,
    Language,
    Participant,
)
from workshops.models import (
    ActionStatus,
    Attendance,
    AttendanceStatus,
    FollowUpAction,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    MessageTemplate,
    NoteLevel,
    NoteTheme,
    ScheduledMessage,
    Session,
    SessionNote,
    Workshop,
    WorkshopFormat,
    WorkshopStatus,
)
from workshops.outreach.compose import message_id_for

# --- Workshops and their agendas ---------------------------------------------------------------

# Invitation plans: the statuses of a workshop's delegation, in order.
A, INV, D, WL, DR, WD = (
    InvitationStatus.ACCEPTED,
    InvitationStatus.INVITED,
    InvitationStatus.DECLINED,
    InvitationStatus.WAITLISTED,
    InvitationStatus.DRAFT,
    InvitationStatus.WITHDRAWN,
)
HELD_PLAN = [A] * 12 + [D, D, WD]
CONFIRMED_PLAN = [A] * 8 + [INV] * 4 + [D, WL, WL, DR, DR]
PLANNED_PLAN = [DR] * 6 + [INV] * 3 + [WL]
CANCELLED_PLAN = [A] * 5 + [INV, INV, WD]

# Each session: (day, hour, minute, minutes, title, description)
DAY_AGENDA = [
    (0, 9, 30, 90, "Opening circle and ground rules",
     "Introductions in pairs across communities; agreeing the Chatham House rule."),
    (0, 11, 30, 120, "Mapping the issue",
     "Each side maps its fears and needs on the wall; facilitators look for overlaps."),
    (0, 14, 30, 150, "Problem-solving in mixed groups",
     "Small mixed groups draft options that both communities could live with."),
    (1, 9, 30, 120, "Reporting back and next steps",
     "Groups present options; the plenary agrees follow-up actions and owners."),
]  # fmt: skip
EVENING_AGENDA = [
    (0, 18, 30, 45, "Welcome and dinner", "A shared meal cooked by the host family."),
    (0, 19, 15, 90, "Story circle",
     "Each participant tells a story of a place that matters to them; listeners only listen."),
    (0, 20, 45, 45, "Closing round", "What I heard that surprised me; date of the next circle."),
]  # fmt: skip

WORKSHOPS = [
    # program, title, code name, format, status, day offset, days, tz, venue, address, city,
    # country, capacity, languages, interpretation, facilitators, agenda, plan
    dict(program="cyprus-bicommunal-dialogue",
         title="Missing persons and memory: facilitated workshop", code="Spring meeting",
         format=WorkshopFormat.PROBLEM_SOLVING, status=WorkshopStatus.HELD, offset=-200, days=2,
         tz="Asia/Nicosia", venue="Ledra Palace Hotel", address="UN buffer zone, Markou Drakou",
         city="Nicosia", country="CY", capacity=24, languages=["el", "tr", "en"],
         interpretation="Greek ↔ Turkish, simultaneous", facilitators=["facilitator"],
         agenda=DAY_AGENDA, plan=HELD_PLAN),
    dict(program="cyprus-bicommunal-dialogue",
         title="Bi-communal youth exchange: Famagusta and Limassol", code="Summer exchange",
         format=WorkshopFormat.EXCHANGE, status=WorkshopStatus.HELD, offset=-45, days=2,
         tz="Asia/Nicosia", venue="Home for Cooperation", address="28 Marcou Drakou, buffer zone",
         city="Nicosia", country="CY", capacity=30, languages=["en", "el", "tr"],
         interpretation="Whispered Greek and Turkish on request",
         facilitators=["selin.aydin"], agenda=DAY_AGENDA[:3], plan=HELD_PLAN),
    dict(program="cyprus-bicommunal-dialogue",
         title="Property and return: problem-solving workshop", code="Autumn meeting",
         format=WorkshopFormat.PROBLEM_SOLVING, status=WorkshopStatus.CONFIRMED, offset=21,
         days=2, tz="Asia/Nicosia", venue="Ledra Palace Hotel",
         address="UN buffer zone, Markou Drakou", city="Nicosia", country="CY", capacity=24,
         languages=["el", "tr", "en"], interpretation="Greek ↔ Turkish, simultaneous",
         facilitators=["facilitator", "selin.aydin"], agenda=DAY_AGENDA, plan=CONFIRMED_PLAN),
    dict(program="cyprus-bicommunal-dialogue",
         title="Educators' roundtable on shared history teaching", code="Teachers' roundtable",
         format=WorkshopFormat.ROUNDTABLE, status=WorkshopStatus.PLANNED, offset=75, days=1,
         tz="Asia/Nicosia", venue="Pyla Community Centre", address="Village square, Pyla",
         city="Pyla", country="CY", capacity=18, languages=["en"], interpretation="",
         facilitators=["selin.aydin"], agenda=DAY_AGENDA[:2], plan=PLANNED_PLAN),
    dict(program="living-room-dialogue-israel-palestine",
         title="Living-room dialogue: Jerusalem autumn circle", code="Autumn circle",
         format=WorkshopFormat.LIVING_ROOM, status=WorkshopStatus.HELD, offset=-150, days=1,
         tz="Asia/Jerusalem", venue="A host family's home",
         address="Shared with participants who accepted", city="Jerusalem", country="IL",
         capacity=14, languages=["he", "ar", "en"], interpretation="Hebrew ↔ Arabic, consecutive",
         facilitators=["facilitator", "lena.haddad"], agenda=EVENING_AGENDA, plan=HELD_PLAN),
    dict(program="living-room-dialogue-israel-palestine",
         title="Living-room dialogue: Haifa circle", code="Haifa circle",
         format=WorkshopFormat.LIVING_ROOM, status=WorkshopStatus.HELD, offset=-30, days=1,
         tz="Asia/Jerusalem", venue="Beit HaGefen Arab-Jewish Culture Center",
         address="2 HaGefen Street", city="Haifa", country="IL", capacity=16,
         languages=["he", "ar"], interpretation="Hebrew ↔ Arabic, consecutive",
         facilitators=["lena.haddad"], agenda=EVENING_AGENDA, plan=HELD_PLAN),
    dict(program="living-room-dialogue-israel-palestine",
         title="Women's dialogue retreat", code="Spring retreat",
         format=WorkshopFormat.PROBLEM_SOLVING, status=WorkshopStatus.CONFIRMED, offset=14,
         days=2, tz="Asia/Jerusalem", venue="School for Peace guest house",
         address="Neve Shalom / Wahat al-Salam", city="Neve Shalom", country="IL", capacity=20,
         languages=["he", "ar", "en"], interpretation="Hebrew ↔ Arabic, simultaneous",
         facilitators=["facilitator", "lena.haddad"], agenda=DAY_AGENDA, plan=CONFIRMED_PLAN),
    dict(program="living-room-dialogue-israel-palestine",
         title="Journalists' roundtable on covering the other side", code="Media roundtable",
         format=WorkshopFormat.ROUNDTABLE, status=WorkshopStatus.CANCELLED, offset=40, days=1,
         tz="Asia/Nicosia", venue="Golden Bay Beach Hotel", address="Larnaca-Dhekelia Road",
         city="Larnaca", country="CY", capacity=16, languages=["en"], interpretation="",
         facilitators=["lena.haddad"], agenda=DAY_AGENDA[:2], plan=CANCELLED_PLAN),
    dict(program="karen-villages-peacebuilding",
         title="Village peace committee training", code="Committee training",
         format=WorkshopFormat.TRAINING, status=WorkshopStatus.HELD, offset=-120, days=2,
         tz="Asia/Bangkok", venue="Community learning centre", address="Intharakiri Road",
         city="Mae Sot", country="TH", capacity=30, languages=["ksw", "my", "th"],
         interpretation="S'gaw Karen ↔ Burmese, consecutive", facilitators=["naw.paw"],
         agenda=DAY_AGENDA, plan=HELD_PLAN),
    dict(program="karen-villages-peacebuilding",
         title="Karen, Mon and Burman leaders: trust-building workshop", code="Northern retreat",
         format=WorkshopFormat.PROBLEM_SOLVING, status=WorkshopStatus.HELD, offset=-10, days=2,
         tz="Asia/Bangkok", venue="Retreat centre, Mae Rim", address="Mae Rim-Samoeng Road",
         city="Chiang Mai", country="TH", capacity=24, languages=["my", "ksw", "en"],
         interpretation="Burmese ↔ S'gaw Karen, consecutive", facilitators=["naw.paw"],
         agenda=DAY_AGENDA, plan=HELD_PLAN),
    dict(program="karen-villages-peacebuilding",
         title="Land and displacement dialogue", code="Harvest meeting",
         format=WorkshopFormat.PROBLEM_SOLVING, status=WorkshopStatus.CONFIRMED, offset=30,
         days=2, tz="Asia/Bangkok", venue="Community learning centre", address="Intharakiri Road",
         city="Mae Sot", country="TH", capacity=26, languages=["ksw", "my"],
         interpretation="S'gaw Karen ↔ Burmese, consecutive", facilitators=["naw.paw"],
         agenda=DAY_AGENDA, plan=CONFIRMED_PLAN),
    dict(program="karen-villages-peacebuilding",
         title="Cross-border youth camp", code="Youth camp",
         format=WorkshopFormat.CAMP, status=WorkshopStatus.DRAFT, offset=110, days=3,
         tz="Asia/Bangkok", venue="Forest camp near Umphang", address="", city="Umphang",
         country="TH", capacity=40, languages=["ksw", "my", "th"], interpretation="",
         facilitators=["naw.paw"], agenda=DAY_AGENDA[:3] + [(2, 10, 0, 120, "Closing ceremony",
         "Each village group shares one promise for the coming year.")], plan=PLANNED_PLAN),
]  # fmt: skip


def seed_workshops(
    tally: Tally, clock: Clock, programs: dict[str, Program], users: dict[str, User]
) -> list[Workshop]:
    """Twelve workshops, past and upcoming, with facilitators, languages and sessions."""
    rows = []
    for w in WORKSHOPS:
        cancelled = w["status"] == WorkshopStatus.CANCELLED
        evening = w["agenda"] is EVENING_AGENDA
        starts = clock.at(w["offset"], 18 if evening else 9, 0, w["tz"])
        last_day = w["offset"] + w["days"] - 1
        ends = clock.at(last_day, 22 if evening else 17, 30, w["tz"])
        rows.append(
            {
                "program_id": programs[w["program"]].pk,
                "title": w["title"],
                "code_name": w["code"],
                "format": w["format"],
                "status": w["status"],
                "starts_at": starts,
                "ends_at": ends,
                "time_zone": w["tz"],
                "venue_name": w["venue"],
                "venue_address": w["address"],
                "venue_city": w["city"],
                "venue_country": w["country"],
                "capacity": w["capacity"],
                "interpretation": w["interpretation"],
                "objectives": f"{w['title']}: listen first, then look for options both sides "
                "could defend at home.",
                "chatham_house": True,
                "cancelled_at": clock.at(-3, 10) if cancelled else None,
            }
        )
    found = sync_rows(
        Workshop,
        Workshop.objects.filter(program__in=programs.values()),
        ["program_id", "title"],
        rows,
        tally,
    )
    workshops = [found[(r["program_id"], r["title"])] for r in rows]
    known = set(Language.objects.values_list("code", flat=True))
    sync_links(
        Workshop,
        "working_languages",
        {
            ws.pk: [c for c in w["languages"] if c in known]
            for ws, w in zip(workshops, WORKSHOPS, strict=True)
        },
        tally,
    )
    sync_links(
        Workshop,
        "facilitators",
        {
            ws.pk: [users[u].pk for u in w["facilitators"]]
            for ws, w in zip(workshops, WORKSHOPS, strict=True)
        },
        tally,
    )
    session_rows = []
    for ws, w in zip(workshops, WORKSHOPS, strict=True):
        for position, (day, hour, minute, minutes, title, description) in enumerate(w["agenda"]):
            starts = clock.at(w["offset"] + day, hour, minute, w["tz"])
            session_rows.append(
                {
                    "workshop_id": ws.pk,
                    "title": title,
                    "description": description,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(minutes=minutes),
                    "room": "Main room" if position % 2 == 0 else "Garden room",
                    "is_parallel": False,
                    "position": position,
                }
            )
    sync_rows(
        Session,
        Session.objects.filter(workshop__in=workshops),
        ["workshop_id", "title"],
        session_rows,
        tally,
    )
    return workshops


# --- Delegations: invitations and attendance ---------------------------------------------------

NEEDS = [
    "Vegetarian meals.",
    "Needs a crossing-point pass arranged.",
    "Step-free access, please.",
    "Needs a visa support letter.",
    "Travel permit pending; may arrive late.",
]


def _pool(
    program: Program, participants: list[Participant], slugs: dict[int, str]
) -> list[Participant]:
    """Who may be invited to a program's workshops: its communities, plus third parties."""
    spec = next(p for p in PROGRAMS if p["slug"] == program.slug)
    return [
        p
        for p in participants
        if not p.do_not_contact
        and (slugs.get(p.community_id) in spec["communities"] or p.community_id is None)
    ]


def seed_delegations(
    tally: Tally,
    clock: Clock,
    workshops: list[Workshop],
    participants: list[Participant],
    communities: dict[str, Community],
    users: dict[str, User],
) -> tuple[dict[int, list[Invitation]], dict[int, list[Participant]]]:
    """Invitations in every status, and attendance, with a walk-in, for held workshops."""
    slugs = {c.pk: slug for slug, c in communities.items()}
    rows, attendance, accepted_by_ws = [], [], {}
    sessions = {}
    for s in Session.objects.filter(workshop__in=workshops).order_by("starts_at", "position"):
        sessions.setdefault(s.workshop_id, []).append(s)
    for ws, w in zip(workshops, WORKSHOPS, strict=True):
        rng = random.Random(f"{SEED}:{w['title']}")
        pool = _pool(ws.program, participants, slugs)
        plan = w["plan"]
        invitees = rng.sample(pool, len(plan))
        sent = min(ws.starts_at - timedelta(days=30), clock.midnight - timedelta(days=2))
        facilitator = users[w["facilitators"][0]]
        for n, (person, status) in enumerate(zip(invitees, plan, strict=True)):
            was_sent = status not in (DR, WL)
            answered = status in (A, D, WD)
            rows.append(
                {
                    "workshop_id": ws.pk,
                    "participant_id": person.pk,
                    "status": status,
                    "invited_by_id": users["staff"].pk,
                    "sent_at": sent if was_sent else None,
                    "responded_at": sent + timedelta(days=1 + n % 5) if answered else None,
                    "response_note": "Looking forward to it."
                    if status == A and n % 4 == 0
                    else "Family commitments that weekend."
                    if status == D
                    else "",
                    "needs": NEEDS[n % len(NEEDS)] if status == A and n % 3 == 0 else "",
                }
            )
        accepted = [p for p, s in zip(invitees, plan, strict=True) if s == A]
        accepted_by_ws[ws.pk] = accepted
        if ws.ends_at < clock.midnight:  # held: who was in the room
            walk_in = rng.choice([p for p in pool if p not in invitees])
            for k, session in enumerate(sessions.get(ws.pk, [])):
                for p in accepted:
                    present = rng.random() > 0.15
                    attendance.append((session, p, present, False, facilitator))
                if k > 0:
                    attendance.append((session, walk_in, True, True, facilitator))
    found = sync_rows(
        Invitation,
        Invitation.objects.filter(workshop__in=workshops),
        ["workshop_id", "participant_id"],
        rows,
        tally,
        clean=False,
    )
    sync_rows(
        Attendance,
        Attendance.objects.filter(session__workshop__in=workshops),
        ["session_id", "participant_id"],
        [
            {
                "session_id": s.pk,
                "participant_id": p.pk,
                "status": AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT,
                "is_walk_in": walk_in,
                "recorded_by_id": by.pk,
            }
            for s, p, present, walk_in, by in attendance
        ],
        tally,
        clean=False,
    )
    by_ws: dict[int, list[Invitation]] = {}
    for (ws_id, _), inv in found.items():
        by_ws.setdefault(ws_id, []).append(inv)
    return by_ws, accepted_by_ws


# --- Notes and follow-up actions ---------------------------------------------------------------

# (workshop index, session index or None, title, level, chatham, themes, body)
NOTES = [
    (0, 1, "Fears and needs on missing persons", NoteLevel.RESTRICTED, True,
     ["missing persons", "trust"],
     "Both groups named **uncertainty** as the worst of it. One participant asked that the "
     "exhumation data be shared across the line before anything else.\n\n- Tension rose when "
     "1974 and 1963 were compared; the group agreed not to rank suffering."),
    (0, 3, "Summary for the Committee on Missing Persons", NoteLevel.SHAREABLE, True,
     ["missing persons", "shared history"],
     "The workshop proposes joint family days at the anthropological lab and a shared "
     "oral-history archive. No participant is named."),
    (1, 0, "Youth exchange: logistics", NoteLevel.TEAM, False, ["youth", "language"],
     "Buses crossed at Ledra Palace without delay. Interpretation was barely needed: most "
     "young people spoke English together."),
    (1, 2, "What the young people asked of us", NoteLevel.SHAREABLE, True,
     ["youth", "education"],
     "A bi-communal school exchange each term, and a joint online radio show."),
    (4, None, "Circle dynamics and a difficult moment", NoteLevel.RESTRICTED, True,
     ["trust", "security guarantees"],
     "A story about a checkpoint stopped the room. The host asked for a minute of silence; "
     "the circle continued. Follow up with the storyteller privately."),
    (4, 1, "Themes from the story circle", NoteLevel.TEAM, True,
     ["land and displacement", "shared history"],
     "Homes lost and homes found; three families spoke about the same neighbourhood."),
    (5, 1, "Haifa circle: what people want next", NoteLevel.SHAREABLE, True,
     ["women's participation", "language"],
     "A joint Arabic–Hebrew language café, and a women-only circle in the spring."),
    (5, None, "Facilitator debrief", NoteLevel.TEAM, True, ["trust"],
     "Co-facilitation worked; next time give the Arabic interpretation more time."),
    (8, 2, "Mediation role-plays in the villages", NoteLevel.TEAM, True,
     ["land and displacement", "economic cooperation"],
     "Committees practised mediating a paddy-field boundary dispute. Women led two of the "
     "three groups."),
    (8, None, "Security of participants travelling back", NoteLevel.RESTRICTED, False,
     ["security guarantees"],
     "Two committee members will travel back separately. Do not record their routes here."),
    (9, 1, "Trust map: Karen, Mon and Burman leaders", NoteLevel.RESTRICTED, True,
     ["trust", "language", "security guarantees"],
     "Burman participants apologised for the army's conduct; Karen participants asked what "
     "that apology would cost them at home."),
    (9, 3, "Shareable summary for funders", NoteLevel.SHAREABLE, True,
     ["economic cooperation", "water"],
     "Leaders agreed on a joint rice-bank pilot and a shared water committee for two villages."),
    (6, None, "Planning: venue and permits", NoteLevel.TEAM, False, ["security guarantees"],
     "Permits requested for eight West Bank participants; the guest house holds rooms until "
     "a week before."),
]  # fmt: skip

# (workshop index, note title or None, description, owner username or accepted-invitee index,
#  due in days, status)
ACTIONS = [
    (0, "Summary for the Committee on Missing Persons",
     "Send the shareable summary to the Committee on Missing Persons", "staff", -150,
     ActionStatus.DONE),
    (0, None, "Collect oral-history consent forms from families", 2, -20, ActionStatus.OPEN),
    (1, "What the young people asked of us",
     "Draft a proposal for a termly school exchange", 0, 5, ActionStatus.IN_PROGRESS),
    (1, None, "Find a sponsor for the joint radio show", "staff", -3, ActionStatus.IN_PROGRESS),
    (4, "Circle dynamics and a difficult moment",
     "Call the storyteller and check in privately", "facilitator", -140, ActionStatus.DONE),
    (4, None, "Host the next circle at a Palestinian home", 1, -60, ActionStatus.DROPPED),
    (5, "Haifa circle: what people want next",
     "Start the Arabic–Hebrew language café", 3, 10, ActionStatus.OPEN),
    (5, None, "Book interpretation for the spring circle", "lena.haddad", 2,
     ActionStatus.OPEN),
    (8, None, "Print the mediation handbook in S'gaw Karen", "naw.paw", -30,
     ActionStatus.DONE),
    (8, None, "Report back on boundary cases from two villages", 4, -7, ActionStatus.OPEN),
    (9, "Shareable summary for funders", "Write the rice-bank pilot budget", "james.okafor",
     4, ActionStatus.IN_PROGRESS),
    (9, None, "Introduce the Mon teachers to the Karen education committee", 0, 21,
     ActionStatus.OPEN),
]  # fmt: skip


def seed_notes(
    tally: Tally,
    clock: Clock,
    workshops: list[Workshop],
    users: dict[str, User],
    themes: dict[str, NoteTheme],
    accepted: dict[int, list[Participant]],
) -> dict[str, FollowUpAction]:
    """Session notes at every level, with themes, and follow-up actions in every status."""
    sessions: dict[int, list[Session]] = {}
    for s in Session.objects.filter(workshop__in=workshops).order_by("starts_at", "position"):
        sessions.setdefault(s.workshop_id, []).append(s)
    rows = []
    for wi, si, title, level, chatham, _themes, body in NOTES:
        ws = workshops[wi]
        rows.append(
            {
                "workshop_id": ws.pk,
                "session_id": sessions[ws.pk][si].pk if si is not None else None,
                "author_id": users[WORKSHOPS[wi]["facilitators"][0]].pk,
                "title": title,
                "body": body,
                "level": level,
                "chatham_house": chatham,
            }
        )
    notes = sync_rows(
        SessionNote,
        SessionNote.objects.filter(workshop__in=workshops),
        ["workshop_id", "title"],
        rows,
        tally,
    )
    sync_links(
        SessionNote,
        "themes",
        {
            notes[(workshops[wi].pk, title)].pk: [themes[t].pk for t in names]
            for wi, _si, title, _l, _c, names, _b in NOTES
        },
        tally,
    )
    action_rows = []
    for wi, note_title, description, owner, due, status in ACTIONS:
        ws = workshops[wi]
        note = notes.get((ws.pk, note_title)) if note_title else None
        by_user = isinstance(owner, str)
        action_rows.append(
            {
                "workshop_id": ws.pk,
                "description": description,
                "note_id": note.pk if note else None,
                "owner_user_id": users[owner].pk if by_user else None,
                "owner_participant_id": None if by_user else accepted[ws.pk][owner].pk,
                "due_on": clock.day(due),
                "status": status,
                "created_by_id": users[WORKSHOPS[wi]["facilitators"][0]].pk,
                "completed_at": clock.at(due - 1, 12) if status == ActionStatus.DONE else None,
            }
        )
    actions = sync_rows(
        FollowUpAction,
        FollowUpAction.objects.filter(workshop__in=workshops),
        ["workshop_id", "description"],
        action_rows,
        tally,
    )
    return {k[1]: v for k, v in actions.items()}


# --- The outbox: a few messages in different states --------------------------------------------


def seed_messages(
    tally: Tally,
    clock: Clock,
    workshops: list[Workshop],
    invitations: dict[int, list[Invitation]],
    actions: dict[str, FollowUpAction],
    users: dict[str, User],
) -> None:
    """Sent invitations, pending reminders, one bounce, cancellations, an action reminder."""
    rows = []
    for ws in workshops:
        if ws.starts_at < clock.midnight:
            continue
        invs = [i for i in invitations.get(ws.pk, []) if i.sent_at]
        for n, inv in enumerate(invs[:4]):
            failed = n == 3 and ws.status == WorkshopStatus.CONFIRMED
            rows.append(
                {
                    "kind": MessageKind.INVITATION,
                    "status": MessageStatus.FAILED if failed else MessageStatus.SENT,
                    "dedupe_key": f"invitation:{inv.pk}",
                    "send_at": inv.sent_at,
                    "recipient_participant_id": inv.participant_id,
                    "invitation_id": inv.pk,
                    "workshop_id": ws.pk,
                    "attempts": 1,
                    "last_error": "550 5.1.1 Mailbox unavailable" if failed else "",
                    "sent_at": None if failed else inv.sent_at + timedelta(minutes=1),
                }
            )
            if inv.status == A:
                cancelled = ws.status == WorkshopStatus.CANCELLED
                rows.append(
                    {
                        "kind": MessageKind.REMINDER,
                        "status": MessageStatus.CANCELLED if cancelled else MessageStatus.PENDING,
                        "dedupe_key": f"reminder:{inv.pk}:7d",
                        "send_at": max(ws.starts_at - timedelta(days=7), clock.at(1, 8)),
                        "recipient_participant_id": inv.participant_id,
                        "invitation_id": inv.pk,
                        "workshop_id": ws.pk,
                        "attempts": 0,
                        "last_error": "",
                        "sent_at": None,
                    }
                )
    for action in actions.values():
        if action.owner_user_id and action.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS):
            overdue = action.due_on < clock.today
            rows.append(
                {
                    "kind": MessageKind.ACTION_REMINDER,
                    "status": MessageStatus.SENT if overdue else MessageStatus.PENDING,
                    "dedupe_key": f"action_reminder:{action.pk}:{action.due_on.isoformat()}",
                    "send_at": clock.at((action.due_on - clock.today).days - 1, 8),
                    "recipient_user_id": action.owner_user_id,
                    "follow_up_action_id": action.pk,
                    "workshop_id": action.workshop_id,
                    "attempts": 1 if overdue else 0,
                    "last_error": "",
                    "sent_at": clock.at((action.due_on - clock.today).days - 1, 8, 1)
                    if overdue
                    else None,
                }
            )
    for row in rows:
        row["message_id"] = message_id_for(row["dedupe_key"])
    sync_rows(
        ScheduledMessage,
        ScheduledMessage.objects.filter(dedupe_key__in=[r["dedupe_key"] for r in rows]),
        ["dedupe_key"],
        rows,
        tally,
        clean=False,
    )
    # The outbox stamps created_at itself: an invitation row is dated back to when it was
    # sent, so the send panel says when the invitations went out, not when the demo was seeded.
    for row in rows:
        if row["kind"] == MessageKind.INVITATION:
            ScheduledMessage.objects.filter(dedupe_key=row["dedupe_key"]).exclude(
                created_at=row["send_at"]
            ).update(created_at=row["send_at"])


# --- Message templates: the living-room dialogue writes to people in their own language ---------

TEMPLATES = {
    None: (
        "An invitation to {{ workshop }}",
        "Dear {{ participant_name }},\n\n"
        "Our living-room circle meets again {{ dates }}, at {{ venue }}. We keep the group "
        "small so that everyone is heard; we hope you will join us.\n\n"
        "Please answer through your personal link, and tell us about food, access or "
        "interpretation needs:\n{{ rsvp_link }}\n\n"
        "Warmly,\n{{ organiser }}",
    ),
    "ar": (
        "دعوة إلى {{ workshop }}",
        "عزيزتي/عزيزي {{ participant_name }}،\n\n"
        "تلتقي حلقة غرفة الجلوس مجددًا في {{ dates }}، في {{ venue }}. نحافظ على مجموعة "
        "صغيرة كي يُسمع صوت الجميع، ونأمل أن تنضم إلينا.\n\n"
        "يرجى الرد عبر رابطك الشخصي، وإخبارنا باحتياجاتك من طعام أو إتاحة أو ترجمة:\n"
        "{{ rsvp_link }}\n\n"
        "مع خالص المودة،\n{{ organiser }}",
    ),
    "he": (
        "הזמנה ל{{ workshop }}",
        "{{ participant_name }} היקר/ה,\n\n"
        "מעגל הסלון נפגש שוב ב־{{ dates }}, ב{{ venue }}. אנחנו שומרים על קבוצה קטנה כדי "
        "שכל קול יישמע, ונשמח אם תצטרף/י.\n\n"
        "נא להשיב דרך הקישור האישי, ולספר לנו על צורכי אוכל, נגישות או תרגום:\n"
        "{{ rsvp_link }}\n\n"
        "בחום,\n{{ organiser }}",
    ),
}


def seed_message_templates(
    tally: Tally, programs: dict[str, Program], users: dict[str, User]
) -> None:
    """The living-room dialogue's invitation in English, Arabic and Hebrew."""
    program = programs["living-room-dialogue-israel-palestine"]
    known = set(Language.objects.filter(code__in=["ar", "he"]).values_list("code", flat=True))
    rows = [
        {
            "program_id": program.pk,
            "kind": MessageKind.INVITATION,
            "language_id": code,
            "subject": subject,
            "body": body,
            "updated_by_id": users["staff"].pk,
        }
        for code, (subject, body) in TEMPLATES.items()
        if code is None or code in known
    ]
    sync_rows(
        MessageTemplate,
        MessageTemplate.objects.filter(program=program, kind=MessageKind.INVITATION),
        ["program_id", "kind", "language_id"],
        rows,
        tally,
    )
