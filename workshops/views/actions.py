"""Placeholder: routes for the facilitator workspace (actions), filled in by issue 6."""

urlpatterns: list = []
