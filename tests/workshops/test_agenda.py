"""The agenda: sessions added, edited, moved and removed inline, inside the workshop and
without overlap unless parallel."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests import factories
from workshops.models import Session

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def workshop(cast):
    """5–6 March 2027 in Nicosia (UTC+2): 09:00 on the 5th to 17:00 on the 6th."""
    workshop = cast.workshop
    workshop.time_zone = "Asia/Nicosia"
    workshop.starts_at = datetime(2027, 3, 5, 7, 0, tzinfo=UTC)
    workshop.ends_at = datetime(2027, 3, 6, 15, 0, tzinfo=UTC)
    workshop.save()
    return workshop


def session_data(title="Opening circle", start="2027-03-05T09:00", end="2027-03-05T10:30", **extra):
    data = {
        "new-title": title,
        "new-starts_local": start,
        "new-ends_local": end,
        "new-room": "Hall",
    }
    data.update({f"new-{k}": v for k, v in extra.items()})
    return data


def add(client, workshop, **kwargs):
    return client.post(
        reverse("workshops:session_add", args=[workshop.pk]), session_data(**kwargs), **HX
    )


def test_add_a_session_in_venue_time_returns_the_agenda_partial(client, cast, workshop):
    client.force_login(cast.staff)
    response = add(client, workshop)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="agenda"' in html
    session = Session.objects.get(title="Opening circle")
    assert session.starts_at == datetime(2027, 3, 5, 7, 0, tzinfo=UTC)
    assert "Opening circle" in html and "09:00–10:30" in html


def test_sessions_stay_inside_the_workshop(client, cast, workshop):
    client.force_login(cast.staff)
    response = add(client, workshop, start="2027-03-05T08:00", end="2027-03-05T09:30")
    assert "Sessions take place within the workshop" in response.content.decode()
    response = add(client, workshop, start="2027-03-06T16:00", end="2027-03-06T18:00")
    assert "Sessions take place within the workshop" in response.content.decode()
    response = add(client, workshop, start="2027-03-05T11:00", end="2027-03-05T10:00")
    assert "must end after it starts" in response.content.decode()
    assert not Session.objects.exists()


def test_overlap_is_refused_unless_parallel(client, cast, workshop):
    client.force_login(cast.staff)
    add(client, workshop)
    response = add(
        client, workshop, title="Women's caucus", start="2027-03-05T10:00", end="2027-03-05T11:00"
    )
    assert "This overlaps “Opening circle”" in response.content.decode()
    assert not Session.objects.filter(title="Women's caucus").exists()
    add(
        client,
        workshop,
        title="Women's caucus",
        start="2027-03-05T10:00",
        end="2027-03-05T11:00",
        is_parallel="on",
    )
    assert Session.objects.get(title="Women's caucus").is_parallel
    # Back to back is not an overlap.
    add(client, workshop, title="Coffee", start="2027-03-05T10:30", end="2027-03-05T11:00")
    assert Session.objects.filter(title="Coffee").exists()


def test_edit_inline(client, cast, workshop):
    client.force_login(cast.staff)
    add(client, workshop)
    session = Session.objects.get()
    url = reverse("workshops:session_edit", args=[workshop.pk, session.pk])
    form = client.get(url, **HX).content.decode()
    assert 'name="edit-title"' in form and 'value="2027-03-05T09:00"' in form
    data = {
        "edit-title": "Opening",
        "edit-starts_local": "2027-03-05T09:30",
        "edit-ends_local": "2027-03-05T10:30",
    }
    client.post(url, data, **HX)
    session.refresh_from_db()
    assert (
        session.title == "Opening"
        and session.starts_at.hour == 7
        and session.starts_at.minute == 30
    )
    bad = client.post(url, {**data, "edit-ends_local": "2027-03-07T10:00"}, **HX)
    assert "Sessions take place within the workshop" in bad.content.decode()


def test_move_swaps_slots_keeping_lengths_and_gap(client, cast, workshop):
    client.force_login(cast.staff)
    add(client, workshop, title="A", start="2027-03-05T09:00", end="2027-03-05T10:00")
    add(client, workshop, title="B", start="2027-03-05T10:30", end="2027-03-05T12:30")
    b = Session.objects.get(title="B")
    client.post(
        reverse("workshops:session_move", args=[workshop.pk, b.pk]), {"direction": "up"}, **HX
    )
    a, b = Session.objects.get(title="A"), Session.objects.get(title="B")
    assert (b.starts_at, b.ends_at) == (
        datetime(2027, 3, 5, 7, 0, tzinfo=UTC),
        datetime(2027, 3, 5, 9, 0, tzinfo=UTC),
    )
    assert (a.starts_at, a.ends_at) == (
        datetime(2027, 3, 5, 9, 30, tzinfo=UTC),
        datetime(2027, 3, 5, 10, 30, tzinfo=UTC),
    )
    # The first session cannot move earlier: nothing changes.
    client.post(
        reverse("workshops:session_move", args=[workshop.pk, b.pk]), {"direction": "up"}, **HX
    )
    b.refresh_from_db()
    assert b.starts_at == datetime(2027, 3, 5, 7, 0, tzinfo=UTC)


def test_remove_unless_attendance_was_taken(client, cast, workshop):
    client.force_login(cast.staff)
    add(client, workshop)
    add(client, workshop, title="Closing", start="2027-03-06T15:00", end="2027-03-06T16:00")
    opening, closing = (
        Session.objects.get(title="Opening circle"),
        Session.objects.get(title="Closing"),
    )
    factories.AttendanceFactory(session=closing)
    client.post(reverse("workshops:session_remove", args=[workshop.pk, opening.pk]), **HX)
    assert not Session.objects.filter(pk=opening.pk).exists()
    response = client.post(
        reverse("workshops:session_remove", args=[workshop.pk, closing.pk]), **HX
    )
    assert "Attendance was taken in this session" in response.content.decode()
    assert Session.objects.filter(pk=closing.pk).exists()


def test_without_htmx_the_forms_still_work(client, cast, workshop):
    client.force_login(cast.staff)
    response = client.post(reverse("workshops:session_add", args=[workshop.pk]), session_data())
    assert response.status_code == 302 and response["Location"].endswith("#agenda")
    bad = client.post(
        reverse("workshops:session_add", args=[workshop.pk]),
        session_data(title="Too early", start="2027-03-04T09:00", end="2027-03-04T10:00"),
    )
    assert bad.status_code == 400 and "<html" in bad.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"), [("facilitator", 403), ("observer", 403), ("other_staff", 404)]
)
def test_only_programme_staff_edit_the_agenda(client, cast, workshop, role, expected):
    session = factories.SessionFactory(workshop=workshop)
    client.force_login(getattr(cast, role))
    assert add(client, workshop, title="Sneaky").status_code == expected
    for name in ("session_edit", "session_remove", "session_move"):
        url = reverse(f"workshops:{name}", args=[workshop.pk, session.pk])
        assert client.post(url, {"direction": "up"}).status_code == expected
    assert Session.objects.filter(pk=session.pk).exists()
    assert not Session.objects.filter(title="Sneaky").exists()


def test_a_session_of_another_workshop_is_not_reachable(client, cast, workshop):
    other = factories.SessionFactory(workshop=cast.other_workshop)
    client.force_login(cast.staff)
    url = reverse("workshops:session_remove", args=[workshop.pk, other.pk])
    assert client.post(url).status_code == 404
    assert Session.objects.filter(pk=other.pk).exists()
