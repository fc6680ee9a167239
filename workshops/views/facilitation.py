"""The facilitator's workspace: "My workshops", today's first, with quick links to
attendance and the other pages of running a workshop."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from workshops import facilitation


@never_cache
@login_required
@require_GET
def my_workshops(request: HttpRequest) -> HttpResponse:
    """Everyone signed in may open it; it lists only the workshops they run (or none)."""
    return render(
        request,
        "workshops/facilitation/mine.html",
        {"mine": facilitation.my_workshops_page(request.user)},
    )


urlpatterns: list[URLPattern] = [
    path("mine/", my_workshops, name="mine"),
]
