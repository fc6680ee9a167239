"""Reading an uploaded spreadsheet: CSV in the encodings Excel writes, or XLSX; headers
matched to registry fields whatever their case, order or spelling.

Everything here works on bytes and strings only; nothing touches the database.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.validators import storable
from participants.forms import PARTICIPANT_FIELDS

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
# An XLSX is a zip: what its members unpack to is checked in the zip's directory before
# openpyxl inflates anything, so a small file that unpacks to gigabytes (a zip bomb) is
# refused. 20,000 rows of a full template unpack to about 25 MB.
DEFAULT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_XLSX_MEMBERS = 1000
EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx")

# The registry fields an import fills, in the template's order.
COLUMNS = list(PARTICIPANT_FIELDS)
REQUIRED_COLUMNS = ("full_name",)

# Other ways people head a column (compared without case, spaces or punctuation).
ALIASES = {
    "name": "full_name",
    "fullname": "full_name",
    "nameinlatinscript": "full_name",
    "nativename": "native_name",
    "nameinnativescript": "native_name",
    "email": "email",
    "emailaddress": "email",
    "mail": "email",
    "phone": "phone",
    "phonenumber": "phone",
    "telephone": "phone",
    "mobile": "phone",
    "language": "languages",
    "languagesspoken": "languages",
    "multitrack": "track",
    "multitracktrack": "track",
    "organization": "organisation",
    "organisationname": "organisation",
    "jobtitle": "position",
    "role": "position",
    "risk": "risk_level",
    "dnc": "do_not_contact",
    "whynottocontact": "do_not_contact_reason",
    "tag": "tags",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message tells the user what to do."""


def max_bytes() -> int:
    return int(getattr(settings, "PARTICIPANT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "PARTICIPANT_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_unpacked_bytes() -> int:
    return int(
        getattr(settings, "PARTICIPANT_IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
    )


# What other files start with. A spreadsheet program opens none of them as a sheet, so they
# are refused by name before any decoding (a PDF renamed .csv would otherwise be read as
# Windows-1252 text and fail with a puzzling "no column for the name").
SIGNATURES = (
    (b"%PDF", gettext_noop("a PDF document")),
    (b"\x89PNG", gettext_noop("an image")),
    (b"\xff\xd8\xff", gettext_noop("an image")),
    (b"GIF8", gettext_noop("an image")),
    (b"RIFF", gettext_noop("an image or a recording")),
    (b"\x7fELF", gettext_noop("a program")),
    (b"\x1f\x8b", gettext_noop("a compressed archive")),
    (b"7z\xbc\xaf", gettext_noop("a compressed archive")),
    (b"Rar!", gettext_noop("a compressed archive")),
    (b"{\\rtf", gettext_noop("a word-processor document")),
)


def wrong_type(head: bytes) -> str | None:
    """What the file is, if its first bytes say it is not a spreadsheet; else None."""
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(b"MZ") and b"\x00" in head:  # "MZ" alone may start a CSV header
        return gettext_noop("a program")
    return None


def wrong_type_message(kind: str) -> str:
    return _(
        "This file is %(kind)s, not a spreadsheet. Upload the participants as .xlsx or as "
        "CSV UTF-8 (the template shows the columns)."
    ) % {"kind": _(kind)}


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def too_big_message(size: int) -> str:
    return _(
        "The file is %(size)s; the limit is %(limit)s. Split it into smaller files and "
        "import them one after the other."
    ) % {"size": human_size(size), "limit": human_size(max_bytes())}


def simple_key(header: str) -> str:
    """Text compared without case, spaces or punctuation: "E-Mail" is "email"."""
    return re.sub(r"[\W_]+", "", header.casefold())


_FIELD_KEYS = {simple_key(name): name for name in COLUMNS}


def column_for(header: str) -> str | None:
    """The registry field a header names, or None."""
    key = simple_key(header)
    return _FIELD_KEYS.get(key) or ALIASES.get(key)


@dataclass
class Table:
    """An uploaded sheet: the columns we use and the data rows, numbered as in the sheet."""

    columns: dict[int, str]  # position in the row -> registry field
    ignored: list[str]  # headers of the columns nobody reads
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, cells)

    def records(self) -> Iterable[tuple[int, dict[str, str]]]:
        for number, cells in self.rows:
            yield (
                number,
                {
                    name: cells[index] if index < len(cells) else ""
                    for index, name in self.columns.items()
                },
            )


def read_rows(file: IO[bytes], name: str = "") -> tuple[list[str], list[list[str]]]:
    """The header row and the data rows of a CSV or XLSX file, every cell a string.

    Raises ImportFileError with a message for the user when the file cannot be read."""
    data = file.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ImportFileError(too_big_message(len(data)))
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    kind = wrong_type(data[:16])
    if kind is not None:
        raise ImportFileError(wrong_type_message(kind))
    if data.startswith(b"PK\x03\x04") or name.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("This is an old Excel .xls file. Save it as .xlsx or as CSV UTF-8 and upload that.")
        )
    else:
        rows = _csv_rows(_decode(data))
    header_at = next((i for i, row in enumerate(rows) if any(row)), None)
    if header_at is None:
        raise ImportFileError(_("The file is empty."))
    headers = rows[header_at]
    body = rows[header_at + 1 :]
    if len(body) > max_rows():
        raise ImportFileError(
            _("The file has %(rows)s rows; the limit is %(limit)s. Split it into smaller files.")
            % {"rows": f"{len(body):,}", "limit": f"{max_rows():,}"}
        )
    return headers, body


def read_table(file: IO[bytes], name: str = "") -> Table:
    """``read_rows`` with the headers matched to registry fields."""
    headers, rows = read_rows(file, name)
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        column = column_for(header)
        if column is None:
            if header.strip():
                # Shown in the preview, which is stored: never a NUL or a lone surrogate.
                ignored.append(storable(header.strip()[:60]))
            continue
        if column in columns.values():
            raise ImportFileError(
                _("Two columns stand for the same field (%(header)s). Keep only one of them.")
                % {"header": storable(header.strip()[:60])}
            )
        columns[index] = column
    missing = [name for name in REQUIRED_COLUMNS if name not in columns.values()]
    if missing:
        raise ImportFileError(
            _(
                "No column for the participant's name: head one column “full_name” or “Name”. "
                "Download the template to see every column the import reads."
            )
        )
    table = Table(columns=columns, ignored=ignored)
    # Row numbers as the spreadsheet shows them: the header is row 1.
    first = 2
    for offset, cells in enumerate(rows):
        if any(cell.strip() for cell in cells):
            table.rows.append((first + offset, cells))
    if not table.rows:
        raise ImportFileError(_("The file has a header row but no participants under it."))
    return table


# --- CSV -------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """Text as Excel and other tools write it: UTF-8 with or without a byte order mark,
    UTF-16 ("Unicode text"), or Windows-1252 from an older Excel."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith(codecs.BOM_UTF16_LE):
            return data[2:].decode("utf-16-le")
        if data.startswith(codecs.BOM_UTF16_BE):
            return data[2:].decode("utf-16-be")
        if b"\x00" in data[:4096]:
            # UTF-16 without a byte order mark: one of each pair of bytes is mostly zero.
            sample = data[:4096]
            if sample[1::2].count(0) > len(sample) // 4:
                return data.decode("utf-16-le")
            if sample[0::2].count(0) > len(sample) // 4:
                return data.decode("utf-16-be")
            raise ImportFileError(
                _("This is not a CSV or XLSX file. Save the sheet as CSV UTF-8 or as .xlsx.")
            )
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file's text is damaged (at byte %(at)s). Save it again as CSV UTF-8.")
            % {"at": exc.start}
        ) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("We cannot tell how the file's text is encoded. In Excel, save it as “CSV UTF-8”.")
        ) from exc


