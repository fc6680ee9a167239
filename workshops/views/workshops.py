"""Workshop pages: one workshop, creating, editing, duplicating, status and cancelling."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import permissions
from core.models import User
from dialogues.models import Program
from workshops import selectors, services
from workshops.forms import CancelWorkshopForm, DuplicateWorkshopForm, SessionForm, WorkshopForm
from workshops.models import Workshop, WorkshopStatus


def changeable_workshop(user: User, pk: int) -> Workshop:
    """A workshop this user may plan: 404 if they may not see it, 403 if only see it."""
    workshop = selectors.workshop_for_page(user, pk)
    if not permissions.can_change(user, workshop):
        raise PermissionDenied
    return workshop


def add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_GET
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for_page(request.user, pk)
    page = selectors.workshop_page(request.user, workshop)
    return render(
        request,
        "workshops/workshop_detail.html",
        {
            "workshop": workshop,
            "page": page,
            "session_form": SessionForm(workshop=workshop, prefix="new")
            if page.may_change
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_create(request: HttpRequest, program: int) -> HttpResponse:
    program = permissions.get_visible_or_404(request.user, Program, pk=program)
    if not permissions.can_change(request.user, program):
        raise PermissionDenied
    if program.is_archived:
        messages.error(request, _("The program is archived: restore it before planning workshops."))
        return redirect("dialogues:detail", pk=program.pk)
    form = WorkshopForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.workshop_create(
                program=program, by=request.user, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Workshop “%(title)s” created. Next: its agenda and delegation.")
                % {"title": workshop.title},
            )
            return redirect("workshops:detail", pk=workshop.pk)
    return render(
        request,
        "workshops/workshop_form.html",
        {"form": form, "program": program, "creating": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = changeable_workshop(request.user, pk)
    if workshop.status == WorkshopStatus.CANCELLED:
        messages.error(request, _("This workshop was cancelled and can no longer be changed."))
        return redirect("workshops:detail", pk=pk)
    form = WorkshopForm(request.POST or None, instance=workshop)
    if request.method == "POST" and form.is_valid():
        try:
            services.workshop_update(workshop=workshop, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        except services.WorkshopError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Workshop “%(title)s” saved.") % {"title": form.cleaned_data["title"]}
            )
            return redirect("workshops:detail", pk=pk)
    return render(
        request,
        "workshops/workshop_form.html",
        {"form": form, "program": workshop.program, "workshop": workshop, "creating": False},
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = changeable_workshop(request.user, pk)
    form = DuplicateWorkshopForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.workshop_duplicate(
                workshop=workshop,
                by=request.user,
                title=form.cleaned_data["title"],
                starts_at=form.cleaned_data["starts_at"],
            )
        except services.WorkshopError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Copy “%(title)s” created as a draft, with the same agenda.")
                % {"title": copy.title},
            )
            return redirect("workshops:detail", pk=copy.pk)
    return render(
        request, "workshops/workshop_duplicate.html", {"form": form, "workshop": workshop}
    )


@login_required
@require_POST
def workshop_status(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = changeable_workshop(request.user, pk)
    status = request.POST.get("status", "")
    if status not in WorkshopStatus.values or status == WorkshopStatus.CANCELLED:
        messages.error(request, _("Choose one of the offered steps."))
        return redirect("workshops:detail", pk=pk)
    try:
        services.workshop_set_status(workshop=workshop, status=status, by=request.user)
    except services.WorkshopError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The workshop is now %(status)s.") % {"status": WorkshopStatus(status).label}
        )
    return redirect("workshops:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def workshop_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = changeable_workshop(request.user, pk)
    form = CancelWorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.workshop_cancel(workshop=workshop, by=request.user)
        except services.WorkshopError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Workshop “%(title)s” cancelled; pending reminders were cancelled.")
                % {"title": workshop.title},
            )
            return redirect("workshops:detail", pk=pk)
    return render(request, "workshops/workshop_cancel.html", {"form": form, "workshop": workshop})


urlpatterns: list[URLPattern] = [
    path("program/<int:program>/new/", workshop_create, name="create"),
    path("<int:pk>/", workshop_detail, name="detail"),
    path("<int:pk>/edit/", workshop_edit, name="edit"),
    path("<int:pk>/duplicate/", workshop_duplicate, name="duplicate"),
    path("<int:pk>/status/", workshop_status, name="status"),
    path("<int:pk>/cancel/", workshop_cancel, name="cancel"),
]
