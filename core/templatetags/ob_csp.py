"""Template helpers that keep the pages free of ``style`` attributes.

The Content-Security-Policy has no ``'unsafe-inline'`` for styles, so a value computed per
row (a bar's width, a community's colour) cannot be written into ``style="…"``. Widths
become one of 101 classes (``ob-w-0`` … ``ob-w-100`` in ``static/css/widths.css``, whole
percent) and colours an SVG ``fill`` presentation attribute, which CSP does not govern.
"""

import re
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html

register = template.Library()

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
FALLBACK_COLOUR = "#6c757d"


@register.filter
def width_class(value: object) -> str:
    """``ob-w-<n>``: the percentage rounded to a whole number and kept within 0–100."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal(0)
    if not number.is_finite():
        number = Decimal(0)
    whole = int(number.to_integral_value())
    return f"ob-w-{min(max(whole, 0), 100)}"


def safe_colour(colour: object) -> str:
    """A ``#rrggbb`` colour (as the Community model validates), else the neutral grey."""
    return colour if isinstance(colour, str) and _HEX.match(colour) else FALLBACK_COLOUR


@register.simple_tag
def community_dot(colour: object = None) -> str:
    """A coloured dot before a community's name, coloured by SVG ``fill``."""
    return format_html(
        '<svg class="community-dot" viewBox="0 0 2 2" aria-hidden="true" focusable="false">'
        '<circle cx="1" cy="1" r="1" fill="{}"/></svg>',
        safe_colour(colour),
    )


@register.simple_tag
def colour_fill(colour: object = None) -> str:
    """An SVG that fills its box with the colour (a chart bar in a community's colour)."""
    return format_html(
        '<svg class="ob-fill-svg" viewBox="0 0 1 1" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false"><rect width="1" height="1" fill="{}"/></svg>',
        safe_colour(colour),
    )
