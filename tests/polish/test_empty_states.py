"""Empty lists say what the list is for and offer the next step, as a button, only to those
whose role may take it (templates/_empty_state.html)."""

import pytest
from django.urls import reverse

from dialogues.models import ProgramRole
from tests import factories
from tests.polish.pages import parse, text_of


def empty_state(response):
    """The empty state's text and the links it offers ({label: href}), or None."""
    assert response.status_code == 200
    document = parse(response.content.decode())
    found = [d for d in document.iter("div") if d.get("data-testid") == "empty-state"]
    if not found:
        return None
    box = found[0]
    icons = [i for i in box.iter("i") if "ob-empty-icon" in (i.get("class") or "")]
    assert icons and icons[0].get("aria-hidden") == "true", "an icon, hidden from screen readers"
    return text_of(box), {text_of(a): a.get("href") for a in box.iter("a")}


@pytest.fixture
def empty_program(cast):
    """A program with no workshop yet: the cast's staff run it, its observer watches."""
    program = factories.ProgramFactory(name="Caucasus dialogue")
    factories.MembershipFactory(program=program, user=cast.staff, role=ProgramRole.MANAGER)
    factories.MembershipFactory(program=program, user=cast.observer, role=ProgramRole.OBSERVER)
    return program


def test_a_program_without_workshops_offers_its_staff_the_first_one(client, cast, empty_program):
    client.force_login(cast.staff)
    text, links = empty_state(client.get(reverse("dialogues:detail", args=[empty_program.pk])))
    assert "No workshops yet" in text
    assert links == {"Add the first workshop": reverse("workshops:create", args=[empty_program.pk])}


def test_an_observer_sees_the_empty_program_without_an_add_button(client, cast, empty_program):
    client.force_login(cast.observer)
    text, links = empty_state(client.get(reverse("dialogues:detail", args=[empty_program.pk])))
    assert "No workshops you can see yet." in text
    assert links == {}


def test_no_archived_programs_leads_back_to_the_current_ones(client, cast):
    client.force_login(cast.staff)
    text, links = empty_state(client.get(reverse("dialogues:list") + "?archived=1"))
    assert "No archived programs." in text
    assert links == {"Back to current programs": reverse("dialogues:list")}


def test_an_empty_registry_offers_editors_to_add_or_import(client, cast):
    client.force_login(cast.admin)
    text, links = empty_state(client.get(reverse("participants:list")))
    assert "The registry holds everyone" in text
    assert links == {
        "Add participant": reverse("participants:create"),
        "Upload a spreadsheet": reverse("participants:import_upload"),
    }


def test_filters_that_hide_everyone_offer_to_clear_them(client, cast):
    factories.ParticipantFactory(full_name="Eleni Charalambous")
    client.force_login(cast.admin)
    text, links = empty_state(client.get(reverse("participants:list") + "?q=Zzyzx"))
    assert "Nobody matches." in text
    assert links == {"Clear the filters": reverse("participants:list")}


@pytest.mark.parametrize(
    ("who", "url_name", "label", "target"),
    [
        ("staff", "workshops:actions", "Add an action", "workshops:action_create"),
        ("facilitator", "workshops:notes", "New note", "workshops:note_create"),
        ("staff", "workshops:messages", "Send invitations", "workshops:invitations_send"),
        ("staff", "workshops:invitations_send", "Build delegation", "workshops:delegation"),
    ],
)
def test_an_empty_workshop_list_offers_its_next_step(client, cast, who, url_name, label, target):
    client.force_login(getattr(cast, who))
    _text, links = empty_state(client.get(reverse(url_name, args=[cast.workshop.pk])))
    assert links.get(label) == reverse(target, args=[cast.workshop.pk])


def test_an_observer_reads_empty_notes_without_a_new_note_button(client, cast):
    client.force_login(cast.observer)
    text, links = empty_state(
        client.get(reverse("workshops:program_notes", args=[cast.program.pk]))
    )
    assert "No notes yet" in text and links == {}


def test_my_workshops_when_none_points_to_the_calendar(client, cast):
    runner = factories.UserFactory(username="new-facilitator")
    factories.MembershipFactory(program=cast.program, user=runner, role=ProgramRole.FACILITATOR)
    client.force_login(runner)
    text, links = empty_state(client.get(reverse("workshops:mine")))
    assert "You do not run any workshop yet." in text
    assert links == {"Calendar": reverse("workshops:calendar")}


def test_no_upcoming_workshops_offers_the_past_ones(client, cast):
    cast.workshop.delete()
    cast.other_workshop.delete()
    client.force_login(cast.staff)
    text, links = empty_state(client.get(reverse("workshops:calendar_list")))
    assert "No upcoming workshops." in text
    assert links == {"Include past workshops": reverse("workshops:calendar_list") + "?past=1"}
