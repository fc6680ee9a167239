"""Participants read their RSVP page and their emails in Arabic, French or Hebrew.

The strings a participant meets are read from the source files themselves, not from the .po
files: a new string on the RSVP page or in an email fails here until it is translated in
every shipped language and the catalogues are compiled again (the compiled .mo files are
committed, so the app needs no gettext to run).
"""

import ast
import gettext
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation.template import templatize

from participants.models import Language
from tests import factories
from tests.conftest import new_page
from workshops.models import Invitation, InvitationStatus, MessageKind
from workshops.outreach import compose, links
from workshops.outreach.defaults import DEFAULTS

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
TRANSLATED = ("ar", "fr", "he")
RTL = {"ar", "he"}
SCRIPT = {"ar": re.compile(r"[\u0600-\u06ff]"), "he": re.compile(r"[\u0590-\u05ff]")}
MARCH = {"ar": "مارس", "fr": "mars", "he": "מרץ"}  # Django's own month names
PLACEHOLDER = re.compile(r"\{\{ *\w+ *\}\}")
PYTHON_FORMAT = re.compile(r"%\(\w+\)[sd]")

# --- What a participant reads -----------------------------------------------------------------

# The RSVP pages; the page a refused form shows (403_csrf.html in error.html in base.html).
PARTICIPANT_TEMPLATES = [
    *sorted((ROOT / "templates/workshops").glob("rsvp*.html")),
    ROOT / "templates/403_csrf.html",
    ROOT / "templates/error.html",
    ROOT / "templates/base.html",
    ROOT / "templates/core/_language_switcher.html",  # on the RSVP pages too
]
# The RSVP view and form, the built-in wording of every email and what compose puts in it.
PARTICIPANT_MODULES = [
    ROOT / "workshops/views/rsvp.py",
    ROOT / "workshops/outreach/rsvp_forms.py",
    ROOT / "workshops/outreach/defaults.py",
    ROOT / "workshops/outreach/compose.py",
]
# Staff strings live there too: only the reasons an RSVP is closed reach the participant.
SCHEDULING = ROOT / "workshops/outreach/scheduling.py"
INVITATION_FIELDS = ("dietary", "accessibility", "interpretation", "needs", "response_note")

# The keywords makemessages gives xgettext (plus gettext's own `_` and `gettext`).
GETTEXT_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# templatize() turns {% translate %} and friends into `gettext('…')`, `pgettext('c', '…')`,
# `ngettext('…', '…', n)` and `_("…")` (a filter's translated argument).
PY_STRING = r"u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
TEMPLATE_CALL = re.compile(rf"\b(_|n?p?gettext)\(((?:\s*{PY_STRING}\s*,?)+)")


def _key(function: str, strings: list[str]) -> str:
    """The catalogue key of a call: "context\\x04msgid" for the p- functions."""
    if function.lstrip("n").startswith("p"):
        return f"{strings[0]}\x04{strings[1]}"
    return strings[0]


def template_msgids(path: Path) -> set[str]:
    """The msgids makemessages takes from a template (it runs xgettext on templatize())."""
    python = templatize(path.read_text(), str(path))
    return {
        _key(call[1], [ast.literal_eval(s) for s in re.findall(PY_STRING, call[2])])
        for call in TEMPLATE_CALL.finditer(python)
    }


def _name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")


def _gettext_calls(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node) in GETTEXT_FUNCTIONS:
            strings = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
            if strings and all(isinstance(s, str) for s in strings):
                found.add(_key(_name(node), strings))
    return found


def module_msgids(path: Path) -> set[str]:
    return _gettext_calls(ast.parse(path.read_text()))


def rsvp_closed_msgids() -> set[str]:
    """The reasons ``RSVPClosed`` gives: the RSVP page shows them."""
    found = set()
    for node in ast.walk(ast.parse(SCHEDULING.read_text())):
        if isinstance(node, ast.Call) and _name(node) == "RSVPClosed":
            found |= _gettext_calls(node)
    return found


def model_msgids() -> set[str]:
    """The invitation's status names and the labels of the needs a participant gives."""
    with translation.override(None):  # a lazy string's msgid
        labels = {str(label) for label in InvitationStatus.labels}
        for name in INVITATION_FIELDS:
            field = Invitation._meta.get_field(name)
            labels |= {str(field.verbose_name), str(field.help_text)}
    return labels - {""}


