"""Staff pages for outreach (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
