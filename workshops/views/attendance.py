"""Placeholder: routes for the facilitator workspace (attendance), filled in by issue 6."""

urlpatterns: list = []
