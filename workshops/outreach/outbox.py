"""The outbox's engine: claim due rows, send each once, retry what can be retried.

Every step is a guarded UPDATE on the row, so however many dispatchers and workers run,
and whatever happens to them or to the broker, a message is sent at most once except in
the one window no SMTP client can close: after the server accepted it and before ``sent``
is committed. A copy sent in that window carries the same Message-ID.

    pending ──claim──▶ queued ──take──▶ sending ──▶ sent
       ▲                 │                 │  └────▶ failed   (5xx, or attempts used up)
       └──── sweeper ────┴── (stuck) ──────┘  └────▶ pending  (4xx / connection: backoff)
    any state before sending ──▶ cancelled (staff, workshop cancelled, do-not-contact…)
"""

import hashlib
import logging
import re
import select
import smtplib
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from weakref import WeakKeyDictionary

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from participants import safety
from participants.models import ConsentRecord, ConsentScope, Participant
from workshops.models import (
    ActionStatus,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
    Workshop,
    WorkshopStatus,
)
from workshops.outreach import compose

log = logging.getLogger(__name__)

# Which invitation states each kind of message still makes sense for at send time.
INVITATION_STATES = {
    MessageKind.INVITATION: {InvitationStatus.INVITED},
    MessageKind.REMINDER: {InvitationStatus.ACCEPTED},
    MessageKind.FOLLOW_UP: {InvitationStatus.ACCEPTED},
    MessageKind.SEAT_OFFER: {InvitationStatus.ACCEPTED},
    MessageKind.UPDATE: {
        InvitationStatus.INVITED,
        InvitationStatus.ACCEPTED,
        InvitationStatus.WAITLISTED,
    },
    MessageKind.CANCELLATION: {
        InvitationStatus.INVITED,
        InvitationStatus.ACCEPTED,
        InvitationStatus.WAITLISTED,
    },
}


def backoff(attempts: int) -> timedelta:
    """Exponential, capped: the n-th failed attempt waits base·2^(n-1), at most the cap."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return timedelta(
        seconds=min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_CAP_SECONDS)
    )


# --- Claiming ---------------------------------------------------------------------------------


def claim_due(*, limit: int | None = None, now: datetime | None = None) -> list[int]:
    """Move up to ``limit`` due rows from pending to queued and return their ids.

    ``FOR UPDATE SKIP LOCKED``: two dispatchers at once each take different rows.
    """
    now = now or timezone.now()
    limit = limit or settings.OUTBOX_CLAIM_BATCH
    with transaction.atomic():
        ids = list(
            ScheduledMessage.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.PENDING, send_at__lte=now)
            .order_by("send_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            ScheduledMessage.objects.filter(id__in=ids).update(
                status=MessageStatus.QUEUED, claimed_at=now
            )
    return ids


def release(ids: list[int]) -> int:
    """Put queued rows back to pending (their task could not be handed to the broker)."""
    return ScheduledMessage.objects.filter(id__in=ids, status=MessageStatus.QUEUED).update(
        status=MessageStatus.PENDING, claimed_at=None
    )


def sweep_stuck(*, now: datetime | None = None) -> int:
    """Re-drive rows stuck in queued (the broker lost the task) or sending (the worker died)
    past the timeout. A row that was sending may have reached the mail server: resending
    it is the one possible duplicate, and it carries the same Message-ID."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    stuck = Q(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING], claimed_at__lt=cutoff)
    with transaction.atomic():
        given_up = ScheduledMessage.objects.filter(
            stuck, status=MessageStatus.SENDING, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS
        ).update(
            status=MessageStatus.FAILED,
            last_error="Gave up: the worker stopped while sending, attempts used up.",
            updated_at=now,
        )
        redriven = ScheduledMessage.objects.filter(stuck).update(
            status=MessageStatus.PENDING, claimed_at=None, send_at=now, updated_at=now
        )
    if given_up or redriven:
        log.warning("outbox sweeper: %s re-driven, %s given up", redriven, given_up)
    return redriven


# --- Sending ----------------------------------------------------------------------------------

