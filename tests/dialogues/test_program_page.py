"""A program's page lists its workshops a page at a time: every visible workshop on exactly
one page, in start order, with the right counts, to the same people as before, in a number
of queries that does not grow with the program."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues.selectors import WORKSHOPS_PER_PAGE
from tests import factories
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

EXTRA = WORKSHOPS_PER_PAGE + 3  # with the cast's two: a full first page and five more


def url(program, page=None) -> str:
    base = reverse("dialogues:detail", args=[program.pk])
    return f"{base}?page={page}" if page is not None else base


def add_workshops(program, n: int, **kwargs) -> list[Workshop]:
    start = timezone.now() + timedelta(days=30)
    return [
        factories.WorkshopFactory(
            program=program,
            title=f"Paged workshop {i:02d}",
            starts_at=start + timedelta(days=i),
            **kwargs,
        )
        for i in range(n)
    ]


def titles(html: str) -> list[str]:
    return re.findall(r'<a href="/workshops/\d+/">([^<]+)</a>', html)


def in_start_order(program) -> list[str]:
    return list(
        Workshop.objects.filter(program=program)
        .order_by("starts_at", "pk")
        .values_list("title", flat=True)
    )


def test_page_two_shows_the_rest_in_start_order(client, cast):
    add_workshops(cast.program, EXTRA)
    client.force_login(cast.staff)
    first = client.get(url(cast.program)).content.decode()
    second = client.get(url(cast.program, 2)).content.decode()
    total = EXTRA + 2
    assert titles(first) == in_start_order(cast.program)[:WORKSHOPS_PER_PAGE]
    assert titles(second) == in_start_order(cast.program)[WORKSHOPS_PER_PAGE:]
    assert f"1–{WORKSHOPS_PER_PAGE} of {total}" in first
    assert f"{WORKSHOPS_PER_PAGE + 1}–{total} of {total}" in second
    assert "Page 1 of 2" in first and 'href="?page=2"' in first and 'href="?page=1"' not in first
    assert "Page 2 of 2" in second and 'href="?page=1"' in second and 'href="?page=2"' not in second


@pytest.mark.parametrize(("asked", "shown"), [("abc", 1), ("0", 2), ("99", 2), ("", 1)])
def test_a_bad_page_number_shows_a_page_rather_than_an_error(client, cast, asked, shown):
    add_workshops(cast.program, EXTRA)
    client.force_login(cast.staff)
    response = client.get(url(cast.program, asked))
    assert response.status_code == 200
    assert f"Page {shown} of 2" in response.content.decode()


def test_a_short_program_has_no_page_links(client, cast):
    client.force_login(cast.staff)
    html = client.get(url(cast.program)).content.decode()
    assert len(titles(html)) == 2 and "1–2 of 2" in html
    assert "Page 1 of" not in html and "?page=" not in html


def test_counts_of_a_workshop_on_page_two(client, cast):
    workshops = add_workshops(cast.program, EXTRA, capacity=30)
    last = workshops[-1]
    for status in ["accepted", "accepted", "invited", "waitlisted", "declined", "withdrawn"]:
        factories.InvitationFactory(workshop=last, status=status)
    client.force_login(cast.staff)
    html = client.get(url(cast.program, 2)).content.decode()
    row = html.split(f'href="/workshops/{last.pk}/"')[1].split("</tr>")[0]
    assert "2 / 30" in row  # accepted / capacity
    assert "4 on the list" in row  # neither declined nor withdrawn


def test_a_facilitator_pages_through_own_workshops_only(client, cast):
    mine = add_workshops(cast.program, 3, facilitators=[cast.facilitator])
    add_workshops(cast.program, EXTRA)
    client.force_login(cast.facilitator)
    html = client.get(url(cast.program)).content.decode()
    assert sorted(titles(html)) == sorted([cast.workshop.title, *(w.title for w in mine)])
    assert "1–4 of 4" in html and "?page=" not in html
    assert titles(client.get(url(cast.program, 2)).content.decode()) == titles(html)


@pytest.mark.parametrize("role", ["other_staff", "outsider"])
def test_other_pages_stay_closed_to_people_outside_the_program(client, cast, role):
    add_workshops(cast.program, EXTRA)
    client.force_login(getattr(cast, role))
    assert client.get(url(cast.program, 2)).status_code == 404


def test_anonymous_visitors_of_page_two_are_sent_to_sign_in(client, cast):
    response = client.get(url(cast.program, 2))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_queries_do_not_grow_with_the_program(client, cast, django_assert_max_num_queries):
    client.force_login(cast.staff)
    client.get(url(cast.program))
    with django_assert_max_num_queries(16) as small:
        client.get(url(cast.program))
    for workshop in add_workshops(cast.program, EXTRA):
        factories.SessionFactory(workshop=workshop)
        factories.InvitationFactory(workshop=workshop, status="accepted")
    for page in (1, 2):
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(url(cast.program, page)).status_code == 200
