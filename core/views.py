"""Pages every role shares (home, health check, preferences) and the admins' audit log."""

import csv
import json
from datetime import UTC
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core import audit, permissions, selectors
from core.filters import AuditEventFilter
from core.forms import PreferencesForm
from core.models import AuditEvent


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


# --- The audit log (admins only) --------------------------------------------------------------

AUDIT_PAGE_SIZE = 50
AUDIT_CSV_COLUMNS = (
    "id",
    "when_utc",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "details",
)


def _audit_filter(request: HttpRequest) -> AuditEventFilter:
    """The admin's filtered log; anyone else gets a 404, as if the page did not exist."""
    if not permissions.is_admin(request.user):
        raise Http404("No such page.")
    events = permissions.audit_events_visible_to(request.user).select_related(
        "actor", "content_type"
    )
    return AuditEventFilter(request.GET or None, queryset=events)


@login_required
@never_cache
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every audit event, newest first, filtered by user, action, object and date."""
    event_filter = _audit_filter(request)
    page = Paginator(event_filter.qs.order_by("-created_at", "-id"), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit/log.html",
        {
            "filter": event_filter,
            "page": page,
            "query_string": query.urlencode(),
            "known_actions": AuditEvent.objects.order_by("action")
            .values_list("action", flat=True)
            .distinct(),
        },
    )


def _csv_cell(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@never_cache
@require_GET
def audit_log_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered log as CSV; exporting the log is itself an audit event."""
    event_filter = _audit_filter(request)
    if event_filter.is_bound and not event_filter.form.is_valid():
        # Never export more than the admin asked for because one filter did not parse.
        return HttpResponseBadRequest("Invalid filter.", content_type="text/plain")
    events = event_filter.qs.order_by("created_at", "id")
    count = events.count()
    audit.record(
        request.user,
        "audit.exported",
        format="csv",
        count=count,
        filters=event_filter.used(),
        columns=list(AUDIT_CSV_COLUMNS),
    )
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # spreadsheets read UTF-8 only with a byte-order mark
        yield writer.writerow(AUDIT_CSV_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    _csv_cell(cell)
                    for cell in (
                        event.pk,
                        event.created_at.astimezone(UTC).isoformat(),
                        event.actor_id or "",
                        event.actor.get_username() if event.actor else "",
                        event.action,
                        event.content_type.app_labeled_name if event.content_type else "",
                        event.object_id,
                        event.object_repr,
                        json.dumps(event.data, sort_keys=True, ensure_ascii=False),
                    )
                ]
            )

    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
