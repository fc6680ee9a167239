"""The calendar: month grid, upcoming list, and each staff user's private iCalendar feed."""

import hashlib
import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import html5lib
import icalendar
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from dialogues.models import ProgramMembership, ProgramRole
from tests import factories
from tests.html import assert_valid_page
from workshops import calendar
from workshops.models import CalendarFeed, WorkshopStatus

pytestmark = pytest.mark.django_db

# A Wednesday morning in Nicosia; the cast's workshops start a fortnight later.
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
MONTH = reverse("workshops:calendar")
LIST = reverse("workshops:calendar_list")
MANAGE = reverse("workshops:calendar_feed_manage")
FEED_PATH = re.compile(r"/workshops/calendar/feed/([-\w]+)\.ics")


@pytest.fixture(autouse=True)
def frozen(request, time_machine):
    """The calendar's 'today' is NOW (the browser test keeps the real clock)."""
    if request.node.get_closest_marker("browser") is None:
        time_machine.move_to(NOW, tick=False)


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone))


def workshop_at(program, zone: str, starts: tuple, ends: tuple, **fields):
    return factories.WorkshopFactory(
        program=program,
        time_zone=zone,
        starts_at=local(zone, *starts),
        ends_at=local(zone, *ends),
        **fields,
    )


def shown(response) -> set[int]:
    """Primary keys of the workshops a calendar page shows."""
    return {int(pk) for pk in re.findall(r'data-workshop="(\d+)"', response.content.decode())}


def days_of(response, workshop) -> list[str]:
    """The grid days (YYYY-MM-DD) on which ``workshop`` appears."""
    document = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    return [
        cell.get("data-date")
        for cell in document.iter("td")
        if cell.get("data-date")
        and any(li.get("data-workshop") == str(workshop.pk) for li in cell.iter("li"))
    ]


def issue_feed(client, user) -> str:
    """Ask for a feed address as ``user`` and read it off the page shown once."""
    client.force_login(user)
    response = client.post(MANAGE, {"action": "issue", "next": LIST}, follow=True)
    assert response.status_code == 200
    match = FEED_PATH.search(response.content.decode())
    assert match, "the new address is shown after it is made"
    return match[1]


def feed_url(token: str) -> str:
    return reverse("workshops:calendar_feed", args=[token])


def read_feed(client, token: str) -> icalendar.Calendar:
    response = client.get(feed_url(token))
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def events(ical: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in ical.walk("VEVENT")}


def uid(workshop) -> str:
    return f"workshop-{workshop.pk}@olive-branch"


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [MONTH, LIST])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("login") + "?next="
    )


def test_anonymous_visitors_cannot_make_a_feed(client):
    response = client.post(MANAGE, {"action": "issue"})
    assert response.status_code == 302 and not CalendarFeed.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", {"workshop", "other_workshop", "elsewhere"}),
        ("staff", {"workshop", "other_workshop"}),
        ("other_staff", {"elsewhere"}),
        ("facilitator", {"workshop"}),
        ("other_facilitator", {"other_workshop"}),
        ("observer", {"workshop", "other_workshop"}),
        ("outsider", set()),
    ],
)
def test_each_role_sees_exactly_its_workshops(client, cast, role, expected):
    workshops = {
        "workshop": cast.workshop,
        "other_workshop": cast.other_workshop,
        "elsewhere": factories.WorkshopFactory(program=cast.other_program),
    }
    want = {workshops[name].pk for name in expected}
    client.force_login(getattr(cast, role))
    month = client.get(MONTH, {"month": "2026-12"})
    assert month.status_code == 200
    assert shown(month) == want
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert shown(listing) == want


def test_calendar_is_in_the_navigation_of_people_with_a_role(client, cast):
    client.force_login(cast.observer)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{MONTH}"' in page
    client.force_login(cast.outsider)
    assert f'href="{MONTH}"' not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("role", ["admin", "staff", "observer", "facilitator"])
def test_pages_are_valid_html(client, cast, role):
    cast.workshop.status = WorkshopStatus.CANCELLED
    cast.workshop.save()
    client.force_login(getattr(cast, role))
    assert_valid_page(client.get(MONTH))
    assert_valid_page(client.get(MONTH, {"month": "2026-12"}))
    assert_valid_page(client.get(LIST))
    assert_valid_page(client.get(LIST, {"past": "1"}))


