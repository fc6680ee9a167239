"""Forms every signed-in user shares."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.validators import (
    time_zone_names,
    validate_plausible_date,
    validate_storable_text,
)


class SafeInputMixin:
    """Every text field of the form (``CharField`` and its kin: email, URL, slug) refuses
    what no text column can hold, NUL and lone surrogates, and every date and date-time
    field refuses a year outside 1900-2200, each with a message on the field instead of a
    server error on save. Every form of the project that takes text or dates mixes this in
    first, so the spreadsheet import (which validates each row with the registry's form)
    refuses those cells row by row too."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                wanted = validate_storable_text
            elif isinstance(field, forms.DateField | forms.DateTimeField):
                wanted = validate_plausible_date
            else:
                continue
            if wanted not in field.validators:
                field.validators.append(wanted)


class PreferencesForm(SafeInputMixin, forms.ModelForm):
    """A user's own name, email, interface language and time zone."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "time_zone"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Your time zone"),
            required=False,
            choices=[("", _("Same as each workshop's venue"))]
            + [(name, name.replace("_", " ")) for name in sorted(time_zone_names())],
            help_text=_("Workshop times are also shown in this zone when it differs."),
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("first_name"), Column("last_name")),
            "email",
            Row(Column("language"), Column("time_zone")),
        )
