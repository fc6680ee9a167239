"""A batch sends each status write to PostgreSQL without waiting and renders meanwhile: the
write must still be committed before the message goes out, whatever else asks the
database in between, and a write that fails says so and leaves the connection usable."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone

import psycopg
import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import DatabaseError, connection

from tests import factories
from workshops.models import MessageKind, MessageStatus, MessageTemplate, ScheduledMessage
from workshops.outreach import outbox, scheduling


def _schedule(cast, people: int, workshop=None) -> list[int]:
    workshop = workshop or cast.workshop
    invitations = [factories.InvitationFactory(workshop=workshop) for _ in range(people)]
    result = scheduling.invitations_send(workshop=workshop, invitations=invitations, by=cast.staff)
    assert result.scheduled == people
    return outbox.claim_due()


def _other_connection() -> psycopg.Connection:
    """A connection of its own: it sees only what the batch has committed."""
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=connection.settings_dict["NAME"],
        autocommit=True,
    )


@contextmanager
def _slow_writes() -> Iterator[None]:
    """Every status write takes the database a tenth of a second longer."""
    table = ScheduledMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION slow_write() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(0.1); RETURN NEW; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER slow_write BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION slow_write()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER slow_write ON {table}")
            cursor.execute("DROP FUNCTION slow_write()")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_message_goes_out_only_once_the_last_outcome_and_its_attempt_are_committed(
    cast, monkeypatch
):
    ids = _schedule(cast, 4)
    seen = []
    real_send = EmailBackend.send_messages

    def send_messages(backend, messages):
        (email,) = messages
        with _other_connection() as other:
            rows = dict(
                other.execute(
                    "SELECT message_id, status || '/' || attempts FROM "
                    f"{ScheduledMessage._meta.db_table} WHERE id = ANY(%s)",
                    [ids],
                ).fetchall()
            )
        seen.append((email.extra_headers["Message-ID"], rows))
        return real_send(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    with _slow_writes():  # a message sent before its write is answered would be seen early
        result = outbox.send_batch(ids)
    assert result.sent == 4 and len(mail.outbox) == 4
    for position, (message_id, rows) in enumerate(seen):
        # Going out: counted as tried, committed. Before it: every one sent, committed.
        assert rows.pop(message_id) == "sending/1"
        before = [seen[n][0] for n in range(position)]
        assert sorted(rows[m] for m in before) == ["sent/1"] * position
        assert all(state == "sending/0" for m, state in rows.items() if m not in before)


@pytest.mark.django_db
def test_a_query_made_while_a_write_is_out_reads_its_answer_first(cast):
    """Rendering may look up a program's own wording mid-batch (the first message of a
    second program here): the connection carries one statement at a time."""
    second = factories.WorkshopFactory(program=factories.ProgramFactory(name="Second"))
    for workshop, subject in [(cast.workshop, "First: {{ workshop }}"), (second, "Second")]:
        MessageTemplate.objects.create(
            program=workshop.program,
            kind=MessageKind.INVITATION,
            subject=subject,
            body="Dear {{ participant_name }}, {{ rsvp_link }}",
        )
    ids = _schedule(cast, 2) + _schedule(cast, 2, workshop=second)
    result = outbox.send_batch(ids)
    assert result.sent == 4
    assert sorted(email.subject.split(":")[0] for email in mail.outbox) == [
        "First",
        "First",
        "Second",
        "Second",
    ]
    assert set(ScheduledMessage.objects.values_list("status", "attempts")) == {
        (MessageStatus.SENT, 1)
    }


@pytest.mark.django_db
def test_a_write_out_is_read_before_the_next_query(cast):
    ids = _schedule(cast, 1)
    token, messages = outbox._take(ids)
    batch = outbox._Batch(token, messages)
    with connection.execute_wrapper(batch.before_query):
        batch.start(messages[0])
        assert batch.unanswered
        assert ScheduledMessage.objects.get(pk=ids[0]).attempts == 1  # answered first
        assert not batch.unanswered
        assert batch.started(messages[0]) and messages[0].attempts == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_that_fails_says_so_and_leaves_the_connection_usable():
    with pytest.raises(DatabaseError):  # refused when prepared
        outbox._Answer(connection, "SELECT count(*) FROM no_such_table WHERE 1 = %s", [1])
    assert ScheduledMessage.objects.count() == 0
    answer = outbox._Answer(connection, "SELECT 1 / %s", [0])
    with pytest.raises(DatabaseError, match="division by zero"):  # refused when run
        answer.count()
    assert ScheduledMessage.objects.count() == 0
    assert (
        outbox._Answer(connection, "SELECT count(*) + %s FROM (SELECT 1) AS t", [41]).count() == 42
    )


def test_parameters_go_as_postgresql_reads_them():
    moment = datetime(2026, 11, 29, 20, 55, 1, 250, tzinfo=timezone(timedelta(hours=2)))
    assert outbox._as_text(moment) == b"2026-11-29T20:55:01.000250+02:00"
    assert outbox._as_text(datetime(2026, 1, 1, tzinfo=UTC)) == b"2026-01-01T00:00:00+00:00"
    assert outbox._as_text(None) is None
    assert outbox._as_text(7) == b"7"
    assert outbox._as_text(True) == b"t"
    assert outbox._as_text(MessageStatus.SENT) == b"sent"
    assert outbox._as_text("Ayşe") == "Ayşe".encode()
    assert outbox._numbered("a = %s AND b IN (%s, %s)") == "a = $1 AND b IN ($2, $3)"
