"""Sessions: a new id at sign-in, signed out after 30 minutes idle and 12 hours at most,
and every session of a deactivated user ended at once."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from core.middleware import LOGIN_AT, SEEN_AT
from core.user_sessions import sessions_end_for
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    return response


def test_signing_in_gives_a_new_session_id(client):
    user = UserFactory()
    client.get("/accounts/login/")
    session = client.session
    session["before"] = "anonymous"
    session.save()
    before = session.session_key
    sign_in(client, user)
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_the_limits_are_thirty_minutes_idle_and_twelve_hours():
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_MAX_SECONDS == 12 * 60 * 60
    # Cookie and row expire soon after the idle limit too (renewed at most once a minute).
    assert settings.SESSION_COOKIE_AGE <= 31 * 60


def test_thirty_minutes_without_a_request_sign_you_out(client):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user)
        traveller.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=29))  # 58 minutes in, but active 29 minutes ago
        assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_activity_renews_the_idle_clock_at_most_once_a_minute(client):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user)
        seen = client.session[SEEN_AT]
        traveller.shift(timedelta(seconds=20))
        client.get("/")
        assert client.session[SEEN_AT] == seen  # no write for a burst of requests
        traveller.shift(timedelta(seconds=50))
        client.get("/")
        assert client.session[SEEN_AT] == seen + 70


def test_twelve_hours_after_sign_in_the_session_ends_even_if_active(client):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user)
        login_at = client.session[LOGIN_AT]
        for _ in range(12 * 3 - 1):  # a request every 20 minutes for 11 h 40 min
            traveller.shift(timedelta(minutes=20))
            assert client.get("/").status_code == 200
        assert client.session[LOGIN_AT] == login_at
        traveller.shift(timedelta(minutes=21))
        response = client.get("/")
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session


def test_an_old_session_without_clocks_gets_them(client):
    user = UserFactory()
    client.force_login(user)
    session = client.session
    del session[LOGIN_AT]
    del session[SEEN_AT]
    session.save()
    assert client.get("/").status_code == 200
    assert LOGIN_AT in client.session and SEEN_AT in client.session


def test_deactivating_a_user_ends_all_their_sessions():
    user = UserFactory()
    other = UserFactory()
    laptop, phone, colleague = Client(), Client(), Client()
    laptop.force_login(user)
    phone.force_login(user)
    colleague.force_login(other)
    assert laptop.get("/").status_code == 200
    user.is_active = False
    user.save()
    assert Session.objects.count() == 1  # the colleague's
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302
    assert colleague.get("/").status_code == 200


def test_deactivating_through_the_admin_ends_the_sessions(client):
    from tests.factories import AdminFactory

    user = UserFactory()
    elsewhere = Client()
    elsewhere.force_login(user)
    admin = AdminFactory()
    client.force_login(admin)
    from django.urls import reverse

    change = reverse("admin:core_user_change", args=[user.pk])
    form = client.get(change).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update(
        username=user.username,
        is_active="",
        date_joined_0=user.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=user.date_joined.strftime("%H:%M:%S"),
    )
    data.pop("is_active")
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.is_active
    assert elsewhere.get("/").status_code == 302


def test_ending_sessions_leaves_nothing_of_theirs():
    user = UserFactory()
    first, second = Client(), Client()
    first.force_login(user)
    second.force_login(user)
    assert sessions_end_for(user=user) == 2
    assert sessions_end_for(user=user) == 0
