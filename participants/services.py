"""Writes to the registry: creating and editing people, recording consent.

Every write validates the model (constraints included) before saving and leaves an audit
event that names ids and field names, never the personal data itself.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import User
from participants.models import ConsentRecord, Language, LikelyDuplicate, Participant, Tag


class RegistryError(Exception):
    """A registry change the domain refuses; the message is shown to the user."""


@transaction.atomic
def participant_create(
    *,
    by: User,
    languages: Iterable[Language] = (),
    tags: Iterable[Tag] = (),
    **fields: Any,
) -> Participant:
    participant = Participant(created_by=by, **fields)
    participant.full_clean()
    participant.save()
    participant.languages.set(languages)
    participant.tags.set(tags)
    audit.record(by, "participant.create", participant)
    return participant


@transaction.atomic
def participant_update(
    *,
    participant: Participant,
    by: User,
    languages: Iterable[Language] | None = None,
    tags: Iterable[Tag] | None = None,
    **fields: Any,
) -> Participant:
    """Change the given fields; the audit event lists which fields changed, not their values."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.erased_at is not None:
        raise RegistryError("This participant's data was erased; the record cannot be edited.")
    changed = [name for name, value in fields.items() if getattr(participant, name) != value]
    for name in changed:
        setattr(participant, name, fields[name])
    participant.full_clean()
    participant.save()
    for name, values, related in (
        ("languages", languages, participant.languages),
        ("tags", tags, participant.tags),
    ):
        if values is None:
            continue
        wanted = {obj.pk for obj in values}
        if wanted != set(related.values_list("pk", flat=True)):
            related.set(wanted)
            changed.append(name)
    # Field names only: the log never holds the values (erasure must leave nothing behind).
    audit.record_change(by, participant, changed, action="participant.update")
    return participant


@transaction.atomic
def consent_record_add(
    *,
    participant: Participant,
    by: User,
    scope: str,
    granted: bool,
    method: str,
    given_on: date,
    note: str = "",
) -> ConsentRecord:
    """Record a grant or a withdrawal; the latest record per scope is what holds."""
    if participant.erased_at is not None:
        raise RegistryError("This participant's data was erased; no consent can be recorded.")
    if given_on > timezone.localdate():
        raise RegistryError("Consent cannot be dated in the future.")
    record = ConsentRecord(
        participant=participant,
        scope=scope,
        granted=granted,
        method=method,
        given_on=given_on,
        note=note,
        recorded_by=by,
    )
    record.full_clean()
    record.save()
    audit.record(
        by,
        "participant.consent." + ("grant" if granted else "withdraw"),
        participant,
        scope=scope,
        consent_record=record.pk,
    )
    return record


def duplicates_rescan(*, by: User | None) -> int:
    """Replace the open likely-duplicate pairs with a fresh scan; dismissed pairs stay
    dismissed. Returns how many open pairs there are now. Safe to run twice."""
    from participants.duplicates import find_duplicate_pairs

    pairs = find_duplicate_pairs()
    with transaction.atomic():
        dismissed = set(
            LikelyDuplicate.objects.filter(dismissed_at__isnull=False).values_list(
                "first_id", "second_id"
            )
        )
        # People merged or erased while the scan ran are left out rather than failing it.
        alive = set(Participant.objects.filter(erased_at__isnull=True).values_list("pk", flat=True))
        LikelyDuplicate.objects.filter(dismissed_at__isnull=True).delete()
        found = LikelyDuplicate.objects.bulk_create(
            [
                LikelyDuplicate(
                    first_id=pair.first_id,
                    second_id=pair.second_id,
                    reason=pair.reason,
                    score=pair.score,
                )
                for pair in pairs
                if (pair.first_id, pair.second_id) not in dismissed
                and pair.first_id in alive
                and pair.second_id in alive
            ],
            batch_size=5000,
        )
        audit.record(by, "participant.duplicates.scan", None, pairs=len(found))
    return len(found)


@transaction.atomic
def duplicate_dismiss(*, pair: LikelyDuplicate, by: User) -> LikelyDuplicate:
    """Staff checked: two different people. The pair stays, dismissed, so no scan
    raises it again."""
    pair = LikelyDuplicate.objects.select_for_update().get(pk=pair.pk)
    if pair.dismissed_at is None:
        pair.dismissed_at = timezone.now()
        pair.dismissed_by = by
        pair.save(update_fields=["dismissed_at", "dismissed_by"])
        audit.record(by, "participant.duplicates.dismiss", pair.first, other=pair.second_id)
    return pair
