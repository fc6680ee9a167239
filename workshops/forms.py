"""Forms for workshops and their agendas. Times are typed in the venue's time zone and
stored in UTC; validation and layout only, writes go through services."""

import zoneinfo
from datetime import datetime, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SafeInputMixin
from core.models import User
from core.validators import time_zone_names
from dialogues.models import Program
from workshops.models import Session, Workshop
from workshops.outreach.scheduling import parse_offsets

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
WORKSHOP_FIELDS = [
    "title",
    "code_name",
    "format",
    "time_zone",
    "venue_name",
    "venue_address",
    "venue_city",
    "venue_country",
    "capacity",
    "working_languages",
    "interpretation",
    "facilitators",
    "objectives",
    "chatham_house",
    "send_follow_up",
    "feedback_url",
]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs) -> None:
        super().__init__(format=LOCAL_INPUT, **kwargs)


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]


def in_zone(value: datetime, zone: str) -> datetime:
    """A wall-clock time typed for ``zone``, as an aware datetime."""
    return value.replace(tzinfo=zoneinfo.ZoneInfo(zone))


class WorkshopForm(SafeInputMixin, forms.ModelForm):
    starts_local = forms.DateTimeField(
        label=_("Starts (venue time)"), widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT]
    )
    ends_local = forms.DateTimeField(
        label=_("Ends (venue time)"), widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT]
    )

    class Meta:
        model = Workshop
        fields = WORKSHOP_FIELDS
        widgets = {
            "working_languages": forms.SelectMultiple(attrs={"size": 5}),
            "facilitators": forms.SelectMultiple(attrs={"size": 5}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
        }

    feedback_url = forms.URLField(
        label=_("Feedback form link"),
        required=False,
        assume_scheme="https",
        help_text=_("Offered in the thank-you message, if given."),
    )
    reminders = forms.CharField(
        label=_("Reminders"),
        required=False,
        max_length=100,
        help_text=_(
            "Days (d) or hours (h) before the start, to those who accepted, e.g. 7d, 1d. "
            "Leave empty for no reminders."
        ),
    )

    def __init__(self, *args, program: Program | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The program decides whether a code name is needed; a new workshop has none yet.
        self.program = program or (self.instance.program if self.instance.program_id else None)
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Venue time zone"),
            choices=time_zone_choices(),
            initial="UTC",
            help_text=_("Times are typed and shown in this zone."),
        )
        self.fields["facilitators"].queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name", "username"
        )
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["title"].widget.attrs["autofocus"] = True
        if self.instance.pk:
            self.initial["starts_local"] = self.instance.local_starts_at().replace(tzinfo=None)
            self.initial["ends_local"] = self.instance.local_ends_at().replace(tzinfo=None)
        # Shown as typed ("7d, 1d"); a new workshop shows the default offsets.
        self.initial.setdefault("reminders", ", ".join(self.instance.reminder_offsets or []))
        self.fields["reminders"].widget.attrs["placeholder"] = "7d, 1d"
        self.fields["feedback_url"].widget.attrs["placeholder"] = "https://"
        if self.program is not None and self.program.discreet_mode:
            code_name = self.fields["code_name"]
            code_name.required = True
            code_name.error_messages["required"] = _(
                "This program is in discreet mode: give the workshop a neutral code name, "
                "used in messages instead of its title."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("The workshop"),
                Row(Column("title"), Column("code_name")),
                Row(Column("format"), Column("capacity")),
                "objectives",
                "chatham_house",
            ),
            Fieldset(
                _("When and where"),
                Row(Column("starts_local"), Column("ends_local"), Column("time_zone")),
                Row(Column("venue_name"), Column("venue_address")),
                Row(Column("venue_city"), Column("venue_country")),
            ),
            Fieldset(
                _("Languages and people"),
                Row(Column("working_languages"), Column("facilitators")),
                "interpretation",
            ),
            Fieldset(
                _("Messages"),
                Row(Column("reminders"), Column("feedback_url")),
                "send_follow_up",
            ),
        )

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if capacity < 1:
            raise forms.ValidationError(_("Capacity must be at least one person."))
        return capacity

    def clean_reminders(self) -> str:
        """ "7d, 1d" → ["7d", "1d"] in ``reminder_offsets``; the text stays as typed so
        the form re-renders with it."""
        text = self.cleaned_data["reminders"]
        self.cleaned_data["reminder_offsets"] = parse_offsets(text)
        return text

    def clean(self) -> dict:
        cleaned = super().clean()
        zone, starts, ends = (
            cleaned.get("time_zone"),
            cleaned.get("starts_local"),
            cleaned.get("ends_local"),
        )
        if zone and starts and ends:
            cleaned["starts_at"] = in_zone(starts, zone)
            cleaned["ends_at"] = in_zone(ends, zone)
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("ends_local", _("A workshop must end after it starts."))
        return cleaned

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in WORKSHOP_FIELDS}
        fields["starts_at"] = self.cleaned_data["starts_at"]
        fields["ends_at"] = self.cleaned_data["ends_at"]
        fields["reminder_offsets"] = self.cleaned_data["reminder_offsets"]
        return fields


class DuplicateWorkshopForm(SafeInputMixin, forms.Form):
    title = forms.CharField(label=_("Title of the copy"), max_length=200)
    starts_local = forms.DateTimeField(
        label=_("The copy starts (venue time)"),
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_INPUT],
        help_text=_("Sessions move with it; invitations are not copied."),
    )

    def __init__(self, *args, workshop: Workshop, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        self.initial.setdefault("title", _("%(title)s (copy)") % {"title": workshop.title})
        self.initial.setdefault(
            "starts_local", (workshop.local_starts_at() + timedelta(days=28)).replace(tzinfo=None)
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("starts_local"):
            cleaned["starts_at"] = in_zone(cleaned["starts_local"], self.workshop.time_zone)
        return cleaned


class CancelWorkshopForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Cancel this workshop: pending reminders are cancelled and it cannot be edited.")
    )


class SessionForm(SafeInputMixin, forms.ModelForm):
    """One agenda item, typed in the workshop's venue time."""

    starts_local = forms.DateTimeField(
        label=_("Starts"), widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT]
    )
    ends_local = forms.DateTimeField(
        label=_("Ends"), widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT]
    )

    class Meta:
        model = Session
        fields = ["title", "room", "is_parallel", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, workshop: Workshop, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        zone = workshop.venue_zone
        if not self.instance.pk and not self.is_bound:
            # The next session usually follows the last one: offer that slot.
            last = workshop.sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
            start = (last or workshop.starts_at).astimezone(zone).replace(tzinfo=None)
            self.initial.setdefault("starts_local", start)
            self.initial.setdefault("ends_local", start + timedelta(hours=1))
        if self.instance.pk:
            self.initial["starts_local"] = self.instance.starts_at.astimezone(zone).replace(
                tzinfo=None
            )
            self.initial["ends_local"] = self.instance.ends_at.astimezone(zone).replace(tzinfo=None)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("title", css_class="col-md-6"), Column("room")),
            Row(Column("starts_local"), Column("ends_local"), Column("is_parallel")),
            "description",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_local"), cleaned.get("ends_local")
        if starts and ends:
            cleaned["starts_at"] = in_zone(starts, self.workshop.time_zone)
            cleaned["ends_at"] = in_zone(ends, self.workshop.time_zone)
        return cleaned

    def service_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("title", "room", "is_parallel", "description", "starts_at", "ends_at")
        }
