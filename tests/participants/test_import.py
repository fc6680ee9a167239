"""Importing participants from CSV and XLSX: upload, preview, confirm, all or nothing."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import EmailValidator
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from core.models import AuditEvent
from participants import tasks
from participants.imports.reading import COLUMNS, _unreadable_xlsx, read_table
from participants.models import ImportStatus, Participant, ParticipantImport, Tag
from tests import factories
from tests.html import assert_valid_page

# Tasks run in the test's process, when the transaction that queued them commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

UPLOAD = reverse("participants:import_upload")
HEADER = ["full_name", "email", "phone", "country", "sector", "community", "organisation"]


@pytest.fixture
def community(db):
    return factories.CommunityFactory(name="Greek Cypriot", slug="greek-cypriot")


@pytest.fixture
def editor(client, cast, community):
    factories.sector("academic")
    client.force_login(cast.staff)
    return cast.staff


def person(n: int = 1, **overrides) -> dict[str, str]:
    row = {
        "full_name": f"Andreas Georgiou {n}",
        "email": f"andreas{n}@example.org",
        "phone": "+357 99 123456",
        "country": "Cyprus",
        "sector": "Academic",
        "community": "greek-cypriot",
        "organisation": "University of Cyprus",
    }
    row.update(overrides)
    return row


def csv_bytes(
    rows: list[dict[str, str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    header: list[str] | None = None,
) -> bytes:
    header = header or list(rows[0])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, django_capture_on_commit_callbacks, content: bytes, name: str = "people.csv"):
    """Upload a file; the check runs as the request's transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
    return response


def uploaded(client, django_capture_on_commit_callbacks, content: bytes, name="people.csv"):
    response = upload(client, django_capture_on_commit_callbacks, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    participant_import = ParticipantImport.objects.latest("pk")
    assert response["Location"] == detail_url(participant_import)
    participant_import.refresh_from_db()
    return participant_import


def detail_url(participant_import: ParticipantImport) -> str:
    return reverse("participants:import_detail", args=[participant_import.pk])


def confirm(client, django_capture_on_commit_callbacks, participant_import, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participants:import_confirm", args=[participant_import.pk]), data
        )
    participant_import.refresh_from_db()
    return response


def rows_of(participant_import: ParticipantImport) -> dict[int, dict]:
    return {row["number"]: row for row in participant_import.preview["rows"]}


# --- The whole way: upload, preview, confirm ---------------------------------------------------


def test_upload_preview_confirm_creates_people(client, editor, django_capture_on_commit_callbacks):
    assert_valid_page(client.get(UPLOAD))
    content = csv_bytes(
        [
            person(1, languages="el; en", tags="alumni 2024; Youth board", track="5"),
            person(2, phone="99 765432", country="CY", languages="", tags="alumni 2024"),
        ],
        header=[*HEADER, "languages", "tags", "track"],
    )
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    assert participant_import.status == ImportStatus.READY
    assert participant_import.total_rows == participant_import.processed_rows == 2
    assert [row["action"] for row in participant_import.preview["rows"]] == ["create", "create"]
    assert not Participant.objects.exists()  # the check writes nothing

    response = client.get(detail_url(participant_import))
    assert_valid_page(response)
    page = response.content.decode()
    assert "Andreas Georgiou 1" in page and "Confirm and import" in page

    response = confirm(client, django_capture_on_commit_callbacks, participant_import)
    assert response.status_code == 302
    assert participant_import.status == ImportStatus.DONE
    first = Participant.objects.get(email="andreas1@example.org")
    assert first.phone == "+35799123456"
    assert first.country.code == "CY"
    assert first.community.slug == "greek-cypriot" and first.sector.slug == "academic"
    assert first.track.number == 5
    assert sorted(first.languages.values_list("code", flat=True)) == ["el", "en"]
    assert sorted(first.tags.values_list("name", flat=True)) == ["Youth board", "alumni 2024"]
    assert first.created_by == editor
    second = Participant.objects.get(email="andreas2@example.org")
    assert second.phone == "+35799765432"  # read in the participant's country
    assert Tag.objects.filter(name__iexact="alumni 2024").count() == 1

    response = client.get(detail_url(participant_import))
    assert_valid_page(response)
    page = response.content.decode()
    assert "2 added, 0 updated, 0 skipped" in page
    assert reverse("participants:detail", args=[first.pk]) in page


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ";"),  # Excel's "CSV UTF-8"; a European Excel writes semicolons
        ("utf-16", "\t"),  # Excel's "Unicode text": UTF-16 LE with a byte order mark, tabs
        ("cp1252", ";"),  # an older Excel's "CSV" on Windows
    ],
)
def test_every_encoding_excel_writes_is_read(
    client, editor, django_capture_on_commit_callbacks, encoding, delimiter
):
    rows = [person(1, full_name="Hélène Müller-Öztürk", organisation="Université, Chypre")]
    content = csv_bytes(rows, encoding=encoding, delimiter=delimiter)
    if encoding == "utf-16":
        assert content.startswith(b"\xff\xfe")
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    assert participant_import.status == ImportStatus.READY, participant_import.error
    assert rows_of(participant_import)[2]["action"] == "create"
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    created = Participant.objects.get()
    assert created.full_name == "Hélène Müller-Öztürk"
    assert created.organisation == "Université, Chypre"


