"""The message queue per workshop and per program: who sees it, filters and counts, the
order of rows, errors shown, and the resend and cancel buttons with their state rules."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import RiskLevel
from tests import factories
from tests.html import assert_valid_page
from workshops.models import MessageKind, MessageStatus, ScheduledMessage

pytestmark = pytest.mark.django_db


def queue_url(workshop) -> str:
    return reverse("workshops:messages", args=[workshop.pk])


def program_queue_url(program) -> str:
    return reverse("workshops:program_messages", args=[program.pk])


def message(workshop, name: str, *, status=MessageStatus.PENDING, due=None, **fields):
    """An outbox row for a new invitee of ``workshop`` called ``name``."""
    invitation = factories.InvitationFactory(
        workshop=workshop, participant=factories.ParticipantFactory(full_name=name)
    )
    due = due or timezone.now()
    if status == MessageStatus.SENT:
        fields.setdefault("sent_at", due + timedelta(seconds=5))
    return factories.ScheduledMessageFactory(
        invitation=invitation, status=status, send_at=due, **fields
    )


def make_queue(cast) -> dict[str, ScheduledMessage]:
    """One row in each status on ``workshop``, one on a sibling workshop, one elsewhere."""
    now = timezone.now()
    rows = {
        "pending": message(cast.workshop, "Eleni Charalambous", due=now + timedelta(hours=1)),
        "reminder": message(
            cast.workshop,
            "Andreas Georgiou",
            kind=MessageKind.REMINDER,
            due=now + timedelta(days=5),
        ),
        "queued": message(cast.workshop, "Maria Ioannou", status=MessageStatus.QUEUED, due=now),
        "sending": message(
            cast.workshop, "Ayşe Kaya", status=MessageStatus.SENDING, due=now, attempts=1
        ),
        "sent": message(
            cast.workshop,
            "Mehmet Yilmaz",
            status=MessageStatus.SENT,
            due=now - timedelta(hours=3),
            attempts=1,
            subject="Invitation: Workshop",
        ),
        "failed": message(
            cast.workshop,
            "Hasan Demir",
            status=MessageStatus.FAILED,
            due=now - timedelta(hours=2),
            attempts=1,
            last_error="550 5.1.1 <hasan@example.org>: mailbox unavailable",
        ),
        "cancelled": message(
            cast.workshop,
            "Zeynep Aydin",
            status=MessageStatus.CANCELLED,
            due=now - timedelta(hours=1),
            last_error="Marked do not contact.",
        ),
        "sibling": message(
            cast.other_workshop,
            "Sibling Workshop Person",
            status=MessageStatus.SENT,
            due=now - timedelta(days=1),
        ),
        "elsewhere": message(
            factories.WorkshopFactory(program=cast.other_program),
            "Other Program Person",
            status=MessageStatus.FAILED,
            last_error="550 elsewhere",
        ),
    }
    action = factories.FollowUpActionFactory(workshop=cast.workshop, owner_user=cast.facilitator)
    rows["action"] = factories.ScheduledMessageFactory(
        kind=MessageKind.ACTION_REMINDER,
        invitation=None,
        recipient_participant=None,
        recipient_user=cast.facilitator,
        follow_up_action=action,
        workshop=cast.workshop,
        send_at=now + timedelta(days=2),
    )
    return rows


@pytest.fixture
def queue(cast):
    return make_queue(cast)


# --- Who sees the queue ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "workshop_page", "program_page"),
    [
        ("admin", 200, 200),
        ("staff", 200, 200),
        ("facilitator", 403, 403),  # sees workshop and program, may not change them
        ("observer", 403, 403),
        ("other_facilitator", 404, 403),  # does not see this workshop; sees the program
        ("other_staff", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_sees_the_queues(client, cast, queue, role, workshop_page, program_page):
    client.force_login(getattr(cast, role))
    response = client.get(queue_url(cast.workshop))
    assert response.status_code == workshop_page
    if workshop_page == 200:
        assert_valid_page(response)
    response = client.get(program_queue_url(cast.program))
    assert response.status_code == program_page
    if program_page == 200:
        assert_valid_page(response)


def test_anonymous_visitors_are_sent_to_sign_in(client, cast, queue):
    for response in (
        client.get(queue_url(cast.workshop)),
        client.get(program_queue_url(cast.program)),
        client.post(reverse("workshops:message_resend", args=[queue["failed"].pk])),
        client.post(reverse("workshops:message_cancel", args=[queue["pending"].pk])),
    ):
        assert response.status_code == 302 and "/login/" in response["Location"]
    queue["failed"].refresh_from_db()
    assert queue["failed"].status == MessageStatus.FAILED


def test_the_workshop_queue_lists_its_own_rows_only(client, cast, queue):
    client.force_login(cast.staff)
    html = client.get(queue_url(cast.workshop)).content.decode()
    for name in ("Eleni Charalambous", "Maria Ioannou", "Hasan Demir", "Zeynep Aydin"):
        assert name in html
    assert "Sibling Workshop Person" not in html and "Other Program Person" not in html
    # A team member's action reminder names them and says they are on the team.
    assert str(cast.facilitator) in html and "team" in html


def test_the_program_queue_lists_every_workshop_of_the_program(client, cast, queue):
    client.force_login(cast.staff)
    html = client.get(program_queue_url(cast.program)).content.decode()
    assert "Sibling Workshop Person" in html and "Eleni Charalambous" in html
    assert "Other Program Person" not in html
    assert queue_url(cast.other_workshop) in html  # the workshop column links its queue
    # The admin sees only this program's rows here too.
    client.force_login(cast.admin)
    assert (
        "Other Program Person" not in client.get(program_queue_url(cast.program)).content.decode()
    )


def test_each_row_shows_its_status_in_words_and_colour(client, cast, queue):
    client.force_login(cast.staff)
    html = client.get(queue_url(cast.workshop)).content.decode()
    for css, label in [
        ("text-bg-info", "Scheduled"),
        ("text-bg-light border", "Queued"),
        ("text-bg-primary", "Sending"),
        ("text-bg-success", "Sent"),
        ("text-bg-danger", "Failed"),
        ("text-bg-secondary", "Cancelled"),
    ]:
        assert re.search(rf'badge rounded-pill {css}"><i [^>]+></i> {label}</span>', html), label


def test_failed_and_cancelled_rows_say_why(client, cast, queue):
    client.force_login(cast.staff)
    html = unescape(client.get(queue_url(cast.workshop)).content.decode())
    assert "550 5.1.1 <hasan@example.org>: mailbox unavailable" in html
    assert "Marked do not contact." in html


def test_a_row_waiting_for_a_retry_shows_the_last_error(client, cast):
    message(
        cast.workshop,
        "Retrying Person",
        attempts=2,
        last_error="451 4.3.0 try again later",
    )
    client.force_login(cast.staff)
    html = client.get(queue_url(cast.workshop)).content.decode()
    assert "Will try again: 451 4.3.0 try again later" in html


def test_high_risk_recipients_are_marked(client, cast):
    row = message(cast.workshop, "Yusuf Kaplan")
    row.recipient_participant.risk_level = RiskLevel.HIGH
    row.recipient_participant.save()
    client.force_login(cast.staff)
    html = client.get(queue_url(cast.workshop)).content.decode()
    assert "Yusuf Kaplan" in html and "high risk" in html


# --- Order, filters and counts --------------------------------------------------------------


def order_of(html: str, names: list[str]) -> list[str]:
    return sorted(names, key=html.index)


def test_waiting_rows_come_soonest_first_then_finished_ones_newest_first(client, cast, queue):
    client.force_login(cast.staff)
    html = client.get(queue_url(cast.workshop)).content.decode()
    expected = [
        "Maria Ioannou",  # queued, due now
        "Ayşe Kaya",  # sending, due now (created later)
        "Eleni Charalambous",  # pending, in an hour
        str(cast.facilitator),  # action reminder, in two days
        "Andreas Georgiou",  # reminder, in five days
        "Zeynep Aydin",  # cancelled, due an hour ago
        "Hasan Demir",  # failed, two hours ago
        "Mehmet Yilmaz",  # sent, three hours ago
    ]
    tbody = html[html.index("<tbody>") :]
    assert order_of(tbody, expected) == expected
    sent = client.get(queue_url(cast.workshop), {"status": "sent"}).content.decode()
    assert "Mehmet Yilmaz" in sent and "Eleni" not in sent


def test_filter_by_status_with_counts_on_the_tabs(client, cast, queue):
    client.force_login(cast.staff)
    response = client.get(queue_url(cast.workshop), {"status": "failed"})
    assert_valid_page(response)
    html = response.content.decode()
    tbody = html[html.index("<tbody>") :]
    assert "Hasan Demir" in tbody and "Eleni" not in tbody and "Mehmet" not in tbody
    tabs = html[html.index("queue-tabs") : html.index("</ul>", html.index("queue-tabs"))]
    counts = dict(re.findall(r">\s*([A-Za-z]+) <span class=\"badge[^\"]*\">(\d+)</span>", tabs))
    assert counts == {
        "All": "8",
        "Scheduled": "3",
        "Queued": "1",
        "Sending": "1",
        "Sent": "1",
        "Failed": "1",
        "Cancelled": "1",
    }
    assert 'aria-current="page" href="?status=failed"' in tabs


def test_filter_by_kind_narrows_the_counts_too(client, cast, queue):
    client.force_login(cast.staff)
    html = client.get(queue_url(cast.workshop), {"kind": "reminder"}).content.decode()
    tbody = html[html.index("<tbody>") :]
    assert "Andreas Georgiou" in tbody and "Eleni" not in tbody
    assert re.search(r'All <span class="badge[^"]*">1</span>', html)
    # Tabs keep the kind filter.
    assert 'href="?kind=reminder&amp;status=failed"' in html


def test_filter_by_workshop_and_recipient_on_the_program_queue(client, cast, queue):
    client.force_login(cast.staff)
    url = program_queue_url(cast.program)
    html = client.get(url, {"workshop": cast.other_workshop.pk}).content.decode()
    tbody = html[html.index("<tbody>") :]
    assert "Sibling Workshop Person" in tbody and "Eleni" not in tbody
    html = client.get(url, {"q": "eleni"}).content.decode()
    tbody = html[html.index("<tbody>") :]
    assert "Eleni Charalambous" in tbody and "Hasan" not in tbody
    # A workshop of another program is not a choice: the filter ignores it.
    foreign = queue["elsewhere"].workshop_id
    html = client.get(url, {"workshop": foreign}).content.decode()
    assert "Other Program Person" not in html


def test_an_empty_filter_says_so(client, cast, queue):
    client.force_login(cast.staff)
    html = client.get(queue_url(cast.workshop), {"q": "nobody at all"}).content.decode()
    assert "No message matches: loosen the filters." in html


def test_fifty_rows_a_page(client, cast):
    for n in range(55):
        message(cast.workshop, f"Person {n:02d}", kind=MessageKind.REMINDER)
    client.force_login(cast.staff)
    first = client.get(queue_url(cast.workshop), {"kind": "reminder"}).content.decode()
    assert first.count("Person ") == 50
    assert 'href="?kind=reminder&amp;page=2"' in first
    second = client.get(queue_url(cast.workshop), {"kind": "reminder", "page": 2})
    assert second.content.decode().count("Person ") == 5


def test_times_are_shown_in_the_viewers_time_zone(client, cast):
    message(cast.workshop, "Eleni", due=datetime(2027, 3, 5, 0, 30, tzinfo=UTC))
    client.force_login(cast.staff)
    html = client.get(queue_url(cast.workshop)).content.decode()
    assert "5 Mar 2027, 00:30" in html and "(UTC)" in html
    cast.staff.time_zone = "Asia/Tokyo"
    cast.staff.save()
    html = client.get(queue_url(cast.workshop)).content.decode()
    assert "5 Mar 2027, 09:30" in html and "(Asia/Tokyo)" in html


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("page", ["workshop", "program"])
def test_query_count_does_not_grow_with_rows(
    client, cast, rows, page, django_assert_max_num_queries
):
    for n in range(rows):
        status = [MessageStatus.PENDING, MessageStatus.SENT, MessageStatus.FAILED][n % 3]
        message(cast.workshop, f"Person {n:02d}", status=status, last_error="x")
    action = factories.FollowUpActionFactory(workshop=cast.workshop, owner_user=cast.facilitator)
    factories.ScheduledMessageFactory(
        kind=MessageKind.ACTION_REMINDER,
        invitation=None,
        recipient_participant=None,
        recipient_user=cast.facilitator,
        follow_up_action=action,
        workshop=cast.workshop,
    )
    url = queue_url(cast.workshop) if page == "workshop" else program_queue_url(cast.program)
    client.force_login(cast.staff)
    with django_assert_max_num_queries(10):
        response = client.get(url, {"kind": ""})
    assert response.content.decode().count("Person ") == rows


# --- Resend and cancel ----------------------------------------------------------------------


def resend(client, row, next_url=""):
    data = {"next": next_url} if next_url else {}
    return client.post(reverse("workshops:message_resend", args=[row.pk]), data)


def cancel(client, row, next_url=""):
    data = {"next": next_url} if next_url else {}
    return client.post(reverse("workshops:message_cancel", args=[row.pk]), data)


def test_buttons_only_where_the_step_is_allowed(client, cast, queue):
    client.force_login(cast.staff)
    html = client.get(queue_url(cast.workshop)).content.decode()
    resends = set(re.findall(r"/workshops/messages/(\d+)/resend/", html))
    cancels = set(re.findall(r"/workshops/messages/(\d+)/cancel/", html))
    assert resends == {str(queue["failed"].pk), str(queue["cancelled"].pk)}
    assert cancels == {
        str(queue["pending"].pk),
        str(queue["reminder"].pk),
        str(queue["action"].pk),
    }
    assert html.count('data-confirm="Send this message again now?"') == 2
    # Cancelling asks first in a disclosure that works without JavaScript (no data-confirm).
    assert html.count("<p>Cancel this message? It will not be sent.</p>") == 3
    assert html.count('<details class="ob-confirm">') == 3
    assert html.count('name="csrfmiddlewaretoken"') >= 5


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 302),
        ("staff", 302),
        ("facilitator", 404),  # may not see messages at all
        ("observer", 404),
        ("other_staff", 404),
        ("outsider", 404),
    ],
)
def test_who_may_resend_and_cancel(client, cast, queue, role, expected):
    client.force_login(getattr(cast, role))
    assert resend(client, queue["failed"]).status_code == expected
    assert cancel(client, queue["pending"]).status_code == expected
    queue["failed"].refresh_from_db()
    queue["pending"].refresh_from_db()
    changed = expected == 302
    assert (queue["failed"].status == MessageStatus.PENDING) is changed
    assert (queue["pending"].status == MessageStatus.CANCELLED) is changed


def test_a_message_of_another_program_is_not_found(client, cast, queue):
    client.force_login(cast.staff)
    assert resend(client, queue["elsewhere"]).status_code == 404
    queue["elsewhere"].refresh_from_db()
    assert queue["elsewhere"].status == MessageStatus.FAILED


def test_resend_a_failed_message_back_to_the_same_filtered_page(
    client, cast, queue, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    here = queue_url(cast.workshop) + "?status=failed&kind=invitation"
    with django_capture_on_commit_callbacks(execute=False):
        response = resend(client, queue["failed"], here)
    assert response.status_code == 302 and response["Location"] == here
    row = queue["failed"]
    row.refresh_from_db()
    assert row.status == MessageStatus.PENDING and row.attempts == 0 and not row.last_error
    assert row.send_at <= timezone.now()
    html = client.get(here).content.decode()
    assert "The message is scheduled to be sent again now." in html


def test_resend_a_cancelled_message(client, cast, queue, django_capture_on_commit_callbacks):
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=False):
        resend(client, queue["cancelled"])
    queue["cancelled"].refresh_from_db()
    assert queue["cancelled"].status == MessageStatus.PENDING


@pytest.mark.parametrize("state", ["sent", "pending", "queued", "sending"])
def test_resend_is_refused_unless_failed_or_cancelled(client, cast, queue, state):
    client.force_login(cast.staff)
    response = resend(client, queue[state])
    assert response["Location"] == queue_url(cast.workshop)
    html = client.get(response["Location"]).content.decode()
    assert "Only a failed or cancelled message can be sent again." in html
    before = queue[state].status
    queue[state].refresh_from_db()
    assert queue[state].status == before


def test_cancel_a_scheduled_message(client, cast, queue):
    client.force_login(cast.staff)
    here = program_queue_url(cast.program) + "?status=pending"
    response = cancel(client, queue["reminder"], here)
    assert response["Location"] == here
    queue["reminder"].refresh_from_db()
    assert queue["reminder"].status == MessageStatus.CANCELLED
    assert queue["reminder"].last_error == f"Cancelled by {cast.staff}."
    html = client.get(here).content.decode()
    assert "The message was cancelled: it will not be sent." in html


@pytest.mark.parametrize("state", ["sent", "failed", "cancelled", "queued", "sending"])
def test_cancel_is_refused_unless_scheduled(client, cast, queue, state):
    client.force_login(cast.staff)
    response = cancel(client, queue[state])
    html = client.get(response["Location"]).content.decode()
    assert "Only a message still waiting to be sent can be cancelled." in html
    before = queue[state].status
    queue[state].refresh_from_db()
    assert queue[state].status == before


def test_buttons_go_back_only_to_this_site(client, cast, queue):
    client.force_login(cast.staff)
    response = cancel(client, queue["pending"], "https://evil.example/queue")
    assert response["Location"] == queue_url(cast.workshop)


def test_get_is_not_allowed_on_buttons(client, cast, queue):
    client.force_login(cast.staff)
    url = reverse("workshops:message_cancel", args=[queue["pending"].pk])
    assert client.get(url).status_code == 405
    assert ScheduledMessage.objects.get(pk=queue["pending"].pk).status == MessageStatus.PENDING


# --- In a real browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_resend_a_failed_message_in_the_browser(
    page, live_server, cast, screenshot, monkeypatch
):
    from tests.core.test_browser import sign_in
    from workshops.outreach import scheduling

    monkeypatch.setattr(scheduling, "wake_dispatcher", lambda: None)
    rows = make_queue(cast)
    sign_in(page, live_server, "staff-user")
    page.goto(f"{live_server.url}{reverse('dialogues:detail', args=[cast.program.pk])}")
    page.get_by_role("link", name="Messages", exact=True).click()
    page.get_by_role("heading", name="Messages", exact=True).wait_for()
    table = page.locator("table.queue-table")
    table.get_by_text("550 5.1.1 <hasan@example.org>: mailbox unavailable").wait_for()
    screenshot("outreach-queue")

    page.get_by_role("link", name="Failed").click()
    page.get_by_role("heading", name="Failed").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    table.get_by_role("button", name="Resend").click()
    page.get_by_text("The message is scheduled to be sent again now.").wait_for()
    assert page.url.endswith("?status=failed")  # back on the same filtered page
    rows["failed"].refresh_from_db()
    assert rows["failed"].status == MessageStatus.PENDING
    screenshot("outreach-queue-after-resend")
