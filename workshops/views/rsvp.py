"""The participant's RSVP page: no account, a personal signed link.

Participants are not users, so the page stands alone (``workshops/rsvp_base.html``) and speaks
the participant's preferred language. The token in the URL is the only key: responses are
never cached, never hand it to another site as a referrer and are not indexed. Every link
that does not open an invitation one may answer gets the same plain 404, in English, so that
the page never tells whether a person exists or what happened to their invitation.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from workshops.models import Invitation, InvitationStatus, WorkshopStatus
from workshops.outreach import compose, links, scheduling
from workshops.outreach.rsvp_forms import RSVPForm

SHIPPED_LANGUAGES = {code for code, _name in settings.LANGUAGES}
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
# A page whose policy is no-referrer makes the browser send "Origin: null" with its form
# posts (Fetch standard), which Django's CSRF check rightly refuses: a page holding a form
# (the answer, or the language switcher every page in the participant's language has) sends
# its URL only to this site, and to no one else.
FORM_REFERRER_POLICY = "same-origin"


def private_link(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every answer at a URL holding a token: not stored, not passed on, not indexed."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        for header, value in PRIVATE_HEADERS.items():
            response.headers.setdefault(header, value)
        return response

    return wrapped


def participant_language(request: HttpRequest, invitation: Invitation) -> str:
    """The language chosen in the page's language switcher (its cookie), else the
    participant's preferred language if we ship it ("ar-EG" counts as "ar"), else the one
    their browser asked for."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in SHIPPED_LANGUAGES:
        return chosen
    preferred = (invitation.participant.preferred_language_id or "").lower()
    for code in (preferred, preferred.split("-")[0]):
        if code in SHIPPED_LANGUAGES:
            return code
    return translation.get_language()


def _invalid(request: HttpRequest) -> HttpResponse:
    # English, whatever the browser asks, and the same bytes for every reason.
    with translation.override(settings.LANGUAGE_CODE):
        response = render(request, "workshops/rsvp_invalid.html", status=404)
        response["Content-Language"] = settings.LANGUAGE_CODE
    return response


def _closed_reason(invitation: Invitation) -> str:
    """Why a valid link can no longer be answered ("" if it can)."""
    if invitation.workshop.status == WorkshopStatus.CANCELLED:
        return _("This workshop was cancelled.")
    return ""


def _closed(request: HttpRequest, invitation: Invitation, reason: str) -> HttpResponse:
    return render(
        request,
        "workshops/rsvp_closed.html",
        {"reason": reason, "label": compose.workshop_label(invitation.workshop)},
        status=410,
    )


def _facts(invitation: Invitation) -> dict[str, object]:
    """The workshop as this participant may see it: discreet programs keep the venue back
    until they have accepted."""
    workshop = invitation.workshop
    shown = compose.shows_venue(invitation)
    return {
        "invitation": invitation,
        "label": compose.workshop_label(workshop),
        "dates": compose.dates_line(workshop, reveal_zone=shown),
        "venue": compose.venue_line(workshop) if shown else "",
    }


def _in_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve the token, then run the view in the participant's language."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        invitation = links.invitation_for_token(token)
        if invitation is None:
            return _invalid(request)
        language = participant_language(request, invitation)
        with translation.override(language):
            response = view(request, token, invitation)
            response["Content-Language"] = language
        if response.status_code == 200:
            response["Referrer-Policy"] = FORM_REFERRER_POLICY  # the language switcher's form
        return response

    return wrapped


@private_link
@require_http_methods(["GET", "POST"])
@_in_language
def rsvp(request: HttpRequest, token: str, invitation: Invitation) -> HttpResponse:
    reason = _closed_reason(invitation)
    if reason:
        return _closed(request, invitation, reason)
    if request.method == "POST":
        form = RSVPForm(request.POST)
        if form.is_valid():
            try:
                scheduling.rsvp_respond(invitation=invitation, **form.service_fields())
            except scheduling.RSVPClosed as closed:
                return _closed(request, invitation, str(closed))
            return redirect("rsvp_answered", token=token)
    else:
        form = RSVPForm(initial=RSVPForm.initial_for(invitation))
    response = render(request, "workshops/rsvp.html", {**_facts(invitation), "form": form})
    response["Referrer-Policy"] = FORM_REFERRER_POLICY
    return response


@private_link
@require_GET
@_in_language
def rsvp_answered(request: HttpRequest, token: str, invitation: Invitation) -> HttpResponse:
    """What the answer just given means: a place, the waitlist, or a thank-you."""
    reason = _closed_reason(invitation)
    if reason:
        return _closed(request, invitation, reason)
    if invitation.status == InvitationStatus.INVITED:
        return redirect("rsvp", token=token)
    return render(
        request,
        "workshops/rsvp_answered.html",
        {**_facts(invitation), "change_url": reverse("rsvp", args=[token])},
    )


urlpatterns: list[URLPattern] = [
    path("rsvp/<str:token>/", rsvp, name="rsvp"),
    path("rsvp/<str:token>/answered/", rsvp_answered, name="rsvp_answered"),
]
