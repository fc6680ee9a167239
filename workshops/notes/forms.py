"""The note editor and the list filters: validation and layout only, writes go through
``workshops.notes.services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SafeInputMixin
from core.models import User
from core.validators import parse_id
from workshops.models import NoteLevel, NoteTheme, Session, SessionNote, Workshop
from workshops.notes import names, selectors
from workshops.notes.services import split_themes

NAMES_ERROR = _(
    "This is a Chatham House note, but it names participants of the workshop. Take the "
    "names out, or confirm that no one can be identified."
)


class NoteForm(SafeInputMixin, forms.ModelForm):
    """Title, text, level, Chatham House, session and themes.

    When a Chatham House note names a participant of the workshop, the first save is
    refused with the names found and a "save anyway" box; ticking it saves only if the names
    found are still those that were shown (a new name warns again).
    """

    new_themes = forms.CharField(
        label=_("New themes"),
        required=False,
        max_length=500,
        help_text=_("Comma-separated, e.g. water, trust. Created when you save."),
    )
    save_anyway = forms.BooleanField(
        label=_("Save anyway: no one can be identified from this note"),
        required=False,
    )
    acknowledged = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = SessionNote
        fields = ["title", "session", "level", "chatham_house", "body", "themes"]
        widgets = {
            "title": forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
            "body": forms.Textarea(attrs={"dir": "auto", "rows": 14, "spellcheck": "true"}),
            "level": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "body": _(
                "Markdown: **bold**, *italic*, - lists, [links](https://…). "
                "Scripts and unsafe links are removed."
            ),
        }

    def __init__(self, *args, workshop: Workshop, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        self.user = user
        self.mentions: list[names.Mention] = []
        session = self.fields["session"]
        session.queryset = selectors.sessions_of(workshop)
        session.required = False
        session.empty_label = _("The whole workshop")
        levels = selectors.levels_for_writer(user, workshop)
        level = self.fields["level"]
        level.choices = [(value, label) for value, label in NoteLevel.choices if value in levels]
        themes = self.fields["themes"]
        themes.queryset = selectors.themes_for(user)
        themes.required = False
        if self.instance.pk:
            # A theme on this note stays offered even if it is hidden elsewhere.
            themes.queryset = (themes.queryset | self.instance.themes.all()).distinct()
        self.fields["new_themes"].widget.attrs.update({"dir": "auto", "autocomplete": "off"})

    def other_errors(self) -> list[str]:
        """Errors not about names (those have their own panel)."""
        return [e for e in self.non_field_errors() if e != str(NAMES_ERROR)]

    def clean_title(self) -> str:
        return " ".join((self.cleaned_data.get("title") or "").split())

    def clean_new_themes(self) -> list[str]:
        return split_themes(self.cleaned_data.get("new_themes") or "")

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("chatham_house"):
            self.mentions = names.mentions_in(
                self.workshop, cleaned.get("title") or "", cleaned.get("body") or ""
            )
        found = {m.pk for m in self.mentions}
        shown = {parse_id(p) for p in (cleaned.get("acknowledged") or "").split(",")} - {None}
        if found and not (cleaned.get("save_anyway") and found <= shown):
            self.add_error(None, NAMES_ERROR)
            # The box is unticked again: the names shown now are the ones to confirm.
            data = self.data.copy()
            data["save_anyway"] = ""
            data["acknowledged"] = ",".join(str(pk) for pk in sorted(found))
            self.data = data
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "level": data["level"],
            "chatham_house": data["chatham_house"],
            "session": data.get("session"),
            "themes": list(data.get("themes") or []),
            "new_themes": data.get("new_themes") or [],
            "names_acknowledged": len(self.mentions),
        }


class NoteFilterForm(SafeInputMixin, forms.Form):
    """The list's filters; each lives in the URL."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200, widget=forms.SearchInput)
    level = forms.ChoiceField(
        label=_("Confidentiality"),
        required=False,
        choices=[("", _("Any level")), *NoteLevel.choices],
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        required=False,
        queryset=NoteTheme.objects.none(),
        empty_label=_("Any theme"),
    )
    session = forms.ModelChoiceField(
        label=_("Session"),
        required=False,
        queryset=Session.objects.none(),
        empty_label=_("Any session"),
    )
    workshop = forms.ModelChoiceField(
        label=_("Workshop"),
        required=False,
        queryset=Workshop.objects.none(),
        empty_label=_("All workshops"),
    )
    chatham_house = forms.TypedChoiceField(
        label=_("Chatham House"),
        required=False,
        choices=[("", _("Either")), ("yes", _("Chatham House")), ("no", _("Attributable"))],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
    )

    def __init__(
        self,
        *args,
        user: User,
        workshop: Workshop | None = None,
        workshops=None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = selectors.themes_for(user)
        if workshop is not None:
            self.fields["session"].queryset = selectors.sessions_of(workshop)
            del self.fields["workshop"]
        else:
            del self.fields["session"]
            if workshops is None:
                del self.fields["workshop"]
            else:
                self.fields["workshop"].queryset = workshops
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Title, text or theme"), "dir": "auto"}
        )

    def filters(self) -> selectors.NoteFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.NoteFilters()
        data = self.cleaned_data
        return selectors.NoteFilters(
            q=data.get("q") or "",
            level=data.get("level") or "",
            theme=data.get("theme"),
            session=data.get("session"),
            chatham_house=data.get("chatham_house"),
            workshop=data.get("workshop"),
        )
