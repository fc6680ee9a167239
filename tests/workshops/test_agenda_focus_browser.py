"""Editing the agenda with htmx keeps the keyboard where it was: each swap hands the focus
to the control that goes on from there, or to what the answer refused (WCAG 2.4.3)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.core.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def expect_focus(page, element_id: str) -> None:
    """The focus moves once htmx has settled, a moment after the swap the test waits for:
    poll for it rather than read it once."""
    expect(page.locator(f"[id='{element_id}']")).to_be_focused()


def test_the_focus_follows_each_agenda_change(page, live_server, cast):
    workshop = cast.workshop
    # Whole minutes, as the form shows them.
    first = workshop.starts_at.replace(second=0, microsecond=0) + timedelta(hours=1)
    opening = factories.SessionFactory(workshop=workshop, title="Opening circle", starts_at=first)
    stories = factories.SessionFactory(
        workshop=workshop, title="Shared stories", starts_at=first + timedelta(hours=3)
    )
    sign_in(page, live_server, "staff-user")
    page.goto(f"{live_server.url}{workshop.get_absolute_url()}")
    agenda = page.locator("#agenda")

    agenda.get_by_role("link", name="Edit “Opening circle”").click()
    page.get_by_role("heading", name="Edit “Opening circle”").wait_for()
    expect_focus(page, f"session-{opening.pk}-editing")  # read out, then Tab to the title

    page.locator("#id_edit-title").fill("")
    agenda.get_by_role("button", name="Save session").click()
    page.locator("#agenda .is-invalid").wait_for()
    expect_focus(page, "id_edit-title")  # the field to put right

    page.locator("#id_edit-title").fill("Opening circle, in pairs")
    page.locator("#agenda").get_by_role("button", name="Save session").click()
    page.locator("#agenda li", has_text="Opening circle, in pairs").wait_for()
    expect_focus(page, f"session-{opening.pk}-edit")  # back on the session's own button

    page.locator("#agenda").get_by_role("link", name="Edit “Opening circle, in pairs”").click()
    page.locator("#agenda").get_by_role("link", name="Cancel").click()
    page.locator(f"#session-{opening.pk}-edit").wait_for()
    expect_focus(page, f"session-{opening.pk}-edit")

    page.locator("#agenda").get_by_role("button", name="Move “Shared stories” earlier").click()
    page.locator("#agenda li").first.filter(has_text="Shared stories").wait_for()
    expect_focus(page, f"session-{stories.pk}-up")  # press again to go on moving it

    page.locator(f"#session-{opening.pk} summary").click()
    page.locator(f"#session-{opening.pk}").get_by_role("button", name="Yes, remove").click()
    page.locator(f"#session-{opening.pk}").wait_for(state="detached")
    expect_focus(page, "agenda-heading")  # the item is gone: the list it was in
