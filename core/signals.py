"""Sign-ins, failed sign-ins and sign-outs in the audit log, without personal data.

A failed attempt stores no typed username (it may be an email address, or a real
person's name mistyped into the wrong box): only the account it matched, if any, as the
event's object, and whether it matched one. Client IP addresses are not stored either.
"""

from typing import Any

from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from core import audit
from core.models import User


@receiver(user_logged_in, dispatch_uid="core.audit.login")
def audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit.record(user, "auth.login", user)


@receiver(user_logged_out, dispatch_uid="core.audit.logout")
def audit_logout(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None and user.is_authenticated:
        audit.record(user, "auth.logout", user)


@receiver(user_login_failed, dispatch_uid="core.audit.login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    model = get_user_model()
    typed = credentials.get(model.USERNAME_FIELD) or credentials.get("username")
    account = None
    if isinstance(typed, str) and typed:
        # The same lookup the authentication backend makes; the typed text goes no further.
        account = model._default_manager.filter(**{model.USERNAME_FIELD: typed}).first()
    audit.record(None, "auth.login_failed", account, known_account=account is not None)


# --- Hardening: session clocks, the two-factor step, deactivation --------------------------


@receiver(user_logged_in, dispatch_uid="core.hardening.login")
def start_session_clocks(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """Every sign-in starts the idle and absolute clocks and decides whether a code is owed
    (core.middleware, core.two_factor). Django's login() has already given the session a
    new key."""
    if request is None or not hasattr(request, "session"):
        return
    from core.middleware import stamp_session
    from core.two_factor import on_login

    stamp_session(request)
    on_login(request, user)


@receiver(post_save, sender=User, dispatch_uid="core.hardening.deactivated")
def end_sessions_of_deactivated_user(
    sender: Any, instance: User, created: bool, **kwargs: Any
) -> None:
    """A deactivated account is signed out everywhere at once, however it was deactivated
    (the admin, a service, the shell)."""
    if not created and not instance.is_active:
        from core.user_sessions import sessions_end_for

        sessions_end_for(user=instance)