def test_greek_and_arabic_names_survive_utf16(client, editor, django_capture_on_commit_callbacks):
    rows = [
        person(1, native_name="Ανδρέας Γεωργίου"),
        person(2, native_name="عبد العزيز"),
    ]
    content = csv_bytes(rows, encoding="utf-16", delimiter="\t", header=[*HEADER, "native_name"])
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    assert set(Participant.objects.values_list("native_name", flat=True)) == {
        "Ανδρέας Γεωργίου",
        "عبد العزيز",
    }


def test_xlsx_is_read_with_numbers_and_booleans(client, editor, django_capture_on_commit_callbacks):
    content = xlsx_bytes(
        [
            [
                "Full Name",
                "Email",
                "Phone",
                "Sector",
                "Track",
                "Do not contact",
                "Why not to contact",
            ],
            ["Mehmet Ali", "mehmet@example.org", "+90 392 228 1234", "academic", 3, False, None],
            [
                "Ayşe Kaya",
                "ayse@example.org",
                35799123456,
                "Academic",
                "3",
                True,
                "Asked us not to",
            ],
        ]
    )
    participant_import = uploaded(
        client, django_capture_on_commit_callbacks, content, name="People.XLSX"
    )
    assert participant_import.status == ImportStatus.READY, participant_import.error
    assert participant_import.preview["counts"]["create"] == 2, participant_import.preview
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    mehmet = Participant.objects.get(email="mehmet@example.org")
    assert mehmet.track.number == 3 and mehmet.phone == "+903922281234"
    ayse = Participant.objects.get(email="ayse@example.org")
    assert ayse.do_not_contact and ayse.do_not_contact_reason == "Asked us not to"
    assert ayse.phone == "+35799123456"  # Excel dropped the "+" of a number typed as is


def test_headers_in_any_case_order_and_spelling(client, editor, django_capture_on_commit_callbacks):
    content = (
        "SECTOR,E-Mail,  Name ,Organization,Name in native script\r\n"
        "academic,Eleni@Example.org,Eleni Charalambous,UCY,Ελένη\r\n"
    ).encode()
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    assert participant_import.status == ImportStatus.READY, participant_import.error
    assert participant_import.preview["notices"] == []
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    eleni = Participant.objects.get()
    assert (eleni.full_name, eleni.email, eleni.organisation, eleni.native_name) == (
        "Eleni Charalambous",
        "Eleni@Example.org",
        "UCY",
        "Ελένη",
    )


