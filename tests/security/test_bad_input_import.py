"""The participant import under hostile files: row-level errors, all or nothing, never a 500.

Hypothesis builds CSV and XLSX files from hostile cells (NUL, lone surrogates, formulas,
100k-character cells and lines, HTML, SQL-looking text, mixed scripts), random headers
(missing, repeated, hostile), mismatched row lengths, every encoding and byte order mark
Excel writes (and some it does not), and runs each through upload, check and confirm in a
rolled-back savepoint. Every example must:

* answer below 500 and log nothing at ERROR (the check runs as a task: a task that
  crashes would leave the import "checking" forever);
* end the check READY (a preview) or FAILED with a message, never stuck;
* write no participant until confirmed, and nothing at all while an error row is neither
  fixed nor skipped;
* once confirmed with the error rows skipped, write every other row completely.
"""

from __future__ import annotations

import codecs
import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from core.validators import storable
from participants.imports.planning import Action, plan_table
from participants.imports.reading import COLUMNS, Table
from participants.models import ImportStatus, Participant, ParticipantImport
from tests import factories
from tests.security import hostile

# Tasks run in the test's process, when the transaction that queued them commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

UPLOAD = reverse("participants:import_upload")


@pytest.fixture
def editor(cast):
    factories.CommunityFactory(name="Greek Cypriot", slug="greek-cypriot")
    factories.sector("academic")
    client = Client(raise_request_exception=False)
    client.force_login(cast.staff)
    return client


def good_row(n: int) -> dict[str, str]:
    return {
        "full_name": f"Andreas Georgiou {n}",
        "email": f"andreas{n}@example.org",
        "sector": "Academic",
        "community": "greek-cypriot",
        "organisation": "University of Cyprus",
    }


# --- Building files -----------------------------------------------------------------------

CELL_EXTRAS = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1+1",
    "-2+3",
    "\t=1",
    "\r=1",
    "a" * 100_000,
    "x\ny",
    '"quoted, with comma"',
    "semi;colon",
    "Academic",
    "greek-cypriot",
    "Cyprus",
    "yes",
    "high",
    "7",
]
HEADER_EXTRAS = ["Name", "E-Mail", "FULL_NAME", "full name", "Σχόλια", "", " ", "=1+1"]


def cells() -> st.SearchStrategy[str]:
    return st.one_of(hostile.hostile_text(), st.sampled_from(CELL_EXTRAS))


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    """A header (usually with full_name) and rows of hostile cells, lengths mismatched."""
    header = draw(
        st.lists(
            st.one_of(st.sampled_from(COLUMNS), st.sampled_from(HEADER_EXTRAS), cells()),
            min_size=0,
            max_size=7,
        )
    )
    if draw(st.booleans()) or not header:
        header = ["full_name", *header]
    rows = []
    for n in range(draw(st.integers(0, 4))):
        base = good_row(n)
        row = [base.get(name, "") for name in header]
        for i in draw(st.lists(st.integers(0, len(header) + 1), max_size=3)):
            value = draw(cells())
            if i < len(row):
                row[i] = value
            else:
                row.append(value)  # more cells than headers
        if draw(st.integers(0, 5)) == 0:
            row = row[: draw(st.integers(0, len(row)))]  # fewer cells than headers
        rows.append(row)
    return [header, *rows]


def csv_bytes(table: list[list[str]], encoding: str, delimiter: str) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(table)
    text = buffer.getvalue()
    if encoding == "utf-8-raw":  # lone surrogates written as the bytes a broken tool writes
        return text.encode("utf-8", "surrogatepass")
    if encoding == "utf-16-le-nobom":
        return text.encode("utf-16-le", "surrogatepass")
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be", "surrogatepass")
    if encoding == "utf-32":
        return text.encode("utf-32", "surrogatepass")
    return text.encode(encoding, "replace")


