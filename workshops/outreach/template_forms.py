"""The form staff edit a program's message template with: validation and layout only."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SafeInputMixin
from participants.models import Language
from workshops.models import MessageKind, MessageTemplate
from workshops.outreach import placeholders


class MessageTemplateForm(SafeInputMixin, forms.ModelForm):
    language = forms.ModelChoiceField(
        label=_("Language"),
        queryset=Language.objects.order_by("name"),
        required=False,
        empty_label=_("Program default"),
        help_text=_(
            "Participants who prefer this language get this wording. The program default "
            "covers every language without its own template."
        ),
    )

    class Meta:
        model = MessageTemplate
        fields = ["kind", "language", "subject", "body"]
        # dir="auto": an Arabic or Hebrew template reads right to left while it is typed.
        widgets = {
            "subject": forms.TextInput(attrs={"dir": "auto"}),
            "body": forms.Textarea(attrs={"rows": 16, "spellcheck": "true", "dir": "auto"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].label = _("Message")
        self.fields["body"].help_text = _(
            "Plain text: blank lines make paragraphs and links become clickable in the "
            "HTML version."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("kind"), Column("language")),
            "subject",
            "body",
        )

    def clean(self) -> dict:
        """Placeholders must exist for the chosen kind of message: reported now, on the
        field, rather than when mail goes out."""
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in MessageKind.values:
            for name in ("subject", "body"):
                text = cleaned.get(name)
                if text:
                    for problem in placeholders.problems(text, kind):
                        self.add_error(name, problem)
        return cleaned

    def template_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("kind", "language", "subject", "body")}
