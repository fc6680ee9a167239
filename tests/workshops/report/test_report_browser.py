"""The report page in Chromium: Arabic and Hebrew paragraphs read right to left, and the
print stylesheet leaves only the report."""

import pytest

from tests.core.test_browser import sign_in
from tests.workshops.report.conftest import ARABIC, HEBREW, SHAREABLE_TEXT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_report_page_right_to_left_and_printable(page, live_server, cast, report_data, screenshot):
    sign_in(page, live_server, "observer-user")
    page.get_by_role("link", name="Programs").wait_for()
    page.goto(f"{live_server.url}/workshops/{cast.workshop.pk}/report/")
    page.get_by_role("heading", name="Water committee").wait_for()
    direction = "el => getComputedStyle(el).direction"
    assert page.locator("p", has_text=ARABIC[:20]).evaluate(direction) == "rtl"
    assert page.locator("p", has_text=HEBREW[:20]).evaluate(direction) == "rtl"
    assert page.locator("p", has_text=SHAREABLE_TEXT[:20]).evaluate(direction) == "ltr"
    assert "Layla" not in page.content()
    screenshot("report-page")
    page.emulate_media(media="print")
    assert not page.locator("header.navbar").is_visible()
    assert not page.get_by_role("link", name="Download PDF").is_visible()
    screenshot("report-page-print")