# --- Month view ---------------------------------------------------------------------------------


def test_month_view_defaults_to_this_month_and_links_its_neighbours(client, cast):
    client.force_login(cast.staff)
    response = client.get(MONTH)
    page = response.content.decode()
    assert response.context["view"].month.param == "2026-12"
    assert "December 2026" in page
    assert 'href="?month=2026-11"' in page and 'href="?month=2027-01"' in page
    assert 'aria-current="date"' in page and 'data-date="2026-12-02"' in page


def test_month_navigation_crosses_years(client, cast):
    client.force_login(cast.staff)
    page = client.get(MONTH, {"month": "2027-01"}).content.decode()
    assert "January 2027" in page
    assert 'href="?month=2026-12"' in page and 'href="?month=2027-02"' in page
    assert 'aria-current="date"' not in page  # today is not on this grid
    assert shown(client.get(MONTH, {"month": "2027-01"})) == set()


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "abc", "2026", "99999-01", "0001-01", ""])
def test_a_bad_month_falls_back_to_this_month(client, cast, bad):
    client.force_login(cast.staff)
    response = client.get(MONTH, {"month": bad})
    assert response.status_code == 200
    assert response.context["view"].month.param == "2026-12"
    assert cast.workshop.pk in shown(response)


def test_a_multi_day_workshop_sits_on_each_venue_day(client, cast):
    # Monday 10:00 to Wednesday 17:00 in Nicosia.
    retreat = workshop_at(cast.program, "Asia/Nicosia", (2026, 12, 14, 10), (2026, 12, 16, 17))
    # 08:00 on Tuesday in Auckland is still Monday in UTC: the venue's date counts.
    auckland = workshop_at(cast.program, "Pacific/Auckland", (2026, 12, 15, 8), (2026, 12, 15, 12))
    # Ending at midnight does not spill into the next day.
    evening = workshop_at(cast.program, "Asia/Nicosia", (2026, 12, 18, 18), (2026, 12, 19, 0))
    # Across the end of the month: on the grid's trailing days, and on next month's grid.
    new_year = workshop_at(cast.program, "Asia/Nicosia", (2026, 12, 30, 9), (2027, 1, 2, 15))
    client.force_login(cast.staff)
    response = client.get(MONTH, {"month": "2026-12"})
    assert days_of(response, retreat) == ["2026-12-14", "2026-12-15", "2026-12-16"]
    assert days_of(response, auckland) == ["2026-12-15"]
    assert days_of(response, evening) == ["2026-12-18"]
    assert days_of(response, new_year) == ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]
    page = response.content.decode()
    assert "continues" in page
    january = client.get(MONTH, {"month": "2027-01"})
    assert days_of(january, new_year) == ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]
    assert {e.workshop.pk for e in january.context["view"].entries} == {new_year.pk}


def test_cancelled_workshops_are_struck_through_and_labelled(client, cast):
    cast.workshop.status = WorkshopStatus.CANCELLED
    cast.workshop.cancelled_at = timezone.now()
    cast.workshop.save()
    client.force_login(cast.staff)
    for response in (client.get(MONTH), client.get(LIST)):
        page = response.content.decode()
        assert f"<s>{cast.workshop.title}</s>" in page
        assert "Cancelled" in page
        assert f"<s>{cast.other_workshop.title}</s>" not in page


def test_workshops_link_to_their_page(client, cast):
    client.force_login(cast.staff)
    detail = reverse("workshops:detail", args=[cast.workshop.pk])
    assert f'href="{detail}"' in client.get(MONTH).content.decode()
    assert f'href="{detail}"' in client.get(LIST).content.decode()


# --- Times and zones ----------------------------------------------------------------------------


@pytest.fixture
def nicosia_workshop(cast):
    cast.workshop.time_zone = "Asia/Nicosia"
    cast.workshop.starts_at = local("Asia/Nicosia", 2026, 12, 14, 10)
    cast.workshop.ends_at = local("Asia/Nicosia", 2026, 12, 16, 17)
    cast.workshop.save()
    return cast.workshop


def test_times_are_shown_in_the_venue_zone(client, cast, nicosia_workshop):
    client.force_login(cast.staff)
    month = client.get(MONTH).content.decode()
    assert "10:00 EET" in month
    assert 'data-testid="viewer-time"' not in month
    listing = client.get(LIST).content.decode()
    assert "Mon 14 Dec 10:00 EET – Wed 16 Dec 2026 17:00 EET" in listing


