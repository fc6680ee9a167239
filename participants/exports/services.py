"""Running exports: in the request (small, or CSV streamed), or as a Celery job (big XLSX,
huge CSV) whose file goes through the storage API; presets; the audit entry of each.
"""

import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import audit
from core.models import User
from participants.exports import access
from participants.exports.columns import Column
from participants.exports.queries import base_queryset, export_queryset
from participants.exports.spec import ExportSpec
from participants.exports.writers import write_csv, write_xlsx
from participants.models import ExportFormat, ExportJob, ExportJobStatus, ExportKind, ExportPreset

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
AUDIT_ACTIONS = {
    ExportKind.REGISTRY: "registry.export",
    ExportKind.WORKSHOP: "workshop.roster_export",
    ExportKind.PROGRAM: "program.roster_export",
}


FAILED_MESSAGE = _(
    "Something went wrong while preparing the file. Try again, or tell an administrator "
    "if it keeps happening."
)


class ExportError(Exception):
    """The export cannot go ahead as asked; the message says why, for the user."""


@dataclass
class PreparedExport:
    spec: ExportSpec
    queryset: QuerySet
    columns: list[Column]
    subject: Model | None  # the workshop or program, None for the registry
    rows: int

    @property
    def runs_in_background(self) -> bool:
        limit = (
            settings.EXPORT_CSV_BACKGROUND_ROWS
            if self.spec.format == ExportFormat.CSV
            else settings.EXPORT_XLSX_BACKGROUND_ROWS
        )
        return self.rows > limit

    @property
    def filename(self) -> str:
        return export_filename(self.spec, self.subject)


def _subject(spec: ExportSpec, user: User) -> Model | None:
    if spec.kind == ExportKind.WORKSHOP:
        return access.workshop_for_export(user, spec.workshop_id)
    if spec.kind == ExportKind.PROGRAM:
        return access.program_for_export(user, spec.program_id)
    return None


def export_prepare(*, spec: ExportSpec, by: User) -> PreparedExport:
    """Check permission, build the protected queryset and count its rows."""
    access.check(by, spec)
    if not spec.columns:
        raise ExportError(_("Choose at least one column."))
    subject = _subject(spec, by)
    queryset, columns = export_queryset(spec, by)
    if not columns:
        raise ExportError(_("None of the chosen columns can be part of this export."))
    # Counted on the people alone: the protected columns need not be computed to count.
    rows = base_queryset(spec, by).order_by().count()
    return PreparedExport(spec, queryset, columns, subject, rows=rows)


def export_filename(spec: ExportSpec, subject: Model | None) -> str:
    stem = {
        ExportKind.REGISTRY: "registry",
        ExportKind.WORKSHOP: f"roster-{spec.scope}",
        ExportKind.PROGRAM: "program-roster",
    }[spec.kind]
    if subject is not None:
        label = (
            getattr(subject, "code_name", "")
            or getattr(subject, "title", "")
            or getattr(subject, "name", "")
        )
        stem = f"{slugify(label)[:40] or subject.pk}-{stem}"
    if spec.chatham:
        stem += "-chatham-house"
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{spec.format}"


def export_record(*, prepared: PreparedExport, by: User, rows: int, job: ExportJob | None = None):
    """The audit entry of one export: who, what scope, which columns, format, row count."""
    data = prepared.spec.audit_data(rows)
    if job is not None:
        data["job"] = job.pk
    return audit.record(by, AUDIT_ACTIONS[prepared.spec.kind], prepared.subject, **data)


# --- Jobs ------------------------------------------------------------------------------------


def export_job_start(*, prepared: PreparedExport, by: User) -> ExportJob:
    from participants import tasks

    with transaction.atomic():
        job = ExportJob.objects.create(
            requester=by,
            kind=prepared.spec.kind,
            params={**prepared.spec.to_params(), "expected_rows": prepared.rows},
        )
        transaction.on_commit(lambda: tasks.run_export.delay(job.pk))
    return job