def participant_msgids() -> set[str]:
    msgids = model_msgids() | rsvp_closed_msgids()
    for path in PARTICIPANT_TEMPLATES:
        msgids |= template_msgids(path)
    for path in PARTICIPANT_MODULES:
        msgids |= module_msgids(path)
    return msgids


def catalogue(language: str) -> dict:
    """The compiled catalogue as committed: what the app translates with."""
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        return gettext.GNUTranslations(mo)._catalog


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def english(text) -> str:
    with translation.override(None):
        return str(text)


# --- The catalogues ---------------------------------------------------------------------------


def test_the_participant_strings_are_found():
    """The extraction must see the strings, or the next tests prove nothing."""
    msgids = participant_msgids()
    for expected in (
        "Will you attend?",  # rsvp_forms.py
        "Your invitation",  # rsvp.html
        "You have not answered yet.",  # rsvp_status.html, an include
        "Your place is confirmed",  # rsvp_answered.html, inside {% block title %}
        "This invitation is no longer open.",  # scheduling.RSVPClosed
        "This workshop was cancelled.",  # views/rsvp.py
        "%(span)s (%(zone)s time)",  # compose.py
        "Accepted",  # InvitationStatus
        "dietary needs",  # Invitation.dietary
        "The form could not be sent",  # 403_csrf.html, {% translate … as var %}
        "Go to the home page",  # error.html
        "Skip to content",  # base.html
        *(english(text) for wording in DEFAULTS.values() for text in wording),
    ):
        assert expected in msgids, expected
    assert "Cancelled by %(user)s." not in msgids  # scheduling.py's staff strings stay out
    assert len(msgids) >= 100


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_participant_string_is_translated(language):
    translations = catalogue(language)
    missing = sorted(msgid for msgid in participant_msgids() if not translations.get(msgid))
    assert not missing, (
        f"Not translated into {language}: {missing}. Run makemessages, translate in "
        f"locale/{language}/LC_MESSAGES/django.po, then compilemessages."
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_line_breaks(language):
    """A `{{ placeholder }}` lost in translation leaves a hole in an email, a translated one
    is an unknown placeholder; a `%(name)s` lost raises; line breaks shape the email."""
    translations = catalogue(language)
    for msgid in participant_msgids():
        msgstr = translations[msgid]
        for pattern in (PLACEHOLDER, PYTHON_FORMAT):
            assert sorted(pattern.findall(msgstr)) == sorted(pattern.findall(msgid)), msgstr
        assert msgstr.count("\n") == msgid.count("\n"), msgstr
        assert msgstr.startswith(" ") == msgid.startswith(" "), msgstr  # " (by %(date)s)"
        assert "Olive Branch" not in msgid or "Olive Branch" in msgstr


# --- The rest of the interface ------------------------------------------------------------------

# Staff, facilitators and admins work in English, Arabic or French; Hebrew covers what a
# participant reads (above).
UI_TRANSLATED = ("ar", "fr")
APPS = ("config", "core", "dialogues", "participants", "workshops")


def ui_msgids() -> set[str]:
    """Every string makemessages gathers from the templates and the apps' Python modules."""
    msgids = set()
    for path in sorted((ROOT / "templates").rglob("*.html")):
        msgids |= template_msgids(path)
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                msgids |= module_msgids(path)
    return msgids


def test_the_interface_strings_are_found():
    msgids = ui_msgids()
    assert participant_msgids() <= msgids
    for expected in ("Programs", "Take attendance", "Audit log", "Users and roles"):
        assert expected in msgids, expected
    assert len(msgids) >= 1000


def _translated(translations: dict, msgid: str) -> bool:
    """A plural's forms are keyed (msgid, index): gettext speaks English if one is empty."""
    if msgid in translations:
        return bool(translations[msgid])
    forms = [
        text for key, text in translations.items() if isinstance(key, tuple) and key[0] == msgid
    ]
    return bool(forms) and all(forms)


@pytest.mark.parametrize("language", UI_TRANSLATED)
def test_every_interface_string_is_translated(language):
    translations = catalogue(language)
    missing = sorted(msgid for msgid in ui_msgids() if not _translated(translations, msgid))
    assert not missing, (
        f"{len(missing)} strings not translated into {language}, e.g. {missing[:20]}. Run "
        f"`make messages`, translate in locale/{language}/LC_MESSAGES/django.po, then "
        "`make compilemessages`."
    )


@pytest.mark.parametrize("language", UI_TRANSLATED)
def test_interface_translations_keep_their_placeholders(language):
    """A lost `%(name)s` raises at run time, a lost `{{ name }}` leaves a hole."""
    translations = catalogue(language)
    for msgid, msgstr in translations.items():
        if not msgid or isinstance(msgid, tuple):  # the header; plural forms
            continue
        for pattern in (PLACEHOLDER, PYTHON_FORMAT):
            assert sorted(pattern.findall(msgstr)) == sorted(pattern.findall(msgid)), msgstr


@pytest.mark.parametrize("language", sorted(RTL))
def test_a_title_before_the_dates_is_isolated_in_right_to_left_wording(language):
    """In "«Water Talks»، 4 مارس" the day's number joins the Latin title's run and shows
    before it; a right-to-left mark (U+200F) after the title keeps the order."""
    translations = catalogue(language)
    title_then_more = re.compile(r"\{\{ workshop \}\}[»\"]?(\u200f?)[,،:] *\{\{")
    for msgid in participant_msgids():
        for mark in title_then_more.findall(translations[msgid]):
            assert mark == "\u200f", translations[msgid]


@pytest.mark.parametrize("language", TRANSLATED)
def test_nothing_is_fuzzy(language):
    """gettext skips fuzzy entries: a fuzzy translation is a silent English one."""
    po = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    assert not re.search(r"^#,.*\bfuzzy\b", po, flags=re.MULTILINE)
    assert f'"Language: {language}\\n"' in po


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext (msgfmt) is not installed")
@pytest.mark.parametrize("language", TRANSLATED)
def test_the_po_compiles_and_the_committed_mo_matches_it(language, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "--check-format", "-o", str(mo), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with open(mo, "rb") as fresh:
        assert gettext.GNUTranslations(fresh)._catalog == catalogue(language), (
            f"locale/{language}/LC_MESSAGES/django.mo is not compiled from its .po: "
            "run compilemessages and commit the .mo"
        )


# --- The RSVP page ----------------------------------------------------------------------------


def _invitation(language: str, *, discreet: bool = False) -> Invitation:
    Language.objects.get_or_create(
        code=language, defaults={"name": language, "is_rtl": language in RTL}
    )
    program = factories.ProgramFactory(discreet_mode=discreet)
    nicosia = ZoneInfo("Asia/Nicosia")
    workshop = factories.WorkshopFactory(
        program=program,
        title="Water and the Green Line",
        venue_name="Ledra Palace",
        venue_city="Nicosia",
        time_zone="Asia/Nicosia",
        starts_at=datetime(2031, 3, 4, 9, 0, tzinfo=nicosia),
        ends_at=datetime(2031, 3, 5, 17, 0, tzinfo=nicosia),
        feedback_url="https://forms.example.org/water",
    )
    person = factories.ParticipantFactory(full_name="Dana Haddad", preferred_language_id=language)
    return factories.InvitationFactory(
        workshop=workshop,
        participant=person,
        status=InvitationStatus.INVITED,
        sent_at=timezone.now(),
    )


def _english_left(body: str, msgids: set[str]) -> list[str]:
    """English sentences still on a page (short words like "Note" could be anything)."""
    return [msgid for msgid in msgids if len(msgid) > 12 and escape(msgid) in body]


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_the_rsvp_page_speaks_the_participants_language(language):
    invitation = _invitation(language)
    url = reverse("rsvp", args=[links.rsvp_token(invitation)])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # their preference wins over the browser's

    body = client.get(url).content.decode()
    direction = "rtl" if language in RTL else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in body
    for msgid in ("Will you attend?", "Yes, I will attend", "Send my answer", "Dietary needs"):
        translated = in_language(language, msgid)
        assert translated != msgid and escape(translated) in body
    if language in SCRIPT:
        assert SCRIPT[language].search(in_language(language, "Will you attend?"))
    shown = template_msgids(ROOT / "templates/workshops/rsvp.html") | module_msgids(
        ROOT / "workshops/outreach/rsvp_forms.py"
    )
    assert not _english_left(body, shown)
    # The dates too: the month in the language, the venue's time zone named.
    zone = in_language(language, "%(span)s (%(zone)s time)") % {"span": "", "zone": "Asia/Nicosia"}
    assert MARCH[language] in body and escape(zone.strip()) in body

    refused = client.post(url, {"answer": ""}).content.decode()
    assert escape(in_language(language, "Choose whether you will attend.")) in refused
    answered = client.post(url, {"answer": "accept"}, follow=True).content.decode()
    assert escape(in_language(language, "Thank you: your place is confirmed")) in answered
    assert not _english_left(
        answered, template_msgids(ROOT / "templates/workshops/rsvp_answered.html")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_a_refused_form_says_so_in_the_browsers_language(language):
    """The CSRF check runs before the RSVP view knows the participant: their browser's
    language it is."""
    invitation = _invitation(language)
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(
        reverse("rsvp", args=[links.rsvp_token(invitation)]), {"answer": "accept"}
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert escape(in_language(language, "The form could not be sent")) in body
    assert escape(in_language(language, "Go to the home page")) in body
    assert not _english_left(body, template_msgids(ROOT / "templates/403_csrf.html"))


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_a_discreet_programs_page_hides_the_venue_in_the_participants_language(language):
    invitation = _invitation(language, discreet=True)
    body = Client().get(reverse("rsvp", args=[links.rsvp_token(invitation)])).content.decode()
    assert escape(in_language(language, "Our next meeting")) in body
    assert (
        escape(in_language(language, "The venue will be shared with you once you accept.")) in body
    )
    assert "Ledra Palace" not in body and "Water and the Green Line" not in body


# --- The emails -------------------------------------------------------------------------------

INVITEE_KINDS = [
    MessageKind.INVITATION,
    MessageKind.REMINDER,
    MessageKind.UPDATE,
    MessageKind.CANCELLATION,
    MessageKind.SEAT_OFFER,
    MessageKind.FOLLOW_UP,
]


def _assert_wording(rendered: compose.Rendered, language: str, kind: str) -> None:
    """Every word of the built-in wording in ``language`` is there, every placeholder filled."""
    subject_id, body_id = (english(text) for text in DEFAULTS[kind])
    for msgid, text in ((subject_id, rendered.subject), (body_id, rendered.text)):
        translated = in_language(language, msgid)
        assert translated != msgid
        for words in PLACEHOLDER.split(translated):
            assert " ".join(words.split()) in " ".join(text.split()), words
    assert "{{" not in rendered.subject + rendered.text
    assert "}}" not in rendered.subject + rendered.text
    assert "Dear" not in rendered.text and "With warm regards" not in rendered.text
    assert rendered.language == language
    assert f'lang="{language}" dir="{"rtl" if language in RTL else "ltr"}"' in rendered.html
    if language in SCRIPT:
        assert SCRIPT[language].search(rendered.subject)


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("kind", INVITEE_KINDS)
def test_the_built_in_emails_speak_the_participants_language(language, kind):
    invitation = _invitation(language)
    factories.FollowUpActionFactory(
        workshop=invitation.workshop, description="Share the water map", due_on=date(2031, 3, 20)
    )
    rendered = compose.render(factories.ScheduledMessageFactory(invitation=invitation, kind=kind))

    _assert_wording(rendered, language, kind)
    assert "Water and the Green Line" in rendered.subject
    assert "Dana Haddad" in rendered.text
    # Dates in the language: the workshop's (with the venue's time zone), or the actions'.
    assert MARCH[language] in rendered.text
    if kind == MessageKind.REMINDER:
        assert MARCH[language] in rendered.subject
    if kind == MessageKind.FOLLOW_UP:
        by = in_language(language, " (by %(date)s)") % {"date": ""}
        assert f"- Share the water map{by.rstrip(' )')}" in rendered.text
        assert (
            in_language(language, "Tell us how it went: %(link)s")
            % {"link": "https://forms.example.org/water"}
            in rendered.text
        )
    else:
        zone = in_language(language, "%(span)s (%(zone)s time)") % {
            "span": "",
            "zone": "Asia/Nicosia",
        }
        assert zone.strip() in rendered.text
    if kind in (MessageKind.INVITATION, MessageKind.REMINDER, MessageKind.SEAT_OFFER):
        # The link's signature carries the second it was made: read it back, not compared.
        prefix = links.rsvp_url(invitation).split("/rsvp/")[0] + "/rsvp/"
        token = re.search(re.escape(prefix) + r"([^/\s]+)/", rendered.text).group(1)
        assert links.invitation_for_token(token) == invitation
        assert "Ledra Palace, Nicosia" in rendered.text


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_a_discreet_invitation_hides_the_venue_in_the_participants_language(language):
    invitation = _invitation(language, discreet=True)
    rendered = compose.render(factories.ScheduledMessageFactory(invitation=invitation))
    _assert_wording(rendered, language, MessageKind.INVITATION)
    assert in_language(language, "Our next meeting") in rendered.subject
    assert in_language(language, "shared once you accept the invitation") in rendered.text
    assert "Ledra Palace" not in rendered.text and "Water and the Green" not in rendered.text


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_an_action_reminder_speaks_its_owners_language(language):
    invitation = _invitation(language)
    owner = factories.UserFactory(first_name="Yusuf", last_name="Kaya", language=language)
    action = factories.FollowUpActionFactory(
        workshop=invitation.workshop,
        owner_user=owner,
        description="Share the water map",
        due_on=date(2031, 3, 20),
    )
    rendered = compose.render(
        factories.ScheduledMessageFactory(
            kind=MessageKind.ACTION_REMINDER,
            invitation=None,
            recipient_participant=None,
            recipient_user=owner,
            follow_up_action=action,
            workshop=invitation.workshop,
        )
    )
    _assert_wording(rendered, language, MessageKind.ACTION_REMINDER)
    assert MARCH[language] in rendered.subject and "Share the water map" in rendered.text


# --- In a browser -----------------------------------------------------------------------------

PHONE = {"width": 375, "height": 812}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("language", TRANSLATED)
def test_a_participant_answers_in_their_language_on_a_phone(
    browser, live_server, screenshot, language
):
    """Screenshots for a reader of the language: right to left where it should be, nothing
    wider than the phone, the answer and the email read in order."""
    invitation = _invitation(language)
    context = browser.new_context(viewport=PHONE, locale=language)
    page = new_page(context)
    try:
        url = live_server.url + reverse("rsvp", args=[links.rsvp_token(invitation)])
        page.goto(url)
        html = page.locator("html")
        assert html.get_attribute("dir") == ("rtl" if language in RTL else "ltr")
        page.get_by_role("heading", name=in_language(language, "Your invitation")).wait_for()
        page.get_by_text(in_language(language, "Will you attend?")).wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(f"translations-{language}-rsvp", of=page)

        page.get_by_role("button", name=in_language(language, "Send my answer")).click()
        page.get_by_text(in_language(language, "Choose whether you will attend.")).wait_for()
        screenshot(f"translations-{language}-rsvp-error", of=page)

        page.get_by_text(in_language(language, "Yes, I will attend")).click()
        page.get_by_label(in_language(language, "Dietary needs")).fill("Vegetarian")
        page.get_by_role("button", name=in_language(language, "Send my answer")).click()
        page.get_by_role(
            "heading", name=in_language(language, "Thank you: your place is confirmed")
        ).wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(f"translations-{language}-rsvp-answered", of=page)

        # A form refused (cookies gone): the browser's language, here the same.
        page.goto(url)
        context.clear_cookies()
        page.get_by_role("button", name=in_language(language, "Send my answer")).click()
        page.get_by_role(
            "heading", name=in_language(language, "The form could not be sent")
        ).wait_for()
        screenshot(f"translations-{language}-form-refused", of=page)

        rendered = compose.render(factories.ScheduledMessageFactory(invitation=invitation))
        page.set_content(rendered.html)
        screenshot(f"translations-{language}-email", of=page)
    finally:
        context.close()
