"""Who may export what, built on ``core.permissions`` (the one place that decides scopes).

* The registry export: admins only.
* A workshop's roster: admins, the program's staff, and that workshop's facilitators (a
  facilitator of another workshop, even in the same program, may not).
* A program's roster: admins and the program's staff.
* Contact details (email, phone): those who may change the registry, not facilitators,
  who get what they need to run the room.
* Showing high-risk people in full: admins, who confirm it (and the audit log says so).

A workshop or program the user may not see answers 404; one they see but may not export
(an observer) answers 403.
"""

from django.core.exceptions import PermissionDenied

from core import permissions
from core.models import User
from dialogues.models import Program
from participants.exports.spec import ExportSpec
from participants.models import ExportKind


def may_export_registry(user: User) -> bool:
    return permissions.is_admin(user)


def may_export_workshop(user: User, workshop) -> bool:
    """Those who run the room (the program's staff, the workshop's facilitators), as for
    the roster PDFs, and admins."""
    if permissions.is_admin(user):
        return True
    return permissions.workshops_run_by(user).filter(pk=workshop.pk).exists()


def may_export_program(user: User, program: Program) -> bool:
    return permissions.programs_changeable_by(user).filter(pk=program.pk).exists()


def may_see_contact_details(user: User) -> bool:
    return permissions.is_admin(user) or permissions.is_programme_staff(user)


def may_reveal(user: User) -> bool:
    return permissions.is_admin(user)


def workshop_for_export(user: User, pk: int):
    from workshops.models import Workshop

    workshop = permissions.get_visible_or_404(user, Workshop, pk=pk)
    if not may_export_workshop(user, workshop):
        raise PermissionDenied
    return workshop


def program_for_export(user: User, pk: int) -> Program:
    program = permissions.get_visible_or_404(user, Program, pk=pk)
    if not may_export_program(user, program):
        raise PermissionDenied
    return program


def check(user: User, spec: ExportSpec) -> None:
    """Raise unless ``user`` may run ``spec`` as it stands (again, in the worker)."""
    if spec.kind == ExportKind.REGISTRY:
        if not may_export_registry(user):
            raise PermissionDenied
    elif spec.kind == ExportKind.WORKSHOP:
        workshop_for_export(user, spec.workshop_id)
    elif spec.kind == ExportKind.PROGRAM:
        program_for_export(user, spec.program_id)
    else:
        raise PermissionDenied
    if spec.reveal and not may_reveal(user):
        raise PermissionDenied
    if not may_see_contact_details(user):
        from participants.exports.columns import BY_KEY

        if any(BY_KEY[key].contact for key in spec.columns if key in BY_KEY):
            raise PermissionDenied
