"""Who can be sent what, decided in one place for the send page and the services."""

from django.utils import timezone
from django.utils.translation import gettext as _

from participants import safety
from workshops.models import Invitation, InvitationStatus, Workshop, WorkshopStatus


def sendable(invitation: Invitation) -> str:
    """Why an invitation cannot be sent now ("" if it can)."""
    if invitation.status != InvitationStatus.DRAFT:
        return _("Already %(status)s.") % {"status": invitation.get_status_display().lower()}
    return unreachable(invitation)


def unreachable(invitation: Invitation) -> str:
    """Why this person cannot be written to ("" if they can). Uses the contact state of a
    participant loaded through ``safety.with_contact_state`` (no query), else looks it up."""
    person = invitation.participant
    if not person.email:
        return _("No email address: invite them another way.")
    if hasattr(person, "contact_consent"):
        return " ".join(safety.listed_contact_blockers(person))
    return " ".join(safety.contact_blockers(person))


def send_refusals(workshop: Workshop) -> list[str]:
    """Why no invitation of this workshop can go out now (the send page says it before
    anyone presses Send; ``invitations_send`` refuses the same cases)."""
    reasons = []
    if workshop.status == WorkshopStatus.CANCELLED or workshop.program.is_archived:
        reasons.append(_("Invitations cannot be sent for a cancelled or archived workshop."))
    elif workshop.ends_at <= timezone.now():
        reasons.append(_("This workshop is over: invitations can no longer be sent."))
    if workshop.program.discreet_mode and not workshop.code_name:
        reasons.append(_("The program is in discreet mode: give the workshop a code name first."))
    return reasons
