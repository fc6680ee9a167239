"""Program pages: the list, one program, creating, editing and archiving."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import permissions
from core.models import User
from dialogues import selectors, services
from dialogues.forms import ProgramForm
from dialogues.models import Program, ProgramStatus


def may_create_programs(user: User) -> bool:
    return permissions.is_admin(user) or permissions.is_programme_staff(user)


@login_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    archived = request.GET.get("archived") == "1"
    status = request.GET.get("status", "")
    if status not in ProgramStatus.values:
        status = ""
    programs = selectors.programs_for_list(request.user, archived=archived, status=status)
    return render(
        request,
        "dialogues/program_list.html",
        {
            "programs": programs,
            "archived": archived,
            "status": status,
            "statuses": ProgramStatus.choices,
            "may_create": may_create_programs(request.user),
        },
    )


@login_required
@require_GET
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = permissions.get_visible_or_404(request.user, Program, pk=pk)
    return render(
        request,
        "dialogues/program_detail.html",
        {
            "page": selectors.program_page(request.user, program, request.GET.get("page")),
            "program": program,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest) -> HttpResponse:
    if not may_create_programs(request.user):
        raise PermissionDenied
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        program = services.program_create(
            by=request.user, slug=form.unique_slug(), **form.service_fields()
        )
        messages.success(
            request,
            _("Program “%(name)s” created. Next: plan its first workshop.")
            % {"name": program.name},
        )
        return redirect("dialogues:detail", pk=program.pk)
    return render(request, "dialogues/program_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    program = permissions.get_visible_or_404(request.user, Program, pk=pk)
    if not permissions.can_change(request.user, program):
        raise PermissionDenied
    if program.is_archived:
        messages.error(request, _("This program is archived: restore it before changing it."))
        return redirect("dialogues:detail", pk=pk)
    form = ProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(program=program, by=request.user, **form.service_fields())
        except services.ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Program “%(name)s” saved.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("dialogues:detail", pk=pk)
    return render(
        request,
        "dialogues/program_form.html",
        {"form": form, "program": program, "creating": False},
    )


@login_required
@require_POST
def program_archive(request: HttpRequest, pk: int) -> HttpResponse:
    program = permissions.get_visible_or_404(request.user, Program, pk=pk)
    if not permissions.can_change(request.user, program):
        raise PermissionDenied
    archive = request.POST.get("archived") != "0"
    services.program_set_archived(program=program, by=request.user, archived=archive)
    messages.success(
        request,
        _("Program archived: it no longer appears in lists, and nothing was deleted.")
        if archive
        else _("Program restored."),
    )
    return redirect("dialogues:detail", pk=pk)


urlpatterns: list[URLPattern] = [
    path("", program_list, name="list"),
    path("new/", program_create, name="create"),
    path("<int:pk>/", program_detail, name="detail"),
    path("<int:pk>/edit/", program_edit, name="edit"),
    path("<int:pk>/archive/", program_archive, name="archive"),
]
