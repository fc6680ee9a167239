"""Reads for one person's page: their record, history and the people they may duplicate."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core import permissions
from core.models import User
from participants import safety
from participants.models import ConsentRecord, Participant
from workshops.models import AttendanceStatus, FollowUpAction, Invitation

LOOKALIKE_LIMIT = 5


@dataclass(frozen=True)
class Profile:
    participant: Participant
    may_change: bool
    shows_contact_details: bool
    contact_blockers: list[str]
    consents: list[ConsentRecord]
    holding_consents: dict[str, ConsentRecord]
    invitations: list[Invitation]
    actions: list[FollowUpAction]
    now: datetime


def participant_for_profile(user: User, pk: int) -> Participant:
    """The participant if this user may see them (404 otherwise), with what the page shows."""
    queryset = (
        permissions.visible_to(user, Participant)
        .select_related("sector", "community", "track", "preferred_language", "created_by")
        .prefetch_related("languages", "tags")
    )
    return get_object_or_404(queryset, pk=pk)


def profile_for(user: User, participant: Participant) -> Profile:
    """Everything the profile page shows, each list scoped to what the user may see."""
    may_change = permissions.can_change(user, participant)
    consents = list(
        permissions.visible_to(user, ConsentRecord)
        .filter(participant=participant)
        .select_related("recorded_by")
        .order_by("-given_on", "-recorded_at", "-id")
    )
    holding: dict[str, ConsentRecord] = {}
    for record in consents:
        holding.setdefault(record.scope, record)
    invitations = list(
        permissions.visible_to(user, Invitation)
        .filter(participant=participant)
        .select_related("workshop__program")
        .annotate(
            sessions_present=Count(
                "workshop__sessions__attendances",
                filter=Q(
                    workshop__sessions__attendances__participant=participant,
                    workshop__sessions__attendances__status=AttendanceStatus.PRESENT,
                ),
                distinct=True,
            ),
            session_count=Count("workshop__sessions", distinct=True),
        )
        .order_by("-workshop__starts_at")
    )
    actions = list(
        permissions.visible_to(user, FollowUpAction)
        .filter(owner_participant=participant)
        .select_related("workshop")
        .order_by("status", "due_on")
    )
    return Profile(
        participant=participant,
        may_change=may_change,
        # Facilitators get what they need to run the room, not how to reach someone.
        shows_contact_details=may_change,
        contact_blockers=safety.contact_blockers(participant),
        consents=consents,
        holding_consents=holding,
        invitations=invitations,
        actions=actions,
        now=timezone.now(),
    )


def lookalikes(
    *, full_name: str = "", email: str = "", phone: str = "", exclude_pk: int | None = None
) -> QuerySet[Participant]:
    """People already in the registry who may be the one being entered: same email or
    phone, or a similar name (the registry search, typo-tolerant on PostgreSQL)."""
    from participants.selectors import search_participants

    matches = Q(pk__in=[])
    if email.strip():
        matches |= Q(email__iexact=email.strip())
    if phone.strip():
        matches |= Q(phone=phone.strip())
    candidates = Participant.objects.filter(erased_at__isnull=True)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    exact = list(candidates.filter(matches).values_list("pk", flat=True)[:LOOKALIKE_LIMIT])
    named: list[int] = []
    if len(full_name.strip()) >= 3:
        named = list(
            search_participants(candidates, full_name.strip()).values_list("pk", flat=True)[
                :LOOKALIKE_LIMIT
            ]
        )
    pks = list(dict.fromkeys(exact + named))[:LOOKALIKE_LIMIT]
    return Participant.objects.filter(pk__in=pks).select_related("community", "sector")
