"""Sign-in throttling (django-axes): five wrong passwords for one username from one address
lock that pair for 15 minutes, with a page that says so in the visitor's language."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client, username, password="wrong-password-here", ip="203.0.113.7", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def test_four_failures_still_allow_the_right_password(client):
    user = UserFactory()
    for _ in range(4):
        assert attempt(client, user.username).status_code == 200
    response = attempt(client, user.username, DEMO_PASSWORD)
    assert response.status_code == 302
    # A success forgets the failures.
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_the_fifth_failure_locks_the_username_from_that_address(client):
    user = UserFactory()
    for _ in range(4):
        attempt(client, user.username)
    locked = attempt(client, user.username)
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "After 5 wrong passwords, signing in to this account from here is paused." in html
    assert "Try again in 15 minutes." in html
    assert user.username not in html  # the typed name is not echoed back
    # Even the right password is refused now.
    right = attempt(client, user.username, DEMO_PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # The failures were audited (without the typed name), as before.
    assert AuditEvent.objects.filter(action="auth.login_failed").count() >= 5


def test_the_lock_is_per_username_and_address(client):
    user = UserFactory()
    colleague = UserFactory()
    for _ in range(5):
        attempt(client, user.username)
    # The same person from another address, a colleague from the same one: not locked.
    assert attempt(client, user.username, DEMO_PASSWORD, ip="198.51.100.9").status_code == 302
    client.logout()
    assert attempt(client, colleague.username, DEMO_PASSWORD).status_code == 302


def test_the_lock_lifts_after_fifteen_minutes(client):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            attempt(client, user.username)
        assert attempt(client, user.username, DEMO_PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=14))
        assert attempt(client, user.username, DEMO_PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=16))
        assert attempt(client, user.username, DEMO_PASSWORD).status_code == 302


def test_the_lockout_page_speaks_the_visitors_language(client):
    user = UserFactory()
    for _ in range(5):
        response = attempt(client, user.username, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 429
    assert '<html lang="fr"' in response.content.decode()


def test_the_test_clients_login_goes_through_axes(client):
    user = UserFactory()
    for _ in range(5):
        assert not client.login(username=user.username, password="wrong-password-here")
    assert not client.login(username=user.username, password=DEMO_PASSWORD)
    other = UserFactory()
    assert client.login(username=other.username, password=DEMO_PASSWORD)
    assert client.get(reverse("home")).status_code == 200


def test_an_admin_unlocks_someone_by_deleting_the_attempt(client):
    user = UserFactory()
    for _ in range(5):
        attempt(client, user.username)
    AccessAttempt.objects.filter(username=user.username).delete()
    assert attempt(client, user.username, DEMO_PASSWORD).status_code == 302
