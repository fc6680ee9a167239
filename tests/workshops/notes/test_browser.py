"""A facilitator writes a Chatham House note in a real browser: the name warning while
typing and before saving, the draft saved as they type (and kept on the device while
offline), restoring it after the tab was closed, and the saved note."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories
from tests.conftest import new_page
from tests.core.test_browser import sign_in
from tests.processes import wait_for
from workshops.models import NoteDraft, SessionNote

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BODY = "طلبت ليلى حداد أن تُشارك بيانات المفقودين أولاً.\n\n- The group agreed not to rank suffering."


def assert_draft_soon(check) -> None:
    """The server holds one draft, and ``check`` holds for its body. "Saved as draft" on the
    page may be about an earlier save, sent before the last keystrokes (the editor saves
    every few seconds): poll the database for the save that has them."""

    def saved() -> bool:
        drafts = list(NoteDraft.objects.all())
        return len(drafts) == 1 and check(drafts[0].body)

    wait_for(saved, timeout=15, interval=0.05)
    drafts = list(NoteDraft.objects.all())
    assert len(drafts) == 1, drafts
    assert check(drafts[0].body), drafts[0].body


def test_chatham_house_note_with_a_name_warning_and_autosave(page, live_server, cast, screenshot):
    factories.InvitationFactory(
        workshop=cast.workshop,
        participant__full_name="Layla Haddad",
        participant__native_name="ليلى حدّاد",
    )
    factories.SessionFactory(workshop=cast.workshop, title="Fears and needs")
    sign_in(page, live_server, "facilitator-user")
    page.get_by_role("heading", name="Upcoming workshops").wait_for()
    page.goto(live_server.url + reverse("workshops:note_create", args=[cast.workshop.pk]))
    page.get_by_label("Title").fill("Missing persons: what each side needs")
    page.get_by_label("Session").select_option(label="Fears and needs")
    page.locator("#id_body").fill(BODY)
    # The live check names the participant while typing...
    names = page.locator("#note-names")
    names.get_by_text("Layla Haddad").wait_for()
    # ...and the draft reaches the server within a few seconds.
    status = page.locator("[data-draft-status]")
    status.get_by_text("Saved as draft at").wait_for(timeout=15_000)
    assert_draft_soon(lambda body: body.startswith("طلبت"))
    screenshot("note-editor-warning")

    # The connection drops: the editor says so and keeps the text on the device.
    page.context.set_offline(True)
    page.locator("#id_body").press("End")
    page.locator("#id_body").type(" More.")
    status.get_by_text("Offline — kept on this device").wait_for(timeout=15_000)
    stored = page.evaluate("() => Object.keys(window.localStorage)")
    assert any(key.startswith("ob-note-draft:") for key in stored)
    screenshot("note-editor-offline")
    page.context.set_offline(False)
    status.get_by_text("Saved as draft at").wait_for(timeout=15_000)
    assert_draft_soon(lambda body: body.endswith("More."))
    assert not any(
        key.startswith("ob-note-draft:")
        for key in page.evaluate("() => Object.keys(window.localStorage)")
    )

    # Closed and opened again: the draft is offered back.
    page.goto(live_server.url + reverse("workshops:note_create", args=[cast.workshop.pk]))
    page.get_by_text("You have an unsaved draft from").wait_for()
    assert page.locator("#id_body").input_value() == ""
    page.get_by_role("button", name="Restore draft").click()
    assert page.locator("#id_body").input_value().endswith("More.")
    assert page.get_by_label("Title").input_value() == "Missing persons: what each side needs"

    # Saving is refused once, with the names; "Save anyway" saves.
    page.get_by_role("button", name="Save note").click()
    warning = page.locator("#names-warning")
    warning.get_by_text("Layla Haddad").wait_for()
    assert "ليلى حدّاد" in warning.inner_text()
    assert not SessionNote.objects.exists()
    screenshot("note-editor-refused")
    page.get_by_label("Save anyway").check()
    page.get_by_role("button", name="Save note").click()
    page.get_by_role("heading", name="Missing persons: what each side needs").wait_for()
    note = SessionNote.objects.get()
    assert note.chatham_house and note.session.title == "Fears and needs"
    assert not NoteDraft.objects.exists()
    body = page.locator(".note-body")
    assert body.get_attribute("dir") == "auto"
    # Its last line may be parsed a moment after the heading showed: wait, not read once.
    expect(body).to_contain_text("rank suffering", use_inner_text=True)
    assert body.locator("li").get_attribute("dir") == "auto"
    screenshot("note-detail")

    # An edit: the earlier version is kept and the history says what changed.
    page.get_by_role("link", name="Edit").click()
    page.locator("#id_body").fill("The group agreed not to rank suffering.")
    page.get_by_label("Restricted").check()
    page.get_by_role("button", name="Save note").click()
    page.get_by_text("the earlier version is in its history").wait_for()
    page.get_by_role("link", name="History").click()
    page.get_by_role("heading", name="History").wait_for()
    assert "changed: text, confidentiality" in page.content()
    screenshot("note-history")
    page.get_by_role("link", name="Missing persons: what each side needs").last.click()
    page.get_by_text("An earlier version").wait_for()
    assert "طلبت" in page.locator(".note-body").inner_text()


def test_notes_list_on_a_phone(browser, live_server, cast, screenshot):
    for level in ("restricted", "team", "shareable"):
        factories.SessionNoteFactory(
            workshop=cast.workshop,
            author=cast.facilitator,
            title=f"{level.capitalize()} note about the crossing",
            body="ناقش المشاركون **المياه** والثقة.",
            level=level,
        )
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = new_page(context)
    try:
        sign_in(page, live_server, "facilitator-user")
        page.get_by_role("heading", name="Upcoming workshops").wait_for()
        page.goto(live_server.url + reverse("workshops:notes", args=[cast.workshop.pk]))
        page.get_by_role("heading", name="Session notes").wait_for()
        assert page.get_by_role("link", name="Team note about the crossing").is_visible()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
        screenshot("notes-list-phone", of=page)
        # Search as you type (htmx): the list narrows without a reload, the URL follows.
        page.get_by_role("searchbox", name="Search").fill("team")
        page.get_by_text("1–1 of 1").wait_for()
        expect(page).to_have_url(re.compile(r"q=team"))  # the new URL comes on its own
        assert not page.get_by_role("link", name="Shareable note about the crossing").count()
        page.goto(live_server.url + reverse("workshops:note_create", args=[cast.workshop.pk]))
        page.locator("#id_body").fill("نص قصير")
        page.get_by_text("Saved as draft at").wait_for(timeout=15_000)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        screenshot("note-editor-phone", of=page)
    finally:
        context.close()
