"""The language switcher on every page, and a signed-in user's language following them.

Django's ``set_language`` sets the cookie and sends the visitor back (only to a page of this
site: it checks ``next`` itself). A signed-in user's choice is also saved to their
preference, so it holds in their next session and on another device, where
``UserLanguageMiddleware`` applies it before the cookie or the browser's Accept-Language.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.views import i18n
from django.views.decorators.http import require_POST

from core import audit, two_factor
from core.models import User

SHIPPED = {code for code, _name in settings.LANGUAGES}


def shipped_language(code: str | None) -> str:
    """``code`` if it is one of the interface languages, else ""."""
    return code if code in SHIPPED and translation.check_for_language(code) else ""


def language_save(user: User, code: str) -> bool:
    """Save ``code`` as ``user``'s interface language; False when nothing changed."""
    if not shipped_language(code) or user.language == code:
        return False
    user.language = code
    user.save(update_fields=["language"])
    audit.record(user, "user.preferences", user, fields=["language"])
    return True


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Django's view (cookie, safe redirect), then the signed-in user's preference.

    Someone who still owes a second factor gets the cookie only: nothing is written to an
    account before sign-in is complete."""
    response = i18n.set_language(request)
    code = shipped_language(request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER))
    user = request.user
    if code and user.is_authenticated and not two_factor.owes_second_factor(request):
        language_save(user, code)
    return response


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the cookie and the browser's.

    ``LocaleMiddleware`` runs before the user is known, so the choice is made again here.
    The cookie is brought in line too, so the sign-in page keeps the language after sign-out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        code = shipped_language(user.language) if user and user.is_authenticated else ""
        if code:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        response = self.get_response(request)
        if code and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != code:
            set_language_cookie(response, code)
        return response


def set_language_cookie(response: HttpResponseBase, code: str) -> None:
    """The cookie as Django's ``set_language`` writes it (settings.LANGUAGE_COOKIE_*)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
