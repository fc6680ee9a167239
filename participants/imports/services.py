"""An import's way through: upload, check (a task), confirm, apply (a task), or cancel.

The check writes only the import's own row. Applying writes every row of the file in one
transaction, so a file goes in whole or not at all; the import row's status, locked with
``select_for_update``, makes confirming or running the task twice harmless.
"""

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from core import audit
from core.models import User
from participants import services
from participants.imports.planning import Action, Plan, RowPlan, plan_table
from participants.imports.reading import ImportFileError, read_table
from participants.models import ImportStatus, Participant, ParticipantImport, Tag

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 25
STALE_AFTER = timedelta(days=7)
# Whole sentences, so that each language can word them its own way.
FAILED_CHECKING = gettext_noop(
    "Something went wrong while checking the file; nothing was imported. Try again, or tell "
    "an administrator if it keeps happening."
)
FAILED_IMPORTING = gettext_noop(
    "Something went wrong while importing the file; nothing was imported. Try again, or tell "
    "an administrator if it keeps happening."
)


class ImportRefused(Exception):
    """The import cannot go ahead as asked; the message says why, for the user."""


def _progress_key(import_id: int) -> str:
    return f"participant-import:{import_id}:applied"


def applied_so_far(participant_import: ParticipantImport) -> int | None:
    """Rows written so far by a running apply, which the database cannot show before its
    transaction commits. None when not known (a cache per process, as on the default)."""
    return cache.get(_progress_key(participant_import.pk))


# --- Upload and check ------------------------------------------------------------------------


def import_start(*, file: UploadedFile, by: User) -> ParticipantImport:
    """Store the upload and have a worker check it."""
    from participants import tasks

    with transaction.atomic():
        participant_import = ParticipantImport(
            file=file, original_name=Path(file.name or "upload").name[:255], uploaded_by=by
        )
        participant_import.save()
        pk = participant_import.pk
        transaction.on_commit(lambda: tasks.analyse_participant_import.delay(pk))
    return participant_import


def _uploaders_language(import_id: int) -> str:
    """The plan's row errors and the failure message are stored as text: in the language
    of the person who uploaded the file, who reads them (their preference, else the site's)."""
    language = (
        ParticipantImport.objects.filter(pk=import_id)
        .values_list("uploaded_by__language", flat=True)
        .first()
    )
    return language or settings.LANGUAGE_CODE


def import_analyse(*, import_id: int) -> None:
    """Check every row against the registry and store the plan for the preview. Writes
    nothing but the import row; running it again for a checked import does nothing."""
    with translation.override(_uploaders_language(import_id)):
        _analyse(import_id)


def _analyse(import_id: int) -> None:
    participant_import = ParticipantImport.objects.filter(pk=import_id).first()
    if participant_import is None or participant_import.status != ImportStatus.ANALYSING:
        return
    analysing = ParticipantImport.objects.filter(pk=import_id, status=ImportStatus.ANALYSING)
    try:
        with participant_import.file.open("rb") as file:
            table = read_table(file, participant_import.original_name)
        analysing.update(total_rows=len(table.rows), processed_rows=0)
        plan = plan_table(table, progress=lambda n: analysing.update(processed_rows=n))
        # Inside the try: a preview the database refuses must fail the import with a
        # message, not leave it "checking" forever.
        analysing.update(
            status=ImportStatus.READY,
            preview=plan.as_json(),
            processed_rows=len(plan.rows),
            error="",
            updated_at=timezone.now(),
        )
    except ImportFileError as error:
        _fail(import_id, ImportStatus.ANALYSING, str(error))
        return
    except Exception as exc:
        # The type only: messages of database errors may quote the participant's data.
        logger.error("Checking participant import %s failed: %s", import_id, type(exc).__name__)
        _fail(import_id, ImportStatus.ANALYSING, _(FAILED_CHECKING))
        return


