"""Registry pages: the searchable, filterable list of people."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import permissions
from participants import selectors
from participants.filters import ParticipantFilter

PAGE_SIZE = 50


@never_cache
@login_required
@require_GET
def participant_list(request: HttpRequest) -> HttpResponse:
    if not permissions.may_list_participants(request.user):
        raise PermissionDenied
    people = ParticipantFilter(
        request.GET or None, queryset=selectors.participants_for_list(request.user)
    )
    page = Paginator(people.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": people,
        "page": page,
        "query_string": query.urlencode(),
        "may_edit": permissions.is_admin(request.user)
        or permissions.is_programme_staff(request.user),
        "may_export": permissions.is_admin(request.user),  # the registry export: admins only
    }
    # htmx swaps only the results when a filter changes; a plain request gets the page.
    template = (
        "participants/_list_results.html"
        if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
        else "participants/participant_list.html"
    )
    return render(request, template, context)


urlpatterns: list[URLPattern] = [path("", participant_list, name="list")]
