"""The outbox's indexes that serve only messages in flight, or only the few rows with a team
recipient or an action, are partial: a message once sent, failed or cancelled has no entry in
them, so each of its status changes writes fewer indexes. The claim, the sweeper and the
lookups by foreign key must still find them usable."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from workshops.models import MessageStatus, ScheduledMessage
from workshops.outreach import outbox

pytestmark = pytest.mark.django_db

# The indexes every row keeps, whatever its status: the key, the dedupe constraint, the two
# (…, status) indexes and the participant's foreign key (nearly every row has one).
WHOLE = {
    ("id",),
    ("dedupe_key",),
    ("invitation_id", "status"),
    ("workshop_id", "status"),
    ("recipient_participant_id",),
}


def indexes() -> dict[str, tuple[tuple[str, ...], str | None]]:
    """Each index of the outbox table: its columns and its predicate (None: whole table)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname,
                   array(SELECT a.attname
                         FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
                         JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                         ORDER BY k.n),
                   pg_get_expr(x.indpred, x.indrelid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass
            """,
            [ScheduledMessage._meta.db_table],
        )
        return {name: (tuple(columns), where) for name, columns, where in cursor.fetchall()}


def statuses_in(predicate: str) -> set[str]:
    return set(re.findall(r"'(\w+)'", predicate))


def plan(sql: str, params=()) -> str:
    """PostgreSQL's plan for ``sql`` when it may not read the whole table: with a handful of
    rows it would, and the question is whether the index can serve the query at all."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # until the test's rollback
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(line for (line,) in cursor.fetchall())


def test_in_flight_indexes_hold_only_in_flight_rows():
    found = indexes()
    columns, where = found["message_due_idx"]
    assert columns == ("send_at", "id")
    assert where and "status" in where and statuses_in(where) == {MessageStatus.PENDING}
    columns, where = found["message_claimed_idx"]
    assert columns == ("claimed_at",)
    assert where and "status" in where
    assert statuses_in(where) == {MessageStatus.QUEUED, MessageStatus.SENDING}


@pytest.mark.parametrize("column", ["recipient_user_id", "follow_up_action_id"])
def test_rarely_set_foreign_keys_are_indexed_only_where_set(column):
    """One index on the column, partial: Django's own whole-table index on it is gone."""
    on_column = [where for columns, where in indexes().values() if columns[0] == column]
    assert len(on_column) == 1
    assert on_column[0] and re.fullmatch(rf"\(?{column} IS NOT NULL\)?", on_column[0])


def test_every_other_index_is_the_few_every_row_needs():
    found = indexes().values()
    assert len(found) == 9
    assert {columns for columns, where in found if where is None} == WHOLE


def test_the_claim_and_the_sweeper_still_work_and_use_the_partial_indexes(settings):
    now = timezone.now()
    due = factories.ScheduledMessageFactory(send_at=now - timedelta(minutes=1))
    factories.ScheduledMessageFactory(send_at=now + timedelta(hours=1))  # not yet
    factories.ScheduledMessageFactory(
        status=MessageStatus.SENT, sent_at=now, send_at=now - timedelta(days=1)
    )

    with CaptureQueriesContext(connection) as claim:
        assert outbox.claim_due(now=now) == [due.pk]
    due.refresh_from_db()
    assert due.status == MessageStatus.QUEUED and due.claimed_at == now

    later = now + timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS + 1)
    with CaptureQueriesContext(connection) as sweep:
        assert outbox.sweep_stuck(now=later) == 1  # its task was lost: pending again
    due.refresh_from_db()
    assert due.status == MessageStatus.PENDING and due.claimed_at is None
    assert due.send_at == later
    assert outbox.claim_due(now=later) == [due.pk]

    select = next(q["sql"] for q in claim.captured_queries if "SKIP LOCKED" in q["sql"])
    assert "message_due_idx" in plan(select)
    updates = [q["sql"] for q in sweep.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 2  # the given-up ones, then the re-driven ones
    assert all("message_claimed_idx" in plan(sql) for sql in updates)


def test_lookups_and_cascades_by_team_recipient_or_action_use_the_partial_indexes():
    """``= x`` and ``IN (…)`` (the deletes a cascade runs) imply IS NOT NULL."""
    action = factories.FollowUpActionFactory()
    by_action = ScheduledMessage.objects.filter(follow_up_action=action)
    by_users = ScheduledMessage.objects.filter(recipient_user__in=[action.owner_user_id, 0])
    assert "message_follow_up_action_idx" in plan(*by_action.query.sql_with_params())
    assert "message_recipient_user_idx" in plan(*by_users.query.sql_with_params())
