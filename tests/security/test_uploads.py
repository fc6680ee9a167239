"""Uploads that are not what they claim, or too big: refused with a message, nothing
written, nothing inflated, never a 500."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from openpyxl import load_workbook as real_load_workbook

from participants.imports.reading import ImportFileError, check_zip, read_rows
from participants.models import ImportStatus, Participant, ParticipantImport
from tests import factories
from tests.security import hostile

# Tasks run in the test's process, when the transaction that queued them commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

UPLOAD = reverse("participants:import_upload")
MB = 1024 * 1024


@pytest.fixture
def editor(cast):
    factories.CommunityFactory(name="Greek Cypriot", slug="greek-cypriot")
    factories.sector("academic")
    client = Client(raise_request_exception=False)
    client.force_login(cast.staff)
    return client


def upload(client, capture, content: bytes, name: str):
    with hostile.logged_errors() as errors, capture(execute=True):
        response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
    hostile.assert_no_server_error(response, errors, name)
    return response


def refused_at_upload(response) -> str:
    assert response.status_code == 400
    assert not ParticipantImport.objects.exists()
    assert not Participant.objects.exists()
    return " ".join(response.context["form"].errors["file"])


def failed_check(response) -> str:
    """Accepted by name, refused by the check: a FAILED import with its message."""
    assert response.status_code == 302
    participant_import = ParticipantImport.objects.get()
    assert participant_import.status == ImportStatus.FAILED
    assert not Participant.objects.exists()
    return participant_import.error


# --- Wrong type ----------------------------------------------------------------------------

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"x" * 2000
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500 + b"This program cannot be run"
GZIP = b"\x1f\x8b\x08\x00" + b"\x00" * 100


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (EXE, "setup.exe", "Upload a .csv or .xlsx file."),
        (PDF, "people.pdf", "Upload a .csv or .xlsx file."),
        (PNG, "people.png", "Upload a .csv or .xlsx file."),
        (PDF, "people.csv", "This file is a PDF document, not a spreadsheet."),
        (PNG, "people.csv", "This file is an image, not a spreadsheet."),
        (JPEG, "people.xlsx", "This file is an image, not a spreadsheet."),
        (EXE, "people.csv", "This file is a program, not a spreadsheet."),
        (GZIP, "people.csv", "This file is a compressed archive, not a spreadsheet."),
        (b"", "people.csv", "The file is empty."),
        (b"\xd0\xcf\x11\xe0 old excel", "people.xls", "Old Excel .xls files cannot be read"),
        (b"full_name\r\nA\r\n", "people", "Upload a .csv or .xlsx file."),
        (b"full_name\r\nA\r\n", "people.csv.exe", "Upload a .csv or .xlsx file."),
    ],
)
def test_the_wrong_type_is_refused_at_upload_with_what_it_is(
    editor, django_capture_on_commit_callbacks, content, name, message
):
    response = upload(editor, django_capture_on_commit_callbacks, content, name)
    assert message in refused_at_upload(response)


def test_a_renamed_pdf_that_slips_past_the_form_fails_the_check_with_what_it_is():
    with pytest.raises(ImportFileError, match="a PDF document, not a spreadsheet"):
        read_rows(io.BytesIO(PDF), "people.csv")


def test_a_header_starting_mz_is_still_a_csv():
    headers, rows = read_rows(io.BytesIO(b"MZ code,full_name\r\n1,Andreas\r\n"), "a.csv")
    assert headers == ["MZ code", "full_name"]


def test_a_zip_that_is_no_workbook_fails_with_a_message(editor, django_capture_on_commit_callbacks):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    response = upload(editor, django_capture_on_commit_callbacks, buffer.getvalue(), "p.xlsx")
    assert "cannot be read as an Excel workbook" in failed_check(response)


# --- Zip bombs --------------------------------------------------------------------------------


def zip_bomb(unpacked: int) -> bytes:
    """A valid-looking .xlsx (a zip) whose sheet inflates to ``unpacked`` bytes of zeros:
    a few hundred KB on the wire per 256 MB inflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * MB
            for _ in range(unpacked // MB):
                member.write(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb(256 * MB)


def test_a_zip_bomb_disguised_as_xlsx_is_refused_without_inflating_it(
    editor, django_capture_on_commit_callbacks, bomb, monkeypatch
):
    assert len(bomb) < 1 * MB  # small enough to pass the size limit
    opened = []
    monkeypatch.setattr(
        "openpyxl.load_workbook", lambda *a, **k: opened.append(1) or real_load_workbook(*a, **k)
    )
    response = upload(editor, django_capture_on_commit_callbacks, bomb, "people.xlsx")
    message = failed_check(response)
    assert "unpacks to 256.0 MB" in message and "the 100.0 MB an import may hold" in message
    assert not opened  # refused from the zip's directory: openpyxl never saw it


def test_a_zip_bomb_named_csv_is_read_as_the_zip_it_is(
    editor, django_capture_on_commit_callbacks, bomb
):
    response = upload(editor, django_capture_on_commit_callbacks, bomb, "people.csv")
    assert "unpacks to 256.0 MB" in failed_check(response)


def test_the_unpacked_limit_is_a_setting(settings):
    settings.PARTICIPANT_IMPORT_MAX_UNPACKED_BYTES = 2 * MB
    with pytest.raises(ImportFileError, match="unpacks to 3.0 MB"):
        check_zip(zip_bomb(3 * MB))


def test_a_zip_with_too_many_members_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(1001):
            archive.writestr(f"x/{n}.xml", "")
    with pytest.raises(ImportFileError, match="unpacks to"):
        check_zip(buffer.getvalue())


@pytest.mark.timeout(60)
def test_a_sheet_claiming_a_million_rows_and_columns_is_not_padded_to_them(
    editor, django_capture_on_commit_callbacks
):
    """A tiny workbook whose sheet claims A1:XFD1048576: openpyxl pads each row it reads to
    the claimed width (16,384 cells), which for 20,000 rows is a third of a billion cells.
    The claim is ignored; the rows are read as they are."""
    workbook = Workbook()
    workbook.active.append(["full_name", "email", "sector", "community"])
    workbook.active.append(["Andreas", "a@example.org", "Academic", "greek-cypriot"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'ref="A1:D2"', b'ref="A1:XFD1048576"')
                # 19,998 empty rows: 300 KB of XML, 327 million cells once padded.
                empty = b"".join(b'<row r="%d"/>' % n for n in range(3, 20_001))
                content = content.replace(b"</sheetData>", empty + b"</sheetData>")
                assert b"XFD1048576" in content
            target.writestr(item, content)
    headers, rows = read_rows(io.BytesIO(patched.getvalue()), "people.xlsx")
    assert headers == ["full_name", "email", "sector", "community"]
    assert rows[0] == ["Andreas", "a@example.org", "Academic", "greek-cypriot"]
    assert len(rows) == 19_999 and not any(rows[1:])
    response = upload(editor, django_capture_on_commit_callbacks, patched.getvalue(), "p.xlsx")
    assert ParticipantImport.objects.get().status == ImportStatus.READY
    assert response.status_code == 302


# --- Too big ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["people.csv", "people.xlsx"])
def test_a_file_over_10_mb_is_refused_with_the_limit(
    editor, django_capture_on_commit_callbacks, name
):
    content = b"full_name,email\r\n" + b"Andreas Georgiou,andreas@example.org\r\n" * 300_000
    assert len(content) > 10 * MB
    response = upload(editor, django_capture_on_commit_callbacks, content, name)
    message = refused_at_upload(response)
    assert "the limit is 5.0 MB" in message and "Split it" in message


def test_a_file_with_more_rows_than_the_limit_fails_with_the_limit(
    editor, django_capture_on_commit_callbacks
):
    content = b"full_name\r\n" + b"A\r\n" * 20_001
    response = upload(editor, django_capture_on_commit_callbacks, content, "people.csv")
    assert "20,001 rows; the limit is 20,000" in failed_check(response)


def test_an_xlsx_with_more_rows_than_the_limit_fails_with_the_limit(
    editor, django_capture_on_commit_callbacks, settings
):
    settings.PARTICIPANT_IMPORT_MAX_ROWS = 50
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["full_name"])
    for n in range(60):
        sheet.append([f"Person {n}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(editor, django_capture_on_commit_callbacks, buffer.getvalue(), "p.xlsx")
    assert "the limit is 50" in failed_check(response)


def test_a_10_mb_text_field_is_refused_and_writes_nothing(cast):
    """Form posts are capped by DATA_UPLOAD_MAX_MEMORY_SIZE: Django answers 400 before the
    view runs (and logs it under django.security, as it should)."""
    client = Client(raise_request_exception=False)
    client.force_login(cast.facilitator)
    before = hostile.Snapshot.take()
    response = hostile.post(
        client,
        reverse("workshops:note_create", args=[cast.workshop.pk]),
        {"title": "Day one", "level": "team", "body": "x" * (10 * MB)},
    )
    assert response.status_code == 400
    assert not hostile.Snapshot.take().changed(before)
