"""Hardening (issue 8): the headers every page carries, a policy without 'unsafe-inline',
templates and scripts that need none, the deployment checklist, passwords."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
# Rendered by WeasyPrint into PDFs or sent as emails, never served as a page of the site
# (the email is shown only on its own URL, with its own policy: see below).
NOT_PAGES = {
    "workshops/rosters/pdf/sign_in_sheet.html",
    "workshops/rosters/pdf/badges.html",
    "workshops/report/report_pdf.html",
    "workshops/email/message.html",
}


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


# --- Headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions


def test_no_policy_allows_inline_code_or_eval(client, cast):
    client.force_login(cast.staff)
    header = client.get(reverse("home"))["Content-Security-Policy"]
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:"):
        assert unsafe not in header.split()


def test_the_signed_in_pages_carry_the_policy_too(client, cast):
    client.force_login(cast.admin)
    for name in ("home", "preferences", "two_factor", "audit_log"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_htmx_runs_without_eval_injected_styles_or_a_history_copy(client):
    html = client.get("/accounts/login/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', html)
    assert config, "base.html sets htmx's configuration"
    assert '"allowEval": false' in config.group(1)
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"historyCacheSize": 0' in config.group(1)


# --- Templates and scripts need no 'unsafe-inline' -------------------------------------------


def page_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in NOT_PAGES:
            yield name, path.read_text(encoding="utf-8")


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for name, text in page_templates():
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{name}: {tag}")
        offenders += [f"{name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text, flags=re.I)]
        offenders += [f"{name}: javascript:" for _ in re.findall("javascript:", text, flags=re.I)]
        offenders += [f"{name}: hx-on" for _ in re.findall(r"\bhx-on", text)]
        offenders += [f"{name}: hx-vars / js:" for _ in re.findall(r"hx-vars|js:", text)]
    assert offenders == []


def test_no_page_template_writes_inline_styles():
    offenders = [
        name
        for name, text in page_templates()
        if re.search(r"\sstyle\s*=", text, flags=re.I) or re.search(r"<style\b", text, flags=re.I)
    ]
    assert offenders == []


def test_static_scripts_do_not_eval():
    for path in (ROOT / "static" / "js").glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert "eval(" not in text and "new Function" not in text, path.name
        assert ".innerHTML" not in text or path.name in {"notes.js"}, path.name


def test_width_and_colour_helpers_stay_inside_their_ranges():
    from core.templatetags.ob_csp import community_dot, width_class

    assert width_class(45.4) == "ob-w-45"
    assert width_class("99.6") == "ob-w-100"
    assert width_class(250) == "ob-w-100"
    assert width_class(-3) == "ob-w-0"
    assert width_class(None) == "ob-w-0"
    assert width_class("nan") == "ob-w-0"
    assert 'fill="#1f77b4"' in community_dot("#1f77b4")
    # Anything but a plain #rrggbb (the model validates it; this is the second lock).
    assert 'fill="#6c757d"' in community_dot('red" onload="alert(1)')
    css = (ROOT / "static" / "css" / "widths.css").read_text()
    assert all(f".ob-w-{n} {{ --w: {n}%; }}" in css for n in range(101))


def test_a_chart_page_draws_its_bars_and_dots_without_style_attributes(client, cast):
    community = factories.CommunityFactory(colour="#1f77b4")
    cast.program.communities.add(community)
    client.force_login(cast.staff)
    html = client.get(reverse("dialogues:detail", args=[cast.program.pk])).content.decode()
    assert " style=" not in html
    assert 'fill="#1f77b4"' in html


# --- The email preview: inline styles on its own URL only -------------------------------------


def test_the_email_preview_has_its_own_policy_and_may_be_framed_only_here(client, cast):
    invitation = factories.InvitationFactory(workshop=cast.workshop)
    client.force_login(cast.staff)
    page = client.get(reverse("workshops:invitations_send", args=[cast.workshop.pk]))
    assert "srcdoc" not in page.content.decode()
    url = reverse("workshops:invitation_preview_email", args=[cast.workshop.pk])
    response = client.get(url, {"preview": invitation.pk})
    assert response.status_code == 200
    assert "style=" in response.content.decode()  # the email's own inline styles
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["style-src"] == ["'unsafe-inline'"]
    assert "script-src" not in policy  # falls back to default-src 'none'
    assert policy["frame-ancestors"] == ["'self'"]
    assert "sandbox" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Cache-Control"] == "no-store"


def test_the_email_preview_is_for_the_workshops_staff_only(client, cast):
    invitation = factories.InvitationFactory(workshop=cast.workshop)
    url = reverse("workshops:invitation_preview_email", args=[cast.workshop.pk])
    client.force_login(cast.facilitator)
    assert client.get(url, {"preview": invitation.pk}).status_code == 403
    client.force_login(cast.other_staff)
    assert client.get(url, {"preview": invitation.pk}).status_code == 404
    client.logout()
    assert client.get(url, {"preview": invitation.pk}).status_code == 302


# --- Cookies ---------------------------------------------------------------------------------


def test_session_and_csrf_cookies_are_http_only(client, cast):
    response = client.post(
        "/accounts/login/",
        {"username": cast.staff.username, "password": factories.DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"
    login_page = client.get("/accounts/login/?x=1")  # a fresh CSRF cookie on a form
    client.logout()
    login_page = client.get("/accounts/login/")
    assert login_page.cookies["csrftoken"]["httponly"]
    # htmx reads the token from the page, not from the cookie.
    client.force_login(cast.staff)
    html = client.get(reverse("home")).content.decode()
    assert re.search(r'hx-headers=\'\{"X-CSRFToken": "[A-Za-z0-9]{64}"\}\'', html)


def test_csrf_is_checked_on_sign_in(cast):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/accounts/login/",
        {"username": cast.staff.username, "password": factories.DEMO_PASSWORD},
    )
    assert response.status_code == 403


# --- Production mode -------------------------------------------------------------------------


def production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 20 + "production-key-for-the-deploy-check-0123456789",
        ALLOWED_HOSTS="olive-branch.example.org",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        OLIVE_BRANCH_VAR_DIR=str(Path(settings.MEDIA_ROOT) / "var"),
        **extra,
    )
    env.pop("DATABASE_URL", None)
    return env


def test_the_deployment_checklist_is_clean_in_production_mode():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_turn_on_https_and_secure_cookies():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 7 + ["DENY"]


# --- Passwords -------------------------------------------------------------------------------


def test_new_passwords_are_hashed_with_argon2():
    with override_settings(PASSWORD_HASHERS=settings.PASSWORD_HASHERS):
        pass
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert identify_hasher(make_password("a long passphrase here")).algorithm == "argon2"


@pytest.mark.parametrize(
    "password",
    [
        "short-one",  # under 12
        "password1234",  # common
        "738291046573",  # all digits
        "aaaaaaaaaaaaaaaa",  # one character
        "abababababababab",  # two characters
        "marguerite-d-2025",  # like the username
        "x" * 201,  # longer than anyone types
    ],
)
def test_weak_passwords_are_refused(password):
    user = factories.UserFactory(username="marguerite-d", first_name="Marguerite")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_good_passphrase_is_accepted():
    user = factories.UserFactory(username="marguerite-d")
    validate_password("olive trees by the green line", user)
