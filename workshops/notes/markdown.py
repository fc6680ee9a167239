"""Notes are written in Markdown and shown as HTML that can carry nothing dangerous."""

from __future__ import annotations

import threading

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

EXTENSIONS = ["extra", "sane_lists", "nl2br"]

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
# Only links a reader can follow safely: no javascript:, data: or vbscript: URLs.
URL_SCHEMES = {"http", "https", "mailto"}
# On a page, each block takes its direction from its own first letter, so an Arabic
# paragraph reads right to left and the English list under it left to right.
DIRECTIONAL = (
    "blockquote", "dd", "dl", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ol", "p",
    "table", "td", "th", "ul",
)  # fmt: skip
SET_ATTRIBUTES = {tag: {"dir": "auto"} for tag in DIRECTIONAL}

_converters = threading.local()


def _to_html(text: str) -> str:
    """Markdown to HTML through one converter per thread, reset before each text (no
    footnote or abbreviation carries over). Building a converter, its extensions and their
    patterns, costs several times converting a note: a list of 25 notes paid it 25 times."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        _converters.markdown = converter
    return converter.reset().convert(text)


def render(text: str) -> SafeString:
    """``text`` as sanitised HTML: tags outside a small prose set are dropped (scripts with
    their content), attributes too, and links keep only safe schemes, with
    ``rel="noopener noreferrer nofollow"``. Used for the page, the report and its PDF."""
    html = _to_html(text or "")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def render_for_page(text: str) -> SafeString:
    """``render`` with ``dir="auto"`` on every block, for the browser. (The report sets an
    explicit direction per block instead, as its PDF engine does not know ``auto``.)"""
    html = nh3.clean(
        render(text),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values=SET_ATTRIBUTES,
    )
    return mark_safe(html)  # noqa: S308 - sanitised by nh3 twice
