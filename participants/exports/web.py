"""The HTTP side of exports shared by the registry and the roster pages: the form page,
the streamed or built response, the job hand-over. Views stay thin around ``export_page``.
"""

import io
from itertools import chain

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participants.exports import access, services
from participants.exports.forms import ExportForm
from participants.exports.spec import ExportSpec
from participants.exports.writers import csv_header, csv_rows, write_xlsx
from participants.models import ExportFormat, ExportJobStatus, ExportKind, ExportPreset


def no_store(response: HttpResponseBase) -> HttpResponseBase:
    """Exports hold personal data: no browser or proxy cache keeps a copy."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    return response


def export_response(prepared: services.PreparedExport) -> HttpResponseBase:
    """The file, made in this request: CSV streamed as COPY hands it over, XLSX built in
    write-only mode (small ones only; big ones go to a worker)."""
    filename = prepared.filename
    if prepared.spec.format == ExportFormat.CSV:
        response = StreamingHttpResponse(
            chain([csv_header(prepared.columns)], csv_rows(prepared.queryset)),
            content_type=services.CONTENT_TYPES[ExportFormat.CSV],
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        buffer = io.BytesIO()
        write_xlsx(
            prepared.queryset,
            prepared.columns,
            buffer,
            title=str(ExportKind(prepared.spec.kind).label),
        )
        buffer.seek(0)
        response = FileResponse(
            buffer,
            as_attachment=True,
            filename=filename,
            content_type=services.CONTENT_TYPES[ExportFormat.XLSX],
        )
    return no_store(response)


def _pk(value: str | None) -> int:
    """A preset id from the page, or 0 (no preset): filtering on "abc" raises ValueError."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else 0


def export_page(
    request: HttpRequest,
    *,
    kind: str,
    subject: Model | None,
    template: str,
    context: dict,
    program=None,
) -> HttpResponseBase:
    """GET: the form (defaults, or a preset's columns). POST: export, or save / delete a
    preset. ``subject`` is the workshop or program (None for the registry), already checked
    with ``access``; ``program`` owns the presets (None for the registry)."""
    user = request.user
    presets = services.presets_for(kind=kind, program_id=program.pk if program else None)
    form_kwargs = {
        "kind": kind,
        "contact": access.may_see_contact_details(user),
        "may_reveal": access.may_reveal(user),
    }
    loaded: ExportPreset | None = None
    if request.method == "POST":
        form = ExportForm(request.POST, **form_kwargs)
        action = request.POST.get("action", "export")
        if action == "delete_preset":
            preset = presets.filter(pk=_pk(request.POST.get("preset"))).first()
            if preset is not None:
                services.preset_delete(preset=preset, by=user)
                messages.success(request, _("Preset “%(name)s” deleted.") % {"name": preset.name})
            return redirect(request.path)
        if form.is_valid():
            if action == "save_preset":
                response = _save_preset(request, form, kind=kind, program=program)
                if response is not None:
                    return response
            else:
                response = _export(request, form, kind=kind, subject=subject)
                if response is not None:
                    return response
    else:
        loaded = presets.filter(pk=_pk(request.GET.get("preset"))).first()
        initial = {}
        if loaded is not None:
            initial["columns"] = loaded.columns
        if kind == ExportKind.REGISTRY:
            query = request.GET.copy()
            for name in ("preset", "page", "sort"):
                query.pop(name, None)
            initial["filters"] = query.urlencode()
        form = ExportForm(initial=initial, **form_kwargs)
    context = {
        **context,
        "form": form,
        "presets": presets,
        "loaded_preset": loaded,
        "may_save_preset": services.may_save_preset(user, kind=kind, program=program),
        # Where to come back to a big export prepared in the background.
        "recent_jobs": services.jobs_of(user)
        .exclude(status=ExportJobStatus.EXPIRED)
        .order_by("-created_at")[:5],
        "kind": kind,
    }
    return no_store(render(request, template, context, status=400 if form.errors else 200))


def _spec(form: ExportForm, *, kind: str, subject: Model | None) -> ExportSpec:
    data = form.cleaned_data
    return ExportSpec(
        kind=kind,
        columns=data["columns"],
        format=data["format"],
        workshop_id=subject.pk if kind == ExportKind.WORKSHOP else None,
        program_id=subject.pk if kind == ExportKind.PROGRAM else None,
        scope=data.get("scope") or "invited",
        filters=data.get("filters") or "",
        chatham=data["chatham"],
        reveal=bool(data.get("reveal")),
    )


def _export(request, form, *, kind, subject) -> HttpResponseBase | None:
    spec = _spec(form, kind=kind, subject=subject)
    try:
        prepared = services.export_prepare(spec=spec, by=request.user)
    except services.ExportError as error:
        form.add_error("columns", str(error))
        return None
    if prepared.runs_in_background:
        job = services.export_job_start(prepared=prepared, by=request.user)
        messages.success(
            request,
            ngettext(
                "Export started: %(n)s row is being prepared; the file appears here when ready.",
                "Export started: %(n)s rows are being prepared; the file appears here when ready.",
                prepared.rows,
            )
            % {"n": prepared.rows},
        )
        return redirect("participants:export_job", pk=job.pk)
    services.export_record(prepared=prepared, by=request.user, rows=prepared.rows)
    return export_response(prepared)


def _save_preset(request, form, *, kind, program) -> HttpResponse | None:
    if not form.cleaned_data["columns"]:
        form.add_error("columns", _("Choose at least one column."))
        return None
    try:
        preset = services.preset_save(
            kind=kind,
            program=program,
            name=form.cleaned_data["preset_name"],
            columns=form.cleaned_data["columns"],
            by=request.user,
        )
    except PermissionDenied:
        raise
    except ValidationError as error:
        form.add_error("preset_name", error.messages[0])
        return None
    messages.success(request, _("Preset “%(name)s” saved.") % {"name": preset.name})
    query = QueryDict(form.cleaned_data.get("filters") or "", mutable=True)
    query["preset"] = str(preset.pk)
    return redirect(f"{request.path}?{query.urlencode()}")
