"""Benchmarks sign admins in as the app requires: verified by a second factor."""

from __future__ import annotations


def sign_in(client, user) -> None:
    """``client.force_login(user)``, and for users who owe a second factor (admins) a
    confirmed TOTP device whose id marks the session verified, as ``django_otp.login()``
    does after a code: the benchmark measures pages, not the code prompt."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.two_factor import required_for

    client.force_login(user)
    if not required_for(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
