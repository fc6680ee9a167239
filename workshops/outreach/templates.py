"""A program's own wording for its messages: reading it per kind, saving and deleting it.

Placeholders are checked here, when a template is saved, so a mistake shows up on the form
and never in a message that is already going out. Audited with ids and field names only:
the wording itself may name people or places and stays out of the log.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.models import User
from dialogues.models import Program
from participants.models import Language
from workshops.models import MessageKind, MessageTemplate
from workshops.outreach import placeholders
from workshops.outreach.defaults import DEFAULTS

TEMPLATE_FIELDS = ("kind", "language", "subject", "body")
# The language new templates start from (the built-in wording is written in it).
STARTING_LANGUAGE = "en"

# The order a participant meets them in, for the overview.
KIND_ORDER = [
    MessageKind.INVITATION,
    MessageKind.SEAT_OFFER,
    MessageKind.UPDATE,
    MessageKind.REMINDER,
    MessageKind.CANCELLATION,
    MessageKind.FOLLOW_UP,
    MessageKind.ACTION_REMINDER,
]
WHEN_SENT = {
    MessageKind.INVITATION: gettext_lazy("When staff send a workshop's invitations."),
    MessageKind.REMINDER: gettext_lazy(
        "Before a workshop, to those who accepted, at the workshop's reminder times."
    ),
    MessageKind.UPDATE: gettext_lazy(
        "When a workshop's dates, time or venue change, to those invited."
    ),
    MessageKind.CANCELLATION: gettext_lazy("When a workshop is cancelled, to those invited."),
    MessageKind.SEAT_OFFER: gettext_lazy(
        "When a place opens and goes to the first person on the waitlist."
    ),
    MessageKind.FOLLOW_UP: gettext_lazy(
        "The day after a workshop, with the follow-up actions agreed, if the workshop "
        "sends a thank-you."
    ),
    MessageKind.ACTION_REMINDER: gettext_lazy(
        "To the person responsible for a follow-up action, before it is due."
    ),
}


class TemplateError(Exception):
    """A template change the program refuses (e.g. it is archived); shown to the user."""


@dataclass
class KindOverview:
    """What a program sends for one kind of message."""

    kind: str
    label: str
    when: str
    built_in_subject: str
    templates: list[MessageTemplate] = field(default_factory=list)
    placeholders: list[tuple[str, str]] = field(default_factory=list)

    @property
    def default(self) -> MessageTemplate | None:
        return next((t for t in self.templates if t.language_id is None), None)

    @property
    def uses_built_in(self) -> bool:
        """No program default: languages without their own template get the built-in one."""
        return self.default is None


def built_in_wording(kind: str, language: str = STARTING_LANGUAGE) -> dict[str, str]:
    """The built-in subject and body of ``kind``: what a new template starts from."""
    subject, body = DEFAULTS[kind]
    with translation.override(language):
        return {"subject": str(subject), "body": str(body)}


def placeholders_for(kind: str) -> list[tuple[str, str]]:
    """("{{ name }}" as typed, what it stands for) of each placeholder ``kind`` may use."""
    return [
        ("{{ " + name + " }}", str(about))
        for name, about in placeholders.PLACEHOLDERS[kind].items()
    ]


def program_templates(program: Program) -> QuerySet[MessageTemplate]:
    """A program's templates, with what the overview shows of them, in one query."""
    return (
        MessageTemplate.objects.filter(program=program)
        .select_related("language", "updated_by")
        .order_by("kind", "language__name")
    )


def overview(program: Program) -> list[KindOverview]:
    """Per kind of message, in the order they happen: the program's templates or the
    built-in wording."""
    by_kind: dict[str, list[MessageTemplate]] = {}
    for template in program_templates(program):
        by_kind.setdefault(template.kind, []).append(template)
    rows = []
    for kind in KIND_ORDER:
        templates = by_kind.get(kind.value, [])
        # The program default first, then languages by name.
        templates.sort(
            key=lambda t: (t.language_id is not None, t.language.name if t.language else "")
        )
        rows.append(
            KindOverview(
                kind=kind.value,
                label=str(kind.label),
                when=str(WHEN_SENT[kind]),
                built_in_subject=built_in_wording(kind.value)["subject"],
                templates=templates,
                placeholders=placeholders_for(kind.value),
            )
        )
    return rows


def _check(program: Program, template: MessageTemplate) -> None:
    """Placeholders known for the kind, no stray braces, one template per language."""
    errors: dict[str, list[str]] = {}
    for name in ("subject", "body"):
        found = placeholders.problems(getattr(template, name), template.kind)
        if found:
            errors[name] = found
    same = MessageTemplate.objects.filter(
        program=program, kind=template.kind, language=template.language_id
    ).exclude(pk=template.pk)
    if same.exists():
        label = MessageKind(template.kind).label
        if template.language_id:
            errors["language"] = [
                _(
                    "There is already a template for “%(kind)s” in %(language)s: "
                    "edit that one instead."
                )
                % {"kind": label, "language": template.language.name}
            ]
        else:
            errors["language"] = [
                _(
                    "There is already a program default for “%(kind)s”: edit that one, "
                    "or choose a language for this one."
                )
                % {"kind": label}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def template_save(
    *,
    program: Program,
    by: User,
    kind: str,
    language: Language | None,
    subject: str,
    body: str,
    template: MessageTemplate | None = None,
) -> MessageTemplate:
    """Create (``template`` None) or change one of ``program``'s templates.

    Raises ValidationError keyed by field (unknown placeholders, stray braces, a second
    template for the same kind and language) and TemplateError if the program is archived.
    """
    # One writer per program at a time, so two people adding the same language race to a
    # clear error rather than an IntegrityError.
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.is_archived:
        raise TemplateError(_("The program is archived: restore it before changing its messages."))
    if template is None:
        template = MessageTemplate(program=program)
        changed = list(TEMPLATE_FIELDS)
    else:
        template = (
            MessageTemplate.objects.select_related("language")
            .filter(pk=template.pk, program=program)
            .first()
        )
        if template is None:
            raise TemplateError(_("This template was deleted in the meantime."))
        changed = []
    values: dict[str, Any] = {"kind": kind, "language": language, "subject": subject, "body": body}
    for name, value in values.items():
        if getattr(template, name) != value:
            setattr(template, name, value)
            if name not in changed:
                changed.append(name)
    creating = template.pk is None
    if not creating and not changed:
        return template
    _check(program, template)
    template.updated_by = by
    template.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as error:  # only if the lock above were bypassed
        raise ValidationError(
            {"language": [_("This program already has this template in this language.")]}
        ) from error
    audit.record(
        by,
        "message_template.create" if creating else "message_template.update",
        template,
        program=program.pk,
        kind=template.kind,
        language=template.language_id,
        fields=sorted(changed),
    )
    return template


@transaction.atomic
def template_delete(*, template: MessageTemplate, by: User) -> None:
    """Remove a template: its kind and language fall back to the program default, then to
    the built-in wording."""
    program = Program.objects.select_for_update().get(pk=template.program_id)
    if program.is_archived:
        raise TemplateError(_("The program is archived: restore it before changing its messages."))
    template = MessageTemplate.objects.filter(pk=template.pk, program=program).first()
    if template is None:
        return  # deleted in the meantime: the outcome the user wanted
    audit.record(
        by,
        "message_template.delete",
        template,
        program=program.pk,
        kind=template.kind,
        language=template.language_id,
    )
    template.delete()
