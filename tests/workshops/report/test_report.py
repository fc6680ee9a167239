"""The shareable report: who may see it, what it holds (only shareable notes, no names of
high-risk people, attendance counts) and the PDF's text, fonts and headers."""

import io
import unicodedata

import html5lib
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from core.models import AuditEvent
from participants import safety
from tests import factories
from tests.html import assert_valid_page
from tests.workshops.report.conftest import (
    ARABIC,
    HEBREW,
    RESTRICTED_TEXT,
    SHAREABLE_TEXT,
    TEAM_TEXT,
)
from workshops import report

pytestmark = pytest.mark.django_db

SEES = ["admin", "staff", "facilitator", "observer"]
NOT_FOUND = ["other_facilitator", "other_staff", "outsider"]
HIGH_RISK_NAMES = ["Layla", "Haddad", "ليلى", "حداد"]


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))


def pdf_fonts(content: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        resources = page["/Resources"]["/Font"]
        fonts |= {str(resources[key].get_object()["/BaseFont"]) for key in resources}
    return fonts


# --- Who may see it ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report", "report_pdf"])
@pytest.mark.parametrize("role", SEES)
def test_the_team_and_observers_see_the_report(client, cast, report_data, role, name):
    client.force_login(getattr(cast, role))
    response = client.get(reverse(f"workshops:{name}", args=[cast.workshop.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["report", "report_pdf"])
@pytest.mark.parametrize("role", NOT_FOUND)
def test_others_get_not_found(client, cast, report_data, role, name):
    client.force_login(getattr(cast, role))
    response = client.get(reverse(f"workshops:{name}", args=[cast.workshop.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="report.pdf").exists()


@pytest.mark.parametrize("name", ["report", "report_pdf"])
def test_anonymous_is_sent_to_sign_in(client, cast, name):
    response = client.get(reverse(f"workshops:{name}", args=[cast.workshop.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_every_pdf_download_is_audited(client, cast, report_data):
    client.force_login(cast.observer)
    url = reverse("workshops:report_pdf", args=[cast.workshop.pk])
    response = client.get(url)
    client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="workshop-{cast.workshop.pk}-report.pdf"'
    )
    events = AuditEvent.objects.filter(action="report.pdf")
    assert events.count() == 2
    event = events.first()
    assert event.actor == cast.observer
    assert event.object_id == str(cast.workshop.pk)
    assert event.data == {"workshop_id": cast.workshop.pk}


# --- What it holds ----------------------------------------------------------------------------


def test_the_page_holds_only_shareable_notes_and_no_high_risk_names(client, cast, report_data):
    client.force_login(cast.facilitator)  # who may read every note of the workshop
    html = client.get(reverse("workshops:report", args=[cast.workshop.pk])).content.decode()
    assert SHAREABLE_TEXT in html
    assert ARABIC in html and HEBREW in html
    for hidden in (RESTRICTED_TEXT, TEAM_TEXT, "Restricted note", "Team note"):
        assert hidden not in html
    for name in HIGH_RISK_NAMES:
        assert name not in html
    code = safety.pseudonym(report_data.hidden)
    assert html.count(code) >= 4  # three times in the note, the action and its owner
    assert "Andreas Georgiou" in html  # not high risk: owner by name
    assert "Send the minutes to the funders" in html
    assert "Dropped idea" not in html
    assert "Call the envoy privately" not in html  # from a restricted note


def test_the_pdf_holds_only_shareable_notes_and_no_high_risk_names(client, cast, report_data):
    client.force_login(cast.staff)
    content = client.get(reverse("workshops:report_pdf", args=[cast.workshop.pk])).content
    text = pdf_text(content)
    assert "Shareable summary: both sides proposed a joint water committee" in text
    for hidden in (RESTRICTED_TEXT, TEAM_TEXT, "Restricted note", "Team note", "Dropped idea"):
        assert hidden not in text
    for name in HIGH_RISK_NAMES:
        assert name not in text
    assert safety.pseudonym(report_data.hidden) in text
    assert "Greek Cypriots" in text and "Turkish Cypriots" in text
    assert "Page 1 / 2" in text or "Page 1 / 1" in text


def test_the_pdf_carries_arabic_and_hebrew_text_and_embeds_their_fonts(client, cast, report_data):
    client.force_login(cast.staff)
    content = client.get(reverse("workshops:report_pdf", args=[cast.workshop.pk])).content
    text = pdf_text(content)
    for word in ARABIC.split():
        assert word in text
    for word in HEBREW.split():
        assert word in text
    fonts = pdf_fonts(content)
    assert any("Report-Arabic" in font for font in fonts), fonts
    assert any("Report-Hebrew" in font for font in fonts), fonts
    assert not any("DejaVu" in font for font in fonts), fonts


def test_attendance_counts_people_present_by_sector_and_community(cast, report_data):
    table = report.attendance_table(cast.workshop)
    assert table.communities == ["Greek Cypriots", "Turkish Cypriots"]
    assert table.count("Academic", "Greek Cypriots") == 2  # one person present twice counts once
    assert table.count("Academic", "Turkish Cypriots") == 1
    assert table.count("Media", "Turkish Cypriots") == 1
    assert table.count("Media", "Greek Cypriots") == 0  # absent
    assert table.column_totals == [2, 2]
    assert table.total == 4


def test_the_page_shows_the_attendance_table(client, cast, report_data):
    client.force_login(cast.observer)
    response = client.get(reverse("workshops:report", args=[cast.workshop.pk]))
    assert_valid_page(response)
    document = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    table = document.find(".//table[@data-testid='attendance-table']")
    rows = [["".join(cell.itertext()).strip() for cell in row] for row in table.iter("tr")]
    assert rows == [
        ["Sector", "Greek Cypriots", "Turkish Cypriots", "Total"],
        ["Academic", "2", "1", "3"],
        ["Media", "0", "1", "1"],
        ["Total", "2", "2", "4"],
    ]


def test_a_discreet_program_shows_the_code_name_and_no_venue(client, cast, report_data):
    cast.program.discreet_mode = True
    cast.program.save()
    cast.workshop.code_name = "Spring gathering"
    cast.workshop.save()
    client.force_login(cast.staff)
    content = client.get(reverse("workshops:report_pdf", args=[cast.workshop.pk])).content
    text = pdf_text(content)
    assert "Spring gathering" in text
    for leak in (cast.workshop.title, "Ledra Palace", "Nicosia,", cast.program.name):
        assert leak not in text


def test_the_page_costs_the_same_queries_with_more_notes_and_actions(
    client, cast, report_data, django_assert_max_num_queries
):
    client.force_login(cast.staff)
    url = reverse("workshops:report", args=[cast.workshop.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        factories.SessionNoteFactory(workshop=cast.workshop, level="shareable")
        factories.FollowUpActionFactory(workshop=cast.workshop)
        factories.AttendanceFactory(session=factories.SessionFactory(workshop=cast.workshop))
    with django_assert_max_num_queries(len(few)):
        client.get(url)


# --- The pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Hello", "ltr"),
        ("  123 مرحبا", "rtl"),
        ("שלום world", "rtl"),
        ("world שלום", "ltr"),
        ("", "ltr"),
    ],
)
def test_text_direction_follows_the_first_strong_character(text, direction):
    assert report.text_direction(text) == direction


def test_blocks_get_their_own_direction():
    html = report.directed("<p>Hello</p>\n<ul><li>مرحبا</li><li><em>hi</em></li></ul>")
    assert html == (
        '<p dir="ltr">Hello</p>\n<ul><li dir="rtl">مرحبا</li><li dir="ltr"><em>hi</em></li></ul>'
    )


def test_names_are_replaced_in_any_case_spacing_and_script(db):
    person = factories.ParticipantFactory(full_name="Layla Haddad", native_name="ليلى حداد")
    redact = report.name_redactor([person])
    code = safety.pseudonym(person)
    assert redact("LAYLA   haddad said; ليلى حداد agreed") == f"{code} said; {code} agreed"
    assert redact("Layla wrote, Haddad read") == f"{code} wrote, {code} read"
    # Whole words only: "Laylan" or "Haddadin" are someone else.
    assert redact("Laylan and Haddadin") == "Laylan and Haddadin"
    assert report.name_redactor([])("Layla") == "Layla"


def test_the_pdf_sets_arabic_and_hebrew_right_to_left(client, cast, report_data):
    """Right-to-left paragraphs start from the right margin; the others from the left."""
    client.force_login(cast.staff)
    content = client.get(reverse("workshops:report_pdf", args=[cast.workshop.pk])).content
    page = PdfReader(io.BytesIO(content)).pages[0]
    starts: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        for key in (ARABIC.split()[1], HEBREW.split()[0], "Shareable summary"):
            if key in text:
                starts.setdefault(key, cm[4] + tm[4] * cm[0])

    page.extract_text(visitor_text=visit)
    # Laid out left to right, these short lines would start at the left margin (18 mm, about
    # 51 pt) like the English one; right to left they end at the right margin and start
    # far from it (the exact point moves with the fonts' metrics, so no tighter bound).
    assert starts["Shareable summary"] < 60
    assert starts[ARABIC.split()[1]] > 150
    assert starts[HEBREW.split()[0]] > 150