def xlsx_bytes(table: list[list[str]]) -> bytes:
    """An XLSX holding the table. XML cannot hold NUL, other controls or surrogates, so
    those are written as Excel's ``_xHHHH_`` escapes, which openpyxl reads back as that
    literal text (``test_openpyxl_keeps_escapes_literal``)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in table:
        sheet.append([_xlsx_escape(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_escape(text: str) -> str:
    return "".join(
        f"_x{ord(char):04X}_"
        if (ord(char) < 0x20 and char not in "\t\n\r")
        or 0xD800 <= ord(char) <= 0xDFFF
        or ord(char) in (0xFFFE, 0xFFFF)
        else char
        for char in text
    )


ENCODINGS = [
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le-nobom",
    "utf-16-be-bom",
    "cp1252",
    "utf-8-raw",
    "utf-32",
    "latin-1",
]


@st.composite
def files(draw: st.DrawFn) -> tuple[bytes, str]:
    table = draw(tables())
    if draw(st.integers(0, 3)) == 0:
        return xlsx_bytes(table), draw(st.sampled_from(["people.xlsx", "people.csv"]))
    encoding = draw(st.sampled_from(ENCODINGS))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    name = draw(st.sampled_from(["people.csv", "people.tsv", "people.txt", "people.xlsx"]))
    return csv_bytes(table, encoding, delimiter), name


# --- Running one file through ------------------------------------------------------------


def _upload(client, capture, content: bytes, name: str):
    with capture(execute=True):
        return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def _confirm(client, capture, participant_import, **data):
    with capture(execute=True):
        return hostile.post(
            client, reverse("participants:import_confirm", args=[participant_import.pk]), data
        )


def _through(client, capture, content: bytes, name: str) -> ParticipantImport | None:
    """Upload, check, confirm without skipping, confirm skipping the errors: each step
    checked. Returns the import (None when the upload itself was refused)."""
    imports_before = ParticipantImport.objects.count()
    with hostile.logged_errors() as errors:
        response = _upload(client, capture, content, name)
    hostile.assert_no_server_error(response, errors, name)
    assert not Participant.objects.exists()
    if response.status_code != 302:
        assert response.status_code == 400
        assert response.context["form"].errors["file"]
        assert ParticipantImport.objects.count() == imports_before
        return None
    participant_import = ParticipantImport.objects.latest("pk")
    assert participant_import.status in (ImportStatus.READY, ImportStatus.FAILED), (
        participant_import.status,
        participant_import.error,
    )
    if participant_import.status == ImportStatus.FAILED:
        assert participant_import.error  # a message for the user
        assert not Participant.objects.exists()
        _page_renders(client, participant_import)
        return participant_import
    _page_renders(client, participant_import)
    rows = participant_import.preview["rows"]
    errors_rows = [row for row in rows if row["action"] == "error"]
    for row in errors_rows:
        assert row["errors"], row  # every error row says why

    # Confirming while an error row is neither fixed nor skipped writes nothing.
    with hostile.logged_errors() as errors:
        response = _confirm(client, capture, participant_import)
    hostile.assert_no_server_error(response, errors)
    participant_import.refresh_from_db()
    if errors_rows:
        assert response.status_code == 400
        assert participant_import.status == ImportStatus.READY
        assert not Participant.objects.exists()
        # Hostile row numbers to skip change nothing either.
        with hostile.logged_errors() as errors:
            response = _confirm(
                client, capture, participant_import, skip=["²", "1" * 5000, "-1", "abc", "\x00"]
            )
        hostile.assert_no_server_error(response, errors)
        assert response.status_code == 400
        assert not Participant.objects.exists()
        with hostile.logged_errors() as errors:
            response = _confirm(client, capture, participant_import, skip_errors="1")
        hostile.assert_no_server_error(response, errors)
        participant_import.refresh_from_db()

    creates = [row for row in rows if row["action"] == "create"]
    if not creates:
        assert participant_import.status == ImportStatus.READY
        assert not Participant.objects.exists()
        return participant_import
    assert participant_import.status == ImportStatus.DONE, participant_import.error
    # All the other rows, complete: as many people as rows to create, each with a name.
    assert Participant.objects.count() == len(creates)
    assert participant_import.result["created"] == len(creates)
    for person in Participant.objects.all():
        assert person.full_name and person.sector_id
    return participant_import


def _page_renders(client, participant_import) -> None:
    with hostile.logged_errors() as errors:
        response = client.get(reverse("participants:import_detail", args=[participant_import.pk]))
    hostile.assert_no_server_error(response, errors)
    assert response.status_code == 200


@hostile.examples(40)
@given(file=files())
def test_hostile_files_end_in_a_preview_or_a_message_and_write_all_or_nothing(
    editor, django_capture_on_commit_callbacks, file
):
    content, name = file
    with hostile.rolled_back():
        _through(editor, django_capture_on_commit_callbacks, content, name)


@hostile.examples(15)
@given(rows=st.lists(st.lists(cells(), min_size=5, max_size=5), min_size=1, max_size=3))
def test_hostile_cells_in_known_columns_are_row_errors_or_stored_whole(
    editor, django_capture_on_commit_callbacks, rows
):
    """Every hostile cell under a real column: the row is refused with its reason, or the
    person is stored with that exact text."""
    header = ["full_name", "native_name", "organisation", "position", "pronouns"]
    table = [header, *rows]
    with hostile.rolled_back():
        participant_import = _through(
            editor, django_capture_on_commit_callbacks, xlsx_bytes(table), "people.xlsx"
        )
        if participant_import is None or participant_import.status != ImportStatus.DONE:
            return
        created = participant_import.result["created_ids"]
        for pk in created:
            person = Participant.objects.get(pk=pk)
            row = next(r for r in rows if r[0].strip() == person.full_name)
            assert [
                person.full_name,
                person.native_name,
                person.organisation,
                person.position,
                person.pronouns,
            ] == [cell.strip() for cell in row]


# --- Regressions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "Eleni\x00Christodoulou",  # NUL: PostgreSQL refuses it in text and in jsonb
        "Eleni\ud800",  # a lone surrogate: cannot be encoded as UTF-8
        "\x00",
    ],
)
@pytest.mark.parametrize("column", ["full_name", "organisation", "email", "sector", "tags"])
def test_an_unstorable_character_in_a_cell_is_a_row_error(editor, cell, column):
    """Neither can arrive today (a CSV holding NUL is refused whole, and XML cannot carry
    either character), but the planner must not depend on that: such a cell is an error
    on its row that names the column and never echoes the value into the stored preview."""
    header = [*good_row(1), "tags"]
    rows = [good_row(1), {**good_row(2), column: cell}]
    table = Table(columns=dict(enumerate(header)), ignored=[])
    table.rows = [(n, [row.get(name, "") for name in header]) for n, row in enumerate(rows, 2)]
    plan = plan_table(table)
    first, second = plan.rows
    assert first.action == Action.CREATE
    assert second.action == Action.ERROR
    assert any("cannot be stored" in error for error in second.errors), second.errors
    preview = json.dumps(plan.as_json())
    assert "\\u0000" not in preview and "\\ud800" not in preview


def test_storable_replaces_what_a_text_column_cannot_hold():
    assert storable("Zone\x00\ud800ok") == "Zone\ufffd\ufffdok"
    assert storable("Λευκωσία 👩🏽‍🤝‍👨🏿") == "Λευκωσία 👩🏽‍🤝‍👨🏿"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "people.csv"),
        (b"\xef\xbb\xbf", "people.csv"),  # a BOM and nothing else
        (codecs.BOM_UTF16_LE, "people.csv"),
        (b"\xef\xbb\xbffull_name,email\r\n", "people.csv"),  # only headers
        (codecs.BOM_UTF16_LE + "full_name\r\n".encode("utf-16-le"), "people.csv"),
        (b"full_name\r\n" + b"A" * 200_000 + b"\r\n", "people.csv"),  # a 200k-char line
        (b"full_name\r\n\xff\xfe\x00\x00", "people.csv"),
        (b"\xff\xfeA\x00\x00\xd8", "people.csv"),  # UTF-16 with a lone surrogate
        (b"full_name\r\n\xed\xa0\x80\r\n", "people.csv"),  # a surrogate as UTF-8 bytes
        (b"full_name;email\r\nA;b;c;d;e\r\nB\r\n", "people.csv"),  # mismatched columns
        (b"\r\n\r\n\r\n", "people.csv"),
        (b"PK\x03\x04" + b"\x00" * 100, "people.csv"),  # a zip signature, not a workbook
    ],
)
def test_broken_files_never_500(editor, django_capture_on_commit_callbacks, content, name):
    _through(editor, django_capture_on_commit_callbacks, content, name)


def test_openpyxl_keeps_escapes_literal():
    """Why the XLSX runs above cannot carry NUL: openpyxl leaves ``_x0000_`` as it is, and
    an XML character reference to NUL is a parse error (a damaged workbook)."""
    data = xlsx_bytes([["full_name"], ["a\x00b"]])
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    assert list(sheet.iter_rows(values_only=True))[1] == ("a_x0000_b",)