def test_extra_columns_are_ignored_with_a_notice(
    client, editor, django_capture_on_commit_callbacks
):
    content = csv_bytes(
        [person(1, **{"Birthday": "1970-01-01", "Notes": "met in Geneva"})],
        header=[*HEADER, "Birthday", "Notes"],
    )
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    assert participant_import.status == ImportStatus.READY
    notice = participant_import.preview["notices"][0]
    assert "not imported" in notice and "“Birthday”" in notice and "“Notes”" in notice
    page = client.get(detail_url(participant_import)).content.decode()
    assert "Birthday" in page and "ignored" in page


def test_names_in_any_script_are_matched_to_the_registrys_lists(
    client, editor, django_capture_on_commit_callbacks
):
    factories.CommunityFactory(name="Ελληνοκύπριοι", slug="ellinokyprioi")
    factories.CommunityFactory(name="Κουρδική κοινότητα", slug="kurdish")
    content = csv_bytes(
        [
            person(1, community="ελληνοκύπριοι", languages="Greek, EN", gender="Female"),
            person(2, community="Κουρδική Κοινότητα", full_name="Same Name"),
            person(3, community="", full_name="same  name"),
        ],
        header=[*HEADER, "languages", "gender"],
    )
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    rows = rows_of(participant_import)
    assert [rows[n]["errors"] for n in (2, 3, 4)] == [[], [], []]
    assert "Same name as row 3" in rows[4]["warnings"][0]
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    first = Participant.objects.get(email="andreas1@example.org")
    assert first.community.slug == "ellinokyprioi" and first.gender == "woman"
    assert sorted(first.languages.values_list("code", flat=True)) == ["el", "en"]
    assert Participant.objects.get(email="andreas2@example.org").community.slug == "kurdish"
    assert Participant.objects.get(email="andreas3@example.org").community is None


# --- Bad input: a clear message, nothing written ----------------------------------------------


def test_an_oversize_upload_is_refused_with_the_limit(
    client, editor, django_capture_on_commit_callbacks, settings
):
    settings.PARTICIPANT_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    content = csv_bytes([person(n) for n in range(1, 30_000)])
    assert len(content) > 2 * 1024 * 1024
    response = upload(client, django_capture_on_commit_callbacks, content)
    assert response.status_code == 400
    message = " ".join(response.context["form"].errors["file"])
    assert "the limit is 2.0 MB" in message and "Split it" in message
    assert not ParticipantImport.objects.exists() and not Participant.objects.exists()
    assert_valid_page(response)


