"""The shortcuts a batch takes to render each message faster give what the long way gives:
a line linked without ``urlize``, the RSVP link's line linked once per batch, the batch's
RSVP links, and short headers written without the email package."""

import random

import pytest
from django.conf import settings
from django.core import signing
from django.core.mail.message import BadHeaderError, forbid_multi_line_headers
from django.template.defaultfilters import urlize
from django.urls import reverse
from django.utils.html import escape

from tests import factories
from workshops.models import InvitationStatus
from workshops.outreach import compose, links

LINES = [
    "Dear Ayşe Öztürk,",
    "Dear Dr. Ali Hassan,",  # a full stop: the long way
    "With warm regards,",
    "",
    "Tom & Jerry <b>bold</b> \"quoted\" 'single'",
    "Venue: Home for Cooperation, Nicosia",
    "See www.example.org or mail info@example.org.",
    "محمد عبد الله — نيقوسيا",
    "A  B\tC",
    "https://example.org/a?b=1&c=2",
]


def _the_long_way(line: str) -> str:
    return urlize(escape(line), autoescape=False).replace(
        "<a href=", '<a dir="ltr" style="word-break:break-all" href='
    )


def test_a_line_is_linked_as_urlize_links_it():
    rng = random.Random(11)
    pieces = ["a", "Z", " ", ".", "@", ":", "/", "&", "<", ">", '"', "'", "é", "ش", "www", "http"]
    lines = LINES + [
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(3_000)
    ]
    for line in lines:
        assert compose._linked(line) == _the_long_way(line), line


@pytest.mark.django_db
def test_the_rsvp_links_line_is_linked_as_it_would_be_on_its_own(cast):
    book = compose.TemplateBook()
    for n in range(4):
        invitation = factories.InvitationFactory(workshop=cast.workshop)
        url = book.links.url(invitation)
        token = book.links.token_in(url)
        assert len(token) >= 32
        text = "\n".join(
            [
                f"Dear Person {n},",
                url,
                f"Reply here: {url}.",
                f"({url}), or <{url}>",
                f"Both {url} and {url}",
                "With warm regards,",
            ]
        )
        # The same book for every message: the second one on takes the linked lines it
        # holds with the stand-in, and must still get their own link.
        assert compose.html_body(text, book, token=token) == compose.html_body(text)
        assert token in compose.html_body(text, book, token=token)


@pytest.mark.django_db
def test_a_token_too_short_to_be_signed_is_not_stood_in_for(cast):
    text = "Dear abc,\nhttps://example.org/rsvp/abc/\n"
    assert compose.html_body(text, compose.TemplateBook(), token="abc") == compose.html_body(text)


@pytest.mark.django_db
def test_a_batchs_rsvp_links_are_the_links_rsvp_url_gives(cast):
    book = compose.TemplateBook()
    for _ in range(3):
        invitation = factories.InvitationFactory(
            workshop=cast.workshop, status=InvitationStatus.INVITED
        )
        url = book.links.url(invitation)
        token = book.links.token_in(url)
        assert url == settings.SITE_URL + reverse("rsvp", args=[token])
        assert signing.loads(token, salt=links.SALT) == signing.loads(
            links.rsvp_token(invitation), salt=links.SALT
        )
        assert links.invitation_for_token(token) == invitation


@pytest.mark.parametrize(
    "name", ["To", "From", "Subject", "Message-ID", "Content-Language", "X-Olive-Branch-Kind"]
)
@pytest.mark.parametrize(
    "value",
    [
        "person0@example.org",
        "Olive Branch <outreach@example.org>",
        "Invitation: Water and the Green Line",
        "x" * (78 - len("Message-ID: ")),  # just fits one line
        "x" * (79 - len("Message-ID: ")),  # just does not
        "a long value " * 9,
        "Ayşe Öztürk <ayse@example.org>",
        "<0123456789abcdef@olive-branch.invalid>",
        "",
    ],
)
def test_a_header_is_written_as_the_email_package_writes_it(name, value):
    name_, value_ = forbid_multi_line_headers(name, value, settings.DEFAULT_CHARSET)
    assert compose._header(name, value) == compose.QUICK_HEADERS_CRLF.fold_binary(name_, value_)


@pytest.mark.parametrize("value", ["one\ntwo", "one\rtwo", "Bcc: x@example.org\r\n"])
def test_a_header_with_a_line_break_is_refused(value):
    with pytest.raises(BadHeaderError):
        compose._header("Subject", value)
    with pytest.raises(BadHeaderError):
        compose._header("X-Olive-Branch-Kind", value)