def test_a_viewer_in_another_zone_also_sees_their_own_time(client, cast, nicosia_workshop):
    cast.staff.time_zone = "America/New_York"
    cast.staff.save()
    client.force_login(cast.staff)
    month = client.get(MONTH).content.decode()
    assert "10:00 EET" in month and "03:00 EST" in month
    listing = client.get(LIST).content.decode()
    assert "Mon 14 Dec 03:00 EST – Wed 16 Dec 2026 10:00 EST" in listing
    assert "your time" in listing


def test_a_viewer_on_the_same_clock_sees_the_time_once(client, cast, nicosia_workshop):
    cast.staff.time_zone = "Europe/Athens"  # another name, same offset in December
    cast.staff.save()
    client.force_login(cast.staff)
    assert 'data-testid="viewer-time"' not in client.get(MONTH).content.decode()
    assert 'data-testid="viewer-time"' not in client.get(LIST).content.decode()


def test_today_is_the_viewers_date(client, cast, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 11, 0, tzinfo=UTC), tick=False)
    client.force_login(cast.staff)
    assert 'data-date="2026-12-02" aria-current="date"' in client.get(MONTH).content.decode()
    cast.staff.time_zone = "Pacific/Kiritimati"  # UTC+14: already 01:00 on the 3rd
    cast.staff.save()
    assert 'data-date="2026-12-03" aria-current="date"' in client.get(MONTH).content.decode()


# --- Upcoming list ------------------------------------------------------------------------------


def test_the_list_groups_upcoming_workshops_by_month_and_can_include_past(client, cast):
    past = workshop_at(cast.program, "Asia/Nicosia", (2026, 10, 5, 9), (2026, 10, 6, 17))
    spring = workshop_at(cast.program, "Europe/Istanbul", (2027, 3, 1, 9), (2027, 3, 3, 17))
    client.force_login(cast.staff)
    response = client.get(LIST)
    months = [group.month.param for group in response.context["groups"]]
    assert months == ["2026-12", "2027-03"]
    assert past.pk not in shown(response) and spring.pk in shown(response)
    page = response.content.decode()
    assert page.index("December 2026") < page.index("March 2027")
    with_past = client.get(LIST, {"past": "1"})
    assert [g.month.param for g in with_past.context["groups"]] == [
        "2026-10",
        "2026-12",
        "2027-03",
    ]
    assert past.pk in shown(with_past)


def test_a_workshop_under_way_is_still_upcoming(client, cast):
    running = workshop_at(cast.program, "UTC", (2026, 12, 1, 9), (2026, 12, 3, 17))
    client.force_login(cast.staff)
    assert running.pk in shown(client.get(LIST))