def test_too_many_rows_fail_with_the_limit(
    client, editor, django_capture_on_commit_callbacks, settings
):
    settings.PARTICIPANT_IMPORT_MAX_ROWS = 10
    content = csv_bytes([person(n) for n in range(1, 12)])
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    assert participant_import.status == ImportStatus.FAILED
    assert "11 rows; the limit is 10" in participant_import.error


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04 this is no workbook", "people.xlsx", "cannot be read as an Excel workbook"),
        (b'full_name,email\r\n"Unclosed quote,a@example.org\r\n', "people.csv", "not valid CSV"),
        (b"\x00\x01\x02\x03\xff\x00\x10binary" * 50, "people.csv", "not a CSV or XLSX file"),
        (b"email,organisation\r\na@example.org,UCY\r\n", "people.csv", "No column for the"),
        (b"full_name,email\r\n", "people.csv", "no participants under it"),
        (b"\x81\x8d\x8f\x90\x9d", "people.csv", "cannot tell how the file's text is encoded"),
    ],
)
def test_unreadable_files_fail_with_a_clear_message(
    client, editor, django_capture_on_commit_callbacks, content, name, message
):
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content, name)
    assert participant_import.status == ImportStatus.FAILED
    assert message in participant_import.error
    response = client.get(detail_url(participant_import))
    assert_valid_page(response)
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "people.csv", "The file is empty."),
        (b"\xd0\xcf\x11\xe0 old excel", "people.xls", "Old Excel .xls files cannot be read"),
        (b"full_name\r\nA\r\n", "people.pdf", "Upload a .csv or .xlsx file."),
    ],
)
def test_files_refused_at_upload(
    client, editor, django_capture_on_commit_callbacks, content, name, message
):
    response = upload(client, django_capture_on_commit_callbacks, content, name)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert not ParticipantImport.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"organisation": "=cmd|' /C calc'!A0"}, "looks like a spreadsheet formula"),
        ({"full_name": "@SUM(1+1)*cmd|' /C calc'!A0"}, "looks like a spreadsheet formula"),
        ({"organisation": "+1+cmd|' /C calc'!A0"}, "looks like a spreadsheet formula"),
        ({"position": "-2+3+cmd|' /C calc'!A0"}, "looks like a spreadsheet formula"),
        ({"phone": '=HYPERLINK("http://x")'}, "looks like a spreadsheet formula"),
        ({"phone": "12"}, "with the country code"),
        ({"phone": "+357 1"}, "with the country code"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"full_name": "x" * 201}, "at most 200 characters"),
        ({"organisation": "x" * 201}, "at most 200 characters"),
        ({"full_name": ""}, "This field is required."),
        ({"sector": ""}, "Sector: This field is required."),
        ({"sector": "Farming"}, "no sector called “Farming”"),
        ({"community": "Atlantis"}, "no community called “Atlantis”"),
        ({"country": "Narnia"}, "no country “Narnia”"),
        ({"track": "12"}, "Write its number, 1 to 9"),
        ({"languages": "en; klingon"}, "no language “klingon”"),
        ({"gender": "sometimes"}, "is not one of"),
        ({"risk_level": "extreme"}, "is not one of"),
        ({"do_not_contact": "perhaps"}, "write yes or no"),
        ({"do_not_contact": "yes"}, "Say why"),
        ({"tags": "x" * 61}, "longer than 60 characters"),
    ],
)
def test_a_bad_row_is_an_error_with_a_clear_message(
    client, editor, django_capture_on_commit_callbacks, overrides, message
):
    header = [*HEADER, "languages", "gender", "risk_level", "do_not_contact", "track", "tags"]
    header += ["position"]
    content = csv_bytes([person(1), person(2, **overrides)], header=header)
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    assert participant_import.status == ImportStatus.READY
    rows = rows_of(participant_import)
    assert rows[2]["action"] == "create"
    assert rows[3]["action"] == "error"
    assert message in " ".join(rows[3]["errors"]), rows[3]["errors"]
    response = client.get(detail_url(participant_import))
    assert_valid_page(response)
    # Confirming without skipping the bad row is refused and writes nothing.
    response = confirm(client, django_capture_on_commit_callbacks, participant_import)
    assert response.status_code == 400
    assert "Row 3 has errors" in response.content.decode()
    assert participant_import.status == ImportStatus.READY
    assert not Participant.objects.exists()


def test_phone_numbers_and_negative_numbers_are_not_formulas(
    client, editor, django_capture_on_commit_callbacks
):
    content = csv_bytes(
        [person(1, phone="+357 (99) 123-456", position="-5")], header=[*HEADER, "position"]
    )
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    assert rows_of(participant_import)[2]["errors"] == []


def test_the_same_email_twice_in_a_file_is_an_error(
    client, editor, django_capture_on_commit_callbacks
):
    content = csv_bytes([person(1), person(2), person(3, email="ANDREAS1@example.org")])
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    rows = rows_of(participant_import)
    assert rows[2]["action"] == rows[3]["action"] == "create"
    assert rows[4]["action"] == "error"
    assert "the same address is on row 2" in rows[4]["errors"][0]


# --- All or nothing ---------------------------------------------------------------------------


