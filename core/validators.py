"""Validators shared by several apps."""

import re
import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """Accept IANA zone names only (``Asia/Nicosia``), so times convert without surprises."""
    if value and value not in time_zone_names():
        raise ValidationError(
            _("%(value)s is not a known time zone; use a name like Asia/Nicosia."),
            code="invalid_time_zone",
            params={"value": value},
        )


# Characters no text column can hold: PostgreSQL refuses NUL in text (and ``\u0000`` in
# jsonb), and a lone surrogate (half of a UTF-16 pair, from a broken client, a JSON body or
# a spreadsheet's ``_xD800_`` escape) cannot be encoded as UTF-8 at all. Either would fail
# as a server error when saved, or halfway through an import.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable(value: object) -> bool:
    return isinstance(value, str) and UNSTORABLE.search(value) is not None


def storable(value: str) -> str:
    """``value`` with every unstorable character replaced by U+FFFD, for echoing a value
    back in a message (an import's header, say) that is itself stored."""
    return UNSTORABLE.sub("\ufffd", value)


def validate_storable_text(value: object) -> None:
    """Refuse, never strip, text holding a NUL or a lone surrogate.

    Refused rather than cleaned up: the text is someone's name, note or message, and
    silently changing it would store something they did not write. A browser never sends
    either character, so the person who meets this message pasted from a broken source.
    """
    if has_unstorable(value):
        raise ValidationError(
            _(
                "This text contains a character that cannot be stored (a null byte or a "
                "broken character, often from copying out of another program). Retype it "
                "or paste it as plain text."
            ),
            code="unstorable",
        )


def parse_id(value: object) -> int | None:
    """An object id typed into a form or a URL parameter, or None.

    ``str.isdigit()`` is not enough before ``int()``: it accepts "²" (which ``int`` refuses)
    and 5,000 digits (past Python's limit for ``int(str)``); either was a 500. Ids are
    ASCII digits, and at most 18 of them fit a bigint.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < 10**18 else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > 18 or not value.isascii() or not value.isdigit():
        return None
    return int(value)


# Dates typed into a form: a wider range than any workshop, program or action needs, and
# narrow enough that moving a time to UTC, or a date by a few weeks (a duplicate, the
# reminders), stays inside what Python's datetime holds (year 1 in a zone east of UTC, or
# 9999-12-31 plus a day, raised OverflowError: a 500).
MIN_YEAR = 1900
MAX_YEAR = 2200


def validate_plausible_date(value: object) -> None:
    year = getattr(value, "year", None)
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="implausible_date",
            params={"first": MIN_YEAR, "last": MAX_YEAR},
        )
