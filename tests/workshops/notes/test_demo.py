"""The demo's notes, opened by each demo user: every page answers, renders its Markdown,
and shows each user exactly the levels they may read."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from core.models import User
from core.permissions import notes_visible_to
from tests.html import assert_valid_page
from workshops.models import NoteLevel, SessionNote


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.django_db]


@pytest.mark.parametrize("username", ["admin", "staff", "facilitator", "observer"])
def test_demo_users_read_the_demo_notes(client, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    visible = list(notes_visible_to(user).order_by("pk"))
    assert visible, "every demo user reads some notes"
    listing = client.get(reverse("workshops:notes_all"))
    assert listing.status_code == 200
    assert_valid_page(listing)
    html = listing.content.decode()
    hidden = SessionNote.objects.exclude(pk__in=[n.pk for n in visible])
    for note in hidden:
        assert reverse("workshops:note", args=[note.pk]) + '"' not in html
    for note in visible:
        assert reverse("workshops:note", args=[note.pk]) + '"' in html
        page = client.get(reverse("workshops:note", args=[note.pk]))
        assert page.status_code == 200
        assert_valid_page(page)
        if "**" in note.body:
            assert "<strong>" in page.content.decode()
    if username == "observer":
        assert {n.level for n in visible} == {NoteLevel.SHAREABLE}