def test_one_bad_row_among_50_writes_nothing_until_it_is_skipped(
    client, editor, django_capture_on_commit_callbacks
):
    people = [person(n) for n in range(1, 51)]
    people[36]["phone"] = "12345"
    participant_import = uploaded(client, django_capture_on_commit_callbacks, csv_bytes(people))
    counts = participant_import.preview["counts"]
    assert (counts["create"], counts["error"]) == (49, 1)
    assert rows_of(participant_import)[38]["action"] == "error"

    response = confirm(client, django_capture_on_commit_callbacks, participant_import)
    assert response.status_code == 400
    assert participant_import.status == ImportStatus.READY
    assert Participant.objects.count() == 0
    # Skipping another row does not help: the bad one must be skipped explicitly.
    response = confirm(client, django_capture_on_commit_callbacks, participant_import, skip=["5"])
    assert response.status_code == 400 and Participant.objects.count() == 0
    assert 'value="5" id="skip-5" checked' in response.content.decode()  # the ticks stay

    response = confirm(client, django_capture_on_commit_callbacks, participant_import, skip=["38"])
    assert response.status_code == 302
    assert participant_import.status == ImportStatus.DONE
    assert Participant.objects.count() == 49
    assert not Participant.objects.filter(email="andreas37@example.org").exists()
    assert participant_import.result["skipped"] == 1
    assert participant_import.skipped_rows == [38]


def test_skip_all_rows_with_errors_at_once(client, editor, django_capture_on_commit_callbacks):
    people = [person(1), person(2, phone="1"), person(3, sector="nope"), person(4)]
    participant_import = uploaded(client, django_capture_on_commit_callbacks, csv_bytes(people))
    confirm(client, django_capture_on_commit_callbacks, participant_import, skip_errors="1")
    assert participant_import.status == ImportStatus.DONE
    assert Participant.objects.count() == 2


def test_a_failure_while_writing_rolls_back_every_row(
    client, editor, django_capture_on_commit_callbacks, monkeypatch
):
    participant_import = uploaded(
        client, django_capture_on_commit_callbacks, csv_bytes([person(n) for n in range(1, 6)])
    )
    from participants.imports import services as import_services

    real_create = import_services.services.participant_create
    calls = []

    def failing_create(**kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(import_services.services, "participant_create", failing_create)
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    assert participant_import.status == ImportStatus.FAILED
    assert "nothing was imported" in participant_import.error
    assert Participant.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="participant.").exists()


def test_a_registry_change_after_the_check_sends_the_import_back_to_the_preview(
    client, editor, django_capture_on_commit_callbacks
):
    participant_import = uploaded(
        client, django_capture_on_commit_callbacks, csv_bytes([person(1), person(2)])
    )
    # Someone adds the second person by hand before the import is confirmed.
    factories.ParticipantFactory(email="andreas2@example.org", full_name="Andreas G.")
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    assert participant_import.status == ImportStatus.READY
    assert "registry changed" in participant_import.error
    assert rows_of(participant_import)[3]["action"] == "update"
    assert Participant.objects.count() == 1
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    assert participant_import.status == ImportStatus.DONE
    assert Participant.objects.count() == 2
    assert Participant.objects.get(email="andreas2@example.org").full_name == "Andreas Georgiou 2"


# --- Updates by email, unchanged rows, duplicates ---------------------------------------------


