"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, recording what it accepts.

``SMTPServer`` runs in a thread of the test process (it outlives any worker the test kills)
and can misbehave on demand: answer 421/451 for the next N transactions or for T seconds,
refuse one address with 550, answer slowly, or call a hook at a precise point of a
transaction (to SIGKILL a worker inside the duplicate window, say). ``SinkProcess`` is a
bare counting sink in a process of its own, for benchmarks.

No Django here: the sink process imports this module and nothing else of the project.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property
from pathlib import Path

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


def message_id_of(raw: bytes) -> str:
    """The Message-ID header, read without parsing the whole message (cheap for sinks)."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    match = MESSAGE_ID.search(head)
    return match.group(1).decode() if match else ""


class _FreePortController(Controller):
    """aiosmtpd's threaded controller, listening on a port the system picks (port=0)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


# --- What arrived ------------------------------------------------------------------------------


@dataclass(eq=False)
class Received:
    """One message the server accepted (answered 250 to, or was about to)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message_id: str
    at: float = field(default_factory=time.monotonic)

    @cached_property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    def header(self, name: str) -> str:
        value = self.message[name]
        return str(value) if value is not None else ""

    @property
    def to(self) -> list[str]:
        return [str(a.addr_spec) for a in self.message["To"].addresses]

    @property
    def subject(self) -> str:
        return self.header("Subject")

    @cached_property
    def parts(self) -> dict[str, EmailMessage]:
        """Leaf parts by content type (the first of each type)."""
        found: dict[str, EmailMessage] = {}
        for part in self.message.walk():
            if not part.is_multipart():
                found.setdefault(part.get_content_type(), part)
        return found

    def text_of(self, content_type: str) -> str:
        part = self.parts[content_type]
        return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")

    @property
    def calendar(self) -> str:
        """The .ics, with folded lines unfolded."""
        return self.text_of("text/calendar").replace("\r\n ", "").replace("\r\n\t", "")


@dataclass(frozen=True)
class Attempt:
    """One transaction the server saw, whatever it answered."""

    message_id: str  # "" when refused before DATA
    rcpt_tos: tuple[str, ...]
    code: int
    at: float


@dataclass
class _Fault:
    reply: str
    stage: str  # "mail" or "data"
    remaining: int | None = None  # transactions left, or
    until: float | None = None  # a monotonic deadline

    def applies(self, now: float) -> bool:
        if self.remaining is not None:
            return self.remaining > 0
        return self.until is not None and now < self.until


# --- The server --------------------------------------------------------------------------------


class SMTPServer:
    """A recording SMTP server on 127.0.0.1 (``host``, ``port`` once started)."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._attempts: list[Attempt] = []
        self._faults: list[_Fault] = []
        self._refused: dict[str, str] = {}
        self.delay = 0.0
        # Called in the server's thread. ``on_mail(sender)``: a transaction begins.
        # ``on_data(message_id)``: the whole message has arrived, nothing is recorded yet;
        # a reply it returns ("421 …") is answered instead and nothing is recorded (kill the
        # sender here: outside the duplicate window). ``on_accept(received)``: recorded, 250
        # not yet answered (a kill here is inside the window).
        self.on_mail: Callable[[str], None] | None = None
        self.on_data: Callable[[str], str | None] | None = None
        self.on_accept: Callable[[Received], None] | None = None
        self._controller = _FreePortController(
            self, hostname=self.host, port=0, server_hostname="smtp.test", ready_timeout=10
        )

    # Life cycle

    def start(self) -> SMTPServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def url(self) -> str:
        """For django-environ's ``EMAIL_URL``."""
        return f"smtp://{self.host}:{self.port}"

    def settings(self) -> dict[str, object]:
        """Django settings that send through this server (for ``override_settings``)."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_TIMEOUT": 10,
        }

    # Faults

    def fail_next(self, transactions: int, code: int = 451, *, stage: str = "data") -> None:
        """Answer ``code`` to the next ``transactions`` transactions, at MAIL or at DATA."""
        with self._lock:
            self._faults.append(_Fault(_reply(code), stage, remaining=transactions))

    def fail_for(self, seconds: float, code: int = 421, *, stage: str = "data") -> None:
        """Answer ``code`` to every transaction for ``seconds`` from now."""
        with self._lock:
            self._faults.append(_Fault(_reply(code), stage, until=time.monotonic() + seconds))

    def refuse(self, address: str, code: int = 550, text: str = "") -> None:
        """Answer ``code`` to RCPT TO:<address> (a permanent refusal for 5xx)."""
        with self._lock:
            self._refused[address.lower()] = (
                f"{code} {text or '5.1.1 <' + address + '>: Recipient address rejected'}"
            )

    def heal(self) -> None:
        with self._lock:
            self._faults.clear()
            self._refused.clear()
        self.delay = 0.0

    # What it saw

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    @property
    def attempts(self) -> list[Attempt]:
        with self._lock:
            return list(self._attempts)

    def count(self) -> int:
        with self._lock:
            return len(self._received)

    def by_message_id(self) -> Counter[str]:
        with self._lock:
            return Counter(r.message_id for r in self._received)

    def tries(self, message_id: str) -> int:
        """Transactions that reached DATA with this Message-ID, whatever the answer."""
        with self._lock:
            return sum(1 for a in self._attempts if a.message_id == message_id)

    def refusals(self, address: str) -> int:
        with self._lock:
            return sum(
                1 for a in self._attempts if not a.message_id and address.lower() in a.rcpt_tos
            )

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self._attempts.clear()

    # aiosmtpd handler hooks (run in the server's thread)

    def _fault(self, stage: str) -> str | None:
        now = time.monotonic()
        with self._lock:
            for fault in self._faults:
                if fault.stage == stage and fault.applies(now):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault.reply
        return None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.on_mail is not None:
            self.on_mail(address)
        reply = self._fault("mail")
        if reply:
            self._note("", (), reply)
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self._lock:
            refusal = self._refused.get(address.lower())
        if refusal:
            self._note("", (address.lower(),), refusal)
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        message_id = message_id_of(raw)
        rcpt_tos = tuple(a.lower() for a in envelope.rcpt_tos)
        if self.delay:
            await asyncio.sleep(self.delay)
        reply = self.on_data(message_id) if self.on_data is not None else None
        reply = reply or self._fault("data")
        if reply:
            self._note(message_id, rcpt_tos, reply)
            return reply
        received = Received(envelope.mail_from, rcpt_tos, raw, message_id)
        with self._lock:
            self._received.append(received)
            self._attempts.append(Attempt(message_id, rcpt_tos, 250, time.monotonic()))
        if self.on_accept is not None:
            self.on_accept(received)
        return "250 Message accepted for delivery"

    def _note(self, message_id: str, rcpt_tos: tuple[str, ...], reply: str) -> None:
        with self._lock:
            self._attempts.append(Attempt(message_id, rcpt_tos, int(reply[:3]), time.monotonic()))


def _reply(code: int) -> str:
    texts = {
        421: "421 4.3.2 Service shutting down, try again later",
        450: "450 4.2.1 Mailbox busy, try again later",
        451: "451 4.3.0 Local error in processing, try again later",
        452: "452 4.3.1 Insufficient system storage",
        550: "550 5.7.1 Message refused",
        554: "554 5.6.0 Transaction failed",
    }
    return texts.get(code, f"{code} Test fault")


# --- A counting sink in a process of its own ---------------------------------------------------


class _CountingHandler:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message_id = message_id_of(envelope.original_content or envelope.content)
        with self.lock:
            self.counts[message_id] += 1
        return "250 OK"


def serve_sink() -> None:
    """``python -m tests.workshops.outreach.smtp``: a counting sink that prints its port,
    then answers one line of JSON to each command read from stdin (counts, total, reset)."""
    handler = _CountingHandler()
    controller = _FreePortController(
        handler, hostname="127.0.0.1", port=0, server_hostname="sink.test", ready_timeout=10
    )
    controller.start()
    print(controller.port, flush=True)
    try:
        for line in sys.stdin:
            command = line.strip()
            with handler.lock:
                if command == "counts":
                    answer: object = dict(handler.counts)
                elif command == "total":
                    answer = sum(handler.counts.values())
                elif command == "reset":
                    handler.counts.clear()
                    answer = True
                else:
                    break
            print(json.dumps(answer), flush=True)
    finally:
        controller.stop()


class SinkProcess:
    """An SMTP sink in a process of its own that counts messages by Message-ID: it keeps
    counting whatever happens to the processes that send to it."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> SinkProcess:
        root = Path(__file__).resolve().parents[3]
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.workshops.outreach.smtp"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self._process.stdout.readline())
        return self

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        return self._process.pid

    def _ask(self, command: str):
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        return json.loads(self._process.stdout.readline())

    def counts(self) -> Counter[str]:
        return Counter(self._ask("counts"))

    def total(self) -> int:
        return self._ask("total")

    def reset(self) -> None:
        self._ask("reset")

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            try:
                self._process.stdin.write("stop\n")
                self._process.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process.stdout.close()
        self._process = None

    def __enter__(self) -> SinkProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    serve_sink()
