"""My workshops: today (in the venue's zone), upcoming and past, per role, with links."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.html import assert_valid_page
from workshops.models import WorkshopStatus

pytestmark = pytest.mark.django_db

MINE = reverse("workshops:mine")


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(MINE)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(MINE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["admin", "staff", "facilitator", "observer", "outsider"])
def test_valid_for_every_role_and_never_cached(client, cast, role):
    client.force_login(getattr(cast, role))
    response = client.get(MINE)
    assert response.status_code == 200
    assert_valid_page(response)
    assert "no-store" in response["Cache-Control"]


def test_each_role_sees_the_workshops_it_runs(client, cast):
    facilitator = page(client, cast.facilitator)
    assert cast.workshop.title in facilitator and cast.other_workshop.title not in facilitator
    assert "you facilitate" in facilitator
    staff = page(client, cast.staff)
    assert cast.workshop.title in staff and cast.other_workshop.title in staff
    for role in ("observer", "outsider", "other_staff"):
        html = page(client, getattr(cast, role))
        assert cast.workshop.title not in html, role
    # Admins see the ones they run here, not every workshop.
    assert cast.workshop.title not in page(client, cast.admin)
    cast.workshop.facilitators.add(cast.admin)
    assert cast.workshop.title in page(client, cast.admin)


def test_today_upcoming_and_past_in_the_venue_time_zone(client, cast):
    # 23:30 UTC on 1 March is already 2 March in Nicosia (UTC+2) but still 1 March in
    # New York: a Nicosia workshop on 2 March is today, a New York one on 2 March is not.
    with time_machine.travel(datetime(2027, 3, 1, 23, 30, tzinfo=UTC), tick=False):
        nicosia = factories.WorkshopFactory(
            program=cast.program,
            title="Nicosia morning",
            facilitators=[cast.facilitator],
            time_zone="Asia/Nicosia",
            starts_at=datetime(2027, 3, 2, 7, 0, tzinfo=UTC),
            ends_at=datetime(2027, 3, 2, 15, 0, tzinfo=UTC),
        )
        factories.WorkshopFactory(
            program=cast.program,
            title="New York tomorrow",
            facilitators=[cast.facilitator],
            time_zone="America/New_York",
            starts_at=datetime(2027, 3, 2, 14, 0, tzinfo=UTC),
            ends_at=datetime(2027, 3, 2, 20, 0, tzinfo=UTC),
        )
        factories.WorkshopFactory(
            program=cast.program,
            title="Held in January",
            facilitators=[cast.facilitator],
            starts_at=datetime(2027, 1, 10, 7, 0, tzinfo=UTC),
            ends_at=datetime(2027, 1, 11, 7, 0, tzinfo=UTC),
        )
        factories.WorkshopFactory(
            program=cast.program,
            title="Called off today",
            facilitators=[cast.facilitator],
            status=WorkshopStatus.CANCELLED,
            starts_at=datetime(2027, 3, 2, 7, 0, tzinfo=UTC),
            ends_at=datetime(2027, 3, 2, 15, 0, tzinfo=UTC),
        )
        client.force_login(cast.facilitator)
        mine = client.get(MINE).context["mine"]
    titles = {
        part: [c.workshop.title for c in getattr(mine, part)]
        for part in ("today", "upcoming", "past")
    }
    assert titles["today"] == ["Nicosia morning"]
    assert "New York tomorrow" in titles["upcoming"] and "Called off today" in titles["upcoming"]
    # The cast's workshop (two weeks after the real today) is long over by March 2027.
    assert titles["past"] == ["Held in January", cast.workshop.title]
    assert mine.today[0].links[0].url == reverse("workshops:attendance", args=[nicosia.pk])


def test_each_card_links_to_attendance(client, cast):
    html = page(client, cast.facilitator)
    assert reverse("workshops:attendance", args=[cast.workshop.pk]) in html


def test_query_count_does_not_grow_with_workshops(client, cast, django_assert_max_num_queries):
    now = timezone.now()
    for n in range(12):
        workshop = factories.WorkshopFactory(
            program=cast.program,
            facilitators=[cast.facilitator],
            starts_at=now + timedelta(days=n - 6),
            ends_at=now + timedelta(days=n - 6, hours=6),
        )
        factories.SessionFactory(workshop=workshop)
        factories.InvitationFactory(workshop=workshop, status="accepted")
    client.force_login(cast.facilitator)
    with django_assert_max_num_queries(12):
        response = client.get(MINE)
    mine = response.context["mine"]
    assert len(mine.today) + len(mine.upcoming) + len(mine.past) == 13


def test_home_leads_a_facilitator_to_todays_attendance(client, cast):
    now = timezone.now()
    cast.workshop.starts_at = now - timedelta(hours=1)
    cast.workshop.ends_at = now + timedelta(hours=1)
    cast.workshop.time_zone = "UTC"
    cast.workshop.save()
    client.force_login(cast.facilitator)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert_valid_page(response)
    assert "You facilitate today" in html
    assert reverse("workshops:attendance", args=[cast.workshop.pk]) in html
    assert MINE in html
    # Staff of the program do not facilitate it: no "today" card, but the link to My workshops.
    client.force_login(cast.staff)
    html = client.get(reverse("home")).content.decode()
    assert "You facilitate today" not in html and MINE in html
    client.force_login(cast.observer)
    assert MINE not in client.get(reverse("home")).content.decode()
