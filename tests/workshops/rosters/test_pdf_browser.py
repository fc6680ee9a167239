"""The print page in Chromium: choose badges on Letter, download, and look at the PDF."""

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from core.models import AuditEvent
from participants.models import RiskLevel
from tests import factories
from tests.conftest import SCREENSHOTS
from tests.core.test_browser import sign_in
from workshops.models import InvitationStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_downloads_badges_and_the_first_page_shows_the_names(
    page, live_server, cast, screenshot
):
    community = factories.CommunityFactory(name="Palestinian", slug="ps", colour="#1f77b4")
    for full_name, native_name, risk in (
        ("Rania Khalil", "رانيا خليل", RiskLevel.NORMAL),
        ("Noa Levi", "נועה לוי", RiskLevel.NORMAL),
        ("Eleni Georgiou", "Ελένη Γεωργίου", RiskLevel.NORMAL),
        ("Samir Haddad", "سمير حداد", RiskLevel.HIGH),
    ):
        factories.InvitationFactory(
            workshop=cast.workshop,
            participant=factories.ParticipantFactory(
                full_name=full_name,
                native_name=native_name,
                community=community,
                risk_level=risk,
                organisation="Dialogue Forum",
            ),
            status=InvitationStatus.ACCEPTED,
        )
    sign_in(page, live_server, "staff-user")
    page.get_by_role("heading", name="Your programs").wait_for()
    page.goto(f"{live_server.url}/workshops/{cast.workshop.pk}/roster/print/")
    page.get_by_role("heading", name="Sign-in sheet and badges").wait_for()
    assert page.get_by_test_id("roster-counts").inner_text().count("4") >= 1
    assert page.get_by_label("Print high-risk participants under their real names").count() == 0
    page.get_by_label("Name badges").check()
    page.get_by_label("US Letter").check()
    page.get_by_label("Community colour and name on badges").check()
    screenshot("roster-pdf-form")
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download the PDF").click()
    download = waiting.value
    assert download.suggested_filename == f"workshop-{cast.workshop.pk}-badges-accepted.pdf"
    content = open(download.path(), "rb").read()
    pdf = PdfReader(io.BytesIO(content))
    text = pdf.pages[0].extract_text()
    assert "Rania Khalil" in text and "Samir" not in text
    assert AuditEvent.objects.get(action="workshop.roster_export").data["format"] == "pdf-badges"
    # The first page as an image, for a human to check shaping and right-to-left names.
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / "roster-badges-page-1.pdf"
        target.write_bytes(content)
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", "1", "-l", "1", str(target),
             str(SCREENSHOTS / "roster-badges-page-1")],
            check=True,
        )  # fmt: skip
        target.unlink()