# Seconds to wait before each try at taking rows another transaction has locked for a moment.
TAKE_PAUSES = (0, 0.05, 0.2, 0.5)


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    cancelled: int = 0
    skipped: int = 0


def _take(ids: list[int]) -> tuple[datetime | None, list[ScheduledMessage]]:
    """queued → sending for the rows of ``ids`` still queued; those another worker took
    (or the sweeper re-drove) are left alone.

    Every row taken gets the same ``claimed_at``: the batch's token. Each later write is
    guarded by it, so once the sweeper has re-driven a row (or another worker holds it)
    this batch neither sends it nor writes to it."""
    token = timezone.now()
    taken: list[int] = []
    wanted = list(ids)
    for pause in TAKE_PAUSES:
        if pause:
            time.sleep(pause)
        with transaction.atomic():
            got = list(
                ScheduledMessage.objects.select_for_update(skip_locked=True)
                .filter(id__in=wanted, status=MessageStatus.QUEUED)
                .values_list("id", flat=True)
            )
            ScheduledMessage.objects.filter(id__in=got).update(
                status=MessageStatus.SENDING, claimed_at=token, updated_at=token
            )
        taken += got
        left = set(wanted) - set(got)
        # Rows skipped while still queued were locked for a moment by someone else (a
        # dispatcher's claim keeps the lock on rows it read as pending just before this
        # task's claim committed, until it commits). Skipped for good they would wait for
        # the sweeper; rows no longer queued are another task's.
        wanted = (
            list(
                ScheduledMessage.objects.filter(
                    id__in=left, status=MessageStatus.QUEUED
                ).values_list("id", flat=True)
            )
            if left
            else []
        )
        if not wanted:
            break
    if not taken:
        return None, []
    contact = ConsentRecord.objects.filter(
        participant=OuterRef("recipient_participant"), scope=ConsentScope.CONTACT
    ).order_by("-given_on", "-recorded_at", "-id")
    messages = list(
        ScheduledMessage.objects.filter(
            id__in=taken, status=MessageStatus.SENDING, claimed_at=token
        )
        .select_related("recipient_participant", "recipient_user", "invitation", "follow_up_action")
        .annotate(
            contact_consent=Subquery(contact.values("granted")[:1]),
            contact_consent_on=Subquery(contact.values("given_on")[:1]),
        )
        .order_by("send_at", "id")
    )
    _share_related(messages)
    return token, messages


def _share_related(messages: list[ScheduledMessage]) -> None:
    """Give a batch's rows their workshops (with programs) and invitees, each loaded once:
    a batch is mostly one workshop's invitations, whose invitee is the recipient, and
    joining them into every row loaded the same workshop and person once per message."""
    workshop_ids = {m.invitation.workshop_id for m in messages if m.invitation_id} | {
        m.follow_up_action.workshop_id for m in messages if m.follow_up_action_id
    }
    workshops = Workshop.objects.select_related("program").in_bulk(workshop_ids)
    recipients = {m.recipient_participant_id: m.recipient_participant for m in messages}
    missing = {
        m.invitation.participant_id
        for m in messages
        if m.invitation_id and m.invitation.participant_id not in recipients
    }
    people = {**Participant.objects.in_bulk(missing), **recipients} if missing else recipients
    for message in messages:
        if message.invitation_id:
            invitation = message.invitation
            invitation.workshop = workshops[invitation.workshop_id]
            invitation.participant = people[invitation.participant_id]
        if message.follow_up_action_id:
            action = message.follow_up_action
            action.workshop = workshops[action.workshop_id]


