"""Roster exports: a workshop's (invited, accepted or attended) and a program's (everyone
invited to any of its workshops, with counts), as CSV or XLSX.

The engine, the form and the jobs are the registry's (``participants.exports``); who may
export which roster is decided in ``participants.exports.access`` on top of
``core.permissions``: staff of the program and admins, and a workshop's own facilitators
for that workshop only.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from participants.exports import access
from participants.exports.web import export_page
from participants.models import ExportKind


@login_required
@require_http_methods(["GET", "POST"])
def workshop_roster_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    workshop = access.workshop_for_export(request.user, pk)
    return export_page(
        request,
        kind=ExportKind.WORKSHOP,
        subject=workshop,
        program=workshop.program,
        template="workshops/rosters/workshop_export.html",
        context={"workshop": workshop, "program": workshop.program},
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_roster_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    program = access.program_for_export(request.user, pk)
    return export_page(
        request,
        kind=ExportKind.PROGRAM,
        subject=program,
        program=program,
        template="workshops/rosters/program_export.html",
        context={"program": program},
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/roster/export/", workshop_roster_export, name="roster_export"),
    path("program/<int:pk>/roster/export/", program_roster_export, name="program_roster_export"),
]
