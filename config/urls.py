from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("core.urls")),
    path("programs/", include("dialogues.urls")),
    path("workshops/", include("workshops.urls")),
    path("participants/", include("participants.urls")),
    path("admin/", admin.site.urls),
]
