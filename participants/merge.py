"""Merging two registry entries that are one person, keeping the history of both.

Everything that points at the entry that goes (consent records, invitations, attendance,
follow-up actions, scheduled messages) is moved to the entry that stays. Where both
entries hold the same thing (an invitation to one workshop, attendance of one session)
the further-along one is kept and the other's notes are carried over, so no answer,
need or presence is lost and no message is sent twice.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Model

from core import audit
from core.models import User
from participants.models import LikelyDuplicate, Participant, RiskLevel
from participants.services import RegistryError
from workshops.models import (
    Attendance,
    AttendanceStatus,
    Invitation,
    InvitationStatus,
    MessageStatus,
    ScheduledMessage,
)

# The fields staff may take from the entry that goes; blank fields are always filled from it.
MERGEABLE_FIELDS = (
    "full_name",
    "native_name",
    "email",
    "phone",
    "country",
    "preferred_language",
    "gender",
    "pronouns",
    "sector",
    "community",
    "track",
    "organisation",
    "position",
)
# How far along an invitation is: of two invitations to one workshop, the higher stays.
INVITATION_RANK = {
    InvitationStatus.ACCEPTED: 6,
    InvitationStatus.DECLINED: 5,
    InvitationStatus.INVITED: 4,
    InvitationStatus.WAITLISTED: 3,
    InvitationStatus.DRAFT: 2,
    InvitationStatus.WITHDRAWN: 1,
}
RISK_RANK = {RiskLevel.NORMAL: 0, RiskLevel.ELEVATED: 1, RiskLevel.HIGH: 2}
# Relations moved with their own rules; every other one is simply repointed (see
# ``_move_the_rest``), so a relation added later is never left behind.
HANDLED = {("workshops", "invitation", "participant"), ("workshops", "attendance", "participant")}


def differing_fields(keep: Participant, other: Participant) -> list[str]:
    """The fields on which staff must choose, because both entries hold different values."""
    return [
        name
        for name in MERGEABLE_FIELDS
        if _value(keep, name) not in ("", None)
        and _value(other, name) not in ("", None)
        and _value(keep, name) != _value(other, name)
    ]


def _value(participant: Participant, name: str):
    field = Participant._meta.get_field(name)
    return getattr(participant, field.attname)


@transaction.atomic
def participants_merge(
    *, keep: Participant, other: Participant, by: User, take: Iterable[str] = ()
) -> Participant:
    """Fold ``other`` into ``keep`` and delete ``other``; ``take`` names the fields whose
    value comes from ``other`` where both differ."""
    if keep.pk == other.pk:
        raise RegistryError("A participant cannot be merged with themselves.")
    # Lock both rows in id order, so two merges of the same pair cannot interleave.
    locked = {
        p.pk: p
        for p in Participant.objects.select_for_update()
        .filter(pk__in=[keep.pk, other.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise RegistryError("One of these participants no longer exists (merged already?).")
    keep, other = locked[keep.pk], locked[other.pk]
    if keep.erased_at or other.erased_at:
        raise RegistryError("An erased participant cannot be merged.")
    take = set(take)
    unknown = take - set(MERGEABLE_FIELDS)
    if unknown:
        raise RegistryError(f"Unknown fields to take: {', '.join(sorted(unknown))}.")

    taken = _merge_fields(keep, other, take)
    moved = {
        "invitations": _merge_invitations(keep, other),
        "attendance": _merge_attendance(keep, other),
    }
    moved.update(_move_the_rest(keep, other))
    keep.languages.add(*other.languages.all())
    keep.tags.add(*other.tags.all())

    other_pk = other.pk
    audit.record(by, "participant.merged_into", other, into=keep.pk)
    # The entry that goes is deleted before the one that stays takes its email, which is
    # unique in the registry.
    LikelyDuplicate.objects.filter(first=other).delete()
    LikelyDuplicate.objects.filter(second=other).delete()
    other.delete()
    keep.full_clean()
    keep.save()
    audit.record(by, "participant.merge", keep, merged=other_pk, fields=sorted(taken), moved=moved)
    return keep


def _merge_fields(keep: Participant, other: Participant, take: set[str]) -> list[str]:
    taken = []
    for name in MERGEABLE_FIELDS:
        mine, theirs = _value(keep, name), _value(other, name)
        if theirs in ("", None) or mine == theirs:
            continue
        if mine in ("", None) or name in take:
            setattr(keep, Participant._meta.get_field(name).attname, theirs)
            taken.append(name)
    # Safety wins over tidiness: the stricter risk level and any do-not-contact stay.
    if RISK_RANK[RiskLevel(other.risk_level)] > RISK_RANK[RiskLevel(keep.risk_level)]:
        keep.risk_level = other.risk_level
        taken.append("risk_level")
    if other.do_not_contact:
        keep.do_not_contact = True
        keep.do_not_contact_reason = _joined(
            keep.do_not_contact_reason, other.do_not_contact_reason, limit=200
        )
        taken.append("do_not_contact")
    return taken


def _joined(*texts: str, limit: int | None = None) -> str:
    parts = list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
    text = "\n".join(parts)
    return text[:limit] if limit else text


def _merge_invitations(keep: Participant, other: Participant) -> int:
    mine = {inv.workshop_id: inv for inv in Invitation.objects.filter(participant=keep)}
    moved = 0
    for theirs in Invitation.objects.filter(participant=other).select_for_update():
        ours = mine.get(theirs.workshop_id)
        if ours is None:
            theirs.participant = keep
            theirs.save(update_fields=["participant", "updated_at"])
            moved += 1
            continue
        winner, loser = sorted(
            (ours, theirs), key=lambda inv: INVITATION_RANK[InvitationStatus(inv.status)]
        )[::-1]
        winner.response_note = _joined(winner.response_note, loser.response_note)
        winner.needs = _joined(winner.needs, loser.needs)
        winner.sent_at = winner.sent_at or loser.sent_at
        # The loser's messages still due would reach the person a second time.
        ScheduledMessage.objects.filter(
            invitation=loser, status__in=[MessageStatus.PENDING]
        ).update(status=MessageStatus.CANCELLED, last_error="Cancelled: participants merged.")
        ScheduledMessage.objects.filter(invitation=loser).update(invitation=winner)
        loser.delete()
        winner.participant = keep
        winner.save()
        moved += 1
    return moved


def _merge_attendance(keep: Participant, other: Participant) -> int:
    mine = {a.session_id: a for a in Attendance.objects.filter(participant=keep)}
    moved = 0
    for theirs in Attendance.objects.filter(participant=other).select_for_update():
        ours = mine.get(theirs.session_id)
        if ours is None:
            theirs.participant = keep
            theirs.save(update_fields=["participant"])
        else:
            if theirs.status == AttendanceStatus.PRESENT:
                ours.status = AttendanceStatus.PRESENT
            ours.is_walk_in = ours.is_walk_in and theirs.is_walk_in
            theirs.delete()
            ours.save()
        moved += 1
    return moved


def _move_the_rest(keep: Participant, other: Participant) -> dict[str, int]:
    """Repoint every other relation to the registry (consent records, follow-up actions,
    scheduled messages, and whatever is added later)."""
    moved = {}
    for relation in Participant._meta.related_objects:
        model: type[Model] = relation.related_model
        key = (model._meta.app_label, model._meta.model_name, relation.field.name)
        if key in HANDLED or relation.many_to_many:
            continue
        count = model._default_manager.filter(**{relation.field.name: other}).update(
            **{relation.field.name: keep}
        )
        if count:
            moved[model._meta.model_name] = count
    return moved
