"""Writes to programs and their teams, validated and audited (ids and field names only)."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from core import audit, permissions
from core.models import User
from dialogues.models import Program, ProgramMembership, ProgramRole

RELATED = ("communities", "tracks", "processes", "target_sectors")


class ProgramError(Exception):
    """A program change the domain refuses; the message is shown to the user."""


@transaction.atomic
def program_create(*, by: User, slug: str, **fields: Any) -> Program:
    """Create a program; its creator joins the team as programme staff (admins need not)."""
    related = {name: fields.pop(name, ()) for name in RELATED}
    program = Program(slug=slug, **fields)
    program.full_clean()
    program.save()
    for name, values in related.items():
        getattr(program, name).set(values)
    if not permissions.is_admin(by):
        ProgramMembership.objects.create(
            program=program, user=by, role=ProgramRole.MANAGER, added_by=by
        )
    audit.record(by, "program.create", program)
    return program


@transaction.atomic
def program_update(*, program: Program, by: User, **fields: Any) -> Program:
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.is_archived:
        raise ProgramError("This program is archived: restore it before changing it.")
    related = {name: fields.pop(name) for name in RELATED if name in fields}
    changed = [name for name, value in fields.items() if getattr(program, name) != value]
    for name in changed:
        setattr(program, name, fields[name])
    program.full_clean()
    program.save()
    for name, values in related.items():
        wanted = {obj.pk for obj in values}
        manager = getattr(program, name)
        if wanted != set(manager.values_list("pk", flat=True)):
            manager.set(wanted)
            changed.append(name)
    if changed:
        audit.record(by, "program.update", program, fields=sorted(changed))
    return program


@transaction.atomic
def program_set_archived(*, program: Program, by: User, archived: bool) -> Program:
    """Archived programs leave lists and refuse changes; nothing is deleted."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if archived == program.is_archived:
        return program
    program.archived_at = timezone.now() if archived else None
    program.save(update_fields=["archived_at", "updated_at"])
    audit.record(by, "program.archive" if archived else "program.restore", program)
    return program


@transaction.atomic
def membership_add(*, program: Program, user: User, role: str, by: User) -> ProgramMembership:
    membership = ProgramMembership(program=program, user=user, role=role, added_by=by)
    membership.full_clean()
    membership.save()
    audit.record(by, "program.team.add", program, user=user.pk, membership=membership.pk, role=role)
    return membership


def _managers_left(program: Program, without: ProgramMembership) -> bool:
    return (
        ProgramMembership.objects.filter(program=program, role=ProgramRole.MANAGER)
        .exclude(pk=without.pk)
        .exists()
    )


@transaction.atomic
def membership_change(*, membership: ProgramMembership, role: str, by: User) -> ProgramMembership:
    membership = ProgramMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.role == ProgramRole.MANAGER and not _managers_left(
        membership.program, membership
    ):
        raise ProgramError("A program keeps at least one programme staff member.")
    previous, membership.role = membership.role, role
    membership.full_clean()
    membership.save(update_fields=["role"])
    audit.record(
        by,
        "program.team.change",
        membership.program,
        user=membership.user_id,
        membership=membership.pk,
        fields=["role"],
        role=role,
        previous=previous,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: ProgramMembership, by: User) -> None:
    membership = ProgramMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == ProgramRole.MANAGER and not _managers_left(
        membership.program, membership
    ):
        raise ProgramError("A program keeps at least one programme staff member.")
    audit.record(
        by,
        "program.team.remove",
        membership.program,
        user=membership.user_id,
        membership=membership.pk,
        role=membership.role,
    )
    membership.delete()
