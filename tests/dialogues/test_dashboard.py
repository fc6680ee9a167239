"""The program dashboard: who may see it, its arithmetic on a hand-built program, no names,
a fixed number of queries, a valid page."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues import dashboard
from participants.models import Participant
from tests import factories
from tests.html import assert_valid_page
from workshops.models import (
    ActionStatus,
    AttendanceStatus,
    InvitationStatus,
    Workshop,
    WorkshopStatus,
)

pytestmark = pytest.mark.django_db

A, INV, D, DR, WL, WD = (
    InvitationStatus.ACCEPTED,
    InvitationStatus.INVITED,
    InvitationStatus.DECLINED,
    InvitationStatus.DRAFT,
    InvitationStatus.WAITLISTED,
    InvitationStatus.WITHDRAWN,
)
PRESENT, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT


def url(program) -> str:
    return reverse("dialogues:dashboard", args=[program.pk])


# --- Who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("facilitator", 200),
        ("other_facilitator", 200),
        ("observer", 200),
        ("other_staff", 404),
        ("outsider", 404),
    ],
)
def test_dashboard_opens_to_the_program_team_only(client, cast, role, status):
    client.force_login(getattr(cast, role))
    response = client.get(url(cast.program))
    assert response.status_code == status
    if status == 200:
        assert_valid_page(response)
        assert cast.program.name in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, cast):
    response = client.get(url(cast.program))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_facilitator_of_a_workshop_without_a_program_role_sees_the_dashboard(client, cast):
    guest = factories.UserFactory(username="guest-facilitator")
    factories.WorkshopFactory(program=cast.program, facilitators=[guest])
    client.force_login(guest)
    assert client.get(url(cast.program)).status_code == 200
    assert client.get(url(cast.other_program)).status_code == 404


def test_unknown_program_answers_404_like_a_foreign_one(client, cast):
    client.force_login(cast.admin)
    assert client.get(reverse("dialogues:dashboard", args=[987654])).status_code == 404


def test_only_get_is_allowed(client, cast):
    client.force_login(cast.staff)
    assert client.post(url(cast.program)).status_code == 405


def test_facilitator_sees_the_titles_of_own_workshops_only(client, cast):
    cast.workshop.title = "Nicosia water workshop"
    cast.workshop.save()
    cast.other_workshop.title = "Famagusta heritage workshop"
    cast.other_workshop.save()
    client.force_login(cast.facilitator)
    page = client.get(url(cast.program)).content.decode()
    assert "Nicosia water workshop" in page
    assert "Famagusta heritage workshop" not in page
    assert "Workshop of another team" in page
    client.force_login(cast.observer)
    assert "Famagusta heritage workshop" in client.get(url(cast.program)).content.decode()


def test_cached_timeline_follows_a_change_to_a_workshop(client, cast):
    planned = 'href="#ob-mark-planned"'
    client.force_login(cast.staff)
    assert client.get(url(cast.program)).content.decode().count(planned) == 1  # the legend
    cast.workshop.status = WorkshopStatus.PLANNED
    cast.workshop.title = "Renamed workshop"
    cast.workshop.save()
    page = client.get(url(cast.program)).content.decode()
    assert "Renamed workshop" in page
    assert page.count(planned) == 3  # the legend, the chart and the table


# --- The arithmetic, on a program built by hand -------------------------------------------------


@dataclass
class Example:
    program: object
    people: dict
    workshops: dict


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def _workshop(program, when: datetime, status=WorkshopStatus.HELD, **extra) -> Workshop:
    return factories.WorkshopFactory(
        program=program, starts_at=when, ends_at=when + timedelta(days=2), status=status, **extra
    )


def _invite(workshop, plan: dict) -> None:
    for person, status in plan.items():
        factories.InvitationFactory(workshop=workshop, participant=person, status=status)


def _attend(session, marks: dict) -> None:
    for person, status in marks.items():
        factories.AttendanceFactory(session=session, participant=person, status=status)


@pytest.fixture
def example(cast) -> Example:
    """Three held workshops, six people of three communities and a third party.

    Present (an x is marked absent):
      W1, 15 Jan 2025: a1 b1 a2 t   (x absent)     ties a1–b1, a2–b1            → 2
      W2, 10 Mar 2025: a1 b1 c1 b2                  a1–b1 again (not new); a1–c1,
                                                    a1–b2, b1–c1, b2–c1          → 4
      W3, 20 May 2025: a2 c1 t      (x absent)      a2–c1                        → 1
      W4 cancelled, with a2 b2 present: nothing; another program's a1 c1: nothing.
    Same-community pairs (a1–a2, b1–b2, c1–x) and the third party t make no tie.
    """
    program = cast.program
    a, b, c = (
        factories.CommunityFactory(name=name, slug=name.lower(), colour=colour)
        for name, colour in [("Alpha", "#1f77b4"), ("Beta", "#ff7f0e"), ("Gamma", "#2ca02c")]
    )
    people = {
        "a1": factories.ParticipantFactory(full_name="Zenobia Alphaperson", community=a),
        "a2": factories.ParticipantFactory(full_name="Yusuf Alphasecond", community=a),
        "b1": factories.ParticipantFactory(full_name="Xanthe Betaperson", community=b),
        "b2": factories.ParticipantFactory(
            full_name="Erased person", community=b, erased_at=timezone.now()
        ),
        "c1": factories.ParticipantFactory(full_name="Wilhelmina Gammaperson", community=c),
        "x": factories.ParticipantFactory(full_name="Vasilis Absentperson", community=c),
        "t": factories.ParticipantFactory(full_name="Ursula Thirdparty", community=None),
    }
    p = people
    w1 = _workshop(program, _at(2025, 1, 15))
    w2 = _workshop(program, _at(2025, 3, 10))
    w3 = _workshop(program, _at(2025, 5, 20))
    w4 = _workshop(program, _at(2025, 4, 1), status=WorkshopStatus.CANCELLED)
    w5 = _workshop(program, timezone.now() + timedelta(days=30), status=WorkshopStatus.CONFIRMED)
    elsewhere = _workshop(cast.other_program, _at(2025, 2, 1))

    _invite(w1, {p["a1"]: A, p["b1"]: A, p["a2"]: A, p["x"]: A, p["c1"]: D, p["b2"]: INV})
    _invite(w2, {p["a1"]: A, p["b1"]: A, p["c1"]: A, p["b2"]: A, p["a2"]: DR, p["x"]: WL})
    _invite(w3, {p["a2"]: A, p["c1"]: A, p["x"]: A, p["t"]: A, p["b1"]: WD})
    _invite(w4, {p["a2"]: A, p["b2"]: A})
    _invite(w5, {p["a1"]: INV, p["b2"]: A})
    _invite(elsewhere, {p["a1"]: A, p["c1"]: A})

    s1a, s1b = factories.SessionFactory(workshop=w1), factories.SessionFactory(workshop=w1)
    _attend(s1a, {p["a1"]: PRESENT, p["b1"]: PRESENT, p["t"]: PRESENT, p["x"]: ABSENT})
    _attend(s1b, {p["a1"]: PRESENT, p["a2"]: PRESENT, p["x"]: ABSENT})
    s2 = factories.SessionFactory(workshop=w2)
    _attend(s2, {p["a1"]: PRESENT, p["b1"]: PRESENT, p["c1"]: PRESENT, p["b2"]: PRESENT})
    s3a, s3b = factories.SessionFactory(workshop=w3), factories.SessionFactory(workshop=w3)
    _attend(s3a, {p["a2"]: PRESENT, p["x"]: ABSENT})
    _attend(s3b, {p["c1"]: PRESENT, p["t"]: PRESENT, p["x"]: ABSENT})
    _attend(factories.SessionFactory(workshop=w4), {p["a2"]: PRESENT, p["b2"]: PRESENT})
    _attend(factories.SessionFactory(workshop=elsewhere), {p["a1"]: PRESENT, p["c1"]: PRESENT})

    today = timezone.localdate()
    for status, due in [
        (ActionStatus.DONE, today - timedelta(days=3)),
        (ActionStatus.OPEN, today - timedelta(days=1)),  # overdue
        (ActionStatus.IN_PROGRESS, today + timedelta(days=5)),
        (ActionStatus.OPEN, None),
        (ActionStatus.DROPPED, today - timedelta(days=9)),
    ]:
        factories.FollowUpActionFactory(workshop=w1, status=status, due_on=due)
    factories.FollowUpActionFactory(workshop=elsewhere, status=ActionStatus.OPEN)
    workshops = {"w1": w1, "w2": w2, "w3": w3, "w4": w4, "w5": w5}
    return Example(program=program, people=people, workshops=workshops)


def _ties(example, user) -> list:
    return [
        (m.month, m.new, m.cumulative)
        for m in dashboard.dashboard_for(program=example.program, user=user).ties
    ]


def test_cross_community_ties_by_month_on_the_hand_built_program(example):
    months = dashboard._ties_query(example.program)
    assert [(m.month, m.new, m.cumulative) for m in months] == [
        (date(2025, 1, 1), 2, 2),
        (date(2025, 3, 1), 4, 6),
        (date(2025, 5, 1), 1, 7),
    ]


def test_ties_follow_an_attendance_change_despite_the_cache(
    example, cast, django_assert_num_queries
):
    assert _ties(example, cast.staff)[-1] == (date(2025, 5, 1), 1, 7)
    with django_assert_num_queries(4):  # the ties come from the cache
        assert _ties(example, cast.observer)[-1] == (date(2025, 5, 1), 1, 7)
    # x (Gamma) turns out to have been present at W1's first session.
    session = example.workshops["w1"].sessions.order_by("pk").first()
    attendance = session.attendances.get(participant=example.people["x"])
    attendance.status = PRESENT
    attendance.save()
    assert _ties(example, cast.staff) == [
        (date(2025, 1, 1), 5, 5),  # and x–a1, x–a2, x–b1
        (date(2025, 3, 1), 4, 9),
        (date(2025, 5, 1), 1, 10),  # x was absent at W3: nothing new
    ]


def test_funnel_attendance_and_actions_on_the_hand_built_program(example, cast):
    funnel = dashboard.invitation_funnel(
        dashboard.workshop_timeline(program=example.program, user=cast.staff)
    )
    assert (funnel.sent, funnel.accepted, funnel.attended) == (16, 13, 10)
    assert (funnel.awaiting, funnel.declined, funnel.on_list, funnel.withdrawn) == (2, 1, 2, 1)
    assert (funnel.accepted_held, funnel.attended_held) == (12, 10)
    assert round(funnel.attendance_percent, 1) == 83.3
    assert funnel.walk_ins == 1  # t at W1; at W3, t had accepted

    actions = dashboard.follow_up_figures(program=example.program, today=timezone.localdate())
    assert (actions.done, actions.open_on_time, actions.overdue, actions.dropped) == (1, 2, 1, 1)
    assert actions.in_progress == 1 and actions.total == 5


def test_composition_counts_distinct_people_invited_including_erased(example):
    composition = dashboard.participant_composition(program=example.program)
    assert composition.total == 7
    assert [(bar.label, bar.count) for bar in composition.by_community] == [
        ("Alpha", 2),
        ("Beta", 2),
        ("Gamma", 2),
        ("Third party", 1),
    ]
    assert [(bar.label, bar.count) for bar in composition.by_sector] == [("Academic", 7)]
    assert [(bar.label, bar.count) for bar in composition.by_track] == [("No track", 7)]


def test_timeline_lists_every_workshop_with_accepted_and_attended(example, cast):
    entries = dashboard.workshop_timeline(program=example.program, user=cast.staff)
    by_pk = {entry.pk: entry for entry in entries}
    w1, w4 = example.workshops["w1"], example.workshops["w4"]
    assert (by_pk[w1.pk].accepted, by_pk[w1.pk].attended, by_pk[w1.pk].present) == (4, 3, 4)
    assert by_pk[w1.pk].walk_ins == 1
    assert by_pk[w4.pk].is_cancelled
    assert [entry.starts_at for entry in entries] == sorted(entry.starts_at for entry in entries)
    assert len(entries) == 7  # five built here and the two of the cast


def test_page_shows_the_figures_and_no_names(client, cast, example):
    client.force_login(cast.observer)
    response = client.get(url(example.program))
    assert response.status_code == 200
    assert_valid_page(response)
    page = response.content.decode()
    for person in Participant.objects.all():
        assert person.full_name not in page, person.full_name
        assert person.email not in page
    assert 'data-testid="ties-total">7<' in page
    assert 'data-testid="attendance-rate">83%<' in page
    assert "10 of 12 accepted invitees of held workshops attended: 83%." in page
    assert "Jan 2025" in page and "+4" in page
    assert 'role="img"' in page and "7 cross-community ties since Jan 2025" in page
    # Charts are SVG and CSS: the body has no inline script (the layout's deferred files,
    # such as the language switcher's, are not the dashboard's).
    assert "charts.css" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.split("</head>")[1])


def test_empty_program_renders_without_figures(client, cast):
    program = factories.ProgramFactory(name="Brand new program")
    client.force_login(cast.admin)
    response = client.get(url(program))
    assert response.status_code == 200
    assert_valid_page(response)
    page = response.content.decode()
    assert "No workshop planned yet." in page
    assert "No invitation has been sent yet." in page


# --- A fixed number of queries ----------------------------------------------------------------


def _grow(program, workshops: int, invitees: int) -> None:
    communities = [factories.CommunityFactory() for _ in range(3)]
    people = [factories.ParticipantFactory(community=communities[i % 3]) for i in range(invitees)]
    for i in range(workshops):
        workshop = _workshop(program, _at(2024, 1 + i % 12, 1 + i))
        session = factories.SessionFactory(workshop=workshop)
        _invite(workshop, {person: A for person in people})
        _attend(session, {person: PRESENT for person in people})
        factories.FollowUpActionFactory(workshop=workshop)


def test_query_count_does_not_grow_with_the_program(
    client, cast, django_assert_max_num_queries, django_assert_num_queries
):
    client.force_login(cast.facilitator)
    with django_assert_max_num_queries(11) as few_rows:
        assert client.get(url(cast.program)).status_code == 200
    _grow(cast.program, workshops=8, invitees=10)
    with django_assert_num_queries(len(few_rows)):  # both requests computed the ties
        assert client.get(url(cast.program)).status_code == 200
    # Until attendance changes, the ties come from the cache: one query fewer.
    with django_assert_num_queries(len(few_rows) - 1):
        assert client.get(url(cast.program)).status_code == 200


def test_a_workshop_cancelled_by_date_only_counts_as_cancelled(cast):
    workshop = _workshop(cast.program, _at(2025, 6, 1), status=WorkshopStatus.PLANNED)
    workshop.cancelled_at = timezone.now()
    workshop.save()
    factories.InvitationFactory(workshop=workshop, status=A)
    timeline = dashboard.workshop_timeline(program=cast.program, user=cast.admin)
    entry = next(entry for entry in timeline if entry.pk == workshop.pk)
    assert entry.is_cancelled and entry.status_label == "Cancelled" and entry.accepted == 1
    assert dashboard.invitation_funnel(timeline).accepted == 0
    assert dashboard.participant_composition(program=cast.program).total == 0


# --- In a real browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_observer_reads_the_dashboard_on_screen_and_in_print(
    page, live_server, cast, example, screenshot
):
    from tests.core.test_browser import sign_in

    sign_in(page, live_server, "observer-user")
    page.get_by_role("heading", name="Your programs").wait_for()
    page.goto(f"{live_server.url}{url(example.program)}")
    page.get_by_role("heading", name=f"{example.program.name}: dashboard").wait_for()
    # The stylesheet came from static/, and the charts are drawn without any script.
    assert page.locator(".ob-stack").evaluate("el => getComputedStyle(el).display") == "flex"
    ties = page.get_by_role("img", name="7 cross-community ties since Jan 2025", exact=False)
    assert ties.is_visible()
    assert page.get_by_test_id("ties-total").inner_text() == "7"
    assert page.get_by_test_id("timeline").locator("tbody tr").count() == 7
    bar = page.locator("#by-community .ob-bar").first.bounding_box()
    assert bar and bar["width"] > 20
    screenshot("program-dashboard")

    page.emulate_media(media="print")
    assert page.locator("header.ob-navbar").is_hidden()
    assert page.get_by_test_id("funnel").is_visible()
    screenshot("program-dashboard-print")
