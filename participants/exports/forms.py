"""The export form: columns (checkboxes), format, who is on a roster, protections, presets."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SafeInputMixin
from participants.exports.columns import columns_for, default_keys
from participants.exports.spec import RosterScope
from participants.models import ExportFormat, ExportKind

CHECK = {"class": "form-check-input"}

SCOPE_CHOICES = [
    (RosterScope.INVITED, _("Everyone on the delegation (with their invitation status)")),
    (RosterScope.ACCEPTED, _("Those who accepted")),
    (RosterScope.ATTENDED, _("Those who attended at least one session (walk-ins too)")),
]


class ExportForm(SafeInputMixin, forms.Form):
    columns = forms.MultipleChoiceField(
        label=_("Columns"), widget=forms.CheckboxSelectMultiple(attrs=CHECK), required=False
    )
    scope = forms.ChoiceField(
        label=_("Who"),
        choices=SCOPE_CHOICES,
        initial=RosterScope.INVITED,
        widget=forms.RadioSelect(attrs=CHECK),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        initial=ExportFormat.CSV,
        widget=forms.RadioSelect(attrs=CHECK),
    )
    chatham = forms.BooleanField(
        label=_("Chatham House export"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
        help_text=_(
            "No names and no contact details: only community, sector, track and attendance."
        ),
    )
    reveal = forms.BooleanField(
        label=_("Show high-risk participants in full"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
        help_text=_("Otherwise they appear under a stable pseudonym (P-…) without other details."),
    )
    confirm_reveal = forms.BooleanField(
        label=_(
            "I confirm that this file needs their real names and details, and that the audit "
            "log records that I asked for them."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )
    filters = forms.CharField(required=False, widget=forms.HiddenInput)
    preset_name = forms.CharField(label=_("Preset name"), required=False, max_length=80)

    def __init__(self, *args, kind: str, contact: bool, may_reveal: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["columns"].choices = [
            (column.key, column.label) for column in columns_for(kind, contact=contact)
        ]
        self.fields["columns"].initial = default_keys(kind, contact=contact)
        self.chatham_keys = [c.key for c in columns_for(kind, contact=contact, chatham=True)]
        if kind != ExportKind.WORKSHOP:
            del self.fields["scope"]
        if kind != ExportKind.REGISTRY:
            del self.fields["filters"]
        if not may_reveal:
            del self.fields["reveal"]
            del self.fields["confirm_reveal"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reveal") and cleaned.get("chatham"):
            self.add_error("reveal", _("A Chatham House export has no names to show."))
        elif cleaned.get("reveal") and not cleaned.get("confirm_reveal"):
            self.add_error(
                "confirm_reveal", _("Confirm that you need high-risk people shown in full.")
            )
        return cleaned

    def clean_columns(self) -> list[str]:
        chosen = self.cleaned_data.get("columns") or []
        # In catalogue order, whatever order the browser sent them in.
        order = [key for key, _label in self.fields["columns"].choices]
        return [key for key in order if key in chosen]
