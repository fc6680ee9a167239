"""Validators shared by several apps."""

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
