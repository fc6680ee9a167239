"""Small request helpers shared by views."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

MAX_NEXT_LENGTH = 2000


def next_or(request: HttpRequest, fallback: str) -> str:
    """Back where the button was pressed (``next`` in the form or the query), if that is a
    path on this site; else ``fallback``.

    A path only: ``redirect()`` reads "0" or "detail" as a URL name (NoReverseMatch, a 500),
    and a Location past 16 KB is refused, hence the length cap."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and len(target) <= MAX_NEXT_LENGTH
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback
