"""The progress of a send of invitations: a panel on the send page and the workshop's messages
that htmx polls every 2 seconds until nothing is left to send, then a summary."""

import re
from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.html import assert_valid_page
from workshops.models import InvitationStatus, MessageKind, MessageStatus, ScheduledMessage
from workshops.outreach import selectors

pytestmark = pytest.mark.django_db

WAITING = (MessageStatus.PENDING, MessageStatus.QUEUED, MessageStatus.SENDING)


def progress_url(workshop) -> str:
    return reverse("workshops:invitations_progress", args=[workshop.pk])


def rows(workshop, status: str, count: int, *, kind: str = MessageKind.INVITATION) -> list:
    """``count`` invitation emails of ``workshop`` in ``status``, as the outbox leaves them."""
    made = []
    for _ in range(count):
        invitation = factories.InvitationFactory(
            workshop=workshop, status=InvitationStatus.INVITED, sent_at=timezone.now()
        )
        made.append(
            factories.ScheduledMessageFactory(
                invitation=invitation,
                kind=kind,
                status=status,
                sent_at=timezone.now() if status == MessageStatus.SENT else None,
            )
        )
    return made


def counts(html: str) -> dict[str, int]:
    return {
        name: int(value) for name, value in re.findall(r'data-count="(\w+)">(\d+)</span>', html)
    }


def polls(html: str) -> bool:
    return "hx-trigger" in html


def panel(client, workshop) -> str:
    """The panel as its own polling asks for it."""
    response = client.get(
        progress_url(workshop), HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="send-progress"
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


# --- What the panel says ---------------------------------------------------------------------


def test_before_any_send_there_is_no_panel(client, cast):
    rows(cast.workshop, MessageStatus.PENDING, 1, kind=MessageKind.REMINDER)
    client.force_login(cast.staff)
    assert panel(client, cast.workshop).strip() == ""
    queue = client.get(reverse("workshops:messages", args=[cast.workshop.pk])).content.decode()
    assert 'id="send-progress"' not in queue


def test_the_panel_counts_the_rows_in_each_state_and_keeps_polling(client, cast):
    for status, count in (
        (MessageStatus.PENDING, 2),
        (MessageStatus.QUEUED, 1),
        (MessageStatus.SENDING, 1),
        (MessageStatus.SENT, 3),
        (MessageStatus.FAILED, 2),
        (MessageStatus.CANCELLED, 1),
    ):
        rows(cast.workshop, status, count)
    # Neither another kind of message nor another workshop's invitations count.
    rows(cast.workshop, MessageStatus.PENDING, 2, kind=MessageKind.REMINDER)
    rows(cast.other_workshop, MessageStatus.PENDING, 2)
    client.force_login(cast.staff)
    html = panel(client, cast.workshop)
    assert counts(html) == {"waiting": 4, "sent": 3, "failed": 2, "cancelled": 1}
    assert "Sending invitations" in html and "10 invitations, scheduled" in html
    assert 'aria-valuenow="60"' in html  # 6 of 10 are done
    assert polls(html)
    assert f'hx-get="{progress_url(cast.workshop)}" hx-trigger="every 2s"' in html
    assert 'hx-swap="outerHTML"' in html
    assert "send-progress-summary" not in html


def test_when_nothing_is_left_to_send_polling_stops_with_a_summary(client, cast):
    rows(cast.workshop, MessageStatus.SENT, 48)
    rows(cast.workshop, MessageStatus.FAILED, 2)
    client.force_login(cast.staff)
    html = panel(client, cast.workshop)
    assert counts(html) == {"waiting": 0, "sent": 48, "failed": 2, "cancelled": 0}
    assert not polls(html) and "hx-get" not in html
    assert "Invitations sent" in html
    failed = (
        reverse("workshops:messages", args=[cast.workshop.pk])
        + "?kind=invitation&amp;status=failed"
    )
    assert re.search(
        rf"48 sent, 2 failed — <a href=\"{re.escape(failed)}\">see failed messages</a>", html
    )
    # The link leads to exactly those two.
    listed = client.get(
        reverse("workshops:messages", args=[cast.workshop.pk]),
        {"kind": "invitation", "status": "failed"},
    )
    assert listed.context["page"].paginator.count == 2


def test_all_sent_says_so_without_a_link(client, cast):
    rows(cast.workshop, MessageStatus.SENT, 3)
    rows(cast.workshop, MessageStatus.CANCELLED, 1)
    client.force_login(cast.staff)
    html = panel(client, cast.workshop)
    assert not polls(html)
    assert re.search(r"3 sent, 1 cancelled\s*<a [^>]*href=\"\">Reload the page</a>", html)
    assert "see failed messages" not in html
    # Drawn with the page itself (or loaded just after it), the panel has nothing to reload.
    queue = client.get(reverse("workshops:messages", args=[cast.workshop.pk])).content.decode()
    assert re.search(r"3 sent, 1 cancelled\s*</p>", queue)
    loaded = client.get(progress_url(cast.workshop), HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r"3 sent, 1 cancelled\s*</p>", loaded)


def test_the_panel_is_of_the_latest_send_only(client, cast):
    earlier = rows(cast.workshop, MessageStatus.FAILED, 5)
    ScheduledMessage.objects.filter(pk__in=[m.pk for m in earlier]).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    rows(cast.workshop, MessageStatus.SENT, 2)
    rows(cast.workshop, MessageStatus.QUEUED, 1)
    client.force_login(cast.staff)
    assert counts(panel(client, cast.workshop)) == {
        "waiting": 1,
        "sent": 2,
        "failed": 0,
        "cancelled": 0,
    }


def test_a_message_sent_again_stays_in_its_send_and_the_panel_polls_again(client, cast):
    rows(cast.workshop, MessageStatus.SENT, 1)
    (failed,) = rows(cast.workshop, MessageStatus.FAILED, 1)
    client.force_login(cast.staff)
    assert not polls(panel(client, cast.workshop))
    client.post(reverse("workshops:message_resend", args=[failed.pk]))
    html = panel(client, cast.workshop)
    assert counts(html) == {"waiting": 1, "sent": 1, "failed": 0, "cancelled": 0}
    assert polls(html)


def test_the_counts_take_one_query_whatever_the_size_of_the_send(cast, django_assert_num_queries):
    rows(cast.workshop, MessageStatus.SENT, 6)
    rows(cast.workshop, MessageStatus.PENDING, 6)
    with django_assert_num_queries(1):
        progress = selectors.invitation_send_progress(cast.workshop)
    assert (progress.total, progress.waiting, progress.percent) == (12, 6, 50)


# --- Where it is found -----------------------------------------------------------------------


def test_after_sending_the_panel_is_on_the_messages_page_and_the_send_page(client, cast):
    invitations = [
        factories.InvitationFactory(
            workshop=cast.workshop,
            participant=factories.ParticipantFactory(email=f"p{n}@example.org"),
        )
        for n in range(3)
    ]
    client.force_login(cast.staff)
    sent = client.post(
        reverse("workshops:invitations_send", args=[cast.workshop.pk]),
        {"invitations": [i.pk for i in invitations]},
        follow=True,
    )
    assert sent.redirect_chain[-1][0] == reverse("workshops:messages", args=[cast.workshop.pk])
    assert_valid_page(sent)
    html = sent.content.decode()
    assert 'id="send-progress"' in html and polls(html)
    assert counts(html) == {"waiting": 3, "sent": 0, "failed": 0, "cancelled": 0}
    # The send page loads the same panel just after itself.
    again = client.get(reverse("workshops:invitations_send", args=[cast.workshop.pk]))
    assert_valid_page(again)
    assert (
        f'<div hx-get="{progress_url(cast.workshop)}" hx-trigger="load" hx-swap="outerHTML">'
        in again.content.decode()
    )
    assert counts(panel(client, cast.workshop))["waiting"] == 3


def test_the_programs_queue_has_no_panel(client, cast):
    rows(cast.workshop, MessageStatus.PENDING, 1)
    client.force_login(cast.staff)
    html = client.get(reverse("workshops:program_messages", args=[cast.program.pk]))
    assert 'id="send-progress"' not in html.content.decode()


# --- Who may see it --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 200),
        ("staff", 200),
        ("facilitator", 403),  # sees the workshop, does not run its outreach
        ("observer", 403),
        ("other_facilitator", 404),
        ("other_staff", 404),
        ("outsider", 404),
    ],
)
def test_who_may_see_the_progress(client, cast, role, expected):
    rows(cast.workshop, MessageStatus.PENDING, 1)
    client.force_login(getattr(cast, role))
    response = client.get(progress_url(cast.workshop))
    assert response.status_code == expected
    if expected == 200:
        assert counts(response.content.decode())["waiting"] == 1
    else:
        assert "send-progress" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, cast):
    rows(cast.workshop, MessageStatus.PENDING, 1)
    response = client.get(progress_url(cast.workshop))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(progress_url(cast.workshop)).status_code == 302


