"""The message queue's filters: every one lives in the URL, so a filtered view can be
bookmarked and the queue's buttons come back to it."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dialogues.models import Program
from workshops.models import MessageKind, MessageStatus, ScheduledMessage, Workshop


class MessageFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_recipient", label=_("Recipient"))
    status = django_filters.ChoiceFilter(
        choices=MessageStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        choices=MessageKind.choices, label=_("Kind"), empty_label=_("Any kind")
    )
    workshop = django_filters.ModelChoiceFilter(
        queryset=Workshop.objects.none(), label=_("Workshop"), empty_label=_("All workshops")
    )

    class Meta:
        model = ScheduledMessage
        fields: list[str] = []

    def __init__(self, *args, program: Program | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if program is None:
            # One workshop's queue: nothing to choose.
            del self.filters["workshop"]
        else:
            self.filters["workshop"].queryset = program.workshops.order_by("-starts_at", "pk")
        for field in self.form.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )
        self.form.fields["q"].widget.attrs["placeholder"] = _("Name")

    def filter_recipient(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(recipient_participant__full_name__icontains=value)
            | Q(recipient_user__first_name__icontains=value)
            | Q(recipient_user__last_name__icontains=value)
            | Q(recipient_user__username__icontains=value)
        )

    @property
    def chosen_status(self) -> str:
        """The status chosen, if valid ("" for all)."""
        if not self.is_bound or not self.form.is_valid():
            return ""
        return self.form.cleaned_data.get("status") or ""

    def qs_any_status(self) -> QuerySet[ScheduledMessage]:
        """The rows every filter but the status keeps: what the status tabs count."""
        queryset = self.queryset.all()
        if self.is_bound:
            self.errors  # noqa: B018 - validates the form, as django-filter's ``qs`` does
            for name, value in self.form.cleaned_data.items():
                if name != "status":
                    queryset = self.filters[name].filter(queryset, value)
        return queryset
