"""Forms every signed-in user shares."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.validators import time_zone_names


class PreferencesForm(forms.ModelForm):
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
