"""Placeholder: routes for the facilitator workspace (report), filled in by issue 6."""

urlpatterns: list = []
