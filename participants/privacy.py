"""Data-protection rights: erasure, and a person's own record as JSON (access).

Erasure keeps the row and what aggregates need (sector, community, track, gender,
attendance, invitation statuses) so a program's counts by community and sector stay
right, and replaces everything that says who the person was with a placeholder.
"""

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import User
from participants.models import LikelyDuplicate, Participant
from participants.services import RegistryError
from workshops.models import Attendance, FollowUpAction, Invitation, MessageStatus, ScheduledMessage
from workshops.models.invitations import new_rsvp_secret

# What an erased row keeps: the facts behind aggregate counts, nothing that identifies.
KEPT_FOR_AGGREGATES = ("sector", "community", "track", "gender", "risk_level")
ERASED_VALUES = {
    "native_name": "",
    "email": "",
    "phone": "",
    "country": "",
    "preferred_language": None,
    "pronouns": "",
    "organisation": "",
    "position": "",
    "do_not_contact": True,
    "do_not_contact_reason": "",
}


def erased_name(pk: int) -> str:
    return f"Erased participant #{pk}"


@transaction.atomic
def participant_erase(*, participant: Participant, by: User) -> Participant:
    """Replace the person's data with a placeholder; keep the counts. Cannot be undone."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.erased_at is not None:
        raise RegistryError("This participant's data was already erased.")
    for name, value in ERASED_VALUES.items():
        setattr(participant, name, value)
    participant.full_name = erased_name(participant.pk)
    participant.erased_at = timezone.now()
    participant.created_by = None
    participant.save()
    participant.languages.clear()
    participant.tags.clear()
    participant.consent_records.update(note="")
    invitations = Invitation.objects.filter(participant=participant)
    # New RSVP secrets: every link sent to the person stops working.
    for invitation in invitations.only("pk"):
        Invitation.objects.filter(pk=invitation.pk).update(
            response_note="",
            needs="",
            dietary="",
            accessibility="",
            interpretation="",
            rsvp_secret=new_rsvp_secret(),
        )
    messages = ScheduledMessage.objects.filter(recipient_participant=participant)
    cancelled = messages.filter(status=MessageStatus.PENDING).update(
        status=MessageStatus.CANCELLED, last_error="Cancelled: personal data erased."
    )
    # A mail server's refusal often quotes the address: keep that it failed, not the text.
    messages.filter(status=MessageStatus.FAILED).update(last_error="Failed (details erased).")
    LikelyDuplicate.objects.filter(first=participant).delete()
    LikelyDuplicate.objects.filter(second=participant).delete()
    # Django's admin history labels its entries with str(participant): the name.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Participant), object_id=str(participant.pk)
    ).update(object_repr=participant.full_name)
    audit.record(by, "participant.erase", participant, cancelled_messages=cancelled)

    from participants.tasks import prune_search_words

    # The search dictionary must forget the words only this person carried.
    transaction.on_commit(prune_search_words.delay)
    return participant


def participant_record(participant: Participant) -> dict[str, Any]:
    """Everything the registry holds about one person, as the JSON of an access request."""
    p = participant
    return {
        "participant": {
            "id": p.pk,
            "name": p.full_name,
            "name_in_native_script": p.native_name,
            "email": p.email,
            "phone": p.phone,
            "country": p.country.code if p.country else "",
            "languages": sorted(p.languages.values_list("code", flat=True)),
            "preferred_language": p.preferred_language_id or "",
            "gender": p.gender,
            "pronouns": p.pronouns,
            "sector": p.sector.name,
            "community": p.community.name if p.community else "",
            "multi_track_track": p.track.number if p.track else None,
            "organisation": p.organisation,
            "position": p.position,
            "risk_level": p.risk_level,
            "do_not_contact": p.do_not_contact,
            "do_not_contact_reason": p.do_not_contact_reason,
            "tags": sorted(p.tags.values_list("name", flat=True)),
            "created_at": p.created_at.isoformat(),
            "updated_at": p.updated_at.isoformat(),
            "erased_at": p.erased_at.isoformat() if p.erased_at else None,
        },
        "consent": [
            {
                "scope": c.scope,
                "granted": c.granted,
                "method": c.method,
                "date": c.given_on.isoformat(),
                "note": c.note,
                "recorded_at": c.recorded_at.isoformat(),
            }
            for c in p.consent_records.order_by("given_on", "pk")
        ],
        "invitations": [
            {
                "program": i.workshop.program.name,
                "workshop": i.workshop.title,
                "starts_at": i.workshop.starts_at.isoformat(),
                "ends_at": i.workshop.ends_at.isoformat(),
                "status": i.status,
                "sent_at": i.sent_at.isoformat() if i.sent_at else None,
                "responded_at": i.responded_at.isoformat() if i.responded_at else None,
                "response_note": i.response_note,
                "dietary": i.dietary,
                "accessibility": i.accessibility,
                "interpretation": i.interpretation,
                "needs": i.needs,
            }
            for i in Invitation.objects.filter(participant=p)
            .select_related("workshop__program")
            .order_by("workshop__starts_at", "pk")
        ],
        "attendance": [
            {
                "workshop": a.session.workshop.title,
                "session": a.session.title,
                "starts_at": a.session.starts_at.isoformat(),
                "status": a.status,
                "walk_in": a.is_walk_in,
            }
            for a in Attendance.objects.filter(participant=p)
            .select_related("session__workshop")
            .order_by("session__starts_at", "pk")
        ],
        "follow_up_actions": [
            {
                "workshop": f.workshop.title,
                "description": f.description,
                "due_on": f.due_on.isoformat() if f.due_on else None,
                "status": f.status,
            }
            for f in FollowUpAction.objects.filter(owner_participant=p)
            .select_related("workshop")
            .order_by("due_on", "pk")
        ],
        "messages": [
            {
                "kind": m.kind,
                "status": m.status,
                "due": m.send_at.isoformat(),
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            }
            for m in ScheduledMessage.objects.filter(recipient_participant=p).order_by(
                "send_at", "pk"
            )
        ],
    }


def participant_record_export(*, participant: Participant, by: User) -> dict[str, Any]:
    """The access request's JSON, audited: personal data leaves the app."""
    record = participant_record(participant)
    audit.record(by, "participant.export_record", participant, format="json")
    return record
