"""What the next retention run would do (admins only): ``/admin-tools/retention/``."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import permissions
from core.models import AuditEvent
from core.retention import retention_plan

# The page lists this many people; the count says how many there are in all.
LISTED_PARTICIPANTS = 500


@login_required
@never_cache
@require_GET
def retention_preview(request: HttpRequest) -> HttpResponse:
    """The plan of the next run (ids and pseudonyms, never names) and the last run's counts.
    Anyone but an admin gets a 404, as if the page did not exist."""
    if not permissions.is_admin(request.user):
        raise Http404("No such page.")
    plan = retention_plan()
    last_run = (
        permissions.audit_events_visible_to(request.user)
        .filter(action="retention.applied")
        .order_by("-created_at", "-id")
        .first()
    )
    return render(
        request,
        "core/retention.html",
        {
            "plan": plan,
            "counts": plan.counts,
            "listed_participants": plan.participants[:LISTED_PARTICIPANTS],
            "last_run": last_run,
            "last_run_counts": last_run.data if isinstance(last_run, AuditEvent) else None,
        },
    )
