"""The one way to write the audit log."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import AuditEvent, User

# Keys that would carry personal data or note text; refusing them keeps the log safe to read.
FORBIDDEN_KEYS = frozenset(
    {"email", "phone", "name", "full_name", "native_name", "body", "text", "password", "address"}
)


def record(
    actor: User | None, action: str, obj: models.Model | None = None, **data: Any
) -> AuditEvent:
    """Write one audit event. ``data`` holds ids, counts and labels, never personal data."""
    leaked = FORBIDDEN_KEYS.intersection(data)
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