def reasons_not_to_send(message: ScheduledMessage) -> list[str]:
    """Checked at send time: what was true when the message was scheduled may not be now."""
    reasons: list[str] = []
    if message.recipient_participant_id:
        person = message.recipient_participant
        person.contact_consent = message.contact_consent
        person.contact_consent_on = message.contact_consent_on
        reasons += safety.listed_contact_blockers(person)
        if not reasons and not person.email:
            reasons.append("No email address.")
    else:
        user = message.recipient_user
        if not user.is_active:
            reasons.append("The user's account is deactivated.")
        elif not user.email:
            reasons.append("No email address.")
    invitation = message.invitation
    action = message.follow_up_action
    workshop = invitation.workshop if invitation else action.workshop if action else None
    if workshop is not None and workshop.status == WorkshopStatus.CANCELLED:
        if message.kind != MessageKind.CANCELLATION:
            reasons.append("The workshop was cancelled.")
    if invitation is not None and message.kind in INVITATION_STATES:
        if invitation.status not in INVITATION_STATES[message.kind]:
            reasons.append(
                f"The invitation is now {InvitationStatus(invitation.status).label.lower()}."
            )
    if action is not None:
        if action.status in (ActionStatus.DONE, ActionStatus.DROPPED):
            reasons.append(f"The action is {ActionStatus(action.status).label.lower()}.")
        elif action.due_on is None or not message.dedupe_key.endswith(action.due_on.isoformat()):
            reasons.append("The action's due date changed.")
    return reasons


def _smtp_code(exc: Exception) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        return max(codes) if codes else None
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    return None


