"""Printable rosters of a workshop: the sign-in sheet and name badges as PDF.

One page with a small form (document, who, paper, options); posting it downloads the PDF.
Admins, the program's staff and the workshop's own facilitators may print; others who see
the workshop (observers) get 403, everyone else 404. Only an admin may reveal high-risk
participants, after ticking a confirmation; every download is in the audit log.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core import permissions
from core.models import User
from workshops.models import Workshop
from workshops.rosters_pdf import (
    PaperSize,
    RosterExportError,
    RosterPdfKind,
    RosterScope,
    may_export_roster,
    roster_participants,
    roster_pdf_export,
)


class RosterPdfForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Document"),
        choices=RosterPdfKind.choices,
        initial=RosterPdfKind.SIGN_IN,
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Who"),
        choices=RosterScope.choices,
        initial=RosterScope.ACCEPTED,
        widget=forms.RadioSelect,
    )
    paper = forms.ChoiceField(
        label=gettext_lazy("Paper"),
        choices=PaperSize.choices,
        initial=PaperSize.A4,
        widget=forms.RadioSelect,
    )
    chatham_house = forms.BooleanField(
        label=gettext_lazy("Chatham House: print no names (sign-in sheet only)"),
        help_text=gettext_lazy(
            "Numbered lines where each person writes their own name and signs: no list of "
            "who was invited lies on the table."
        ),
        required=False,
    )
    community_colour = forms.BooleanField(
        label=gettext_lazy("Community colour and name on badges"),
        help_text=gettext_lazy("Left off for pseudonymised people."),
        required=False,
    )
    reveal_high_risk = forms.BooleanField(
        label=gettext_lazy("Print high-risk participants under their real names"),
        help_text=gettext_lazy("By default they appear as a code (P-…) only."),
        required=False,
    )
    confirm_reveal = forms.BooleanField(
        label=gettext_lazy(
            "I confirm this paper will be handled so that it cannot endanger them; "
            "this is recorded in the audit log."
        ),
        required=False,
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not permissions.is_admin(user):
            # Not offered at all: only an admin may reveal a high-risk person.
            del self.fields["reveal_high_risk"]
            del self.fields["confirm_reveal"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") == RosterPdfKind.BADGES and cleaned.get("chatham_house"):
            self.add_error(
                "chatham_house",
                _("Badges exist to show a name: there is no Chatham House form of them."),
            )
        if cleaned.get("reveal_high_risk") and not cleaned.get("confirm_reveal"):
            self.add_error("confirm_reveal", _("Confirm that you mean to print their real names."))
        if cleaned.get("chatham_house") and cleaned.get("reveal_high_risk"):
            self.add_error("reveal_high_risk", _("A Chatham House sheet prints no names."))
        return cleaned


def printable_workshop(user: User, pk: int) -> Workshop:
    """404 if the user may not see the workshop, 403 if they see it but may not print."""
    workshop = get_object_or_404(
        permissions.visible_to(user, Workshop).select_related("program"), pk=pk
    )
    if not may_export_roster(user, workshop):
        raise PermissionDenied
    return workshop


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def roster_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = printable_workshop(request.user, pk)
    form = RosterPdfForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = roster_pdf_export(
                workshop=workshop,
                by=request.user,
                kind=data["kind"],
                scope=data["scope"],
                paper=data["paper"],
                reveal_high_risk=data.get("reveal_high_risk", False),
                chatham_house=data["chatham_house"],
                community_colour=data["community_colour"],
            )
        except RosterExportError as error:
            form.add_error(None, str(error))
        else:
            response = HttpResponse(document.content, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
            response["X-Content-Type-Options"] = "nosniff"
            return response
    counts = {scope: roster_participants(workshop, scope).count() for scope in RosterScope.values}
    return render(
        request,
        "workshops/rosters/pdf/form.html",
        {
            "workshop": workshop,
            "form": form,
            "counts": counts,
            "scopes": [(value, label, counts[value]) for value, label in RosterScope.choices],
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/roster/print/", roster_pdf, name="roster_pdf"),
]
