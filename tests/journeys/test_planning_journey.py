"""Journey a: programme staff plan by keyboard alone, from signing in to a balanced delegation.

Every page on the way passes axe (WCAG 2.0/2.1 A and AA, no serious or critical violation);
the main forms are used with Tab, typing, Space and Enter only, and each control reached
shows a focus ring. The balance panel says in words and numbers what its bars show.
"""

import pytest
from playwright.sync_api import expect

from dialogues.models import Program
from tests import factories
from tests.accessibility import (
    assert_accessible,
    skip_to_content,
    tab_to,
    type_date,
    type_datetime,
)
from tests.factories import DEMO_PASSWORD
from workshops.models import Invitation, Session, Workshop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def type_into(page, selector: str, text: str) -> None:
    """Tab to the field, then type as a person would."""
    tab_to(page, selector)
    page.keyboard.type(text)


def test_staff_plan_a_workshop_and_a_balanced_delegation_by_keyboard(page, live_server, cast):
    registry = factories.cyprus_registry()
    greek, turkish, religious = registry.greek, registry.turkish, registry.religious

    # Sign in: Tab to each field, type, Enter.
    page.goto(f"{live_server.url}/")
    page.get_by_role("heading", name="Sign in to Olive Branch").wait_for()
    assert_accessible(page)
    type_into(page, "#id_username", "staff-user")
    type_into(page, "#id_password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your programs").wait_for()
    assert_accessible(page)

    # The skip link is the first stop, and the navigation is reachable by keyboard.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    tab_to(page, ".ob-navbar a.nav-link[href$='/programs/']")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="New program").wait_for()
    assert_accessible(page)
    skip_to_content(page)
    tab_to(page, "main a[href$='/programs/new/']")
    page.keyboard.press("Enter")

    # A new program, keyboard only.
    page.get_by_role("heading", name="New program").wait_for()
    assert_accessible(page)
    type_into(page, "#id_name", "Cyprus youth dialogue 2027")  # the name has the focus
    tab_to(page, f"input[name='communities'][value='{greek.pk}']")
    page.keyboard.press("Space")
    tab_to(page, f"input[name='communities'][value='{turkish.pk}']")
    page.keyboard.press("Space")
    tab_to(page, f"input[name='target_sectors'][value='{religious.pk}']")
    page.keyboard.press("Space")
    tab_to(page, "#id_starts_on")
    type_date(page, "2027-01-10")
    page.keyboard.press("Enter")  # implicit submission from the date field
    page.get_by_role("heading", name="Cyprus youth dialogue 2027").wait_for()
    program = Program.objects.get(name="Cyprus youth dialogue 2027")
    assert set(program.communities.all()) == {greek, turkish}
    assert list(program.target_sectors.all()) == [religious]
    assert str(program.starts_on) == "2027-01-10"
    assert_accessible(page)

    # A workshop, keyboard only.
    skip_to_content(page)
    tab_to(page, "main a[href*='/workshops/program/'][href$='/new/']")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="New workshop").wait_for()
    assert_accessible(page)
    type_into(page, "#id_title", "Nicosia living-room dialogue")
    tab_to(page, "#id_capacity")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("4")
    tab_to(page, "#id_starts_local")
    type_datetime(page, "2027-03-05T09:00")
    tab_to(page, "#id_ends_local")
    type_datetime(page, "2027-03-06T17:00")
    tab_to(page, "#id_time_zone")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Asia/Nicosia")
    type_into(page, "#id_venue_city", "Nicosia")
    page.keyboard.press("Enter")  # implicit submission from a text field
    page.get_by_role("heading", name="Nicosia living-room dialogue").wait_for()
    workshop = Workshop.objects.get(program=program)
    assert workshop.capacity == 4 and workshop.time_zone == "Asia/Nicosia"
    assert_accessible(page)

    # The agenda (an htmx form): two sessions, Enter on the button to add each. htmx replaces
    # the whole agenda, and gives the focus back to the button (it is not lost to the top of
    # the page): from there Shift+Tab goes back up to the title for the next session.
    skip_to_content(page)
    for n, (title, starts, ends) in enumerate(
        [
            ("Opening circle", "2027-03-05T09:00", "2027-03-05T10:30"),
            ("Shared stories", "2027-03-05T11:00", "2027-03-05T12:30"),
        ]
    ):
        tab_to(page, "#agenda input[name$='title']", backwards=n > 0)
        page.keyboard.type(title)
        tab_to(page, "#agenda input[name$='starts_local']")
        type_datetime(page, starts)
        tab_to(page, "#agenda input[name$='ends_local']")
        type_datetime(page, ends)
        tab_to(page, "#agenda-add-session")
        page.keyboard.press("Enter")
        page.locator("#agenda li", has_text=title).wait_for()
        # The focus moves once htmx has settled, a moment after the swap: poll for it.
        expect(page.locator("#agenda-add-session")).to_be_focused()
    assert list(
        Session.objects.filter(workshop=workshop)
        .order_by("starts_at")
        .values_list("title", flat=True)
    ) == ["Opening circle", "Shared stories"]
    assert_accessible(page)

    # The delegation: Space ticks people, Enter adds them.
    tab_to(page, "main a[href$='/delegation/']")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Find people in the registry").wait_for()
    assert_accessible(page)
    skip_to_content(page)
    for name in ("Andreas Georgiou", "Eleni Charalambous", "Maria Ioannou"):  # as listed
        tab_to(page, page.get_by_label(f"Select {name}"))
        page.keyboard.press("Space")
    # The button is above the table: back up to it.
    tab_to(page, "form[action$='/delegation/add/'] button[type='submit']", backwards=True)
    page.keyboard.press("Enter")
    page.get_by_text("3 people added to the invite list.").wait_for()
    # The message is at the top of the new page; the balance panel is parsed after the
    # registry's table, maybe a moment later: wait for it rather than read it once.
    balance = page.locator("#balance")
    expect(balance).to_contain_text("Communities are unbalanced", use_inner_text=True)
    assert_accessible(page)
    balance_says_it_in_words(page, {"Greek Cypriot": "3", "Turkish Cypriot": "0"})

    skip_to_content(page)
    for name in ("Ayşe Kaya", "Mehmet Yilmaz"):
        tab_to(page, page.get_by_label(f"Select {name}"))
        page.keyboard.press("Space")
    # The button is above the table: back up to it.
    tab_to(page, "form[action$='/delegation/add/'] button[type='submit']", backwards=True)
    page.keyboard.press("Enter")
    page.get_by_text("1 person went to the waitlist").wait_for()
    skip_to_content(page)
    tab_to(page, page.get_by_role("button", name="Remove Maria Ioannou"))
    page.keyboard.press("Space")
    page.get_by_text("moved up from the waitlist.").wait_for()
    page.get_by_test_id("balance-ok").wait_for()
    assert_accessible(page)
    balance_says_it_in_words(page, {"Greek Cypriot": "2", "Turkish Cypriot": "2"})
    assert Invitation.objects.filter(workshop=workshop, status="draft").count() == 4


def balance_says_it_in_words(page, counts: dict[str, str]) -> None:
    """Colour is not the only carrier: each bar of the balance panel is hidden from
    assistive technology and has its label, its count and its share written beside it;
    the verdict is a sentence with an icon, not a colour."""
    balance = page.locator("#balance")
    rows = balance.locator("table.balance-table tbody tr")
    seen = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        cells = row.locator("th, td").all_inner_texts()
        label, count, share = (text.strip() for text in cells)
        assert label and count.isdigit() and share.endswith("%"), cells
        assert row.locator(".balance-bar").get_attribute("aria-hidden") == "true"
        seen[label] = count
    for label, count in counts.items():
        assert seen.get(label) == count, seen
    verdict = balance.locator("[data-testid=balance-ok], [data-testid=balance-warnings] li")
    assert verdict.count() >= 1
    for text in verdict.all_inner_texts():
        assert len(text.strip()) > 20, "the verdict is written out"
