"""Program pages: the dashboard of one program, aggregates only (observers see it too)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from core import permissions
from dialogues import dashboard
from dialogues.models import Program


@login_required
@require_GET
def program_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    program = permissions.get_visible_or_404(request.user, Program, pk=pk)
    return render(
        request,
        "dialogues/dashboard.html",
        {
            "program": program,
            "dashboard": dashboard.dashboard_for(program=program, user=request.user),
        },
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/dashboard/", program_dashboard, name="dashboard"),
]