def is_permanent(exc: Exception) -> bool:
    """5xx answers are final (unknown mailbox, refused); 4xx, dropped connections and
    time-outs are worth another attempt. A refused login is the server's configuration,
    not the message's: retried until the attempts run out."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    code = _smtp_code(exc)
    return code is not None and 500 <= code < 600


def describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for code, text in exc.recipients.values()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class _Batch:
    """The writes of one batch: each message's outcome is written together with marking the
    next one as being tried (``attempts`` + 1), one UPDATE per message sent.

    An outcome is held until that write. A message counts as tried (and as the one in
    flight, should the worker die) from just before it is rendered until its outcome is
    written; the rest of the batch keeps its attempts, so a worker killed mid-batch costs
    the untried messages nothing. Every write is guarded by the batch's token, and the
    token is renewed for the rows still to do before the sweeper could think them stuck."""

    def __init__(self, token: datetime, messages: list[ScheduledMessage]) -> None:
        self.token = token
        self.todo = {m.pk for m in messages}
        self.outcomes: dict[int, dict] = {}
        self.sent_invitations: list[int] = []
        self.renew_every = settings.OUTBOX_STUCK_AFTER_SECONDS / 4
        self.renewed = time.monotonic()
        self._answer: tuple[_Answer, int, ScheduledMessage | None] | None = None
        self._ours = True

    def finish(self, message: ScheduledMessage, **fields) -> None:
        self.todo.discard(message.pk)
        self.outcomes[message.pk] = fields
        if (
            fields.get("status") == MessageStatus.SENT
            and message.kind == MessageKind.INVITATION
            and message.invitation_id
            and message.invitation.sent_at is None
        ):
            self.sent_invitations.append(message.invitation_id)

    def start(self, message: ScheduledMessage) -> None:
        """Write what is held and count an attempt for ``message``. On PostgreSQL the write
        is sent without waiting for its answer: the message is rendered meanwhile, and
        ``started`` reads the answer before the message may go out."""
        self.write(start=message, wait=False)

    def started(self, message: ScheduledMessage) -> bool:
        """Whether ``message``, once ``start`` is answered, is still this batch's to send:
        False if the sweeper re-drove it after a stall."""
        ours = self.settle()
        if ours:
            message.attempts += 1
        return ours

    def write(self, start: ScheduledMessage | None = None, *, wait: bool = True) -> bool:
        self.settle()
        now = timezone.now()
        renew = bool(self.todo) and time.monotonic() - self.renewed > self.renew_every
        postgresql = connection.vendor == "postgresql"
        # Usually one statement, in its own transaction: one round trip per message.
        alone = not renew and (not self.sent_invitations or postgresql)
        ours = True
        if alone and not wait and postgresql and (self.outcomes or start is not None):
            expected = len(self.outcomes) + (start is not None)
            answer = _send_outcomes(
                self.outcomes, start, self.token, now, told=self.sent_invitations
            )
            self._answer = (answer, expected, start)
        else:
            with nullcontext() if alone else transaction.atomic():
                if self.outcomes or start is not None:
                    expected = len(self.outcomes) + (start is not None)
                    written = _write_outcomes(
                        self.outcomes, start, self.token, now, told=self.sent_invitations
                    )
                    ours = self._still_ours(written, expected, start)
                elif self.sent_invitations:
                    _write_outcomes({}, None, self.token, now, told=self.sent_invitations)
                if renew:
                    self._renew(now)
            self._ours = ours
        self.outcomes.clear()
        self.sent_invitations.clear()
        return ours

    @property
    def unanswered(self) -> bool:
        return self._answer is not None

    def settle(self) -> bool:
        """Read the answer to a write sent without waiting, if one is out (a connection
        carries one statement at a time), and say whether its ``start`` is still ours."""
        if self._answer is None:
            return self._ours
        answer, expected, start = self._answer
        self._answer = None
        self._ours = self._still_ours(answer.count(), expected, start)
        return self._ours

    def before_query(self, execute, sql, params, many, context):
        """Django's execute wrapper while the batch sends: a query made while a write is
        unanswered (rendering may look up a program's templates) reads the answer first."""
        if self._answer is not None:
            self.settle()
        return execute(sql, params, many, context)

    def _still_ours(self, written: int, expected: int, start: ScheduledMessage | None) -> bool:
        if written >= expected:
            return True
        log.warning(
            "outbox: %s of %s rows were re-driven while this worker held them",
            expected - written,
            expected,
        )
        if start is None:
            return True
        return ScheduledMessage.objects.filter(
            pk=start.pk, status=MessageStatus.SENDING, claimed_at=self.token
        ).exists()

    def keep(self, message: ScheduledMessage) -> bool:
        """Just before ``message`` goes out: if the token is due for renewal (a slow render,
        a paused process), renew it now and say whether the message is still this batch's;
        the sweeper may have taken it back, and another worker may be sending it."""
        if time.monotonic() - self.renewed <= self.renew_every:
            return True
        self.settle()
        with transaction.atomic():
            self._renew(timezone.now())
        return message.pk in self.todo

    def _renew(self, now: datetime) -> None:
        """A new token for the rows still to send, so the sweeper leaves them alone. Rows
        it took back meanwhile keep theirs (the guarded UPDATE skips them) and leave ``todo``."""
        rows = ScheduledMessage.objects.filter(pk__in=self.todo, status=MessageStatus.SENDING)
        rows.filter(claimed_at=self.token).update(claimed_at=now)
        self.todo = set(rows.filter(claimed_at=now).values_list("pk", flat=True))
        self.token, self.renewed = now, time.monotonic()

    def defer(self, messages: list[ScheduledMessage], error: str) -> int:
        """Back to pending, untried (the mail server is unreachable): no attempt counted."""
        for message in messages:
            self.finish(
                message,
                status=MessageStatus.PENDING,
                claimed_at=None,
                send_at=timezone.now() + backoff(1),
                last_error=f"Not tried: {error}"[:2000],
            )
        return len(messages)


def _write_outcomes(
    outcomes: dict[int, dict],
    start: ScheduledMessage | None,
    token: datetime,
    now: datetime,
    *,
    told: list[int],
) -> int:
    """One UPDATE: each row of ``outcomes`` gets its fields, ``start`` one more attempt,
    only rows still sending under ``token``; the invitations in ``told`` get their
    ``sent_at``. Returns how many messages it changed.

    Plain SQL (CASE on the id) because it runs once per message sent and the ORM's
    Case/When costs more to compile than the database takes to run it; its text is made
    once per shape (``_outcomes_statement``). On PostgreSQL the invitations are set in the
    same statement, a prepared one (``_Answer``, answered at once); elsewhere in a second one
    (the caller holds a transaction then)."""
    if not outcomes and start is None:
        return Invitation.objects.filter(pk__in=told, sent_at__isnull=True).update(sent_at=now)
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: each use of the proxy costs
    sql, params = _outcomes_query(db, outcomes, start, token, now, told)
    if db.vendor == "postgresql":
        return _Answer(db, sql, params).count()
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    if told:
        Invitation.objects.filter(pk__in=told, sent_at__isnull=True).update(sent_at=now)
    return written


def _send_outcomes(
    outcomes: dict[int, dict],
    start: ScheduledMessage | None,
    token: datetime,
    now: datetime,
    *,
    told: list[int],
) -> "_Answer":
    """``_write_outcomes`` on PostgreSQL, sent without waiting for the answer."""
    db = connections[DEFAULT_DB_ALIAS]
    return _Answer(db, *_outcomes_query(db, outcomes, start, token, now, told))


def _outcomes_query(db, outcomes, start, token, now, told) -> tuple[str, list]:
    """The SQL of ``_write_outcomes`` and its parameters."""
    names = tuple(sorted({name for fields in outcomes.values() for name in fields}))
    shape = tuple(tuple(name in fields for name in names) for fields in outcomes.values())
    sql = _outcomes_statement(db.vendor, names, shape, start is not None, len(told))
    meta = ScheduledMessage._meta
    params: list = []
    for name in names:
        field = meta.get_field(name)
        for row, fields in outcomes.items():
            if name in fields:
                params += [row, field.get_db_prep_save(fields[name], db)]
    ids = list(outcomes)
    if start is not None:
        params.append(start.pk)
        ids.append(start.pk)
    params.append(meta.get_field("updated_at").get_db_prep_save(now, db))
    token = meta.get_field("claimed_at").get_db_prep_save(token, db)
    params += [*ids, MessageStatus.SENDING.value, token]
    if db.vendor == "postgresql" and told:
        params += [now, *told]
    return sql, params


@lru_cache(maxsize=128)
def _outcomes_statement(
    vendor: str, names: tuple[str, ...], shape: tuple[tuple[bool, ...], ...], start: bool, told: int
) -> str:
    """The SQL ``_write_outcomes`` runs for outcomes setting ``names`` (``shape``: which of
    them each row sets), with or without a message to ``start``, telling ``told``
    invitations. Its parameters follow in the order ``_write_outcomes`` lists them."""
    db = connections[DEFAULT_DB_ALIAS]
    meta = ScheduledMessage._meta
    quote = db.ops.quote_name
    pk = quote(meta.pk.column)
    sets: list[str] = []
    for position, name in enumerate(names):
        column = quote(meta.get_field(name).column)
        whens = " ".join("WHEN %s THEN %s" for row in shape if row[position])
        sets.append(f"{column} = CASE {pk} {whens} ELSE {column} END")
    if start:
        attempts = quote(meta.get_field("attempts").column)
        sets.append(f"{attempts} = CASE {pk} WHEN %s THEN {attempts} + 1 ELSE {attempts} END")
    sets.append(f"{quote(meta.get_field('updated_at').column)} = %s")
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} "
        f"WHERE {pk} IN ({', '.join(['%s'] * (len(shape) + start))}) "
        f"AND {quote(meta.get_field('status').column)} = %s "
        f"AND {quote(meta.get_field('claimed_at').column)} = %s"
    )
    if vendor != "postgresql":
        return sql
    invitation = Invitation._meta
    sent_at = quote(invitation.get_field("sent_at").column)
    told_sql = (
        f", told AS (UPDATE {quote(invitation.db_table)} SET {sent_at} = %s "
        f"WHERE {quote(invitation.pk.column)} IN ({', '.join(['%s'] * told)}) "
        f"AND {sent_at} IS NULL)"
        if told
        else ""
    )
    return f"WITH changed AS ({sql} RETURNING 1){told_sql} SELECT count(*) FROM changed"