@pytest.mark.parametrize("url", [MONTH, LIST])
def test_page_query_count_does_not_grow_with_workshops(client, cast, url):
    client.force_login(cast.staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    factories.WorkshopFactory(program=cast.program)
    few = count()
    for day in range(27):
        factories.WorkshopFactory(
            program=cast.program, starts_at=NOW + timedelta(days=day % 20, hours=1)
        )
    assert count() == few


# --- The feed: making, regenerating, revoking ---------------------------------------------------


def test_staff_make_a_feed_and_see_its_address_only_once(client, cast):
    token = issue_feed(client, cast.staff)
    assert len(token) >= 43  # 32 random bytes
    feed = CalendarFeed.objects.get(user=cast.staff)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(CalendarFeed.objects.values().get())
    page = client.get(LIST).content.decode()
    assert token not in page
    assert "Your feed is on" in page and "Make a new address" in page
    event = AuditEvent.objects.get(action="calendar_feed.create")
    assert event.actor == cast.staff and token not in str(event.data)


def test_the_page_showing_the_address_is_not_cached(client, cast):
    client.force_login(cast.staff)
    response = client.post(MANAGE, {"action": "issue", "next": MONTH}, follow=True)
    assert response.redirect_chain[-1][0] == MONTH + "#calendar-feed"
    assert "no-store" in response["Cache-Control"]
    assert FEED_PATH.search(response.content.decode())
    assert "webcal://" in response.content.decode()
    assert_valid_page(response)


@pytest.mark.parametrize("role", ["admin", "staff", "facilitator"])
def test_staff_like_roles_may_have_a_feed(client, cast, role):
    token = issue_feed(client, getattr(cast, role))
    assert read_feed(client, token)


@pytest.mark.parametrize("role", ["observer", "outsider"])
def test_observers_get_no_feed(client, cast, role):
    client.force_login(getattr(cast, role))
    page = client.get(LIST).content.decode()
    assert "calendar-feed" not in page and "private calendar address" not in page
    assert client.post(MANAGE, {"action": "issue"}).status_code == 403
    assert client.post(MANAGE, {"action": "revoke"}).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_the_service_refuses_a_feed_to_observers(cast):
    with pytest.raises(calendar.CalendarFeedError):
        calendar.calendar_feed_issue(user=cast.observer)
    assert not CalendarFeed.objects.exists()


def test_a_new_address_revokes_the_old_one(client, cast):
    old = issue_feed(client, cast.staff)
    new = issue_feed(client, cast.staff)
    assert old != new
    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200
    assert CalendarFeed.objects.filter(user=cast.staff).count() == 1
    assert AuditEvent.objects.filter(action="calendar_feed.regenerate").count() == 1


def test_switching_the_feed_off_revokes_its_address(client, cast):
    token = issue_feed(client, cast.staff)
    response = client.post(MANAGE, {"action": "revoke", "next": MONTH})
    assert response.status_code == 302 and response["Location"] == MONTH + "#calendar-feed"
    assert client.get(feed_url(token)).status_code == 404
    assert not CalendarFeed.objects.exists()
    event = AuditEvent.objects.get(action="calendar_feed.revoke")
    assert event.actor == cast.staff and event.data == {"user_id": cast.staff.pk}
    assert "Make my private calendar address" in client.get(LIST).content.decode()


def test_an_admin_can_revoke_a_leaked_address_in_the_admin(client, cast):
    token = issue_feed(client, cast.staff)
    feed = CalendarFeed.objects.get()
    client.force_login(cast.admin)
    admin_url = reverse("admin:workshops_calendarfeed_changelist")
    assert client.get(admin_url).status_code == 200
    assert client.get(reverse("admin:workshops_calendarfeed_add")).status_code == 403
    change = client.get(reverse("admin:workshops_calendarfeed_change", args=[feed.pk]))
    assert change.status_code == 200 and feed.token_hash not in change.content.decode()
    delete = reverse("admin:workshops_calendarfeed_delete", args=[feed.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert client.get(feed_url(token)).status_code == 404
    event = AuditEvent.objects.get(action="calendar_feed.revoke")
    assert event.actor == cast.admin and event.data == {"user_id": cast.staff.pk}


def test_manage_refuses_unknown_actions_and_foreign_redirects(client, cast):
    client.force_login(cast.staff)
    assert client.post(MANAGE, {"action": "explode"}).status_code == 400
    response = client.post(MANAGE, {"action": "issue", "next": "https://evil.example/"})
    assert response["Location"] == LIST + "#calendar-feed"
    assert client.get(MANAGE).status_code == 405


def test_unknown_tokens_answer_404(client, cast):
    issue_feed(client, cast.staff)
    client.logout()
    assert client.get(feed_url("not-a-token")).status_code == 404
    assert client.get(feed_url("A" * 43)).status_code == 404


def test_a_deactivated_users_feed_answers_404(client, cast):
    token = issue_feed(client, cast.staff)
    cast.staff.is_active = False
    cast.staff.save()
    assert client.get(feed_url(token)).status_code == 404


def test_a_user_who_is_no_longer_staff_loses_the_feed(client, cast):
    token = issue_feed(client, cast.staff)
    ProgramMembership.objects.filter(user=cast.staff).update(role=ProgramRole.OBSERVER)
    assert client.get(feed_url(token)).status_code == 404


def test_the_feed_follows_current_permissions(client, cast):
    elsewhere = factories.WorkshopFactory(program=cast.other_program)
    factories.MembershipFactory(
        program=cast.other_program, user=cast.staff, role=ProgramRole.MANAGER
    )
    token = issue_feed(client, cast.staff)
    client.logout()
    assert uid(elsewhere) in events(read_feed(client, token))
    ProgramMembership.objects.filter(user=cast.staff, program=cast.other_program).delete()
    assert set(events(read_feed(client, token))) == {uid(cast.workshop), uid(cast.other_workshop)}


# --- The feed's content -------------------------------------------------------------------------


def test_the_feed_is_a_private_icalendar_of_visible_workshops(client, cast):
    elsewhere = factories.WorkshopFactory(program=cast.other_program)
    token = issue_feed(client, cast.facilitator)
    client.logout()
    response = client.get(feed_url(token))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert "sessionid" not in response.cookies
    ical = icalendar.Calendar.from_ical(response.content)
    assert str(ical["VERSION"]) == "2.0" and "Olive Branch" in str(ical["PRODID"])
    found = events(ical)
    assert set(found) == {uid(cast.workshop)}
    assert uid(elsewhere) not in found and uid(cast.other_workshop) not in found


def test_feed_fetches_are_not_audited(client, cast):
    token = issue_feed(client, cast.staff)
    before = AuditEvent.objects.count()
    for _ in range(3):
        read_feed(client, token)
    assert AuditEvent.objects.count() == before
    assert CalendarFeed.objects.get().last_fetched_at == NOW


def test_an_event_carries_venue_time_place_link_and_status(client, cast):
    workshop = cast.workshop
    workshop.title = "Water and the Green Line"
    workshop.time_zone = "Asia/Nicosia"
    workshop.starts_at = local("Asia/Nicosia", 2026, 12, 14, 10)
    workshop.ends_at = local("Asia/Nicosia", 2026, 12, 16, 17)
    workshop.venue_name = "Home for Cooperation"
    workshop.venue_city = "Nicosia"
    workshop.venue_country = "CY"
    workshop.status = WorkshopStatus.CONFIRMED
    workshop.save()
    token = issue_feed(client, cast.staff)
    response = client.get(feed_url(token))
    text = response.content.decode()
    assert "DTSTART;TZID=Asia/Nicosia:20261214T100000" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Asia/Nicosia" in text
    event = events(icalendar.Calendar.from_ical(response.content))[uid(workshop)]
    assert event.decoded("DTSTART") == workshop.starts_at
    assert event.decoded("DTEND") == workshop.ends_at
    assert str(event["SUMMARY"]) == "Water and the Green Line"
    assert str(event["LOCATION"]) == "Home for Cooperation, Nicosia, Cyprus"
    assert str(event["DESCRIPTION"]) == cast.program.name
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == settings.SITE_URL + reverse("workshops:detail", args=[workshop.pk])
    assert event.decoded("LAST-MODIFIED") == workshop.updated_at


def test_sequence_grows_when_a_workshop_changes(client, cast, time_machine):
    token = issue_feed(client, cast.staff)
    before = int(events(read_feed(client, token))[uid(cast.workshop)]["SEQUENCE"])
    time_machine.move_to(NOW + timedelta(hours=2), tick=False)
    cast.workshop.venue_city = "Larnaca"
    cast.workshop.save()
    after = int(events(read_feed(client, token))[uid(cast.workshop)]["SEQUENCE"])
    assert after > before


@pytest.mark.parametrize(
    ("status", "cancelled", "expected"),
    [
        (WorkshopStatus.DRAFT, False, "TENTATIVE"),
        (WorkshopStatus.PLANNED, False, "TENTATIVE"),
        (WorkshopStatus.CONFIRMED, False, "CONFIRMED"),
        (WorkshopStatus.HELD, False, "CONFIRMED"),
        (WorkshopStatus.CANCELLED, True, "CANCELLED"),
        (WorkshopStatus.CONFIRMED, True, "CANCELLED"),  # cancelled_at wins
    ],
)
def test_feed_status_follows_the_workshop(client, cast, status, cancelled, expected):
    cast.workshop.status = status
    cast.workshop.cancelled_at = timezone.now() if cancelled else None
    cast.workshop.save()
    token = issue_feed(client, cast.staff)
    assert str(events(read_feed(client, token))[uid(cast.workshop)]["STATUS"]) == expected


def test_discreet_programs_show_a_code_name_and_no_venue(client, cast):
    cast.program.discreet_mode = True
    cast.program.save()
    cast.workshop.title = "Back-channel on the Karpas crossing"
    cast.workshop.code_name = "Olive grove"
    cast.workshop.venue_name = "Hotel Hilton"
    cast.workshop.venue_city = "Nicosia"
    cast.workshop.save()
    cast.other_workshop.code_name = ""
    cast.other_workshop.save()
    token = issue_feed(client, cast.staff)
    response = client.get(feed_url(token))
    text = response.content.decode()
    assert "Karpas" not in text and "Hilton" not in text and "Nicosia," not in text
    assert cast.program.name not in text and cast.other_workshop.title not in text
    found = events(icalendar.Calendar.from_ical(response.content))
    assert str(found[uid(cast.workshop)]["SUMMARY"]) == "Olive grove"
    assert str(found[uid(cast.other_workshop)]["SUMMARY"]) == "Workshop"
    assert "LOCATION" not in found[uid(cast.workshop)]
    assert str(found[uid(cast.workshop)]["CLASS"]) == "PRIVATE"


def test_the_feed_reaches_back_one_year(client, cast):
    recent = workshop_at(cast.program, "UTC", (2026, 1, 10, 9), (2026, 1, 11, 17))
    old = workshop_at(cast.program, "UTC", (2025, 11, 1, 9), (2025, 11, 2, 17))
    token = issue_feed(client, cast.staff)
    found = events(read_feed(client, token))
    assert uid(recent) in found and uid(old) not in found


def test_feed_query_count_does_not_grow_with_workshops(client, cast):
    token = issue_feed(client, cast.staff)
    client.logout()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(feed_url(token))
        assert response.status_code == 200
        return len(queries)

    factories.WorkshopFactory(program=cast.program)  # 3 workshops
    count()  # the first fetch records itself; later ones within the hour do not
    few = count()
    for _ in range(27):  # 30 workshops
        factories.WorkshopFactory(program=cast.program)
    assert count() == few
    assert len(events(read_feed(client, token))) == 30
    assert few <= 4


# --- In a browser -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_month_view_in_a_browser(page, live_server, cast, screenshot):
    from tests.core.test_browser import sign_in

    starts = (timezone.now() + timedelta(days=3)).astimezone(zoneinfo.ZoneInfo("Asia/Nicosia"))
    starts = starts.replace(hour=10, minute=0, second=0, microsecond=0)
    workshop_at(
        cast.program,
        "Asia/Nicosia",
        starts.timetuple()[:5],
        (starts + timedelta(days=2, hours=7)).timetuple()[:5],
        title="Water and the Green Line",
        status=WorkshopStatus.CONFIRMED,
        venue_city="Nicosia",
    )
    cast.other_workshop.title = "Mediators' training"
    cast.other_workshop.starts_at = starts + timedelta(days=1, hours=4)
    cast.other_workshop.ends_at = starts + timedelta(days=1, hours=8)
    cast.other_workshop.status = WorkshopStatus.CANCELLED
    cast.other_workshop.cancelled_at = timezone.now()
    cast.other_workshop.save()
    cast.staff.time_zone = "Europe/London"
    cast.staff.save()
    sign_in(page, live_server, "staff-user")
    page.get_by_role("link", name="Calendar").click()
    page.get_by_role("heading", name="Calendar", exact=True).wait_for()
    month = f"?month={starts:%Y-%m}"
    page.goto(f"{live_server.url}{MONTH}{month}")
    grid = page.get_by_test_id("month-grid")
    assert grid.is_visible()
    assert "Water and the Green Line" in grid.inner_text()
    assert "Cancelled" in grid.inner_text()
    screenshot("calendar-month")

    page.get_by_role("button", name="Make my private calendar address").click()
    address = page.get_by_label("Your private calendar address (shown only this once)")
    assert FEED_PATH.search(address.input_value())
    screenshot("calendar-feed-made")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{MONTH}{month}")
    assert not grid.is_visible()
    assert "Water and the Green Line" in page.get_by_test_id("month-list").inner_text()
    screenshot("calendar-month-phone")
    page.get_by_role("link", name="List").click()
    page.get_by_role("heading", name=f"{starts:%B %Y}").wait_for()
    screenshot("calendar-list-phone")


def test_list_view_shows_fifty_workshops_a_page(client, cast):
    start = datetime.now(UTC) + timedelta(days=1)
    for i in range(55):
        factories.WorkshopFactory(
            program=cast.program, title=f"Round {i:02d}", starts_at=start + timedelta(days=i)
        )
    client.force_login(cast.staff)
    url = reverse("workshops:calendar_list")
    first = client.get(url).content.decode()
    assert "Round 00" in first and "Round 47" in first and "Round 49" not in first
    assert "page=2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Round 49" in second and "Round 54" in second and "Round 00" not in second
    assert client.get(url, {"page": "x"}).status_code == 200
