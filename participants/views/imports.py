"""Registry pages: importing participants from a spreadsheet (upload, preview, confirm)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import permissions
from core.validators import parse_id
from participants.imports import imports_visible_to
from participants.imports import services as import_services
from participants.imports.forms import ImportUploadForm
from participants.imports.planning import Action
from participants.imports.reading import max_bytes, max_rows
from participants.imports.template import template_csv, template_xlsx
from participants.models import ImportStatus, Participant, ParticipantImport
from participants.views.registry import _require_registry_editor

RUNNING = (ImportStatus.ANALYSING, ImportStatus.IMPORTING)
# Beyond this many rows the preview lists only the rows that need a look.
PREVIEW_ALL_UP_TO = 500
PREVIEW_LIMIT = 1000
RESULT_PEOPLE_SHOWN = 50


def _import_for(request: HttpRequest, pk: int) -> ParticipantImport:
    _require_registry_editor(request.user)
    return get_object_or_404(imports_visible_to(request.user).select_related("uploaded_by"), pk=pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_registry_editor(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        participant_import = import_services.import_start(
            file=form.cleaned_data["file"], by=request.user
        )
        messages.success(
            request,
            _("“%(name)s” uploaded: it is being checked. Nothing is written until you confirm.")
            % {"name": participant_import.original_name},
        )
        return redirect("participants:import_detail", pk=participant_import.pk)
    recent = imports_visible_to(request.user).select_related("uploaded_by")[:10]
    return render(
        request,
        "participants/import_upload.html",
        {
            "form": form,
            "recent": recent,
            "max_size": max_bytes() // (1024 * 1024),
            "max_rows": max_rows(),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _import_for(request, pk))


def _detail(
    request: HttpRequest,
    participant_import: ParticipantImport,
    *,
    checked: frozenset[int] = frozenset(),
    skip_errors: bool = False,
    status: int = 200,
) -> HttpResponse:
    preview = participant_import.preview or {}
    rows = preview.get("rows", [])
    counts = preview.get("counts", {})
    show = request.GET.get("show") or ("all" if len(rows) <= PREVIEW_ALL_UP_TO else "attention")
    shown = rows if show == "all" else [r for r in rows if r["errors"] or r["warnings"]]
    context = {
        "import": participant_import,
        "running": participant_import.status in RUNNING,
        "progress": _progress(participant_import),
        "notices": preview.get("notices", []),
        "counts": counts,
        "writes": counts.get(Action.CREATE, 0) + counts.get(Action.UPDATE, 0),
        "show": show,
        "rows": shown[:PREVIEW_LIMIT],
        "hidden_rows": max(0, len(shown) - PREVIEW_LIMIT),
        "row_count": len(rows),
        "checked": checked,
        "skip_errors": skip_errors,
    }
    if participant_import.status == ImportStatus.READY:
        ids = {r["participant"] for r in context["rows"] if r["participant"]}
        ids.update(pk for r in context["rows"] for pk in r["lookalikes"])
        people = permissions.visible_to(request.user, Participant).in_bulk(ids)
        for row in context["rows"]:
            row["existing"] = people.get(row["participant"])
            row["lookalike_people"] = [people[pk] for pk in row["lookalikes"] if pk in people]
    if participant_import.status == ImportStatus.DONE:
        result = participant_import.result
        ids = (result.get("created_ids", []) + result.get("updated_ids", []))[:RESULT_PEOPLE_SHOWN]
        context["people"] = (
            permissions.visible_to(request.user, Participant)
            .filter(pk__in=ids)
            .order_by("full_name", "pk")
        )
    return render(request, "participants/import_detail.html", context, status=status)


def _progress(participant_import: ParticipantImport) -> dict:
    total = participant_import.total_rows
    done = participant_import.processed_rows
    if participant_import.status == ImportStatus.IMPORTING:
        done = import_services.applied_so_far(participant_import)
    known = done is not None and total > 0
    return {
        "total": total,
        "done": done if known else None,
        "percent": min(100, round(100 * done / total)) if known else None,
    }


@never_cache
@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx partial polled while a worker checks or writes the file; once it is done,
    the whole page reloads to show the preview or the result."""
    participant_import = _import_for(request, pk)
    if participant_import.status not in RUNNING and request.headers.get("HX-Request"):
        response = HttpResponse()
        response["HX-Redirect"] = reverse("participants:import_detail", args=[pk])
        return response
    return render(
        request,
        "participants/_import_progress.html",
        {
            "import": participant_import,
            "running": participant_import.status in RUNNING,
            "progress": _progress(participant_import),
        },
    )


@never_cache
@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    participant_import = _import_for(request, pk)
    skip = frozenset(n for n in map(parse_id, request.POST.getlist("skip")) if n is not None)
    skip_errors = bool(request.POST.get("skip_errors"))
    try:
        started = import_services.import_confirm(
            participant_import=participant_import,
            by=request.user,
            skip=set(skip),
            skip_errors=skip_errors,
        )
    except import_services.ImportRefused as refusal:
        messages.error(request, str(refusal))
        return _detail(
            request, participant_import, checked=skip, skip_errors=skip_errors, status=400
        )
    if not started:
        messages.info(request, _("This import was confirmed already."))
    else:
        messages.success(
            request,
            _("Import of “%(name)s” confirmed: the rows are being written.")
            % {"name": participant_import.original_name},
        )
    return redirect("participants:import_detail", pk=pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    participant_import = _import_for(request, pk)
    if import_services.import_cancel(participant_import=participant_import, by=request.user):
        messages.success(request, _("Import cancelled; nothing was imported."))
    else:
        messages.error(
            request, _("This import is being applied or is over: it cannot be cancelled.")
        )
    return redirect("participants:import_detail", pk=pk)


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    _require_registry_editor(request.user)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="participants-template.xlsx"'
    else:
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="participants-template.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("imports/", import_upload, name="import_upload"),
    path("imports/template/", import_template, name="import_template"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", import_cancel, name="import_cancel"),
]
