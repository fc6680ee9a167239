"""Who may be contacted, and how a person appears once their data leaves the app.

The one place that decides both: invitations call ``contact_blockers`` / ``contactable``,
and every export calls ``pseudonymised`` for high-risk participants.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import BooleanField, DateField, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from participants.models import ConsentRecord, ConsentScope, Participant, RiskLevel

# Fields that identify a person; what a pseudonymised export blanks or replaces.
IDENTIFYING_FIELDS = ("full_name", "native_name", "email", "phone", "organisation", "position")


def latest_consent(scope: str, field: str = "granted") -> Subquery:
    """Per participant, whether the latest record for ``scope`` grants it (NULL: no record),
    or another ``field`` of that record.

    The latest record holds: a withdrawal after a grant withdraws, a new grant restores.
    """
    latest = ConsentRecord.objects.filter(participant=OuterRef("pk"), scope=scope).order_by(
        "-given_on", "-recorded_at", "-id"
    )
    output = BooleanField() if field == "granted" else DateField()
    return Subquery(latest.values(field)[:1], output_field=output)


def latest_consents(participant: Participant) -> dict[str, ConsentRecord]:
    """The record that holds for each scope the participant has any record for."""
    holding: dict[str, ConsentRecord] = {}
    for record in participant.consent_records.order_by("-given_on", "-recorded_at", "-id"):
        holding.setdefault(record.scope, record)
    return holding


def contact_blockers(participant: Participant) -> list[str]:
    """Why this person may not be contacted (an empty list: they may be)."""
    contact = latest_consents(participant).get(ConsentScope.CONTACT)
    return _blockers(
        participant,
        withdrawn_on=contact.given_on if contact is not None and not contact.granted else None,
    )


def with_contact_state(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """Annotate what ``listed_contact_blockers`` needs, so a list of people says who may
    not be invited and why without a query per row."""
    return participants.annotate(
        contact_consent=latest_consent(ConsentScope.CONTACT),
        contact_consent_on=latest_consent(ConsentScope.CONTACT, "given_on"),
    )


def listed_contact_blockers(participant: Participant) -> list[str]:
    """``contact_blockers`` for a row of ``with_contact_state``."""
    withdrawn = participant.contact_consent is False
    return _blockers(
        participant, withdrawn_on=participant.contact_consent_on if withdrawn else None
    )


def _blockers(participant: Participant, *, withdrawn_on: date | None) -> list[str]:
    reasons: list[str] = []
    if participant.erased_at is not None:
        reasons.append(_("Their personal data was erased."))
        return reasons
    if participant.do_not_contact:
        # The sentence adds its own full stop: "… online.." if the reason ended with one.
        reason = participant.do_not_contact_reason.strip().rstrip(".")
        reasons.append(
            _("Marked do not contact: %(reason)s.") % {"reason": reason}
            if reason
            else _("Marked do not contact.")
        )
    if withdrawn_on is not None:
        reasons.append(
            _("Withdrew consent to be contacted on %(date)s.") % {"date": withdrawn_on.isoformat()}
        )
    return reasons


def can_be_contacted(participant: Participant) -> bool:
    return not contact_blockers(participant)


def contactable(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """The same rule as ``contact_blockers``, for a whole queryset in one query."""
    return (
        participants.filter(erased_at__isnull=True, do_not_contact=False)
        .annotate(_contact_consent=latest_consent(ConsentScope.CONTACT))
        .filter(Q(_contact_consent__isnull=True) | Q(_contact_consent=True))
    )


def pseudonym(participant: Participant) -> str:
    """A stable code for a person that says nothing about them and cannot be reversed
    without the server's secret: the same person gets the same code in every export."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"participant:{participant.pk}".encode(), hashlib.sha256
    ).hexdigest()
    return f"P-{digest[:8].upper()}"


def needs_pseudonym(participant: Participant, *, reveal_high_risk: bool = False) -> bool:
    """High-risk people are pseudonymised wherever data leaves the app, unless an admin
    explicitly chose to reveal them for this export (and that choice is audited)."""
    return participant.risk_level == RiskLevel.HIGH and not reveal_high_risk


@dataclass(frozen=True)
class PublicIdentity:
    """What an export may print about a person."""

    full_name: str
    native_name: str
    email: str
    phone: str
    organisation: str
    position: str
    pseudonymised: bool


def public_identity(participant: Participant, *, reveal_high_risk: bool = False) -> PublicIdentity:
    """The identifying fields as an export must print them."""
    if needs_pseudonym(participant, reveal_high_risk=reveal_high_risk):
        return PublicIdentity(
            full_name=pseudonym(participant),
            native_name="",
            email="",
            phone="",
            organisation="",
            position="",
            pseudonymised=True,
        )
    return PublicIdentity(
        **{field: getattr(participant, field) for field in IDENTIFYING_FIELDS},
        pseudonymised=False,
    )
