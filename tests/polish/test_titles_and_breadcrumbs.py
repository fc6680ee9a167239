"""Every page has a specific <title>, and every page below the top level has a breadcrumb
trail (Programs › Program › Workshop › Page) below the navbar, its last step the page."""

import pytest
from django.urls import reverse

from tests.html import assert_valid_page
from tests.polish.pages import SITE, breadcrumbs, in_breadcrumb_block, parse, title_of

# (who, URL name, argument names, the trail's first steps or None at the top level)
PROGRAM = ["Programs", "Cyprus bi-communal dialogue"]
WORKSHOP = [*PROGRAM, "Nicosia living-room dialogue"]
PAGES = [
    # The top level: the navbar says where you are.
    ("staff", "home", [], None),
    ("staff", "dialogues:list", [], None),
    ("staff", "participants:list", [], None),
    ("staff", "workshops:calendar", [], None),
    ("staff", "workshops:mine", [], None),
    ("admin", "audit_log", [], None),
    ("admin", "retention", [], None),
    ("staff", "preferences", [], None),
    ("staff", "two_factor", [], ["Preferences"]),
    ("staff", "two_factor_setup", [], ["Preferences", "Two-factor authentication"]),
    # A program and what hangs from it.
    ("staff", "dialogues:detail", ["program"], ["Programs"]),
    ("staff", "dialogues:edit", ["program"], PROGRAM),
    ("staff", "dialogues:team", ["program"], PROGRAM),
    ("staff", "dialogues:dashboard", ["program"], PROGRAM),
    ("staff", "workshops:create", ["program"], PROGRAM),
    ("staff", "workshops:program_messages", ["program"], PROGRAM),
    ("staff", "workshops:message_templates", ["program"], PROGRAM),
    ("staff", "workshops:program_notes", ["program"], PROGRAM),
    ("staff", "workshops:program_actions", ["program"], PROGRAM),
    ("staff", "workshops:program_roster_export", ["program"], PROGRAM),
    # A workshop and its pages.
    ("staff", "workshops:detail", ["workshop"], PROGRAM),
    ("staff", "workshops:edit", ["workshop"], WORKSHOP),
    ("staff", "workshops:duplicate", ["workshop"], WORKSHOP),
    ("staff", "workshops:cancel", ["workshop"], WORKSHOP),
    ("staff", "workshops:delegation", ["workshop"], WORKSHOP),
    ("staff", "workshops:invitations_send", ["workshop"], WORKSHOP),
    ("staff", "workshops:messages", ["workshop"], WORKSHOP),
    ("staff", "workshops:notes", ["workshop"], WORKSHOP),
    ("staff", "workshops:actions", ["workshop"], WORKSHOP),
    ("staff", "workshops:action_create", ["workshop"], WORKSHOP),
    ("staff", "workshops:report", ["workshop"], WORKSHOP),
    ("staff", "workshops:roster_export", ["workshop"], WORKSHOP),
    ("staff", "workshops:roster_pdf", ["workshop"], WORKSHOP),
    ("facilitator", "workshops:attendance", ["workshop"], WORKSHOP),
    ("facilitator", "workshops:attendance_walk_in", ["workshop", "session"], WORKSHOP),
    ("facilitator", "workshops:note_create", ["workshop"], WORKSHOP),
    ("facilitator", "workshops:note", ["note"], WORKSHOP),
    ("facilitator", "workshops:note_history", ["note"], WORKSHOP),
    ("staff", "workshops:action_edit", ["action"], WORKSHOP),
    # The registry.
    ("admin", "participants:detail", ["person"], ["Participants"]),
    ("admin", "participants:create", [], ["Participants"]),
    ("admin", "participants:edit", ["person"], ["Participants", "Eleni Charalambous"]),
    ("admin", "participants:erase", ["person"], ["Participants", "Eleni Charalambous"]),
    ("admin", "participants:export_record", ["person"], ["Participants", "Eleni Charalambous"]),
    ("admin", "participants:merge", ["person", "other"], ["Participants"]),
    ("admin", "participants:import_upload", [], ["Participants"]),
    ("admin", "participants:duplicates", [], ["Participants"]),
    ("admin", "participants:export", [], ["Participants"]),
]


def fetch(client, cast, world, who: str, name: str, args: list[str]):
    client.force_login(getattr(cast, who))
    response = client.get(reverse(name, args=[world[a] for a in args]))
    assert response.status_code == 200, (name, response.status_code)
    return response


@pytest.mark.parametrize(("who", "name", "args", "trail"), PAGES, ids=[p[1] for p in PAGES])
def test_page_has_a_specific_title_and_its_place_in_a_trail(
    client, cast, world, who, name, args, trail
):
    response = fetch(client, cast, world, who, name, args)
    assert_valid_page(response)
    document = parse(response.content.decode())
    title = title_of(document)
    assert title.endswith(f" · {SITE}"), title
    specific = title.removesuffix(f" · {SITE}").strip(" ·")
    assert specific and specific != SITE, f"generic title on {name}: {title!r}"

    crumbs = breadcrumbs(document)
    if trail is None:
        assert crumbs is None, f"{name} is top level: the navbar says where it is"
        return
    assert crumbs, f"no breadcrumbs on {name}"
    assert in_breadcrumb_block(document), "the trail sits in base.html's block, below the navbar"
    assert [c.text for c in crumbs[: len(trail)]] == trail
    *steps, last = crumbs
    assert last.current and last.href is None, "the last step is this page, not a link"
    assert all(step.href and not step.current for step in steps), "every earlier step links back"


def test_titles_differ_from_page_to_page(client, cast, world):
    """Two tabs open on different pages can be told apart by their titles."""
    seen: dict[str, str] = {}
    for who, name, args, _trail in PAGES:
        title = title_of(parse(fetch(client, cast, world, who, name, args).content.decode()))
        assert title not in seen, f"{name} and {seen.get(title)} share the title {title!r}"
        seen[title] = name