def _delimiter(text: str) -> str:
    sample = text[:65536]
    if "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _csv_rows(text: str) -> list[list[str]]:
    if "\x00" in text:
        raise ImportFileError(
            _("This is not a CSV or XLSX file. Save the sheet as CSV UTF-8 or as .xlsx.")
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > max_rows() + 1:
                break
    except csv.Error as exc:
        raise ImportFileError(
            _(
                "The file is not valid CSV near line %(line)s (often a quote that is never "
                "closed). Open it in a spreadsheet and save it again as CSV UTF-8."
            )
            % {"line": reader.line_num}
        ) from exc
    return rows


# --- XLSX ------------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _unreadable_xlsx() -> str:
    return _(
        "This file cannot be read as an Excel workbook (.xlsx). Open it in Excel or "
        "LibreOffice and save it again as .xlsx or as CSV UTF-8."
    )


def check_zip(data: bytes) -> None:
    """Refuse a workbook whose zip directory announces more than we will unpack, before
    anything is inflated. The sizes announced are binding: Python's zipfile never inflates
    a member past its announced size (and fails its CRC check if the data is longer)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise ImportFileError(_unreadable_xlsx()) from exc
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_XLSX_MEMBERS or unpacked > max_unpacked_bytes():
        raise ImportFileError(
            _(
                "This workbook unpacks to %(size)s, more than the %(limit)s an import may "
                "hold. Save the sheet as CSV UTF-8, or split it into smaller files."
            )
            % {"size": human_size(unpacked), "limit": human_size(max_unpacked_bytes())}
        )


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    unreadable = _unreadable_xlsx()
    check_zip(data)
    try:
        # Formulas stay formulas (data_only=False), so they are refused rather than imported
        # as whatever value the last program to save the file cached.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # zip, XML and openpyxl's own errors: all mean "damaged"
        raise ImportFileError(unreadable) from exc
    try:
        sheet = workbook.worksheets[0]
        # Ignore the size the sheet claims (a tiny file may claim A1:XFD1048576): openpyxl
        # would pad every row to it, 16,384 empty cells a row.
        sheet.reset_dimensions()
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in values])
            if len(rows) > max_rows() + 1:
                break
    except Exception as exc:
        raise ImportFileError(unreadable) from exc
    finally:
        workbook.close()
    # Sheets often carry trailing empty cells; drop them so rows compare cleanly.
    for row in rows:
        while row and not row[-1]:
            row.pop()
    return rows
