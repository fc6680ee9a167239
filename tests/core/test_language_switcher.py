"""The language switcher of every page: Django's set_language, a signed-in user's choice saved
to their preference, the RSVP page's explicit choice over the participant's preferred language,
and dates and numbers written the way the chosen language writes them."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from participants.models import Language
from tests import factories
from tests.html import assert_valid_page
from workshops.models import InvitationStatus, WorkshopStatus
from workshops.outreach import links

pytestmark = pytest.mark.django_db

SETLANG = "/i18n/setlang/"
COOKIE = settings.LANGUAGE_COOKIE_NAME
# Each language in itself, with its direction.
NAMES = {"en": ("English", "ltr"), "ar": ("العربية", "rtl"), "fr": ("Français", "ltr")}
NAMES["he"] = ("עברית", "rtl")


def switcher(html: str) -> str:
    match = re.search(r"<details class=\"ob-language.*?</details>", html, re.S)
    assert match, "no language switcher on the page"
    return match.group(0)


def assert_switcher(html: str, current: str, next_path: str) -> None:
    found = switcher(html)
    assert f'action="{SETLANG}"' in found and 'method="post"' in found
    assert "csrfmiddlewaretoken" in found
    assert f'name="next" value="{next_path}"' in found
    for code, (name, direction) in NAMES.items():
        pressed = ' aria-current="true"' if code == current else ""
        assert (
            f'<button type="submit" name="language" value="{code}" lang="{code}" '
            f'class="ob-language-option"{pressed}><span dir="{direction}">{name}</span></button>'
        ) in found, code


def page_language(html: str) -> tuple[str, str]:
    match = re.search(r'<html lang="(\w+)" dir="(\w+)">', html)
    assert match
    return match.group(1), match.group(2)


def invite(workshop, language: str = ""):
    if language:
        Language.objects.get_or_create(code=language, defaults={"name": language})
    person = factories.ParticipantFactory(preferred_language_id=language or None)
    return factories.InvitationFactory(
        workshop=workshop,
        participant=person,
        status=InvitationStatus.INVITED,
        sent_at=timezone.now(),
    )


# --- On every page -----------------------------------------------------------------------------


def test_the_sign_in_page_has_the_switcher_in_the_browsers_language(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert_valid_page(response)
    html = response.content.decode()
    assert page_language(html) == ("fr", "ltr")
    assert_switcher(html, "fr", "/accounts/login/")


def test_a_signed_in_page_has_the_switcher(client, cast):
    client.force_login(cast.staff)
    response = client.get(reverse("workshops:detail", args=[cast.workshop.pk]) + "?tab=1")
    assert_valid_page(response)
    assert_switcher(response.content.decode(), "en", f"/workshops/{cast.workshop.pk}/?tab=1")


def test_a_page_drawn_without_a_csrf_token_has_no_switcher(db):
    """The 500 page is rendered without the request: a switcher there could only be refused."""
    from django.test import RequestFactory
    from django.views import defaults

    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "ob-language" not in response.content.decode()


def test_choosing_a_language_sets_the_cookie_and_goes_back(client):
    response = client.post(SETLANG, {"language": "ar", "next": "/accounts/login/?next=/x/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/x/"
    assert response.cookies[COOKIE].value == "ar"
    assert response.cookies[COOKIE]["httponly"]
    assert response.cookies[COOKIE]["samesite"] == "Lax"
    html = client.get("/accounts/login/").content.decode()
    assert page_language(html) == ("ar", "rtl")
    assert "bootstrap.rtl.min.css" in html
    assert "تسجيل الدخول إلى Olive Branch" in html
    assert_switcher(html, "ar", "/accounts/login/")


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""]
)
def test_the_way_back_stays_on_this_site(client, unsafe):
    response = client.post(SETLANG, {"language": "fr", "next": unsafe})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[COOKIE].value == "fr"


def test_an_unknown_language_changes_nothing(client, cast):
    cast.staff.language = "fr"
    cast.staff.save()
    client.force_login(cast.staff)
    response = client.post(SETLANG, {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert COOKIE not in response.cookies or response.cookies[COOKIE].value == "fr"
    cast.staff.refresh_from_db()
    assert cast.staff.language == "fr"


def test_the_switcher_only_posts(client):
    assert client.get(SETLANG + "?language=ar&next=/").status_code == 405


def test_without_a_csrf_token_the_choice_is_refused(cast):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.staff)
    assert strict.post(SETLANG, {"language": "ar", "next": "/"}).status_code == 403
    cast.staff.refresh_from_db()
    assert cast.staff.language == ""


# --- A signed-in user's preference -----------------------------------------------------------


def test_a_signed_in_users_choice_is_saved_and_follows_them_to_a_new_session(client, cast):
    client.force_login(cast.observer)
    response = client.post(SETLANG, {"language": "he", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    cast.observer.refresh_from_db()
    assert cast.observer.language == "he"
    event = AuditEvent.objects.get(action="user.preferences")
    assert event.actor == cast.observer and event.data == {"fields": ["language"]}
    # Another browser: no cookie, the preference still holds, and the cookie follows it.
    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="fr")
    elsewhere.force_login(cast.observer)
    home = elsewhere.get("/")
    assert page_language(home.content.decode()) == ("he", "rtl")
    assert home.cookies[COOKIE].value == "he"
    # Choosing the same language again writes nothing more.
    client.post(SETLANG, {"language": "he", "next": "/"})
    assert AuditEvent.objects.filter(action="user.preferences").count() == 1


def test_the_saved_preference_wins_over_an_old_cookie(client, cast):
    cast.staff.language = "fr"
    cast.staff.save()
    client.cookies[COOKIE] = "ar"
    client.force_login(cast.staff)
    response = client.get("/")
    assert page_language(response.content.decode()) == ("fr", "ltr")
    assert response["Content-Language"] == "fr"
    assert response.cookies[COOKIE].value == "fr"  # the sign-in page will speak French too
    client.post(reverse("logout"))  # (the test client's logout() would drop every cookie)
    assert page_language(client.get("/accounts/login/").content.decode()) == ("fr", "ltr")


def test_no_preference_leaves_the_cookie_and_the_browser_to_decide(client, cast):
    client.force_login(cast.staff)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert page_language(response.content.decode()) == ("ar", "rtl")
    assert COOKIE not in response.cookies


@pytest.mark.usefixtures("real_two_factor")
def test_before_the_second_factor_only_the_cookie_changes(client, cast):
    client.force_login(cast.admin)  # admins owe a code before any page
    response = client.post(SETLANG, {"language": "ar", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies[COOKIE].value == "ar"
    cast.admin.refresh_from_db()
    assert cast.admin.language == ""


# --- The participant's RSVP page ---------------------------------------------------------------


def test_the_rsvp_page_speaks_the_preferred_language_until_another_is_chosen(client, cast):
    invitation = invite(cast.workshop, language="ar")
    url = reverse("rsvp", args=[links.rsvp_token(invitation)])
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert_valid_page(first)
    html = first.content.decode()
    assert page_language(html) == ("ar", "rtl") and first["Content-Language"] == "ar"
    assert_switcher(html, "ar", url)
    # Posting from a no-referrer page would send "Origin: null": the page says same-origin.
    assert first["Referrer-Policy"] == "same-origin"
    chosen = client.post(SETLANG, {"language": "fr", "next": url})
    assert chosen.status_code == 302 and chosen["Location"] == url
    again = client.get(url)
    assert page_language(again.content.decode()) == ("fr", "ltr")
    assert again["Content-Language"] == "fr"
    assert_switcher(again.content.decode(), "fr", url)


def test_the_answered_page_has_the_switcher_too(client, cast):
    invitation = invite(cast.workshop, language="he")
    token = links.rsvp_token(invitation)
    client.post(reverse("rsvp", args=[token]), {"answer": "accept"})
    answered = client.get(reverse("rsvp_answered", args=[token]))
    assert answered.status_code == 200
    assert_valid_page(answered)
    assert page_language(answered.content.decode()) == ("he", "rtl")
    assert_switcher(answered.content.decode(), "he", reverse("rsvp_answered", args=[token]))
    assert answered["Referrer-Policy"] == "same-origin"


def test_pages_that_cannot_be_answered_have_no_switcher(client, cast):
    invitation = invite(cast.workshop, language="ar")
    url = reverse("rsvp", args=[links.rsvp_token(invitation)])
    cast.workshop.status = WorkshopStatus.CANCELLED
    cast.workshop.save()
    for response in (client.get(url), client.get("/rsvp/not-a-token/")):
        assert response.status_code in (404, 410)
        assert "ob-language" not in response.content.decode()
        assert response["Referrer-Policy"] == "no-referrer"


# --- Dates and numbers in the chosen language ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "month", "weekday"),
    [("en", "Dec", "Mon"), ("ar", "ديسمبر", "إثنين"), ("fr", "Déc", "lun")],
)
def test_the_workshop_page_writes_its_dates_in_the_chosen_language(
    client, cast, language, month, weekday
):
    nicosia = ZoneInfo("Asia/Nicosia")
    cast.workshop.starts_at = datetime(2031, 12, 8, 9, 30, tzinfo=nicosia)
    cast.workshop.ends_at = datetime(2031, 12, 8, 17, 0, tzinfo=nicosia)
    cast.workshop.save()
    cast.staff.language = language
    cast.staff.save()
    client.force_login(cast.staff)
    html = client.get(reverse("workshops:detail", args=[cast.workshop.pk])).content.decode()
    assert f"{weekday} 8 {month} 2031, 09:30–17:00" in html


@pytest.mark.parametrize(("language", "number"), [("en", "12,345"), ("fr", "12\xa0345")])
def test_numbers_are_grouped_the_way_the_language_groups_them(
    client, cast, settings, language, number
):
    settings.PARTICIPANT_IMPORT_MAX_ROWS = 12345
    cast.staff.language = language
    cast.staff.save()
    client.force_login(cast.staff)
    html = client.get(reverse("participants:import_upload")).content.decode()
    assert f"{number} " in html


# --- In a real browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_switching_to_arabic_in_a_browser_and_keeping_it_after_sign_in(
    page, live_server, cast, screenshot
):
    from tests.factories import DEMO_PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    toggle = page.locator("summary.ob-language-toggle")
    toggle.click()
    # The choice posts and comes back to this same address: wait for that navigation (a
    # wait for the URL alone would be satisfied at once, by the page before it).
    with page.expect_navigation():
        page.get_by_role("button", name="العربية").click()
    page.wait_for_url("**/accounts/login/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    screenshot("language-sign-in-ar")
    # Escape closes the menu again (static/js/language.js), focus back on its toggle.
    toggle.click()
    assert page.get_by_role("button", name="Français").is_visible()
    page.keyboard.press("Escape")
    assert not page.get_by_role("button", name="Français").is_visible()
    page.locator("#id_username").fill(cast.staff.username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("summary.ob-language-toggle").click()
    screenshot("language-home-ar-open")
    # On a phone the switcher stays beside the collapsed navigation's toggle.
    page.set_viewport_size({"width": 390, "height": 700})
    assert page.get_by_role("button", name="English").is_visible()
    screenshot("language-home-ar-phone")
    cast.staff.refresh_from_db()
    assert cast.staff.language == ""  # chosen before signing in: the cookie only


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_participant_switches_their_rsvp_page_from_arabic_to_french(
    page, live_server, cast, screenshot
):
    """The page's Referrer-Policy lets the browser post the switcher with its real Origin
    (under no-referrer it would send "Origin: null", which the CSRF check refuses)."""
    invitation = invite(cast.workshop, language="ar")
    url = reverse("rsvp", args=[links.rsvp_token(invitation)])
    page.goto(f"{live_server.url}{url}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("summary.ob-language-toggle").click()
    screenshot("language-rsvp-ar-open")
    with page.expect_navigation():  # back to the same address, so wait for the navigation
        page.get_by_role("button", name="Français").click()
    page.wait_for_url(f"**{url}")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.reload()
    assert page.locator("html").get_attribute("lang") == "fr"  # the choice holds
