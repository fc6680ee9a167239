"""Security middleware: the Permissions-Policy header, session lifetime, two-factor gate."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core import two_factor

# Session keys (seconds since the epoch).
LOGIN_AT = "ob_login_at"
SEEN_AT = "ob_seen_at"


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` ({feature: [origins]}),
    e.g. ``camera=(), geolocation=()``: Django has no setting for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in getattr(settings, "PERMISSIONS_POLICY", {}).items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class SessionLifetimeMiddleware:
    """Ends a signed-in session 30 minutes after its last request (idle) and 12 hours after
    sign-in (absolute), whatever the activity in between.

    Sign-in stamps the session (``core.signals``); each request compares. The idle stamp is
    rewritten at most once a minute, so a burst of requests costs no database write; the
    cookie and the session row expire with the idle limit as well (SESSION_COOKIE_AGE), and
    a session without stamps (older than this code) is stamped on its next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.get("_auth_user_id"):
            now = int(time.time())
            login_at = session.get(LOGIN_AT)
            seen_at = session.get(SEEN_AT)
            if login_at is None or seen_at is None:
                session[LOGIN_AT] = login_at or now
                session[SEEN_AT] = now
            elif (
                now - seen_at > settings.SESSION_IDLE_SECONDS
                or now - login_at > settings.SESSION_MAX_SECONDS
            ):
                logout(request)  # flushes the session: a new key, nothing carried over
                messages.info(request, _("Your session ended. Please sign in again."))
            elif now - seen_at >= settings.SESSION_ACTIVITY_WRITE_SECONDS:
                session[SEEN_AT] = now
        return self.get_response(request)


def stamp_session(request: HttpRequest) -> None:
    """Called at sign-in: both clocks start now."""
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


class TwoFactorMiddleware:
    """Before any page, a signed-in user who owes a second factor gives it.

    Admins always owe one: without a device they are sent to set one up, with one to enter a
    code. Anyone else owes one once they have turned it on (``core.two_factor`` marks the
    session at sign-in, so deciding costs no query on an ordinary request). Sign-out, the
    two-factor pages themselves, the language switcher, static files and participants' RSVP
    pages stay reachable; an htmx request is told to reload the whole page (HX-Redirect)
    rather than swap a form into a fragment.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and two_factor.owes_second_factor(request)
            and not self._exempt(request.path_info)
        ):
            if two_factor.has_device(user):
                target = reverse("two_factor_verify")
            else:
                target = reverse("two_factor_setup")
            url = f"{target}?{urlencode({'next': request.get_full_path()})}"
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return HttpResponseRedirect(url)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (
            reverse("two_factor_verify"),
            reverse("two_factor_setup"),
            reverse("logout"),
            reverse("healthz"),
            reverse("set_language"),
            settings.STATIC_URL,
            "/rsvp/",
        )
        return path.startswith(exempt)
