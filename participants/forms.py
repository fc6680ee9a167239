"""Forms of the registry: validation and layout only; writes go through services."""

import phonenumbers
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import SafeInputMixin
from participants.models import ConsentRecord, Participant

PARTICIPANT_FIELDS = [
    "full_name",
    "native_name",
    "email",
    "phone",
    "country",
    "languages",
    "preferred_language",
    "gender",
    "pronouns",
    "sector",
    "community",
    "track",
    "organisation",
    "position",
    "risk_level",
    "do_not_contact",
    "do_not_contact_reason",
    "tags",
]
RELATED_FIELDS = ("languages", "tags")


def normalise_phone(raw: str, country: str = "") -> str:
    """Parse a phone number as people write it and store it in E.164 (+35799123456).

    A number without a country code is read in the participant's country, if known.
    """
    raw = raw.strip()
    if not raw:
        return ""
    hint = _("Write it with the country code, e.g. +357 22 123456.")
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException as exc:
        raise forms.ValidationError(
            _("Not a phone number we can read. %(hint)s") % {"hint": hint}, code="phone"
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(
            _("This phone number does not exist. %(hint)s") % {"hint": hint}, code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class ParticipantForm(SafeInputMixin, forms.ModelForm):
    not_a_duplicate = forms.BooleanField(
        label=_("I checked the possible duplicates: this is a different person."),
        required=False,
    )

    class Meta:
        model = Participant
        fields = PARTICIPANT_FIELDS
        widgets = {
            "native_name": forms.TextInput(attrs={"dir": "auto"}),
            "languages": forms.SelectMultiple(attrs={"size": 6}),
            "tags": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autofocus"] = True
        self.fields["sector"].queryset = self.fields["sector"].queryset.order_by("position")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Name and contact"),
                Row(Column("full_name"), Column("native_name")),
                Row(Column("email"), Column("phone")),
                Row(Column("country"), Column("preferred_language")),
                "languages",
            ),
            Fieldset(
                _("Place in the dialogue"),
                Row(Column("sector"), Column("community"), Column("track")),
                Row(Column("organisation"), Column("position")),
                Row(Column("gender"), Column("pronouns")),
                "tags",
            ),
            Fieldset(
                _("Safety"),
                "risk_level",
                Row(Column("do_not_contact"), Column("do_not_contact_reason")),
            ),
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email:
            clash = Participant.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(
                    _("Another participant already has this email address."), code="unique"
                )
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        phone = cleaned.get("phone", "")
        if phone:
            try:
                cleaned["phone"] = normalise_phone(phone, cleaned.get("country") or "")
            except forms.ValidationError as error:
                self.add_error("phone", error)
        if cleaned.get("do_not_contact") and not cleaned.get("do_not_contact_reason"):
            self.add_error(
                "do_not_contact_reason",
                _("Say why, so that colleagues understand before they try to invite them."),
            )
        return cleaned

    def service_fields(self) -> dict:
        """The cleaned values as keyword arguments for the registry services."""
        return {name: self.cleaned_data[name] for name in PARTICIPANT_FIELDS}

    def lookalike_query(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in ("full_name", "email", "phone")}


class ConsentForm(SafeInputMixin, forms.ModelForm):
    class Meta:
        model = ConsentRecord
        fields = ["scope", "granted", "method", "given_on", "note"]
        labels = {"granted": _("Consent given (untick to record a withdrawal)")}
        widgets = {"given_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()
        self.fields["granted"].initial = True
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError(_("Consent cannot be dated in the future."))
        return given_on