def test_a_known_email_updates_only_the_filled_cells(
    client, editor, django_capture_on_commit_callbacks
):
    existing = factories.ParticipantFactory(
        full_name="Andreas Georgiou",
        email="Andreas1@Example.org",
        organisation="Old university",
        position="Professor",
        risk_level="high",
    )
    existing.tags.add(Tag.objects.create(name="board"))
    content = csv_bytes(
        [person(1, email="andreas1@example.org", position="", tags="alumni", risk_level="")],
        header=[*HEADER, "position", "tags", "risk_level"],
    )
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    row = rows_of(participant_import)[2]
    assert row["action"] == "update" and row["participant"] == existing.pk
    assert "Organisation" in row["changes"] and "Position" not in row["changes"]
    page = client.get(detail_url(participant_import)).content.decode()
    assert reverse("participants:detail", args=[existing.pk]) in page
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    existing.refresh_from_db()
    assert existing.organisation == "University of Cyprus"
    assert existing.position == "Professor"  # empty cell: kept
    assert existing.risk_level == "high"
    assert existing.email == "Andreas1@Example.org"  # a change of case only is no change
    assert existing.phone == "+35799123456"
    assert sorted(existing.tags.values_list("name", flat=True)) == ["alumni", "board"]
    assert Participant.objects.count() == 1
    event = AuditEvent.objects.get(action="participant.update")
    assert "organisation" in event.data["fields"]
    assert participant_import.result["updated"] == 1


def test_a_row_identical_to_the_registry_is_skipped(
    client, editor, django_capture_on_commit_callbacks
):
    factories.ParticipantFactory(
        full_name="Andreas Georgiou 1",
        email="andreas1@example.org",
        phone="+35799123456",
        country="CY",
        organisation="University of Cyprus",
        community=factories.CommunityFactory(slug="greek-cypriot"),
    )
    participant_import = uploaded(
        client, django_capture_on_commit_callbacks, csv_bytes([person(1), person(2)])
    )
    rows = rows_of(participant_import)
    assert rows[2]["action"] == "skip" and "Already up to date" in rows[2]["warnings"][0]
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    assert participant_import.result["created"] == 1
    assert participant_import.result["skipped"] == 1


def test_lowering_the_risk_level_is_flagged(client, editor, django_capture_on_commit_callbacks):
    factories.ParticipantFactory(email="andreas1@example.org", risk_level="high")
    content = csv_bytes([person(1, risk_level="normal")], header=[*HEADER, "risk_level"])
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    row = rows_of(participant_import)[2]
    assert row["action"] == "update"
    assert "Lowers the risk level from High to Normal." in row["warnings"]


def test_likely_duplicates_in_the_registry_are_a_warning(
    client, editor, django_capture_on_commit_callbacks
):
    twin = factories.ParticipantFactory(full_name="Andreas Georgiou 1", email="other@example.org")
    participant_import = uploaded(
        client, django_capture_on_commit_callbacks, csv_bytes([person(1)])
    )
    row = rows_of(participant_import)[2]
    assert row["action"] == "create" and row["errors"] == []
    assert row["lookalikes"] == [twin.pk]
    assert "May already be in the registry" in row["warnings"][0]
    page = client.get(detail_url(participant_import)).content.decode()
    assert reverse("participants:detail", args=[twin.pk]) in page
    # A warning does not block; the row may be skipped on purpose.
    confirm(client, django_capture_on_commit_callbacks, participant_import, skip=["2"])
    assert participant_import.status == ImportStatus.READY  # nothing left to import
    assert Participant.objects.count() == 1


# --- Confirming twice, the audit trail, the file afterwards -----------------------------------


def test_confirming_twice_imports_once(client, editor, django_capture_on_commit_callbacks):
    participant_import = uploaded(
        client, django_capture_on_commit_callbacks, csv_bytes([person(1), person(2)])
    )
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    response = confirm(client, django_capture_on_commit_callbacks, participant_import)
    assert response.status_code == 302
    tasks.apply_participant_import(participant_import.pk)  # a redelivered task
    tasks.analyse_participant_import(participant_import.pk)
    assert Participant.objects.count() == 2
    assert AuditEvent.objects.filter(action="participant.import").count() == 1
    assert AuditEvent.objects.filter(action="participant.create").count() == 2


