"""Importing participants from CSV and XLSX: upload, check, preview, confirm, all or nothing.

``reading`` turns a file into rows, ``planning`` decides what each row would do (create,
update, skip) or why it cannot, ``services`` carries an import from upload to done, and
``template`` writes the file people start from.
"""

from django.db.models import QuerySet

from core import permissions
from core.models import User
from participants.imports.reading import ImportFileError, read_rows, read_table
from participants.models import ParticipantImport

__all__ = ["ImportFileError", "imports_visible_to", "read_rows", "read_table"]


def imports_visible_to(user: User) -> QuerySet[ParticipantImport]:
    """Admins see every import; programme staff the ones they uploaded."""
    if permissions.is_admin(user):
        return ParticipantImport.objects.all()
    if not permissions.is_programme_staff(user):
        return ParticipantImport.objects.none()
    return ParticipantImport.objects.filter(uploaded_by=user)
