"""Django's admin behind the second factor.

``core.admin_apps.OliveBranchAdminConfig`` replaces ``django.contrib.admin`` in
``INSTALLED_APPS`` so that
the default ``admin.site`` (where every app registers its models) is an ``OTPAdminSite``:
an admin whose session has not been verified with a code is treated as if they were not
staff. ``core.middleware.TwoFactorMiddleware`` already sends such a session to the code
page before any page; this is the admin's own lock on the same door.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_otp.admin import OTPAdminSite


class OliveBranchAdminSite(OTPAdminSite):
    def __init__(self, name: str = "admin") -> None:
        # OTPAdminSite names itself "otpadmin"; every reverse("admin:…") expects "admin".
        super().__init__(name)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """One sign-in page for the whole site (with throttling and the code step)."""
        from django.contrib.auth import REDIRECT_FIELD_NAME
        from django.urls import reverse
        from django.utils.http import urlencode

        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        if request.user.is_authenticated:
            return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': target})}")
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")
