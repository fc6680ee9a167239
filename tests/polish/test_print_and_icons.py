"""Paper and icons: rosters, attendance sheets and reports print without the screen's chrome
(static/css/print.css, linked with media="print"), and the favicon and the apple-touch-icon
that base.html names exist."""

import struct

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from tests import factories
from tests.polish.pages import parse


def links_of(client, cast) -> dict[str, dict]:
    client.force_login(cast.staff)
    document = parse(client.get(reverse("dialogues:list")).content.decode())
    return {link.get("rel"): dict(link.attrib) for link in document.iter("link")} | {
        link.get("href"): dict(link.attrib) for link in document.iter("link")
    }


def test_every_page_links_the_print_stylesheet_for_print_only(client, cast):
    links = links_of(client, cast)
    sheet = links[static("css/print.css")]
    assert sheet["rel"] == "stylesheet" and sheet["media"] == "print"
    css = open(finders.find("css/print.css"), encoding="utf-8").read()
    assert "@page { size: A4;" in css
    for hidden in (
        "header.navbar",
        ".ob-breadcrumbs",
        "body > footer",
        ".messages",
        ".btn",
        "form",
    ):
        assert hidden in css.split("display: none")[0], f"{hidden} is not hidden on paper"
    assert "break-inside: avoid" in css and "thead { display: table-header-group; }" in css


def test_the_favicon_and_touch_icon_exist(client, cast):
    links = links_of(client, cast)
    icon = links["icon"]
    assert icon["type"] == "image/svg+xml" and finders.find("img/olive-branch.svg")
    touch = links["apple-touch-icon"]["href"]
    path = finders.find(touch.removeprefix("/static/"))
    assert path, touch
    with open(path, "rb") as png:
        header = png.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (180, 180)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_attendance_sheet_prints_names_and_marks_without_chrome(page, live_server, cast):
    from tests.core.test_browser import sign_in

    session = factories.SessionFactory(workshop=cast.workshop, title="Opening circle")
    present = factories.ParticipantFactory(full_name="Eleni Charalambous")
    factories.InvitationFactory(workshop=cast.workshop, participant=present, status="accepted")
    factories.AttendanceFactory(session=session, participant=present)
    sign_in(page, live_server, "facilitator-user")
    page.goto(f"{live_server.url}{reverse('workshops:attendance', args=[cast.workshop.pk])}")
    page.get_by_text("Eleni Charalambous").wait_for()
    page.emulate_media(media="print")
    for hidden in ("header.navbar", ".ob-breadcrumbs", "body > footer"):
        assert not page.locator(hidden).is_visible(), hidden
    assert not page.get_by_role("link", name="Add a walk-in").is_visible()
    assert page.get_by_role("heading", name="Attendance").is_visible()
    assert page.get_by_text("Eleni Charalambous").is_visible()
    # The mark stays, as a word; the other button goes.
    row = page.locator(".attendance-row", has_text="Eleni Charalambous")
    assert row.get_by_text("Present").is_visible()
    assert not row.get_by_text("Absent").is_visible()