class _Answer:
    """A statement sent to PostgreSQL whose answer is read later (``count``), so that the
    worker renders the next message while the database writes the last one's outcome.

    Straight through libpq (psycopg's ``pgconn``): the statement is prepared once per
    connection under a name of its own, its parameters go as text for the server to type
    from their columns, and nothing else may use the connection until the answer is read
    (``_Batch.settle``, and ``_Batch.before_query`` for Django's queries meanwhile)."""

    _prepared: WeakKeyDictionary = WeakKeyDictionary()  # psycopg connection → names

    def __init__(self, db, sql: str, params: list) -> None:
        db.ensure_connection()
        self.db, self.pgconn = db, db.connection.pgconn
        name = b"olive_outbox_" + hashlib.sha256(sql.encode()).hexdigest()[:24].encode()
        prepared = self._prepared.setdefault(db.connection, set())
        with db.wrap_database_errors:
            if name not in prepared:
                self.pgconn.send_prepare(name, _numbered(sql).encode())
                self._flush()
                self._results()
                prepared.add(name)
            self.pgconn.send_query_prepared(name, [_as_text(value) for value in params])
            self._flush()

    def count(self) -> int:
        """The count the statement answers, once the database has given it."""
        with self.db.wrap_database_errors:
            (result,) = self._results()
        return int(result.get_value(0, 0))

    def _flush(self) -> None:
        while self.pgconn.flush():  # 1: more to send once the socket takes it
            select.select([], [self.pgconn.socket], [])

    def _results(self) -> list:
        """Every result of the statement sent (all read, so the connection is free again
        even after an error, which is raised then)."""
        import psycopg  # only here: the PostgreSQL branch

        results, error = [], None
        while True:
            self.pgconn.consume_input()
            while self.pgconn.is_busy():
                select.select([self.pgconn.socket], [], [])
                self.pgconn.consume_input()
            result = self.pgconn.get_result()
            if result is None:
                break
            if result.status == psycopg.pq.ExecStatus.FATAL_ERROR and error is None:
                error = psycopg.errors.error_from_result(
                    result, encoding=self.db.connection.info.encoding
                )
            results.append(result)
        if error is not None:
            raise error
        return results


