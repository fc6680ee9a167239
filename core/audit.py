"""The one way to write the audit log.

The log is append-only (a database trigger refuses UPDATE and DELETE, see migration
``core/0002_audit_append_only``) and holds ids, counts, labels and field *names*, never
personal data or note text: erasing a person leaves nothing of them behind in it.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import AuditEvent, User

# Keys that would carry personal data or note text; refusing them keeps the log safe to read.
FORBIDDEN_KEYS = frozenset(
    {
        "email",
        "phone",
        "name",
        "full_name",
        "native_name",
        "body",
        "text",
        "password",
        "address",
        "username",
    }
)


def _forbidden_keys(data: Any) -> set[str]:
    """Forbidden keys at any depth (``filters={"email": …}`` is refused too)."""
    found: set[str] = set()
    if isinstance(data, dict):
        found |= FORBIDDEN_KEYS.intersection(data)
        for value in data.values():
            found |= _forbidden_keys(value)
    elif isinstance(data, list | tuple):
        for value in data:
            found |= _forbidden_keys(value)
    return found


def record(
    actor: User | None, action: str, obj: models.Model | None = None, **data: Any
) -> AuditEvent:
    """Write one audit event. ``data`` holds ids, counts and labels, never personal data."""
    leaked = _forbidden_keys(data)
    if leaked:
        raise ValueError(f"Audit data must not hold personal data: {sorted(leaked)}")
    event = AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        data=data,
    )
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj)
        event.object_id = str(obj.pk)
        # The label of a model, not its str(): a participant's str() is their name.
        event.object_repr = f"{obj._meta.verbose_name} #{obj.pk}"
    event.save()
    return event


def record_change(
    actor: User | None,
    obj: models.Model,
    fields: Iterable[str],
    *,
    action: str | None = None,
    **data: Any,
) -> AuditEvent | None:
    """Record that ``obj`` changed, naming the changed fields and never their values.

    ``action`` defaults to ``<model name>.changed`` (``sessionnote.changed``). Nothing is
    written when no field changed, so a save that changed nothing leaves no trace. Field
    names are checked against the model (a typo or a value passed by mistake raises), and
    related names (``languages``, ``tags``) are accepted too.
    """
    names = sorted(set(fields))
    if not names:
        return None
    known = {f.name for f in obj._meta.get_fields()}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"Not fields of {obj._meta.label}: {unknown}")
    return record(actor, action or f"{obj._meta.model_name}.changed", obj, fields=names, **data)


def changed_fields(before: models.Model, after: models.Model, names: Iterable[str]) -> list[str]:
    """The names among ``names`` whose value differs between two copies of one row
    (for code that keeps the row as loaded and compares it with the saved one)."""
    out = []
    for name in names:
        attname = before._meta.get_field(name).attname
        if getattr(before, attname) != getattr(after, attname):
            out.append(name)
    return out
