"""Pages every role shares: home, health check, and the error pages' handlers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core import audit, selectors
from core.forms import PreferencesForm


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


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """A user's own name, email, language and time zone."""
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(request.user, "user.preferences", request.user, fields=form.changed_data)
        messages.success(request, _("Preferences saved."))
        return redirect("preferences")
    return render(request, "core/preferences.html", {"form": form})
