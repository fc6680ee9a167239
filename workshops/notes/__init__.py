"""Session notes: Markdown rendering, services, selectors and the name check."""
