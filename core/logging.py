"""Logs and error emails without personal data.

Three layers, because personal data reaches an error report by three roads:

- ``PersonalDataFilter``, on every log handler (``LOGGING`` in ``config/settings/base.py``,
  and on Celery's own handlers in a worker, see ``_filter_celery_handlers``), rewrites a
  record before it is written or mailed: email addresses and phone numbers become
  ``[email]`` and ``[phone]``, RSVP and calendar-feed tokens ``[token]``, and the values the
  request carried in its query string or form (a name typed into a search box, the email of
  a person being created) ``[redacted]`` wherever the message or the traceback repeats them.
  Celery's structured ``data`` (a task's args and kwargs) is scrubbed the same way; tasks
  take ids, so nothing else is lost.
- ``PrivateExceptionReporterFilter`` (``DEFAULT_EXCEPTION_REPORTER_FILTER``) hides every
  POST value, not only those marked ``sensitive_post_parameters``, the query string and
  referrer in the request's META, every local variable that is not a number, a boolean or
  None (a ``Participant`` in a frame prints as its name), and settings holding addresses
  or URLs with credentials (``ADMINS``, ``DATABASE_URL``, ``EMAIL_*``).
- ``PrivateExceptionReporter`` (``DEFAULT_EXCEPTION_REPORTER``) hides the GET values and
  the query string of the URL, which Django's reporter prints unfiltered, names the user by
  id (``str(user)`` is their full name), and runs the finished report through ``scrub``.

With ``DEBUG=true`` the technical error page still shows everything to the developer at
the keyboard; the filters act wherever a report leaves the machine.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

CLEANSED = "********************"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# International numbers (the registry asks for +357…) and national ones starting with 0;
# at least eight digits, so dates, times and ids stay readable.
PHONE = re.compile(r"(?<![\w+])(?:\+|00|0)\d[\d \t().\-/]{5,}\d(?!\w)")
TOKEN_PATH = re.compile(r"(/(?:rsvp|calendar/feed)/)[^/\s'\"?#]+")
# Form and query values too common to be anyone's data, and too common to scrub.
_HARMLESS_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null"})


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    return "[phone]" if sum(c.isdigit() for c in text) >= 8 else text


def request_values(request: Any) -> list[str]:
    """The values a request carried in its query string and form, longest first (so a
    full name is replaced before a part of it)."""
    if not isinstance(request, HttpRequest):
        return []
    values: set[str] = set()
    try:
        queries = [request.GET, request.POST]
    except Exception:  # an unreadable body (too big, already streamed): the query alone
        queries = [request.GET]
    for query in queries:
        for _key, items in query.lists():
            for value in items:
                value = str(value).strip()
                if (
                    len(value) >= 3
                    and not value.isdigit()
                    and value.lower() not in _HARMLESS_VALUES
                ):
                    values.add(value)
    return sorted(values, key=len, reverse=True)


def scrub(text: str, values: Iterable[str] = ()) -> str:
    """``text`` without email addresses, phone numbers, tokens in URLs and ``values``."""
    if not text:
        return text
    for value in values:
        if value in text:
            text = text.replace(value, "[redacted]")
        # repr() of a value escapes non-ASCII and quotes: a traceback may show either.
        shown = repr(value)[1:-1]
        if shown != value and shown in text:
            text = text.replace(shown, "[redacted]")
    text = EMAIL.sub("[email]", text)
    text = PHONE.sub(_phone, text)
    return TOKEN_PATH.sub(r"\1[token]", text)


def _scrub_any(value: Any, values: Iterable[str]) -> Any:
    if isinstance(value, str):
        return scrub(value, values)
    if isinstance(value, dict):
        return {k: _scrub_any(v, values) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_any(v, values) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(repr(value), values)


class PersonalDataFilter(logging.Filter):
    """Rewrites a log record so that no email, phone number, token or request value is
    written or mailed (see the module docstring). Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_personal_data_scrubbed", False):
            return True  # a record passes each handler: scrub it once
        values = request_values(getattr(record, "request", None))
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = scrub(message, values), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info), values)
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text, values)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, values)
        data = getattr(record, "data", None)  # Celery's task logs: name, id, args, kwargs…
        if isinstance(data, dict):
            record.data = _scrub_any(data, values)
        record._personal_data_scrubbed = True
        return True


_SIMPLE = (bool, int, float, Decimal, date, datetime, time, timedelta, type(None))


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports hide every form value, local variable and URL query (module docstring)."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|ADMINS|MANAGERS|EMAIL|DATABASE|"
        "_URL$|DSN|BROKER",
        flags=re.IGNORECASE,
    )

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        if request is None:
            return {}
        if not self.is_active(request):
            return super().get_post_parameters(request)
        return {key: CLEANSED for key in request.POST}

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        if not self.is_active(request):
            return meta
        values = request_values(request)
        safe = {}
        for key, value in meta.items():
            if key in {"QUERY_STRING", "HTTP_REFERER", "REQUEST_URI", "RAW_URI"} and value:
                safe[key] = CLEANSED
            elif isinstance(value, str):
                safe[key] = scrub(value, values)
            else:
                safe[key] = value
        return safe

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        if not self.is_active(request):
            return variables
        return [
            (name, value if isinstance(value, _SIMPLE) else CLEANSED) for name, value in variables
        ]


class PrivateExceptionReporter(ExceptionReporter):
    """Django's reporter without the GET values, the URL's query or the user's name."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if not self.filter.is_active(self.request):
            return data
        values = request_values(self.request)
        if self.request is not None:
            data["request_GET_items"] = [(key, CLEANSED) for key in self.request.GET]
            data["request_FILES_items"] = [(key, CLEANSED) for key in self.request.FILES]
            uri = data.get("request_insecure_uri") or ""
            data["request_insecure_uri"] = scrub(uri.split("?", 1)[0], values)
            user = getattr(self.request, "user", None)
            if user is not None:
                data["user_str"] = (
                    f"user #{user.pk}" if getattr(user, "is_authenticated", False) else "anonymous"
                )
        if "exception_value" in data:
            data["exception_value"] = scrub(str(data["exception_value"]), values)
        if data.get("exception_notes"):
            data["exception_notes"] = scrub(data["exception_notes"], values)
        for frame in data.get("frames", []):
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = scrub(str(frame["exc_cause"]), values)
        return data

    def get_traceback_text(self) -> str:
        text = super().get_traceback_text()
        if not self.filter.is_active(self.request):
            return text
        return scrub(text, request_values(self.request))

    def get_traceback_html(self) -> str:
        html = super().get_traceback_html()
        if not self.filter.is_active(self.request):
            return html
        return scrub(html, request_values(self.request))


# --- Celery: its worker replaces the root logger's handlers with its own -----------------------


def add_filter_to_handlers(logger: logging.Logger) -> None:
    for handler in logger.handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())


def _filter_celery_handlers(logger: logging.Logger | None = None, **kwargs: Any) -> None:
    if logger is not None:
        add_filter_to_handlers(logger)


try:  # this module is imported by LOGGING when Django sets up, before a worker's logging
    from celery.signals import after_setup_logger, after_setup_task_logger
except ImportError:  # pragma: no cover - Celery is a dependency
    pass
else:
    after_setup_logger.connect(_filter_celery_handlers, weak=False)
    after_setup_task_logger.connect(_filter_celery_handlers, weak=False)
