"""Writing an export: CSV streamed by COPY, XLSX in openpyxl's write-only mode.

Both read rows as the database hands them over and keep none: memory stays flat for the
whole registry. On PostgreSQL the CSV is the output of ``COPY (<the export's SELECT>) TO
STDOUT``, passed on in blocks; Python never touches a row. On SQLite (the embedded
default) a plain loop writes the same CSV.
"""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO

from django.db import connection
from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from participants.exports.columns import Column
from participants.exports.protection import export_transaction, neutralise

BOM = "\ufeff"  # Excel reads UTF-8 (Arabic, Greek, Hebrew names) only with it
BLOCK_BYTES = 64 * 1024
ITERATOR_CHUNK = 2000

Progress = Callable[[int], None]


def csv_header(columns: list[Column]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([neutralise(str(c.label)) for c in columns])
    return (BOM + buffer.getvalue()).encode()


def csv_rows(queryset: QuerySet, *, progress: Progress | None = None) -> Iterator[bytes]:
    """The rows of ``queryset`` as CSV, in blocks of about 64 KB."""
    with export_transaction():
        if connection.vendor == "postgresql":
            yield from _copy_rows(queryset, progress)
        else:
            yield from _loop_rows(queryset, progress)


def _copy_rows(queryset: QuerySet, progress: Progress | None) -> Iterator[bytes]:
    sql, params = queryset.query.sql_with_params()
    # COPY takes no parameters: they are merged into the text, quoted by psycopg.
    select = connection.ops.compose_sql(sql, params)
    statement = f"COPY ({select}) TO STDOUT WITH (FORMAT csv)"
    buffer = bytearray()
    rows = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for data in copy:  # one row per block, as libpq hands them over
            buffer += data
            rows += 1
            if len(buffer) >= BLOCK_BYTES:
                yield bytes(buffer)
                buffer.clear()
                if progress is not None:
                    progress(rows)
    if buffer:
        yield bytes(buffer)
    if progress is not None:
        progress(rows)


def _loop_rows(queryset: QuerySet, progress: Progress | None) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = 0
    for row in queryset.iterator(chunk_size=ITERATOR_CHUNK):
        writer.writerow(["" if value is None else value for value in row])
        rows += 1
        if buffer.tell() >= BLOCK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            if progress is not None:
                progress(rows)
    if buffer.tell():
        yield buffer.getvalue().encode()
    if progress is not None:
        progress(rows)


def write_csv(queryset: QuerySet, columns: list[Column], target: IO[bytes], **kwargs) -> None:
    target.write(csv_header(columns))
    for block in csv_rows(queryset, **kwargs):
        target.write(block)


def _cell(value):
    if isinstance(value, str):
        # XML has no place for most control characters; openpyxl refuses them.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def write_xlsx(
    queryset: QuerySet,
    columns: list[Column],
    target: IO[bytes] | str,
    *,
    title: str = "Export",
    progress: Progress | None = None,
    every: int = 5000,
) -> int:
    """Write the rows to ``target`` (a path or a binary file) as XLSX; the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=neutralise(str(column.label)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    rows = 0
    with export_transaction():
        for row in queryset.iterator(chunk_size=ITERATOR_CHUNK):
            sheet.append([_cell(value) for value in row])
            rows += 1
            if progress is not None and rows % every == 0:
                progress(rows)
    workbook.save(target)
    if progress is not None:
        progress(rows)
    return rows


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31] or "Export"
