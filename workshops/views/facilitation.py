"""Placeholder: routes for the facilitator workspace (facilitation), filled in by issue 6."""

urlpatterns: list = []
