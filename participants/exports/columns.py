"""The columns an export may have: label, SQL expression, and where each may appear.

Every export reads ``Participant`` rows; roster columns reach the workshop's invitation
through a filtered join (``roster_invitation``) or count through subqueries, so a person is
one row whatever they did. Expressions are built per export (``ColumnContext``) because
labels are translated and rosters depend on their workshop or program.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Exact
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from participants import safety
from participants.models import ConsentScope, ExportKind, Gender, Participant, RiskLevel
from workshops.models import Attendance, AttendanceStatus, Invitation, InvitationStatus

REGISTRY = ExportKind.REGISTRY
WORKSHOP = ExportKind.WORKSHOP
PROGRAM = ExportKind.PROGRAM
ALL_KINDS = frozenset({REGISTRY, WORKSHOP, PROGRAM})


class JoinedText(Aggregate):
    """The texts of a group joined with ", " (STRING_AGG on PostgreSQL, GROUP_CONCAT on
    SQLite), ordered by the text itself."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ', ' ORDER BY %(expressions)s)"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, ', ')",
        )


@dataclass
class ColumnContext:
    """What a column's expression depends on in one export."""

    kind: str
    workshop_id: int | None = None
    program_id: int | None = None
    country_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    build: Callable[[ColumnContext], Expression]
    kinds: frozenset[str] = ALL_KINDS
    default_in: frozenset[str] = frozenset()
    # Blanked (the name: replaced by the pseudonym) for a pseudonymised person.
    identifying: bool = False
    # How to reach someone: only for people who may change the registry (not facilitators).
    contact: bool = False
    # Kept in a Chatham House export (no names, no contact details).
    chatham: bool = False
    # Text a spreadsheet might run as a formula: neutralised.
    text: bool = True
    width: int = 18


def _choice_labels(field_name: str, choices) -> Case:
    return Case(
        *[When(**{field_name: value}, then=Value(str(label))) for value, label in choices],
        default=Value(""),
        output_field=CharField(),
    )


def _yes_no(condition_field: str) -> Case:
    return Case(
        When(**{condition_field: True}, then=Value(_("yes"))),
        default=Value(_("no")),
        output_field=CharField(),
    )


def _country(ctx: ColumnContext) -> Expression:
    return Case(
        *[When(country=code, then=Value(name)) for code, name in ctx.country_names.items()],
        default=F("country"),
        output_field=CharField(),
    )


def _joined_names(relation, name: str) -> Expression:
    """The names of a many-to-many relation of each participant, in one text cell."""
    through = relation.through.objects.filter(participant=OuterRef("pk"))
    return Subquery(
        through.order_by().values("participant").annotate(joined=JoinedText(name)).values("joined"),
        output_field=TextField(),
    )


def _languages(ctx: ColumnContext) -> Expression:
    return _joined_names(Participant.languages, "language__name")


def _tags(ctx: ColumnContext) -> Expression:
    return _joined_names(Participant.tags, "tag__name")


def _consent(ctx: ColumnContext) -> Expression:
    latest = safety.latest_consent(ConsentScope.CONTACT)
    return Case(
        When(condition=_is(latest, True), then=Value(_("given"))),
        When(condition=_is(latest, False), then=Value(_("withdrawn"))),
        default=Value(_("none recorded")),
        output_field=CharField(),
    )


def _is(expression: Expression, value: bool):
    return Exact(expression, value)


def _invitation_status(ctx: ColumnContext) -> Expression:
    labels = [
        When(roster_invitation__status=value, then=Value(str(label)))
        for value, label in InvitationStatus.choices
    ]
    return Case(*labels, default=Value(_("walk-in")), output_field=CharField())


def _invitation_field(name: str) -> Callable[[ColumnContext], Expression]:
    return lambda ctx: Coalesce(
        F(f"roster_invitation__{name}"), Value(""), output_field=TextField()
    )


def _responded(ctx: ColumnContext) -> Expression:
    return Cast("roster_invitation__responded_at", DateField())


