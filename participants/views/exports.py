"""Exports: the registry export (admins only) and the jobs that prepare big exports.

Roster exports live with the workshops (``workshops.views.rosters``) and share the form,
the responses and the jobs through ``participants.exports.web``.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
)
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods

from core import audit
from participants.exports import access, services
from participants.exports.spec import ExportSpec
from participants.exports.web import export_page, no_store
from participants.filters import ParticipantFilter
from participants.models import ExportJob, ExportJobStatus, ExportKind, Participant
from participants.selectors import participants_for_list


@login_required
@require_http_methods(["GET", "POST"])
def registry_export(request: HttpRequest) -> HttpResponseBase:
    if not access.may_export_registry(request.user):
        raise PermissionDenied
    # The registry list's filters, in the URL (GET) or carried by the form (POST).
    source = QueryDict(request.POST.get("filters", "")) if request.method == "POST" else request.GET
    people = ParticipantFilter(source, queryset=participants_for_list(request.user))
    return export_page(
        request,
        kind=ExportKind.REGISTRY,
        subject=None,
        template="participants/exports/registry.html",
        context={
            "filter": people,
            # Counted only if the page is shown (a template calls these), not for a download.
            "matching": people.qs.count if people.is_valid() else 0,
            "total": Participant.objects.filter(erased_at__isnull=True).count,
        },
    )


def _job_for(request: HttpRequest, pk: int) -> ExportJob:
    # Only its requester: anyone else, admins included, finds nothing here. And only while
    # they may still run that export: someone taken off the program (or the workshop) since
    # finds nothing either, rather than the roster prepared before.
    job = get_object_or_404(services.jobs_of(request.user), pk=pk)
    try:
        access.check(
            request.user, ExportSpec.from_params({"columns": [], **job.params, "kind": job.kind})
        )
    except (PermissionDenied, Http404) as exc:
        raise Http404("No export job matches the given query.") from exc
    return job


@login_required
@require_GET
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return no_store(render(request, "participants/exports/job.html", _job_context(job)))


@login_required
@require_GET
def export_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx partial the job page polls while the worker runs."""
    job = _job_for(request, pk)
    return no_store(render(request, "participants/exports/_job_status.html", _job_context(job)))


def _job_context(job: ExportJob) -> dict:
    expected = job.params.get("expected_rows") or 0
    return {
        "job": job,
        "running": job.status in (ExportJobStatus.PENDING, ExportJobStatus.RUNNING),
        "expected_rows": expected,
        "chatham": job.params.get("chatham"),
        "format": job.params.get("format"),
        "pseudonymised": not job.params.get("reveal"),
        "columns": len(job.params.get("columns") or []),
    }


@login_required
@require_GET
def export_job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _job_for(request, pk)
    if job.status != ExportJobStatus.DONE or not job.file:
        raise Http404("This export is not ready, or no longer kept.")
    audit.record(
        request.user, "export.download", job, kind=job.kind, rows=job.row_count, job=job.pk
    )
    content_type = services.CONTENT_TYPES.get(job.params.get("format"), "application/octet-stream")
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.params.get("filename") or job.file.name.rsplit("/", 1)[-1],
        content_type=content_type,
    )
    return no_store(response)


urlpatterns: list[URLPattern] = [
    path("export/", registry_export, name="export"),
    path("exports/<int:pk>/", export_job, name="export_job"),
    path("exports/<int:pk>/status/", export_job_status, name="export_job_status"),
    path("exports/<int:pk>/download/", export_job_download, name="export_job_download"),
]
