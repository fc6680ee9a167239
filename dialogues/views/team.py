"""Program pages: the program team (programme staff, facilitators, observers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import permissions
from core.models import User
from dialogues import services
from dialogues.forms import MembershipForm, RoleForm
from dialogues.models import Program, ProgramMembership, ProgramRole


def _changeable_program(user: User, pk: int) -> Program:
    program = permissions.get_visible_or_404(user, Program, pk=pk)
    if not permissions.can_change(user, program) or program.is_archived:
        raise PermissionDenied
    return program


@login_required
@require_http_methods(["GET", "POST"])
def program_team(request: HttpRequest, pk: int) -> HttpResponse:
    program = _changeable_program(request.user, pk)
    form = MembershipForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        services.membership_add(program=program, by=request.user, **form.cleaned_data)
        messages.success(
            request, _("%(user)s joined the team.") % {"user": form.cleaned_data["user"]}
        )
        return redirect("dialogues:team", pk=pk)
    memberships = program.memberships.select_related("user").order_by("role", "user__username")
    return render(
        request,
        "dialogues/program_team.html",
        {"program": program, "form": form, "memberships": memberships, "role_form": RoleForm},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def membership_change(request: HttpRequest, pk: int, membership: int) -> HttpResponse:
    program = _changeable_program(request.user, pk)
    member = get_object_or_404(ProgramMembership, pk=membership, program=program)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles."))
    else:
        try:
            services.membership_change(
                membership=member, role=form.cleaned_data["role"], by=request.user
            )
        except services.ProgramError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Role of %(user)s changed to %(role)s.")
                % {"user": member.user, "role": ProgramRole(form.cleaned_data["role"]).label},
            )
    return redirect("dialogues:team", pk=pk)


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int, membership: int) -> HttpResponse:
    program = _changeable_program(request.user, pk)
    member = get_object_or_404(ProgramMembership, pk=membership, program=program)
    try:
        services.membership_remove(membership=member, by=request.user)
    except services.ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(user)s left the team.") % {"user": member.user})
    return redirect("dialogues:team", pk=pk)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/team/", program_team, name="team"),
    path("<int:pk>/team/<int:membership>/role/", membership_change, name="membership_change"),
    path("<int:pk>/team/<int:membership>/remove/", membership_remove, name="membership_remove"),
]
