"""The queryset an export reads: one protected SQL expression per chosen column.

Its SQL is what COPY runs on PostgreSQL and what the XLSX writer iterates over with a
server-side cursor, so both print the same, protected, values.
"""

from django.db.models import (
    Case,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.http import QueryDict

from core import permissions
from core.models import User
from participants.exports.columns import BY_KEY, Column, ColumnContext, country_names
from participants.exports.protection import Pseudonym, neutralised
from participants.exports.spec import ExportSpec, RosterScope
from participants.filters import ParticipantFilter
from participants.models import ExportKind, Participant, RiskLevel
from workshops.models import Attendance, AttendanceStatus, Invitation, InvitationStatus

PREFIX = "export_"


def base_queryset(spec: ExportSpec, user: User) -> QuerySet[Participant]:
    """The people the export is about, before columns (permissions checked by callers)."""
    if spec.kind == ExportKind.REGISTRY:
        people = permissions.visible_to(user, Participant).filter(erased_at__isnull=True)
        filterset = ParticipantFilter(QueryDict(spec.filters), queryset=people)
        return filterset.qs if filterset.is_valid() else people.none()
    if spec.kind == ExportKind.WORKSHOP:
        people = Participant.objects.annotate(
            roster_invitation=FilteredRelation(
                "invitations", condition=Q(invitations__workshop_id=spec.workshop_id)
            )
        )
        if spec.scope == RosterScope.ATTENDED:
            present = Attendance.objects.filter(
                participant=OuterRef("pk"),
                session__workshop_id=spec.workshop_id,
                status=AttendanceStatus.PRESENT,
            )
            return people.filter(Exists(present))
        if spec.scope == RosterScope.ACCEPTED:
            return people.filter(roster_invitation__status=InvitationStatus.ACCEPTED)
        return people.filter(roster_invitation__isnull=False)
    invited = Invitation.objects.filter(
        participant=OuterRef("pk"), workshop__program_id=spec.program_id
    )
    return Participant.objects.filter(Exists(invited))


def protected(column: Column, ctx: ColumnContext, spec: ExportSpec):
    expression = column.build(ctx)
    if column.text:
        expression = neutralised(expression)
    if column.identifying and not spec.reveal:
        hidden = Pseudonym(F("pk")) if column.key == "name" else Value(None)
        expression = Case(
            When(risk_level=RiskLevel.HIGH, then=hidden),
            default=expression,
            **({"output_field": TextField()} if column.text else {}),
        )
    return expression


def chosen_columns(spec: ExportSpec) -> list[Column]:
    columns = [
        BY_KEY[key] for key in spec.columns if key in BY_KEY and spec.kind in BY_KEY[key].kinds
    ]
    if spec.chatham:
        columns = [c for c in columns if c.chatham]
    return columns


def export_queryset(spec: ExportSpec, user: User) -> tuple[QuerySet, list[Column]]:
    """``values_list`` of the chosen columns, protected, in the export's order."""
    columns = chosen_columns(spec)
    people = base_queryset(spec, user)
    codes = []
    if any(c.key == "country" for c in columns):
        codes = (
            Participant.objects.exclude(country="")
            .order_by()
            .values_list("country", flat=True)
            .distinct()
        )
    ctx = ColumnContext(
        kind=spec.kind,
        workshop_id=spec.workshop_id,
        program_id=spec.program_id,
        country_names=country_names(codes),
    )
    names = [PREFIX + column.key for column in columns]
    people = people.annotate(
        **{name: protected(column, ctx, spec) for name, column in zip(names, columns, strict=True)}
    )
    if spec.chatham:
        # No names: an order that says nothing about anyone's name.
        people = people.order_by("community__name", "sector__position", "pk")
    elif "name" in spec.columns:
        # The printed name, not the real one: a pseudonym's place in the list must not tell
        # where its person's name would sort.
        people = people.order_by(PREFIX + "name", "pk")
    else:
        people = people.order_by("pk")
    return people.values_list(*names), columns
