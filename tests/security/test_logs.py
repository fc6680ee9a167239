"""No personal data in logs or error emails: a view that fails with a person's name, email
and phone in its form and query, a failing Celery task, and an SMTP server refusing an
address, with DEBUG off and ADMINS set; the real handlers' output and the mailed reports
are searched for the person."""

import inspect
import io
import logging
import smtplib

import pytest
from celery import current_app, shared_task
from celery.signals import after_setup_logger
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.http import HttpResponse
from django.urls import include, path
from django.utils.log import AdminEmailHandler

from core.logging import PersonalDataFilter, scrub
from tests import factories
from workshops.models import InvitationStatus, MessageStatus, ScheduledMessage
from workshops.tasks import send_messages

pytestmark = pytest.mark.django_db

NAME = "Miriam Haddad-Cohen"
NATIVE = "مريم حداد"
EMAIL = "miriam.haddad@example.org"
PHONE = "+357 99 123456"
SECRETS = (NAME, "Miriam", "Haddad", NATIVE, EMAIL, "miriam.haddad", PHONE, "99 123456")


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


# --- A view that fails with the person in its request --------------------------------------


def boom(request):
    participant = factories.ParticipantFactory.build(
        full_name=request.POST["full_name"], email=request.POST["email"]
    )
    query = request.GET.get("q", "")
    raise RuntimeError(f"Could not save {participant.full_name} <{participant.email}> ({query})")


def ok(request):
    return HttpResponse("ok")


urlpatterns = [path("boom/", boom), path("", include("config.urls"))]


@pytest.fixture
def console():
    """The configured console handler (LOGGING's, with its filter), writing to a buffer."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, PersonalDataFilter) for f in h.filters)
    ]
    assert handlers, "LOGGING's console handler must carry core.logging.PersonalDataFilter"
    buffer = io.StringIO()
    previous = [h.setStream(buffer) for h in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ADMINS = [("Ops", "ops@olive-branch.example")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_mail_admins_is_configured_with_the_filter():
    handlers = logging.getLogger("django").handlers
    mailers = [h for h in handlers if isinstance(h, AdminEmailHandler)]
    assert mailers
    assert all(any(isinstance(f, PersonalDataFilter) for f in h.filters) for h in mailers)


@pytest.mark.urls(__name__)
def test_a_failing_view_logs_and_mails_no_personal_data(client, production, console, caplog):
    client.raise_request_exception = False
    response = client.post(
        f"/boom/?q={NAME}&phone={PHONE}&email={EMAIL}",
        {"full_name": NAME, "native_name": NATIVE, "email": EMAIL, "phone": PHONE},
        HTTP_REFERER=f"http://testserver/participants/?q={NAME}",
    )
    assert response.status_code == 500

    logged = console.getvalue()
    assert "Internal Server Error: /boom/" in logged
    assert "RuntimeError: Could not save [redacted] <[redacted]>" in logged
    assert _leaks(logged) == []
    # The records themselves are rewritten, so any other handler gets the clean text too.
    for record in caplog.records:
        assert _leaks(record.getMessage()) == []

    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    assert report.to == ["ops@olive-branch.example"]
    text = report.subject + report.body + "".join(str(a[0]) for a in report.alternatives)
    assert "RuntimeError" in text and "full_name" in text  # the report is still useful
    assert _leaks(text) == []


def test_a_failing_task_logs_no_personal_data(production, console):
    person = factories.ParticipantFactory(full_name=NAME, email=EMAIL, phone=PHONE)

    @shared_task(name="tests.security.failing_task")
    def failing_task(participant_id: int) -> None:
        from participants.models import Participant

        p = Participant.objects.get(pk=participant_id)
        raise smtplib.SMTPRecipientsRefused({p.email: (550, f"5.1.1 <{p.email}> {p.phone}")})

    result = failing_task.apply(args=[person.pk])
    assert result.failed()
    logged = console.getvalue()
    assert f"Task tests.security.failing_task[{result.id}] raised unexpected" in logged
    assert "SMTPRecipientsRefused" in logged
    assert _leaks(logged) == []
    assert len(mail.outbox) == 0  # task errors are logged, not mailed


def test_tasks_take_ids_only():
    """Celery logs a failing task's args: every task of the apps takes ids or nothing."""
    current_app.loader.import_default_modules()
    ours = {
        name: task
        for name, task in current_app.tasks.items()
        if name.split(".")[0] in {"core", "participants", "dialogues", "workshops"}
    }
    assert "core.tasks.apply_retention" in ours
    allowed = {"int", "int | None", "list[int]", "None | int"}
    for name, task in ours.items():
        for param in inspect.signature(task.run).parameters.values():
            annotation = param.annotation
            shown = (
                annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
            )
            assert param.name.endswith(("_id", "ids")), (name, param.name)
            assert shown in allowed, (name, param.name, shown)


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses the recipient, quoting the address (as servers do)."""

    def send_messages(self, email_messages):
        address = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, f"5.1.1 <{address}> unknown user")})


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ValueError(f"cannot encode {email_messages[0].to[0]}")


@pytest.mark.parametrize("backend", ["RefusingBackend", "BrokenBackend"])
def test_an_smtp_failure_logs_no_address(production, console, settings, backend):
    settings.EMAIL_BACKEND = f"{__name__}.{backend}"
    person = factories.ParticipantFactory(full_name=NAME, email=EMAIL, phone=PHONE)
    message = factories.ScheduledMessageFactory(
        invitation__participant=person,
        invitation__status=InvitationStatus.INVITED,
        status=MessageStatus.QUEUED,
    )

    send_messages.apply(args=[[message.pk]])

    message.refresh_from_db()
    assert message.status in (MessageStatus.FAILED, MessageStatus.PENDING)
    logged = console.getvalue()
    assert f"outbox: message {message.pk}" in logged
    assert _leaks(logged) == []
    assert ScheduledMessage.objects.filter(pk=message.pk).exists()
    assert len(mail.outbox) == 0  # the failure is on the row and in the log


def test_celery_handlers_get_the_filter_when_a_worker_sets_up_its_logging():
    logger = logging.getLogger("tests.security.worker-root")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        after_setup_logger.send(
            sender=None,
            logger=logger,
            loglevel=logging.INFO,
            logfile=None,
            format="",
            colorize=False,
        )
        assert any(isinstance(f, PersonalDataFilter) for f in handler.filters)
        logger.error("delivery to %s failed", EMAIL)
        assert EMAIL not in handler.stream.getvalue()
        assert "[email]" in handler.stream.getvalue()
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("to miriam.haddad@example.org failed", "to [email] failed"),
        ("call +357 99 123456 now", "call [phone] now"),
        ("call 0044 20 7946 0958", "call [phone]"),
        ("GET /rsvp/AbC.dEf-123/ 500", "GET /rsvp/[token]/ 500"),
        ("GET /calendar/feed/abc123.ics", "GET /calendar/feed/[token]"),
        # Dates, times and ids stay readable.
        ("2026-11-29 15:08:08 message 1234567", "2026-11-29 15:08:08 message 1234567"),
    ],
)
def test_scrub(text, expected):
    assert scrub(text) == expected
