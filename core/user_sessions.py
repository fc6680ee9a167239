"""Ending a user's sessions (they live in the database: django.contrib.sessions.backends.db)."""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.models import User


def sessions_end_for(*, user: User) -> int:
    """Delete every live session of ``user``; returns how many there were.

    A session row does not say whose it is without decoding, so this reads the live ones
    (at most 12 hours' worth, 30 minutes idle: a short list) and deletes the user's.
    """
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk)
    ]
    if mine:
        Session.objects.filter(pk__in=mine).delete()
    return len(mine)
