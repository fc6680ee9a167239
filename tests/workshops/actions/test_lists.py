"""The three lists of follow-up actions: who sees which, overdue ones called out, the
filters, owners shown safely, and a query count independent of the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants import safety
from tests import factories
from tests.html import assert_valid_page
from workshops.models import NoteLevel

pytestmark = pytest.mark.django_db

WORKSHOP_LIST = {
    "admin": 200,
    "staff": 200,
    "facilitator": 200,
    "observer": 200,
    "other_facilitator": 404,
    "other_staff": 404,
    "outsider": 404,
}
PROGRAM_LIST = {**WORKSHOP_LIST, "other_facilitator": 200}


@pytest.mark.parametrize(("role", "status"), WORKSHOP_LIST.items())
def test_workshop_list_by_role(client, cast, actions, role, status):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("workshops:actions", args=[cast.workshop.pk]))
    assert response.status_code == status
    if status == 200:
        assert_valid_page(response)
        html = response.content.decode()
        assert "Circulate the minutes" in html
        assert "Translate the agenda" not in html  # another workshop


@pytest.mark.parametrize(("role", "status"), PROGRAM_LIST.items())
def test_program_list_by_role(client, cast, actions, role, status):
    user = getattr(cast, role)
    client.force_login(user)
    response = client.get(reverse("workshops:program_actions", args=[cast.program.pk]))
    assert response.status_code == status
    if status == 200:
        assert_valid_page(response)
        html = response.content.decode()
        # Each sees the actions of the workshops they may see.
        assert ("Circulate the minutes" in html) == (role != "other_facilitator")
        assert ("Translate the agenda" in html) == (role != "facilitator")


@pytest.mark.parametrize("role", [*WORKSHOP_LIST])
def test_mine_lists_only_what_the_user_owns(client, cast, actions, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("workshops:actions_mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert ("Circulate the minutes" in html) == (role == "facilitator")
    assert ("Book the venue" in html) == (role == "staff")
    assert ("Translate the agenda" in html) == (role == "other_facilitator")
    assert "Introduce the mayors" not in html  # a participant owns it


@pytest.mark.parametrize("name", ["actions", "actions_mine"])
def test_anonymous_is_sent_to_sign_in(client, cast, name):
    url = reverse(f"workshops:{name}", args=[cast.workshop.pk] if name == "actions" else [])
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_overdue_actions_are_labelled_not_only_coloured(client, cast, actions):
    client.force_login(cast.staff)
    html = client.get(reverse("workshops:actions", args=[cast.workshop.pk])).content.decode()
    rows = {row.split("</tr>")[0] for row in html.split('data-testid="action-row"')[1:]}
    overdue = next(row for row in rows if "Circulate the minutes" in row)
    later = next(row for row in rows if "Introduce the mayors" in row)
    done = next(row for row in rows if "Book the venue" in row)  # past due but finished
    assert "Overdue" in overdue and "bi-exclamation-triangle-fill" in overdue
    assert "Overdue" not in later and "Overdue" not in done
    assert "1 overdue" in html


def test_unfinished_come_first_soonest_due_first(client, cast, actions):
    client.force_login(cast.staff)
    html = client.get(reverse("workshops:actions", args=[cast.workshop.pk])).content.decode()
    order = [html.index(text) for text in ("Circulate", "Introduce", "Book the venue")]
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("overdue=on", {"Circulate the minutes"}),
        ("status=done", {"Book the venue"}),
        ("status=unfinished", {"Circulate the minutes", "Introduce the mayors"}),
        ("status=open&overdue=on", {"Circulate the minutes"}),
    ],
)
def test_filters(client, cast, actions, query, shown):
    client.force_login(cast.staff)
    url = reverse("workshops:actions", args=[cast.workshop.pk])
    html = client.get(f"{url}?{query}").content.decode()
    every = {"Circulate the minutes", "Introduce the mayors", "Book the venue"}
    assert {text for text in every if text in html} == shown


def test_owner_filter(client, cast, actions):
    client.force_login(cast.staff)
    url = reverse("workshops:actions", args=[cast.workshop.pk])
    html = client.get(f"{url}?owner=p:{actions.hidden.pk}").content.decode()
    assert "Introduce the mayors" in html and "Circulate the minutes" not in html
    html = client.get(f"{url}?owner=u:{cast.facilitator.pk}").content.decode()
    assert "Circulate the minutes" in html and "Introduce the mayors" not in html


def test_high_risk_owner_by_name_for_the_team_by_pseudonym_for_observers(client, cast, actions):
    url = reverse("workshops:actions", args=[cast.workshop.pk])
    code = safety.pseudonym(actions.hidden)
    client.force_login(cast.staff)
    html = client.get(url).content.decode()
    assert "Layla Haddad" in html
    client.force_login(cast.observer)
    html = client.get(url).content.decode()
    assert "Layla Haddad" not in html  # neither in the rows nor in the owner filter
    assert code in html


def test_observers_do_not_see_actions_of_notes_they_may_not_read(client, cast, actions):
    for level in (NoteLevel.RESTRICTED, NoteLevel.TEAM, NoteLevel.SHAREABLE):
        note = factories.SessionNoteFactory(
            workshop=cast.workshop, level=level, title=f"{level} note", author=cast.facilitator
        )
        factories.FollowUpActionFactory(
            workshop=cast.workshop, note=note, description=f"Action of the {level} note"
        )
    url = reverse("workshops:actions", args=[cast.workshop.pk])
    client.force_login(cast.observer)
    html = client.get(url).content.decode()
    assert "Action of the shareable note" in html and "shareable note" in html
    assert "Action of the team note" not in html
    assert "Action of the restricted note" not in html
    client.force_login(cast.staff)
    html = client.get(url).content.decode()
    # Staff follow every action up, but the title of a note they may not read stays hidden.
    assert "Action of the restricted note" in html
    assert "restricted note</span>" not in html
    assert "team note</span>" in html


def test_the_list_costs_the_same_queries_for_more_rows(
    client, cast, actions, django_assert_max_num_queries
):
    client.force_login(cast.staff)
    url = reverse("workshops:program_actions", args=[cast.program.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        person = factories.ParticipantFactory()
        note = factories.SessionNoteFactory(workshop=cast.other_workshop, level="team")
        factories.FollowUpActionFactory(
            workshop=cast.other_workshop if n % 2 else cast.workshop,
            owner_user=None,
            owner_participant=person,
            note=note,
        )
        factories.FollowUpActionFactory(workshop=cast.workshop)
    with django_assert_max_num_queries(len(few)):
        client.get(url)
