from django.contrib import admin
from django.urls import include, path

from core import two_factor
from workshops.views import rsvp

urlpatterns = [
    path("", include("core.urls")),
    # Two-factor authentication: set up, verify after the password, manage (core.two_factor).
    *two_factor.urlpatterns,
    path("programs/", include("dialogues.urls")),
    path("workshops/", include("workshops.urls")),
    path("participants/", include("participants.urls")),
    path("admin/", admin.site.urls),
    # Participants answer invitations here, without an account.
    *rsvp.urlpatterns,
]
