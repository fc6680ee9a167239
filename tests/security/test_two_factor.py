"""Two-factor authentication, the real flow (no shortcut: ``real_two_factor``).

Admins give a TOTP code after their password before any page, setting up their app first
if they have none; everyone else may turn it on in Preferences and then owes a code too.
"""

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent
from tests.conftest import totp_code
from tests.factories import DEMO_PASSWORD, AdminFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_two_factor")]


def sign_in(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": DEMO_PASSWORD, "next": "/"}
    )
    assert response.status_code == 302
    return response


def unthrottle(device) -> None:
    """Forget earlier wrong codes (each one makes the next try wait a little longer)."""
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_an_admin_without_a_device_is_sent_to_set_one_up_before_any_page(client):
    admin = AdminFactory()
    sign_in(client, admin)
    for path in ("/", "/audit/", "/participants/", "/admin/", reverse("preferences")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("two_factor_setup")), path
    # htmx requests reload the whole page rather than swapping a form into a fragment.
    response = client.get("/participants/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("two_factor_setup"))


def test_setting_up_shows_a_qr_code_and_key_then_backup_codes_once(client):
    admin = AdminFactory()
    sign_in(client, admin)
    page = client.get(reverse("two_factor_setup"), {"next": "/audit/"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn here
    key = re.search(r'data-testid="manual-key">([A-Z2-7 ]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=admin)
    assert not device.confirmed
    import base64

    assert base64.b32encode(device.bin_key).decode().rstrip("=") == key.replace(" ", "")
    # A reload keeps the same unconfirmed device (the app already scanned it).
    client.get(reverse("two_factor_setup"))
    assert TOTPDevice.objects.filter(user=admin).count() == 1

    wrong = client.post(reverse("two_factor_setup"), {"code": "000000", "next": "/audit/"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/audit/").status_code == 302

    unthrottle(device)
    done = client.post(reverse("two_factor_setup"), {"code": totp_code(device), "next": "/audit/"})
    assert done.status_code == 200
    codes = re.findall(r'<li class="col">([a-z0-9]+)</li>', done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/audit/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.two_factor_enabled").count() == 1


def test_an_admin_with_a_device_enters_a_code_after_the_password(client):
    admin = AdminFactory()
    device = confirmed_device(admin)
    sign_in(client, admin)
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert unquote(response["Location"]).endswith("next=/audit/")
    # Setting up another device is not possible with the password alone.
    setup = client.get(reverse("two_factor_setup"))
    assert setup["Location"].startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(user=admin).count() == 1

    bad = client.post(reverse("two_factor_verify"), {"code": "123456", "next": "/audit/"})
    assert bad.status_code == 200
    assert "not right" in bad.content.decode() or "Too many" in bad.content.decode()
    assert client.get("/audit/").status_code == 302

    unthrottle(device)
    key_before = client.session.session_key
    good = client.post(reverse("two_factor_verify"), {"code": totp_code(device), "next": "/audit/"})
    assert good.status_code == 302 and good["Location"] == "/audit/"
    assert client.session.session_key != key_before  # a new session id once verified
    assert client.get("/audit/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_code_works_once_and_wrong_codes_are_throttled(client):
    admin = AdminFactory()
    device = confirmed_device(admin)
    sign_in(client, admin)
    code = totp_code(device)
    client.post(reverse("two_factor_verify"), {"code": code})
    client.post(reverse("logout"))
    sign_in(client, admin)
    again = client.post(reverse("two_factor_verify"), {"code": code})
    assert again.status_code == 200  # the same code twice is refused
    client.post(reverse("two_factor_verify"), {"code": "111111"})
    throttled = client.post(reverse("two_factor_verify"), {"code": totp_code(device)})
    assert "Too many wrong codes" in throttled.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1


def test_a_backup_code_signs_in_once(client):
    from core.two_factor import new_backup_codes

    admin = AdminFactory()
    confirmed_device(admin)
    codes = new_backup_codes(admin)
    sign_in(client, admin)
    response = client.post(reverse("two_factor_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/audit/").status_code == 200
    assert StaticToken.objects.filter(token=codes[0]).count() == 0
    client.post(reverse("logout"))
    sign_in(client, admin)
    reused = client.post(reverse("two_factor_verify"), {"code": codes[0]})
    assert reused.status_code == 200


def test_a_new_password_sign_in_is_not_verified_by_an_earlier_code(client):
    admin = AdminFactory()
    device = confirmed_device(admin)
    sign_in(client, admin)
    client.post(reverse("two_factor_verify"), {"code": totp_code(device)})
    assert DEVICE_ID_SESSION_KEY in client.session
    client.post(reverse("logout"))
    sign_in(client, admin)
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get("/").status_code == 302


def test_the_admin_site_itself_refuses_an_unverified_session(rf):
    from django.contrib import admin as django_admin
    from django.contrib.auth.models import AnonymousUser

    from core.admin_site import OliveBranchAdminSite

    assert isinstance(django_admin.site, OliveBranchAdminSite)
    assert django_admin.site.name == "admin"
    request = rf.get("/admin/")
    request.user = AdminFactory()
    request.user.is_verified = lambda: False
    assert not django_admin.site.has_permission(request)
    request.user.is_verified = lambda: True
    assert django_admin.site.has_permission(request)
    request.user = AnonymousUser()
    request.user.is_verified = lambda: False
    assert not django_admin.site.has_permission(request)


def test_others_do_not_need_it_but_may_turn_it_on_and_off(client):
    user = UserFactory()
    sign_in(client, user)
    assert client.get("/").status_code == 200
    manage = client.get(reverse("two_factor"))
    assert "Turn two-factor authentication on" in manage.content.decode()
    assert client.get(reverse("two_factor_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("two_factor_setup"), {"code": totp_code(device)})
    assert TOTPDevice.objects.get(user=user).confirmed

    # From now on their sign-ins owe a code too.
    client.post(reverse("logout"))
    sign_in(client, user)
    assert client.get("/")["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"code": totp_code(device)})
    assert client.get("/").status_code == 200

    # Turning it off needs a current code.
    client.post(reverse("two_factor_disable"), {"code": "000000"})
    assert TOTPDevice.objects.filter(user=user).exists()
    unthrottle(device)
    client.post(reverse("two_factor_disable"), {"code": totp_code(device)})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    client.post(reverse("logout"))
    sign_in(client, user)
    assert client.get("/").status_code == 200


def test_admins_cannot_turn_it_off(client):
    admin = AdminFactory()
    device = confirmed_device(admin)
    sign_in(client, admin)
    client.post(reverse("two_factor_verify"), {"code": totp_code(device)})
    html = client.get(reverse("two_factor")).content.decode()
    assert "Admins must keep two-factor authentication on." in html
    response = client.post(reverse("two_factor_disable"), {"code": totp_code(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_new_backup_codes_need_a_current_code(client):
    user = UserFactory()
    device = confirmed_device(user)
    sign_in(client, user)
    code = totp_code(device)
    client.post(reverse("two_factor_verify"), {"code": code})
    refused = client.post(reverse("two_factor_backup_codes"), {"code": "999999"})
    assert refused.status_code == 302
    assert not StaticToken.objects.filter(device__user=user).exists()
    unthrottle(device)
    made = client.post(reverse("two_factor_backup_codes"), {"code": totp_code(device)})
    assert made.status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_the_next_address_never_leaves_the_site(client):
    admin = AdminFactory()
    device = confirmed_device(admin)
    sign_in(client, admin)
    response = client.post(
        reverse("two_factor_verify"),
        {"code": totp_code(device), "next": "https://evil.example/steal"},
    )
    assert response["Location"] == "/"


def test_the_test_shortcut_signs_admins_in_verified_without_this_fixture(client):
    """What the rest of the suite relies on is tested here, with the shortcut put back."""
    from django.test import Client

    from tests.conftest import _force_login_verified

    admin = AdminFactory()
    fresh = Client()
    _force_login_verified(fresh, admin)
    assert fresh.get("/audit/").status_code == 200
    assert TOTPDevice.objects.get(user=admin).confirmed
