"""The page django-axes shows when a username is locked out from an address."""

from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """429 with a page in the visitor's language saying what happened and for how long.
    It does not repeat the typed username (it may be someone's email address)."""
    cool_off = get_cool_off(request)
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {
            "failure_limit": get_failure_limit(request, credentials),
            "cooloff_timedelta": cool_off,
            "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
