"""The participant's RSVP page: no account, a personal signed link (to be completed)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from workshops.outreach import links


@require_http_methods(["GET", "POST"])
def rsvp(request: HttpRequest, token: str) -> HttpResponse:
    invitation = links.invitation_for_token(token)
    if invitation is None:
        return render(request, "workshops/rsvp_invalid.html", status=404)
    return render(request, "workshops/rsvp.html", {"invitation": invitation})


urlpatterns: list[URLPattern] = [path("rsvp/<str:token>/", rsvp, name="rsvp")]