def _fail(import_id: int, from_status: str, message: str) -> None:
    changed = ParticipantImport.objects.filter(pk=import_id, status=from_status).update(
        status=ImportStatus.FAILED,
        error=message,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if changed:
        _forget_file(ParticipantImport.objects.get(pk=import_id))


# --- Confirm and apply -----------------------------------------------------------------------


def import_confirm(
    *, participant_import: ParticipantImport, by: User, skip: set[int], skip_errors: bool = False
) -> bool:
    """Queue the import of every row not skipped. False when it was confirmed already.

    Refused while a row with errors is not skipped explicitly (by its number, or with
    ``skip_errors`` for all of them)."""
    from participants import tasks

    with transaction.atomic():
        locked = ParticipantImport.objects.select_for_update().get(pk=participant_import.pk)
        if locked.status != ImportStatus.READY:
            return False
        rows = locked.preview.get("rows", [])
        errors = {row["number"] for row in rows if row["action"] == Action.ERROR}
        skipped = {row["number"] for row in rows} & set(skip)
        if skip_errors:
            skipped |= errors
        blocking = sorted(errors - skipped)
        if blocking:
            shown = ", ".join(str(n) for n in blocking[:10]) + (", …" if len(blocking) > 10 else "")
            raise ImportRefused(
                ngettext(
                    "Row %(rows)s has errors. Fix the file and upload it again, or tick “Skip” "
                    "for that row: nothing is imported while it is there.",
                    "Rows %(rows)s have errors. Fix the file and upload it again, or tick "
                    "“Skip” for those rows: nothing is imported while they are there.",
                    len(blocking),
                )
                % {"rows": shown}
            )
        writes = [
            row
            for row in rows
            if row["action"] in (Action.CREATE, Action.UPDATE) and row["number"] not in skipped
        ]
        if not writes:
            raise ImportRefused(_("Nothing to import: every row is skipped or already up to date."))
        locked.status = ImportStatus.IMPORTING
        locked.skipped_rows = sorted(skipped)
        locked.result = {"confirmed_by": by.pk}
        locked.processed_rows = 0
        locked.error = ""
        locked.save()
        pk = locked.pk
        transaction.on_commit(lambda: tasks.apply_participant_import.delay(pk))
    return True


class _RegistryChanged(Exception):
    def __init__(self, plan: Plan) -> None:
        super().__init__("The registry changed since the file was checked.")
        self.plan = plan


def import_apply(*, import_id: int) -> None:
    """Write the confirmed rows, all or none. The file is checked again inside the
    transaction: if the registry changed meanwhile so that a row would now do something
    else, nothing is written and the import goes back to the preview."""
    with translation.override(_uploaders_language(import_id)):
        _apply_or_fail(import_id)


def _apply_or_fail(import_id: int) -> None:
    try:
        _apply(import_id)
    except _RegistryChanged as changed:
        cache.delete(_progress_key(import_id))
        ParticipantImport.objects.filter(pk=import_id, status=ImportStatus.IMPORTING).update(
            status=ImportStatus.READY,
            preview=changed.plan.as_json(),
            total_rows=len(changed.plan.rows),
            processed_rows=len(changed.plan.rows),
            error=_(
                "The registry changed since the file was checked, so nothing was imported. "
                "Look at the rows below again, then confirm."
            ),
            updated_at=timezone.now(),
        )
    except ImportFileError as error:
        _fail(import_id, ImportStatus.IMPORTING, str(error))
    except Exception as exc:
        logger.error("Applying participant import %s failed: %s", import_id, type(exc).__name__)
        _fail(import_id, ImportStatus.IMPORTING, _(FAILED_IMPORTING))
    finally:
        cache.delete(_progress_key(import_id))


@transaction.atomic
def _apply(import_id: int) -> None:
    participant_import = ParticipantImport.objects.select_for_update().filter(pk=import_id).first()
    if participant_import is None or participant_import.status != ImportStatus.IMPORTING:
        return  # applied already, or cancelled: a second run changes nothing
    confirmed_by = participant_import.result.get("confirmed_by")
    by = User.objects.filter(pk=confirmed_by).first() or participant_import.uploaded_by
    with participant_import.file.open("rb") as file:
        table = read_table(file, participant_import.original_name)
    plan = plan_table(table, lookalikes=False)
    skipped = set(participant_import.skipped_rows)
    planned = {row["number"]: row["action"] for row in participant_import.preview["rows"]}
    if any(
        row.number not in skipped and planned.get(row.number) != row.action for row in plan.rows
    ):
        raise _RegistryChanged(plan_table(table))
    tags = _TagMaker()
    created: list[int] = []
    updated: list[int] = []
    for index, row in enumerate(plan.rows, start=1):
        if row.number in skipped or row.action == Action.SKIP:
            continue
        if row.action == Action.CREATE:
            created.append(_create(row, by, tags).pk)
        elif row.action == Action.UPDATE:
            updated.append(_update(row, by, tags).pk)
        if index % PROGRESS_EVERY == 0:
            cache.set(_progress_key(import_id), index, 60 * 60)
    skipped_count = len(plan.rows) - len(created) - len(updated)
    audit.record(
        by,
        "participant.import",
        participant_import,
        created=len(created),
        updated=len(updated),
        skipped=skipped_count,
    )
    participant_import.status = ImportStatus.DONE
    participant_import.processed_rows = participant_import.total_rows = len(plan.rows)
    participant_import.result = {
        "confirmed_by": by.pk if by else None,
        "created": len(created),
        "updated": len(updated),
        "skipped": skipped_count,
        "created_ids": created,
        "updated_ids": updated,
    }
    participant_import.finished_at = timezone.now()
    participant_import.save()
    _forget_file(participant_import)


class _TagMaker:
    """Tags by name, created the first time a file names one the registry lacks."""

    def __init__(self) -> None:
        self.known = {tag.name.casefold(): tag for tag in Tag.objects.all()}

    def __call__(self, names: list[str]) -> list[Tag]:
        tags = []
        for name in names:
            tag = self.known.get(name.casefold())
            if tag is None:
                tag = Tag(name=name)
                tag.full_clean()
                tag.save()
                self.known[name.casefold()] = tag
            tags.append(tag)
        return tags


def _create(row: RowPlan, by: User | None, tags: _TagMaker) -> Participant:
    fields = dict(row.values)
    languages = fields.pop("languages")
    return services.participant_create(
        by=by, languages=languages, tags=tags(row.tag_names), **fields
    )


def _update(row: RowPlan, by: User | None, tags: _TagMaker) -> Participant:
    participant = Participant.objects.prefetch_related("tags").get(pk=row.participant)
    fields = dict(row.values)
    languages = fields.pop("languages")
    # Tags add to those the person has; an import never takes one away.
    wanted = list(participant.tags.all()) + tags(row.tag_names)
    return services.participant_update(
        participant=participant, by=by, languages=languages, tags=wanted, **fields
    )


# --- Cancel and clean up ---------------------------------------------------------------------


def import_cancel(*, participant_import: ParticipantImport, by: User | None) -> bool:
    """Drop an import that was not applied. False when it is applied or being applied."""
    with transaction.atomic():
        locked = ParticipantImport.objects.select_for_update().get(pk=participant_import.pk)
        if locked.status not in (ImportStatus.ANALYSING, ImportStatus.READY, ImportStatus.FAILED):
            return False
        locked.status = ImportStatus.CANCELLED
        locked.finished_at = timezone.now()
        locked.save()
        _forget_file(locked)
        audit.record(by, "participant.import.cancel", locked)
    return True


def _forget_file(participant_import: ParticipantImport) -> None:
    """Once an import is over, its file and the names in its preview go: the registry is
    where personal data lives, and an erasure there must not leave a copy here."""
    preview = dict(participant_import.preview or {})
    if preview.get("rows"):
        preview["rows"] = [{**row, "label": ""} for row in preview["rows"]]
        ParticipantImport.objects.filter(pk=participant_import.pk).update(preview=preview)
        participant_import.preview = preview
    name = participant_import.file.name
    if name:
        storage = participant_import.file.storage
        transaction.on_commit(lambda: storage.delete(name))


def imports_prune(*, older_than: timedelta = STALE_AFTER) -> int:
    """Cancel imports left unconfirmed (or failed) for longer than ``older_than``, so their
    files and previews do not keep personal data nobody is going to import. Returns how
    many were cancelled. Safe to run at any time: an import being applied is left alone."""
    stale = ParticipantImport.objects.filter(
        status__in=(ImportStatus.ANALYSING, ImportStatus.READY),
        updated_at__lt=timezone.now() - older_than,
    )
    cancelled = 0
    for participant_import in stale.only("pk"):
        cancelled += import_cancel(participant_import=participant_import, by=None)
    return cancelled