def _numbered(sql: str) -> str:
    """``%s`` placeholders as PostgreSQL's own ``$1, $2…``."""
    numbers = iter(range(1, sql.count("%s") + 1))
    return re.sub("%s", lambda _match: f"${next(numbers)}", sql)


def _as_text(value) -> bytes | None:
    """A parameter in PostgreSQL's text format."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat().encode()
    if isinstance(value, bool):
        return b"t" if value else b"f"
    return str(value).encode()


def _failed_attempt(message: ScheduledMessage, exc: Exception) -> tuple[str, dict]:
    """The outcome of a try the mail server refused or that broke off."""
    error = describe(exc)[:2000]
    if is_permanent(exc):
        return "failed", {"status": MessageStatus.FAILED, "last_error": error}
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        return "failed", {
            "status": MessageStatus.FAILED,
            "last_error": f"Gave up after {message.attempts} attempts: {error}"[:2000],
        }
    return "retrying", {
        "status": MessageStatus.PENDING,
        "claimed_at": None,
        "send_at": timezone.now() + backoff(message.attempts),
        "last_error": error,
    }


def _connection_lost(exc: Exception) -> bool:
    """After these the connection is gone or unusable. After any other 4xx/5xx answer
    smtplib has reset the transaction and the next message can go over it."""
    if isinstance(exc, smtplib.SMTPResponseException) and not isinstance(
        exc, smtplib.SMTPServerDisconnected
    ):
        return exc.smtp_code == 421
    return not isinstance(exc, smtplib.SMTPRecipientsRefused)


def _close(smtp) -> None:
    try:
        smtp.close()
    except Exception:  # noqa: BLE001 - closing a connection that broke
        pass


@contextmanager
def _commits_not_waiting_for_the_disk() -> Iterator[None]:
    """PostgreSQL's ``synchronous_commit = off`` for this connection while a batch sends.

    A batch commits once per message sent (the narrowest duplicate window), and waiting
    for each commit to reach the disk was most of a worker's time. Off, a commit is
    acknowledged once in PostgreSQL's memory: a worker killed afterwards loses nothing,
    and the database stays consistent; only a crash of the database server itself could
    lose the last fraction of a second of "sent" marks, and those messages would go out
    again with the same Message-ID. Claims and every other write keep full durability."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:  # noqa: BLE001 - a broken connection is closed and forgotten anyway
            log.warning("outbox: could not reset synchronous_commit", exc_info=True)


