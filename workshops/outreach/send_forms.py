"""The form behind "Send invitations": which people on the invite list to send to."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import parse_id
from workshops.models import Invitation, Workshop


class InvitationSendForm(forms.Form):
    """Ticked invitations of this workshop. Any of its invitations is accepted here, so an
    invitation sent by a colleague a moment ago is reported as skipped by the service
    (with the reason) rather than refused as an unknown choice."""

    invitations = forms.ModelMultipleChoiceField(
        queryset=Invitation.objects.none(),
        label=_("People to invite"),
        error_messages={
            "required": _("Tick at least one person to invite."),
            "invalid_choice": _("Someone ticked is no longer on this workshop's list."),
            "invalid_pk_value": _("Someone ticked is no longer on this workshop's list."),
        },
    )

    def __init__(self, *args, workshop: Workshop, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invitations"].queryset = workshop.invitations.all()

    def ticked(self) -> set[int]:
        """The ids ticked in the submitted form, valid or not, to tick them again."""
        if not self.is_bound:
            return set()
        return {parse_id(v) for v in self.data.getlist("invitations")} - {None}