def test_only_get(client, cast):
    client.force_login(cast.staff)
    assert client.post(progress_url(cast.workshop)).status_code == 405


# --- In a real browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_panel_updates_itself_until_the_send_is_done(page, live_server, cast, screenshot):
    from tests.core.test_browser import sign_in

    waiting = rows(cast.workshop, MessageStatus.QUEUED, 4)
    rows(cast.workshop, MessageStatus.SENT, 6)
    sign_in(page, live_server, cast.staff.username)
    page.goto(f"{live_server.url}{reverse('workshops:messages', args=[cast.workshop.pk])}")
    panel = page.get_by_test_id("send-progress")
    assert panel.locator('[data-count="waiting"]').inner_text() == "4"
    screenshot("send-progress-running")
    ScheduledMessage.objects.filter(pk__in=[m.pk for m in waiting[:3]]).update(
        status=MessageStatus.SENT, sent_at=timezone.now()
    )
    ScheduledMessage.objects.filter(pk=waiting[3].pk).update(status=MessageStatus.FAILED)
    summary = page.get_by_test_id("send-progress-summary")
    summary.wait_for(timeout=6_000)
    assert "9 sent, 1 failed" in summary.inner_text()
    # The page around the panel was drawn before: an offer to draw it again, as it is now.
    # The new page's load, not the old one's (which wait_for_load_state alone would accept).
    with page.expect_navigation():
        summary.get_by_role("link", name="Reload the page").click()
    assert page.get_by_test_id("send-progress-summary").is_visible()
    assert page.get_by_test_id("send-progress").get_attribute("hx-trigger") is None
    assert page.locator(".queue-tabs").get_by_text("Failed").inner_text().endswith("1")
    screenshot("send-progress-done")
    # The send page loads the same panel after itself.
    page.goto(f"{live_server.url}{reverse('workshops:invitations_send', args=[cast.workshop.pk])}")
    assert "9 sent, 1 failed" in page.get_by_test_id("send-progress-summary").inner_text()


def test_the_send_time_is_in_the_viewers_zone_like_the_queue_below(client, cast):
    """Staff in Oslo read 08:00 in the panel and in the table under it, not the UTC 07:00."""
    (message,) = rows(cast.workshop, MessageStatus.SENT, 1)
    seven_utc = timezone.now().replace(
        month=1, day=15, hour=7, minute=0, second=0, microsecond=0, tzinfo=UTC
    )
    ScheduledMessage.objects.filter(pk=message.pk).update(created_at=seven_utc, send_at=seven_utc)
    cast.staff.time_zone = "Europe/Oslo"
    cast.staff.save(update_fields=["time_zone"])
    client.force_login(cast.staff)

    assert "scheduled 15 Jan" in panel(client, cast.workshop)
    assert ", 08:00" in panel(client, cast.workshop) and "07:00" not in panel(client, cast.workshop)
    queue = client.get(reverse("workshops:messages", args=[cast.workshop.pk])).content.decode()
    progress_html = queue[queue.index('id="send-progress"') : queue.index("</section>")]
    assert ", 08:00" in progress_html and "07:00" not in progress_html