def test_the_import_is_audited_without_personal_data(
    client, editor, django_capture_on_commit_callbacks
):
    factories.ParticipantFactory(email="andreas3@example.org")
    participant_import = uploaded(
        client,
        django_capture_on_commit_callbacks,
        csv_bytes([person(1), person(2, phone="1"), person(3)]),
    )
    confirm(client, django_capture_on_commit_callbacks, participant_import, skip=["3"])
    event = AuditEvent.objects.get(action="participant.import")
    assert event.actor == editor
    assert event.object_id == str(participant_import.pk)
    assert event.data == {"created": 1, "updated": 1, "skipped": 1}
    everything = str(
        list(AuditEvent.objects.values_list("data", "object_repr", "action"))
    ).casefold()
    for personal in ("andreas", "example.org", "357", "university"):
        assert personal not in everything


def test_after_the_import_the_file_and_the_names_are_gone(
    client, editor, django_capture_on_commit_callbacks
):
    participant_import = uploaded(
        client, django_capture_on_commit_callbacks, csv_bytes([person(1)])
    )
    name = participant_import.file.name
    assert default_storage.exists(name)
    assert rows_of(participant_import)[2]["label"] == "Andreas Georgiou 1"
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    assert not default_storage.exists(name)
    assert rows_of(participant_import)[2]["label"] == ""


def test_cancel_drops_the_file_and_writes_nothing(
    client, editor, django_capture_on_commit_callbacks
):
    participant_import = uploaded(
        client, django_capture_on_commit_callbacks, csv_bytes([person(1)])
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("participants:import_cancel", args=[participant_import.pk]))
    assert response.status_code == 302
    participant_import.refresh_from_db()
    assert participant_import.status == ImportStatus.CANCELLED
    assert not default_storage.exists(participant_import.file.name)
    response = confirm(client, django_capture_on_commit_callbacks, participant_import)
    assert Participant.objects.count() == 0
    assert_valid_page(client.get(detail_url(participant_import)))


# --- Progress ---------------------------------------------------------------------------------


def test_progress_is_polled_while_the_file_is_checked(client, editor):
    # No callbacks run: the check has not started yet.
    client.post(UPLOAD, {"file": SimpleUploadedFile("people.csv", csv_bytes([person(1)]))})
    participant_import = ParticipantImport.objects.get()
    assert participant_import.status == ImportStatus.ANALYSING
    response = client.get(detail_url(participant_import))
    assert_valid_page(response)
    progress_url = reverse("participants:import_progress", args=[participant_import.pk])
    assert f'hx-get="{progress_url}"' in response.content.decode()
    ParticipantImport.objects.filter(pk=participant_import.pk).update(
        total_rows=400, processed_rows=100
    )
    partial = client.get(progress_url, headers={"HX-Request": "true"}).content.decode()
    assert 'aria-valuenow="25"' in partial and "100 of 400 rows" in partial
    assert 'hx-trigger="every 1s"' in partial

    tasks.analyse_participant_import(participant_import.pk)
    response = client.get(progress_url, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == detail_url(participant_import)


# --- Who may import ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("other_staff", 200),
        ("facilitator", 403),
        ("observer", 403),
        ("outsider", 403),
    ],
)
def test_who_may_import(client, cast, role, status):
    client.force_login(getattr(cast, role))
    assert client.get(UPLOAD).status_code == status
    assert client.get(reverse("participants:import_template")).status_code == status
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("p.csv", b"full_name\r\nA\r\n")})
    assert response.status_code == (302 if status == 200 else 403)