def send_batch(ids: list[int]) -> BatchResult:
    """Send the queued messages of ``ids`` over one SMTP connection. Idempotent: rows no
    longer queued are skipped.

    If the connection cannot be opened, or breaks off (421, reset, time-out), the message
    being sent counts one attempt and the rest of the batch goes back to pending untried."""
    result = BatchResult()
    token, messages = _take(ids)
    result.skipped = len(ids) - len(messages)
    if not messages:
        return result
    batch = _Batch(token, messages)
    with _commits_not_waiting_for_the_disk(), connection.execute_wrapper(batch.before_query):
        return _send(messages, batch, result)


def _send(messages: list[ScheduledMessage], batch: _Batch, result: BatchResult) -> BatchResult:
    book = compose.TemplateBook()
    smtp = get_connection(fail_silently=False)
    # Django's own SMTP backend (not a subclass that may sign or rewrite messages) is handed
    # the bytes it would have written itself: what its send_messages does, less the MIME tree.
    direct = type(smtp) is SMTPBackend
    envelope_from = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
    is_open = False
    try:
        for position, message in enumerate(messages):
            reasons = reasons_not_to_send(message)
            if reasons:
                batch.finish(
                    message,
                    status=MessageStatus.CANCELLED,
                    last_error=" ".join(str(r) for r in reasons)[:2000],
                )
                result.cancelled += 1
                continue
            batch.start(message)  # its write goes to the database while it is rendered
            try:
                rendered = compose.render(message, book)
                wire = compose.wire_bytes(message, rendered) if direct else None
                email = None if wire else compose.email_for(message, rendered, connection=smtp)
            except Exception as exc:  # a bug or a broken template: visible, not retried
                log.exception("outbox: message %s could not be rendered", message.pk)
                if not batch.started(message):
                    result.skipped += 1
                    continue
                batch.finish(
                    message, status=MessageStatus.FAILED, last_error=f"Not rendered: {exc}"[:2000]
                )
                result.failed += 1
                continue
            if not batch.started(message):
                result.skipped += 1
                continue
            if not batch.keep(message):
                result.skipped += 1
                continue
            try:
                if not is_open:
                    smtp.open()
                    is_open = True
                if wire:
                    to = [compose.envelope_address(rendered.to)]
                    smtp.connection.sendmail(envelope_from, to, wire)
                else:
                    smtp.send_messages([email])
            except (smtplib.SMTPException, OSError) as exc:
                outcome, fields = _failed_attempt(message, exc)
                batch.finish(message, **fields)
                setattr(result, outcome, getattr(result, outcome) + 1)
                log.warning("outbox: message %s %s: %s", message.pk, outcome, describe(exc)[:200])
                if not is_open or _connection_lost(exc):
                    _close(smtp)
                    is_open = False
                    rest = [m for m in messages[position + 1 :] if m.pk in batch.todo]
                    result.retrying += batch.defer(rest, describe(exc))
                    break
                continue
            except Exception as exc:  # not an answer: an address smtplib cannot encode, say
                log.exception("outbox: message %s could not be sent", message.pk)
                batch.finish(
                    message, status=MessageStatus.FAILED, last_error=f"Not sent: {exc}"[:2000]
                )
                result.failed += 1
                _close(smtp)
                is_open = False
                continue
            batch.finish(
                message,
                status=MessageStatus.SENT,
                sent_at=timezone.now(),
                subject=rendered.subject[:300],
                last_error="",
            )
            result.sent += 1
        batch.write()
    finally:
        if is_open:
            _close(smtp)
        if batch.outcomes or batch.unanswered:  # leaving on an error: what was sent is still
            try:  # recorded if it can be, and the connection is left free
                batch.write()
            except Exception:  # noqa: BLE001 - the error on its way out says more
                log.exception("outbox: outcomes of batch could not be written")
    return result
