"""Pages every role shares: home, health check, and the error pages' handlers."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import selectors


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"home": selectors.home_for(request.user)})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and compose healthchecks: the process answers and the database too."""
    connection.ensure_connection()
    return HttpResponse("ok", content_type="text/plain")