def _present_sessions(ctx: ColumnContext) -> Subquery:
    present = Attendance.objects.filter(
        participant=OuterRef("pk"),
        session__workshop_id=ctx.workshop_id,
        status=AttendanceStatus.PRESENT,
    )
    return _count(present, "participant")


def _count(queryset, group: str) -> Subquery:
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(n=Count("*")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _attended(ctx: ColumnContext) -> Expression:
    present = Attendance.objects.filter(
        participant=OuterRef("pk"),
        session__workshop_id=ctx.workshop_id,
        status=AttendanceStatus.PRESENT,
    )
    return Case(
        When(Exists(present), then=Value(_("yes"))),
        default=Value(_("no")),
        output_field=CharField(),
    )


def _program_invitations(*statuses: str) -> Callable[[ColumnContext], Expression]:
    def build(ctx: ColumnContext) -> Expression:
        invitations = Invitation.objects.filter(
            participant=OuterRef("pk"), workshop__program_id=ctx.program_id
        )
        if statuses:
            invitations = invitations.filter(status__in=statuses)
        return _count(invitations, "participant")

    return build


def _program_attended(ctx: ColumnContext) -> Expression:
    present = Attendance.objects.filter(
        participant=OuterRef("pk"),
        session__workshop__program_id=ctx.program_id,
        status=AttendanceStatus.PRESENT,
    )
    return Coalesce(
        Subquery(
            present.order_by()
            .values("participant")
            .annotate(n=Count("session__workshop", distinct=True))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _field(name: str) -> Callable[[ColumnContext], Expression]:
    return lambda ctx: F(name)


def _text_field(name: str) -> Callable[[ColumnContext], Expression]:
    return lambda ctx: Coalesce(F(name), Value(""), output_field=TextField())


_ROSTERS = frozenset({WORKSHOP, PROGRAM})
_EVERY_DEFAULT = ALL_KINDS

COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        gettext_lazy("Name"),
        _field("full_name"),
        default_in=_EVERY_DEFAULT,
        identifying=True,
        width=28,
    ),
    Column(
        "native_name",
        gettext_lazy("Name in native script"),
        _field("native_name"),
        identifying=True,
        width=24,
    ),
    Column(
        "email",
        gettext_lazy("Email"),
        _field("email"),
        identifying=True,
        contact=True,
        default_in=frozenset({REGISTRY, PROGRAM}),
        width=30,
    ),
    Column(
        "phone", gettext_lazy("Phone"), _field("phone"), identifying=True, contact=True, width=18
    ),
    Column(
        "organisation",
        gettext_lazy("Organisation"),
        _field("organisation"),
        identifying=True,
        default_in=_EVERY_DEFAULT,
        width=28,
    ),
    Column("position", gettext_lazy("Position"), _field("position"), identifying=True, width=22),
    Column(
        "community",
        gettext_lazy("Community"),
        _text_field("community__name"),
        chatham=True,
        default_in=_EVERY_DEFAULT,
        width=22,
    ),
    Column(
        "sector",
        gettext_lazy("Sector"),
        _text_field("sector__name"),
        chatham=True,
        default_in=_EVERY_DEFAULT,
        width=20,
    ),
    Column(
        "track",
        gettext_lazy("Multi-Track track"),
        _text_field("track__name"),
        chatham=True,
        width=22,
    ),
    Column(
        "country", gettext_lazy("Country"), _country, default_in=frozenset({REGISTRY}), width=16
    ),
    Column(
        "gender",
        gettext_lazy("Gender"),
        lambda ctx: _choice_labels("gender", Gender.choices),
        width=14,
    ),
    Column("pronouns", gettext_lazy("Pronouns"), _field("pronouns"), width=12),
    Column("languages", gettext_lazy("Languages"), _languages, width=24),
    Column(
        "preferred_language",
        gettext_lazy("Preferred language"),
        _text_field("preferred_language__name"),
        width=16,
    ),
    Column("tags", gettext_lazy("Tags"), _tags, kinds=frozenset({REGISTRY, PROGRAM}), width=20),
    Column(
        "risk_level",
        gettext_lazy("Risk level"),
        lambda ctx: _choice_labels("risk_level", RiskLevel.choices),
        default_in=frozenset({REGISTRY}),
        width=12,
    ),
    Column(
        "do_not_contact",
        gettext_lazy("Do not contact"),
        lambda ctx: _yes_no("do_not_contact"),
        kinds=frozenset({REGISTRY, PROGRAM}),
        default_in=frozenset({REGISTRY}),
        width=14,
    ),
    Column(
        "contact_consent",
        gettext_lazy("Consent to contact"),
        _consent,
        kinds=frozenset({REGISTRY, PROGRAM}),
        width=18,
    ),
    Column(
        "created",
        gettext_lazy("In the registry since"),
        lambda ctx: Cast("created_at", DateField()),
        kinds=frozenset({REGISTRY}),
        text=False,
        width=14,
    ),
    Column(
        "registry_id",
        gettext_lazy("Registry ID"),
        _field("pk"),
        identifying=True,
        text=False,
        width=11,
    ),
    # The workshop roster: the person's invitation to this workshop and their attendance.
    Column(
        "status",
        gettext_lazy("Invitation status"),
        _invitation_status,
        kinds=frozenset({WORKSHOP}),
        chatham=True,
        default_in=frozenset({WORKSHOP}),
        width=18,
    ),
    Column(
        "responded",
        gettext_lazy("Answered on"),
        _responded,
        kinds=frozenset({WORKSHOP}),
        text=False,
        width=13,
    ),
    Column(
        "dietary",
        gettext_lazy("Dietary needs"),
        _invitation_field("dietary"),
        kinds=frozenset({WORKSHOP}),
        default_in=frozenset({WORKSHOP}),
        width=22,
    ),
    Column(
        "accessibility",
        gettext_lazy("Accessibility needs"),
        _invitation_field("accessibility"),
        kinds=frozenset({WORKSHOP}),
        default_in=frozenset({WORKSHOP}),
        width=22,
    ),
    Column(
        "interpretation",
        gettext_lazy("Interpretation needs"),
        _invitation_field("interpretation"),
        kinds=frozenset({WORKSHOP}),
        width=22,
    ),
    Column(
        "attended",
        gettext_lazy("Attended"),
        _attended,
        kinds=frozenset({WORKSHOP}),
        chatham=True,
        default_in=frozenset({WORKSHOP}),
        width=10,
    ),
    Column(
        "sessions_attended",
        gettext_lazy("Sessions attended"),
        _present_sessions,
        kinds=frozenset({WORKSHOP}),
        chatham=True,
        text=False,
        default_in=frozenset({WORKSHOP}),
        width=10,
    ),
    # The program roster: counts across the program's workshops.
    Column(
        "workshops_invited",
        gettext_lazy("Workshops invited to"),
        _program_invitations(),
        kinds=frozenset({PROGRAM}),
        chatham=True,
        text=False,
        default_in=frozenset({PROGRAM}),
        width=12,
    ),
    Column(
        "workshops_accepted",
        gettext_lazy("Workshops accepted"),
        _program_invitations(InvitationStatus.ACCEPTED),
        kinds=frozenset({PROGRAM}),
        chatham=True,
        text=False,
        default_in=frozenset({PROGRAM}),
        width=12,
    ),
    Column(
        "workshops_attended",
        gettext_lazy("Workshops attended"),
        _program_attended,
        kinds=frozenset({PROGRAM}),
        chatham=True,
        text=False,
        default_in=frozenset({PROGRAM}),
        width=12,
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}


def columns_for(kind: str, *, contact: bool, chatham: bool = False) -> list[Column]:
    """The columns one may choose for ``kind``, in catalogue order."""
    return [
        column
        for column in COLUMNS
        if kind in column.kinds
        and (contact or not column.contact)
        and (not chatham or column.chatham)
    ]


def default_keys(kind: str, *, contact: bool) -> list[str]:
    return [c.key for c in columns_for(kind, contact=contact) if kind in c.default_in]


def country_names(codes) -> dict[str, str]:
    return {code: str(countries.name(code)) for code in codes if code}
