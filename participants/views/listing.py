"""Registry pages: listing."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
