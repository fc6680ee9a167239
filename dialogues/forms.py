"""Forms for programs and their teams: validation and layout only; writes go through services."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.forms import SafeInputMixin
from core.models import User
from dialogues.models import Program, ProgramMembership, ProgramRole

PROGRAM_FIELDS = [
    "name",
    "conflict_context",
    "communities",
    "track_level",
    "tracks",
    "processes",
    "target_sectors",
    "starts_on",
    "ends_on",
    "status",
    "objectives",
    "balance_tolerance",
    "discreet_mode",
]
PROGRAM_RELATED = ("communities", "tracks", "processes", "target_sectors")


class ProgramForm(SafeInputMixin, forms.ModelForm):
    class Meta:
        model = Program
        fields = PROGRAM_FIELDS
        widgets = {
            "communities": forms.CheckboxSelectMultiple,
            "tracks": forms.CheckboxSelectMultiple,
            "processes": forms.CheckboxSelectMultiple,
            "target_sectors": forms.CheckboxSelectMultiple,
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "conflict_context": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("The program"),
                "name",
                "conflict_context",
                "objectives",
                Row(Column("starts_on"), Column("ends_on"), Column("status")),
            ),
            Fieldset(
                _("Who and how"),
                Row(Column("communities"), Column("target_sectors")),
                Row(Column("track_level"), Column("tracks"), Column("processes")),
            ),
            Fieldset(_("Delegations and messages"), "balance_tolerance", "discreet_mode"),
        )

    def clean_communities(self):
        communities = self.cleaned_data["communities"]
        if len(communities) < 2:
            raise forms.ValidationError(
                _("A dialogue program brings together at least two communities."),
                code="communities",
            )
        return communities

    def clean(self) -> dict:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A program cannot end before it starts."))
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROGRAM_FIELDS}

    def unique_slug(self) -> str:
        base = slugify(self.cleaned_data["name"])[:180] or "program"
        slug, n = base, 2
        while Program.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class MembershipForm(forms.Form):
    """Add someone to a program's team, or change their role."""

    user = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.filter(is_active=True).order_by("username")
    )
    role = forms.ChoiceField(label=_("Role"), choices=ProgramRole.choices)

    def __init__(self, *args, program: Program, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("user"), Column("role")))

    def clean_user(self) -> User:
        user = self.cleaned_data["user"]
        if ProgramMembership.objects.filter(program=self.program, user=user).exists():
            raise forms.ValidationError(
                _("%(user)s already has a role in this program: change it in the list below.")
                % {"user": user}
            )
        return user


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ProgramRole.choices)
