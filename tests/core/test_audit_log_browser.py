"""The audit log page in Chromium: an admin filters by action and exports what is shown."""

import pytest

from core import audit
from core.models import AuditEvent
from tests.core.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_admin_filters_the_log_and_exports_it(page, live_server, cast, screenshot):
    audit.record(cast.staff, "workshop.update", cast.workshop, fields=["title", "capacity"])
    audit.record(
        cast.facilitator, "workshop.roster_export", cast.workshop, format="pdf-signin", count=9
    )
    sign_in(page, live_server, "admin-user")
    page.get_by_role("heading", name="Your programs").wait_for()
    page.goto(f"{live_server.url}/audit/")
    page.get_by_role("heading", name="Audit log").wait_for()
    # With the admin's own sign-in and its second factor (auth.two_factor_verified).
    assert page.get_by_test_id("audit-event").count() == 4
    page.get_by_label("Action").fill("workshop.roster_export")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/audit/?**action=workshop.roster_export**")
    rows = page.get_by_test_id("audit-event")
    assert rows.count() == 1
    assert "facilitator-user" in rows.first.inner_text()
    assert "count=9" in rows.first.inner_text()
    screenshot("audit-log-filtered")
    with page.expect_download() as waiting:
        page.get_by_test_id("audit-export").click()
    text = open(waiting.value.path(), encoding="utf-8-sig").read()
    assert text.count("workshop.roster_export") == 1
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.data["filters"] == {"action": "workshop.roster_export"}
