"""The audit log page's filters: who, what, on which object, when. All in the URL."""

import re

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent, User

SAFE_ACTION = re.compile(r"[a-z0-9_.]{1,64}")
SAFE_ID = re.compile(r"[0-9a-fA-F-]{1,64}")


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), label=_("User"), empty_label=_("Anyone")
    )
    action = django_filters.CharFilter(
        method="filter_action",
        label=_("Action"),
        help_text=_(
            "Exact, or a prefix ending in a dot: “participant.” for every participant event."
        ),
    )
    content_type = django_filters.ModelChoiceFilter(
        queryset=ContentType.objects.none(), label=_("Object type"), empty_label=_("Any")
    )
    object_id = django_filters.CharFilter(label=_("Object id"))
    created = django_filters.DateFromToRangeFilter(
        field_name="created_at",
        label=_("Date (from – to)"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only users and object types that appear in the log: short lists to choose from.
        self.filters["actor"].queryset = User.objects.filter(
            pk__in=AuditEvent.objects.filter(actor__isnull=False).values("actor_id")
        ).order_by("username")
        self.filters["content_type"].queryset = ContentType.objects.filter(
            pk__in=AuditEvent.objects.filter(content_type__isnull=False).values("content_type_id")
        ).order_by("app_label", "model")

    def filter_action(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if value.endswith("."):
            return queryset.filter(action__startswith=value)
        return queryset.filter(Q(action=value))

    def used(self) -> dict[str, str]:
        """The filters applied, for the audit event of an export of the log.

        Ids and codes only: text typed into a box is kept only when it has the shape of an
        action code or an id, so nothing personal typed by mistake lands in the log.
        """
        if not (self.is_bound and self.form.is_valid()):
            return {}
        cleaned = self.form.cleaned_data
        used: dict[str, str] = {}
        if cleaned.get("actor"):
            used["actor"] = str(cleaned["actor"].pk)
        if cleaned.get("content_type"):
            used["content_type"] = cleaned["content_type"].app_labeled_name
        for key, shape in (("action", SAFE_ACTION), ("object_id", SAFE_ID)):
            value = (cleaned.get(key) or "").strip()
            if value:
                used[key] = value if shape.fullmatch(value) else "(text)"
        created = cleaned.get("created")
        if created:
            if created.start:
                used["created_after"] = created.start.date().isoformat()
            if created.stop:
                used["created_before"] = created.stop.date().isoformat()
        return used
