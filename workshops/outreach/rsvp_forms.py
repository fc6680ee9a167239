"""The participant's answer on the RSVP page: attend or not, a note, and what they need."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SafeInputMixin
from workshops.models import Invitation, InvitationStatus

ACCEPT = "accept"
DECLINE = "decline"
# Long enough for a paragraph about travel or health, short enough that a pasted document
# (or a script) is refused rather than stored.
LONG_TEXT_MAX = 2000


def _max_length(name: str) -> int:
    return Invitation._meta.get_field(name).max_length


def _text(label, max_length: int, help_text="", rows: int = 0) -> forms.CharField:
    # dir="auto": someone reading the page in French may well type in Arabic.
    attrs = {"dir": "auto"}
    widget = forms.Textarea(attrs={**attrs, "rows": rows}) if rows else forms.TextInput(attrs)
    return forms.CharField(
        label=label, help_text=help_text, max_length=max_length, required=False, widget=widget
    )


class RSVPForm(SafeInputMixin, forms.Form):
    """Validation only: the answer itself is given by ``scheduling.rsvp_respond``."""

    answer = forms.ChoiceField(
        label=_("Will you attend?"),
        choices=[(ACCEPT, _("Yes, I will attend")), (DECLINE, _("No, I cannot attend"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether you will attend."),
            "invalid_choice": _("Choose whether you will attend."),
        },
    )
    note = _text(
        _("A note for the organisers"),
        LONG_TEXT_MAX,
        _("Optional. Anything you would like them to know."),
        rows=3,
    )
    dietary = _text(
        _("Dietary needs"),
        _max_length("dietary"),
        _("For example vegetarian, halal, kosher or an allergy."),
    )
    accessibility = _text(
        _("Accessibility needs"),
        _max_length("accessibility"),
        _("For example step-free access or a hearing loop."),
    )
    interpretation = _text(
        _("Interpretation"),
        _max_length("interpretation"),
        _("Which languages you would like interpretation from or into."),
    )
    other_needs = _text(
        _("Other needs"), LONG_TEXT_MAX, _("Visa, travel or anything else to arrange."), rows=2
    )

    @staticmethod
    def initial_for(invitation: Invitation) -> dict[str, str]:
        """What the participant answered last time, so that changing one thing keeps the rest."""
        answer = {
            InvitationStatus.ACCEPTED: ACCEPT,
            InvitationStatus.WAITLISTED: ACCEPT,
            InvitationStatus.DECLINED: DECLINE,
        }.get(invitation.status, "")
        return {
            "answer": answer,
            "note": invitation.response_note,
            "dietary": invitation.dietary,
            "accessibility": invitation.accessibility,
            "interpretation": invitation.interpretation,
            "other_needs": invitation.needs,
        }

    def service_fields(self) -> dict[str, Any]:
        """The cleaned answer as keyword arguments for ``scheduling.rsvp_respond``."""
        data = self.cleaned_data
        return {
            "accept": data["answer"] == ACCEPT,
            "note": data["note"],
            "dietary": data["dietary"],
            "accessibility": data["accessibility"],
            "interpretation": data["interpretation"],
            "other_needs": data["other_needs"],
        }
