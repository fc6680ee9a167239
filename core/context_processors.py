"""Template context every page needs: what the navigation shows for this user."""

from django.http import HttpRequest

from core import permissions


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": permissions.navigation_for(user)}
