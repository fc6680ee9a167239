"""Placeholder: routes for the facilitator workspace (notes), filled in by issue 6."""

urlpatterns: list = []