def test_anonymous_users_are_sent_to_sign_in(client):
    for url in (UPLOAD, reverse("participants:import_template")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_import_is_seen_by_its_uploader_and_admins_only(
    client, cast, editor, django_capture_on_commit_callbacks
):
    participant_import = uploaded(
        client, django_capture_on_commit_callbacks, csv_bytes([person(1)])
    )
    urls = [
        detail_url(participant_import),
        reverse("participants:import_progress", args=[participant_import.pk]),
    ]
    client.force_login(cast.other_staff)
    for url in urls:
        assert client.get(url).status_code == 404
    confirm_url = reverse("participants:import_confirm", args=[participant_import.pk])
    assert client.post(confirm_url).status_code == 404
    client.force_login(cast.facilitator)
    assert client.get(urls[0]).status_code == 403
    client.force_login(cast.admin)
    assert client.get(urls[0]).status_code == 200


def test_the_list_page_links_to_the_import_for_editors_only(client, cast):
    client.force_login(cast.staff)
    assert UPLOAD in client.get(reverse("participants:list")).content.decode()
    client.force_login(cast.facilitator)
    assert UPLOAD not in client.get(reverse("participants:list")).content.decode()


# --- The template -----------------------------------------------------------------------------


def test_the_csv_template_parses_and_imports(client, editor, django_capture_on_commit_callbacks):
    response = client.get(reverse("participants:import_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    table = read_table(io.BytesIO(content), "template.csv")
    assert list(table.columns.values()) == COLUMNS and table.ignored == []
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    row = rows_of(participant_import)[2]
    assert row["action"] == "create", row["errors"]
    confirm(client, django_capture_on_commit_callbacks, participant_import)
    example = Participant.objects.get()
    assert example.native_name == "Ελένη Χαραλάμπους" and example.phone == "+35799123456"


def test_the_xlsx_template_parses_and_imports(client, editor, django_capture_on_commit_callbacks):
    response = client.get(reverse("participants:import_template") + "?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == COLUMNS
    participant_import = uploaded(
        client, django_capture_on_commit_callbacks, response.content, name="template.xlsx"
    )
    assert rows_of(participant_import)[2]["action"] == "create"


def test_imports_left_unconfirmed_for_a_week_are_dropped(
    client, editor, django_capture_on_commit_callbacks
):

    stale = uploaded(client, django_capture_on_commit_callbacks, csv_bytes([person(1)]))
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        client.force_login(editor)
        fresh = uploaded(client, django_capture_on_commit_callbacks, csv_bytes([person(2)]))
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.prune_participant_imports() == 1
        assert tasks.prune_participant_imports() == 0
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ImportStatus.CANCELLED and fresh.status == ImportStatus.READY
    assert not default_storage.exists(stale.file.name)
    assert rows_of(stale)[2]["label"] == ""


def test_preview_query_count_does_not_grow_with_rows(
    client, editor, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for n in range(1, 31):
        factories.ParticipantFactory(email=f"andreas{n}@example.org", full_name=f"Old {n}")
    people = [person(n) for n in range(1, 121)]
    people[5]["phone"] = "1"
    participant_import = uploaded(client, django_capture_on_commit_callbacks, csv_bytes(people))
    assert participant_import.preview["counts"]["update"] == 29  # one has a bad phone
    client.get(detail_url(participant_import))  # shows (and clears) the upload's flash message
    with django_assert_max_num_queries(10):
        response = client.get(detail_url(participant_import))
    assert response.content.decode().count('name="skip"') == 120


def test_the_check_speaks_the_uploaders_language(
    client, editor, django_capture_on_commit_callbacks
):
    """Row errors and failures are stored as text: in the language of who reads them."""
    editor.language = "fr"
    editor.save(update_fields=["language"])
    content = csv_bytes([person(1), person(2, email="not-an-email")])
    participant_import = uploaded(client, django_capture_on_commit_callbacks, content)
    with translation.override("fr"):
        expected = str(EmailValidator.message)
    assert expected != "Enter a valid email address."
    assert expected in " ".join(rows_of(participant_import)[3]["errors"])

    broken = uploaded(client, django_capture_on_commit_callbacks, b"PK\x03\x04 no", "a.xlsx")
    assert broken.status == ImportStatus.FAILED
    with translation.override("fr"):
        assert broken.error == _unreadable_xlsx()
    assert "Excel workbook" not in broken.error
