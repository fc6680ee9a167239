"""The actions list in Chromium: overdue rows say so, and the status changes in place."""

import pytest
from playwright.sync_api import expect

from tests.core.test_browser import sign_in
from workshops.models import ActionStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_overdue_is_visible_and_the_status_changes_in_place(
    page, live_server, cast, actions, screenshot
):
    sign_in(page, live_server, "facilitator-user")
    page.get_by_role("heading", name="Upcoming workshops").wait_for()
    page.goto(f"{live_server.url}/workshops/{cast.workshop.pk}/actions/")
    overdue = page.locator("tr", has_text="Circulate the minutes")
    assert overdue.get_by_text("Overdue").is_visible()
    assert not page.locator("tr", has_text="Introduce the mayors").get_by_text("Overdue").count()
    # With JavaScript the select saves on change; the no-script button is hidden.
    assert not overdue.get_by_role("button", name="Set").is_visible()
    screenshot("actions-list")

    overdue.get_by_label("Status").select_option(label="Done")
    done = page.locator(f"#action-{actions.overdue.pk}")
    done.locator(".small", has_text="done ").wait_for()
    assert not done.get_by_text("Overdue").count()
    assert page.url.endswith(f"/workshops/{cast.workshop.pk}/actions/")  # no reload
    page.get_by_test_id("overdue-count").wait_for(state="detached")  # the count follows
    actions.overdue.refresh_from_db()
    assert actions.overdue.status == ActionStatus.DONE
    screenshot("actions-list-after-status")


def test_add_an_action_with_an_owner_from_the_picker(page, live_server, cast, actions, screenshot):
    sign_in(page, live_server, "staff-user")
    page.get_by_role("heading", name="Your programs").wait_for()
    page.goto(f"{live_server.url}/workshops/{cast.workshop.pk}/actions/")
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("What").fill("Share the water study with both municipalities")
    page.get_by_label("Owner").select_option(label="Andreas Georgiou")
    page.get_by_label("Due").fill("2030-01-15")
    screenshot("actions-new")
    page.get_by_role("button", name="Add action").click()
    row = page.locator("tr", has_text="Share the water study")
    row.wait_for()
    # The row shows as soon as its first cell is parsed: wait for the others, not read once.
    expect(row).to_contain_text("Andreas Georgiou", use_inner_text=True)
    expect(row).to_contain_text("15 Jan 2030", use_inner_text=True)
