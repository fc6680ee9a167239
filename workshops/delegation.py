"""A workshop's delegation: who is on its list, and whether the room is balanced.

``balance`` is plain arithmetic over the members' community, sector, gender and track,
so it is unit-tested on its own; ``delegation_balance`` feeds it from one query.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from participants.models import Gender
from workshops.models import InvitationStatus, Workshop

# In the room, or on their way to it: what balance and capacity count.
LIVE_STATUSES = (InvitationStatus.DRAFT, InvitationStatus.INVITED, InvitationStatus.ACCEPTED)


@dataclass(frozen=True)
class Member:
    community: str | None  # None: a third party (e.g. an international expert)
    sector: str
    gender: str  # a Gender value, or "" when not recorded
    track: str | None


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    percent: float  # of the delegation, 0–100


@dataclass
class Balance:
    total: int
    capacity: int
    waitlisted: int
    by_community: list[Share]
    by_sector: list[Share]
    by_gender: list[Share]
    by_track: list[Share]
    community_gap: float  # points between the largest and smallest program community
    warnings: list[str] = field(default_factory=list)  # what makes the room unbalanced
    notes: list[str] = field(default_factory=list)  # worth knowing, not a problem

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.total)


def _shares(counter: Counter, total: int, order: list[str]) -> list[Share]:
    labels = order + sorted(label for label in counter if label not in order)
    return [
        Share(label, counter[label], round(100 * counter[label] / total, 1) if total else 0.0)
        for label in labels
        if counter[label] or label in order
    ]


def balance(
    members: list[Member],
    *,
    communities: list[str],
    target_sectors: list[str],
    tolerance: int,
    capacity: int,
    waitlisted: int = 0,
) -> Balance:
    """Counts and shares of the delegation, and what a facilitator would worry about.

    Community shares are taken among members of the program's communities (third parties
    do not tip the balance); a program community with nobody counts as 0 %.
    """
    total = len(members)
    third_party = _("Third party")
    not_recorded = _("Not recorded")
    by_community = Counter(m.community or third_party for m in members)
    in_communities = sum(by_community[c] for c in communities)
    community_percent = {
        c: (100 * by_community[c] / in_communities if in_communities else 0.0) for c in communities
    }
    gap = (
        round(max(community_percent.values()) - min(community_percent.values()), 1)
        if in_communities and len(communities) > 1
        else 0.0
    )
    genders = dict(Gender.choices)
    result = Balance(
        total=total,
        capacity=capacity,
        waitlisted=waitlisted,
        by_community=_shares(by_community, total, list(communities)),
        by_sector=_shares(Counter(m.sector for m in members), total, list(target_sectors)),
        by_gender=_shares(
            Counter(str(genders.get(m.gender, not_recorded)) for m in members), total, []
        ),
        by_track=_shares(Counter(m.track or not_recorded for m in members), total, []),
        community_gap=gap,
    )
    if total == 0:
        return result
    if gap > tolerance:
        split = ", ".join(f"{c} {community_percent[c]:.0f} %" for c in communities)
        result.warnings.append(
            _(
                "Communities are unbalanced: %(split)s, %(gap)s points apart (the program "
                "allows %(tolerance)s)."
            )
            % {"split": split, "gap": f"{gap:.0f}", "tolerance": tolerance}
        )
    missing = [s for s in target_sectors if not any(m.sector == s for m in members)]
    if missing:
        result.warnings.append(
            _("No one yet from these target sectors: %(sectors)s.")
            % {"sectors": ", ".join(missing)}
        )
    if total > capacity:
        result.warnings.append(
            _("Over capacity by %(n)s: the venue holds %(capacity)s.")
            % {"n": total - capacity, "capacity": capacity}
        )
    elif total == capacity:
        result.notes.append(_("Full: further invitees go to the waitlist."))
    return result


def delegation_balance(workshop: Workshop) -> Balance:
    """The balance of a workshop's live delegation, in three queries."""
    program = workshop.program
    rows = workshop.invitations.filter(status__in=LIVE_STATUSES).values_list(
        "participant__community__name",
        "participant__sector__name",
        "participant__gender",
        "participant__track__name",
    )
    members = [Member(*row) for row in rows]
    waitlisted = workshop.invitations.filter(status=InvitationStatus.WAITLISTED).count()
    communities = list(program.communities.order_by("name").values_list("name", flat=True))
    sectors = list(
        program.target_sectors.order_by("position", "name").values_list("name", flat=True)
    )
    return balance(
        members,
        communities=communities,
        target_sectors=sectors,
        tolerance=program.balance_tolerance,
        capacity=workshop.capacity,
        waitlisted=waitlisted,
    )