class _ProgressWriter:
    """Progress of a running job, written outside the job's reading transaction (a side
    connection in autocommit), so the web sees it while the export runs."""

    def __init__(self, job: ExportJob, expected: int) -> None:
        self.job_id = job.pk
        self.expected = max(expected, 1)
        self.connection = None
        if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, rows: int) -> None:
        if self.connection is None:
            return
        percent = min(99, rows * 100 // self.expected)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE participants_exportjob SET progress = %s, row_count = %s WHERE id = %s",
                [percent, rows, self.job_id],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def export_job_run(*, job_id: int) -> None:
    """Write a job's file (idempotent: only a pending job is run, once), in the language of
    the person who asked for it: the column headings, the sheet's title and a failure
    message are theirs to read, as in an export they download at once."""
    language = (
        ExportJob.objects.filter(pk=job_id).values_list("requester__language", flat=True).first()
    )
    with translation.override(language or settings.LANGUAGE_CODE):
        _run(job_id)


def _run(job_id: int) -> None:
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .filter(pk=job_id, status=ExportJobStatus.PENDING)
            .select_related("requester")
            .first()
        )
        if job is None:
            return
        job.status = ExportJobStatus.RUNNING
        job.save(update_fields=["status"])
    spec = ExportSpec.from_params(job.params)
    progress = _ProgressWriter(job, job.params.get("expected_rows") or 0)
    try:
        prepared = export_prepare(spec=spec, by=job.requester)
        with tempfile.TemporaryFile() as scratch:
            if spec.format == ExportFormat.XLSX:
                rows = write_xlsx(
                    prepared.queryset,
                    prepared.columns,
                    scratch,
                    title=_sheet_title(prepared),
                    progress=progress,
                )
            else:
                counter = _Counter(progress)
                write_csv(prepared.queryset, prepared.columns, scratch, progress=counter)
                rows = counter.rows
            scratch.seek(0)
            with transaction.atomic():
                job.file.save(prepared.filename, File(scratch), save=False)
                job.status = ExportJobStatus.DONE
                job.progress = 100
                job.row_count = rows
                job.finished_at = timezone.now()
                job.expires_at = job.finished_at + timedelta(hours=settings.EXPORT_KEEP_HOURS)
                job.params = {**job.params, "filename": prepared.filename}
                job.save()
                export_record(prepared=prepared, by=job.requester, rows=rows, job=job)
    except (PermissionDenied, ExportError) as error:
        _fail(
            job,
            gettext("You may no longer run this export.")
            if isinstance(error, PermissionDenied)
            else str(error),
        )
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        _fail(job, FAILED_MESSAGE)
    finally:
        progress.close()


class _Counter:
    def __init__(self, progress) -> None:
        self.progress = progress
        self.rows = 0

    def __call__(self, rows: int) -> None:
        self.rows = rows
        self.progress(rows)


def _sheet_title(prepared: PreparedExport) -> str:
    return str(ExportKind(prepared.spec.kind).label)


def _fail(job: ExportJob, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJobStatus.FAILED, error=str(message), finished_at=timezone.now()
    )


def export_jobs_expire(*, now=None) -> int:
    """Delete the files of jobs past their expiry (24 hours after they were ready) and of
    jobs that never finished within that time. Idempotent; returns how many expired."""
    now = now or timezone.now()
    keep = timedelta(hours=settings.EXPORT_KEEP_HOURS)
    stale = ExportJob.objects.filter(
        status=ExportJobStatus.DONE, expires_at__lte=now
    ) | ExportJob.objects.filter(
        status__in=(ExportJobStatus.PENDING, ExportJobStatus.RUNNING, ExportJobStatus.FAILED),
        created_at__lte=now - keep,
    )
    expired = 0
    for job in stale.only("pk", "file", "params"):
        name = job.file.name
        if name:
            job.file.storage.delete(name)
        # The registry's filters may hold a searched name: they go with the file.
        params = {key: value for key, value in job.params.items() if key != "filters"}
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJobStatus.EXPIRED, file="", params=params
        )
        expired += 1
    return expired


def jobs_of(user: User) -> QuerySet[ExportJob]:
    """A job is its requester's only: nobody else may see or download it, admins neither."""
    if not user.is_authenticated:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(requester=user)


# --- Presets ---------------------------------------------------------------------------------


def presets_for(*, kind: str, program_id: int | None) -> QuerySet[ExportPreset]:
    return ExportPreset.objects.filter(kind=kind, program_id=program_id).order_by("name")


def may_save_preset(user: User, *, kind: str, program) -> bool:
    if kind == ExportKind.REGISTRY:
        return access.may_export_registry(user)
    return program is not None and access.may_export_program(user, program)


def preset_save(*, kind: str, program, name: str, columns: list[str], by: User) -> ExportPreset:
    """Save (or replace, by name) a preset of columns for ``program`` (None: the registry)."""
    if not may_save_preset(by, kind=kind, program=program):
        raise PermissionDenied
    name = " ".join(name.split())[:80]
    if not name:
        raise ValidationError("Give the preset a name.")
    program_id = program.pk if program is not None else None
    with transaction.atomic():
        preset = (
            ExportPreset.objects.select_for_update()
            .filter(program_id=program_id, name=name)
            .first()
        )
        if preset is not None and preset.kind != kind:
            raise ValidationError("Another export of this program uses that name already.")
        if preset is None:
            try:
                with transaction.atomic():
                    preset = ExportPreset.objects.create(
                        program_id=program_id, name=name, kind=kind, columns=columns, created_by=by
                    )
            except IntegrityError as error:
                raise ValidationError("A preset of that name exists already.") from error
        else:
            preset.columns = columns
            preset.save(update_fields=["columns", "updated_at"])
        audit.record(by, "export.preset_save", preset, kind=kind, columns=list(columns))
    return preset


def preset_delete(*, preset: ExportPreset, by: User) -> None:
    if not may_save_preset(by, kind=preset.kind, program=preset.program):
        raise PermissionDenied
    audit.record(by, "export.preset_delete", preset, kind=preset.kind)
    preset.delete()
