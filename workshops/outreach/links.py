"""Personal RSVP links: signed, unguessable, tied to one invitation, expiring after the workshop.

The token signs the invitation's id and its ``rsvp_secret``; rotating the secret (when an
invitation is withdrawn) retires every link sent for it. A link that fails any check yields
``None`` and the page says only that it is not valid, never whether the person exists.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from workshops.models import Invitation, InvitationStatus

SALT = "olive-branch.rsvp"


def rsvp_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.rsvp_secret], salt=SALT, compress=True)


def rsvp_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("rsvp", args=[rsvp_token(invitation)])


class RsvpLinks:
    """``rsvp_url`` for a batch of messages: the URL around the token is reversed once and
    the signer made once (resolving the URL cost more than signing the token). The same
    links: a token is base64 and colons, which ``reverse`` leaves as they are."""

    STAND_IN = "rsvp-token"

    def __init__(self) -> None:
        self._signer = signing.TimestampSigner(salt=SALT)  # what signing.dumps uses
        url = settings.SITE_URL + reverse("rsvp", args=[self.STAND_IN])
        self._before, self._after = url.split(self.STAND_IN)

    def url(self, invitation: Invitation) -> str:
        token = self._signer.sign_object([invitation.pk, invitation.rsvp_secret], compress=True)
        return f"{self._before}{token}{self._after}"

    def token_in(self, url: str) -> str:
        """The token of a link ``url`` gave."""
        return url[len(self._before) : len(url) - len(self._after)]


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link opens, or None if it is tampered, expired or retired."""
    try:
        pk, secret = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    invitation = (
        Invitation.objects.select_related(
            "workshop", "workshop__program", "participant", "participant__preferred_language"
        )
        .filter(pk=pk, rsvp_secret=secret)
        .exclude(status__in=[InvitationStatus.DRAFT, InvitationStatus.WITHDRAWN])
        .first()
    )
    if invitation is None or invitation.participant.erased_at is not None:
        return None
    if invitation.workshop.ends_at <= timezone.now():
        return None
    return invitation
