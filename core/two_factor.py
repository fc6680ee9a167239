"""Two-factor authentication (TOTP, with single-use backup codes) on django-otp.

Required for admins, optional for everyone else. The flow:

1. The password sign-in (Django's LoginView, throttled by django-axes) logs the user in but
   not *verified*: ``on_login`` forgets any earlier verification and, for a user who has
   turned two-factor on, marks the session as owing a code.
2. ``core.middleware.TwoFactorMiddleware`` then sends every request of a session that owes
   a code to ``verify`` (or, for an admin without a device yet, to ``setup``).
3. ``setup`` creates an unconfirmed TOTP device, shows its QR code (segno, an SVG data URI:
   the page loads nothing from elsewhere) and key, confirms it with a code, and shows ten
   backup codes once. A user who already has a device must verify before setting up
   another (a stolen password alone never adds a device).
4. ``manage`` (Preferences → Two-factor authentication): status, new backup codes, and for
   non-admins turning it off, each confirmed with a current code.
"""

import base64
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import audit
from core.http import next_or
from core.models import User

# Set at sign-in for a non-admin who has turned two-factor on; cleared once verified.
PENDING = "ob_two_factor_pending"
DEVICE_NAME = "Authenticator app"


# --- Rules ----------------------------------------------------------------------------------


def required_for(user: User) -> bool:
    """Admins (active superusers) must use a second factor, and so must any account that
    may open Django's admin (is_staff): the admin site refuses an unverified session."""
    return bool(user.is_active and (user.is_superuser or user.is_staff))


def has_device(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def owes_second_factor(request: HttpRequest) -> bool:
    """Whether this signed-in session must give a code before anything else."""
    if is_verified(request):
        return False
    return required_for(request.user) or bool(request.session.get(PENDING))


def on_login(request: HttpRequest, user: User) -> None:
    """A password sign-in is never verified by an earlier code, even of the same user."""
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(PENDING, None)
    if not required_for(user) and has_device(user):
        request.session[PENDING] = True


def _verified(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    request.session.pop(PENDING, None)
    # The verified session gets a key of its own, like a sign-in.
    request.session.cycle_key()


def _safe_next(request: HttpRequest) -> str:
    return next_or(request, reverse(settings.LOGIN_REDIRECT_URL))


def _check_code(user: User, code: str) -> Any | None:
    """The confirmed device (app or backup code) that accepts ``code``, if any; each
    device throttles wrong guesses (a growing wait) and refuses a code used before."""
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            allowed, _details = device.verify_is_allowed()
            if allowed and device.verify_token(code):
                return device
    return None


def _throttled(user: User) -> bool:
    return any(
        not device.verify_is_allowed()[0] for device in devices_for_user(user, confirmed=True)
    )


def new_backup_codes(user: User) -> list[str]:
    """Replace the user's backup codes with fresh ones; the caller shows them once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _manual_key(device: TOTPDevice) -> str:
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


# --- Form -----------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
        help_text=gettext_lazy("The six digits your authenticator app shows, or a backup code."),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


# --- Views ----------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not owes_second_factor(request):
        return redirect(_safe_next(request))
    if not has_device(user):
        return redirect(f"{reverse('two_factor_setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = _throttled(user)
        device = None if throttled else _check_code(user, form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            audit.record(user, "auth.two_factor_verified", user)
            return redirect(_safe_next(request))
        audit.record(user, "auth.two_factor_failed", user)
        if throttled:
            form.add_error("code", _("Too many wrong codes. Wait a few seconds, then try again."))
        else:
            form.add_error("code", _("That code is not right, or was already used."))
    return render(
        request,
        "core/two_factor/verify.html",
        {"form": form, "next": _safe_next(request)},
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if has_device(user):
        # Another device only with the first one's code: a password alone adds nothing.
        if not is_verified(request):
            return redirect(f"{reverse('two_factor_verify')}?{request.GET.urlencode()}")
        return redirect("two_factor")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            allowed = device.verify_is_allowed()[0]
            accepted = allowed and device.verify_token(form.cleaned_data["code"])
            if accepted:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                codes = new_backup_codes(user)
        if accepted:
            _verified(request, device)
            audit.record(user, "auth.two_factor_enabled", user)
            return render(
                request,
                "core/two_factor/backup_codes.html",
                {"codes": codes, "next": _safe_next(request), "first_time": True},
            )
        if not allowed:
            form.add_error("code", _("Too many wrong codes. Wait a few seconds, then try again."))
        else:
            form.add_error(
                "code",
                _("That code is not right. Check the time on your phone, then try the new code."),
            )
    return render(
        request,
        "core/two_factor/setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device),
            "manual_key": _manual_key(device),
            "required": required_for(user),
            "next": _safe_next(request),
        },
    )


@never_cache
@login_required
def manage(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/two_factor/manage.html",
        {
            "enabled": has_device(request.user),
            "required": required_for(request.user),
            "backup_codes_left": StaticToken.objects.filter(device__user=request.user).count(),
            "form": CodeForm(),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes, confirmed with a current code."""
    form = CodeForm(request.POST)
    if form.is_valid() and _check_code(request.user, form.cleaned_data["code"]) is not None:
        codes = new_backup_codes(request.user)
        audit.record(request.user, "auth.two_factor_backup_codes", request.user)
        return render(
            request,
            "core/two_factor/backup_codes.html",
            {"codes": codes, "next": reverse("two_factor"), "first_time": False},
        )
    messages.error(request, _("That code is not right: no new backup codes were made."))
    return redirect("two_factor")


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off (not for admins), confirmed with a current code."""
    user = request.user
    if required_for(user):
        messages.error(request, _("Admins must keep two-factor authentication on."))
        return redirect("two_factor")
    form = CodeForm(request.POST)
    if form.is_valid() and _check_code(user, form.cleaned_data["code"]) is not None:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        request.session.pop(PENDING, None)
        audit.record(user, "auth.two_factor_disabled", user)
        messages.success(request, _("Two-factor authentication is off."))
        return redirect("two_factor")
    messages.error(request, _("That code is not right: two-factor authentication stays on."))
    return redirect("two_factor")


urlpatterns = [
    path("accounts/two-factor/", manage, name="two_factor"),
    path("accounts/two-factor/setup/", setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", verify, name="two_factor_verify"),
    path("accounts/two-factor/backup-codes/", backup_codes, name="two_factor_backup_codes"),
    path("accounts/two-factor/disable/", disable, name="two_factor_disable"),
]
