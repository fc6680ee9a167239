"""``manage.py seed_demo``: load (or refresh) the demo programs, people and workshops."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from core.demo import DEMO_PASSWORD, USERS, seed_demo


class Command(BaseCommand):
    help = (
        "Load the Olive Branch demo: three programs, 150 participants, 12 workshops. "
        "Safe to run again: it only writes what is missing or different."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            result = seed_demo()
        tally = result.tally
        for label, counter in (
            ("created", tally.created),
            ("updated", tally.updated),
            ("linked", tally.linked),
            ("unlinked", tally.unlinked),
        ):
            for model, n in sorted(counter.items()):
                self.stdout.write(f"  {label:>8} {n:>4} {model}")
        if not tally.changed:
            self.stdout.write("Demo data already up to date: nothing changed.")
        summary = ", ".join(f"{n} {what}" for what, n in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {summary}."))
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD!r} unless changed since):")
        for username, first, last, *_rest in USERS:
            self.stdout.write(f"  {username:<14} {first} {last}")
