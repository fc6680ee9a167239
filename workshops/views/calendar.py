"""Workshop pages: calendar (month grid, upcoming list) and the private iCalendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from core.http import next_or
from core.validators import parse_id
from workshops import calendar

# The new address waits here between the POST that issues it and the page that shows it once.
NEW_FEED_URL = "calendar_feed_new_url"


def _feed_context(request: HttpRequest) -> dict[str, object]:
    may_have_feed = calendar.may_have_feed(request.user)
    new_feed_url = request.session.pop(NEW_FEED_URL, None) if may_have_feed else None
    return {
        "may_have_feed": may_have_feed,
        "feed": calendar.feed_of(request.user) if may_have_feed else None,
        "new_feed_url": new_feed_url,
        # webcal:// opens the subscription dialog of the phone's or desktop's calendar app.
        "new_feed_webcal": "webcal://" + new_feed_url.split("://", 1)[-1] if new_feed_url else "",
    }


def _render(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    response = render(request, template, context)
    if context.get("new_feed_url"):
        add_never_cache_headers(response)  # the secret address must not stay in any cache
    return response


@login_required
@require_GET
def calendar_month(request: HttpRequest) -> HttpResponse:
    today = calendar.viewer_today(request.user)
    month = calendar.parse_month(request.GET.get("month"), today=today)
    return _render(
        request,
        "workshops/calendar_month.html",
        {
            "view": calendar.month_view(request.user, month, today=today),
            "today": today,
            "is_current_month": month == calendar.Month.of(today),
            **_feed_context(request),
        },
    )


@login_required
@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    include_past = request.GET.get("past") == "1"
    number = request.GET.get("page", "")
    page = calendar.list_view(
        request.user, include_past=include_past, page=min(parse_id(number) or 1, 100_000)
    )
    return _render(
        request,
        "workshops/calendar_list.html",
        {
            "groups": page.groups,
            "page": page,
            "include_past": include_past,
            "today": calendar.viewer_today(request.user),
            **_feed_context(request),
        },
    )


@login_required
@require_POST
def calendar_feed_manage(request: HttpRequest) -> HttpResponse:
    """Create or regenerate (``action=issue``) or switch off (``action=revoke``) the feed."""
    if not calendar.may_have_feed(request.user):
        raise PermissionDenied
    action = request.POST.get("action")
    if action == "issue":
        token = calendar.calendar_feed_issue(user=request.user)
        request.session[NEW_FEED_URL] = calendar.feed_url(token)
        messages.success(
            request,
            _(
                "Your private calendar address is ready. Copy it now: it is shown only once. "
                "Any address made before stops working."
            ),
        )
    elif action == "revoke":
        if calendar.calendar_feed_revoke(user=request.user):
            messages.success(request, _("Your calendar feed is switched off."))
    else:
        return HttpResponse(status=400)
    next_url = next_or(request, reverse("workshops:calendar_list"))
    return redirect(next_url + "#calendar-feed")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics a calendar app subscribes to: no session, the token is the key.

    Fetches are not audited (an app polls every few minutes); issuing and revoking are.
    """
    feed = calendar.calendar_feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar feed.")
    body = calendar.calendar_feed_ics(feed=feed)
    calendar.calendar_feed_fetched(feed=feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="olive-branch-workshops.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns: list[URLPattern] = [
    path("calendar/", calendar_month, name="calendar"),
    path("calendar/list/", calendar_list, name="calendar_list"),
    path("calendar/feed/", calendar_feed_manage, name="calendar_feed_manage"),
    path("calendar/feed/<slug:token>.ics", calendar_feed, name="calendar_feed"),
]
