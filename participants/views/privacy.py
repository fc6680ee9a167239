"""Registry pages: data-protection rights (erasure and access), for admins only."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core import permissions
from core.models import User
from participants import privacy
from participants.models import Participant
from participants.services import RegistryError


def _require_admin(user: User) -> None:
    if not permissions.is_admin(user):
        raise PermissionDenied


class EraseForm(forms.Form):
    confirm_id = forms.IntegerField(
        label=gettext_lazy("Type the participant's number to confirm"),
        help_text=gettext_lazy("Erasure cannot be undone."),
    )

    def __init__(self, *args, participant: Participant, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.participant = participant

    def clean_confirm_id(self) -> int:
        value = self.cleaned_data["confirm_id"]
        if value != self.participant.pk:
            raise forms.ValidationError(
                _("That is not this participant's number (#%(pk)s).") % {"pk": self.participant.pk}
            )
        return value


class ExportForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "The person asked for their data and I checked who they are; the download is logged."
        )
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def participant_erase(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request.user)
    participant = get_object_or_404(Participant.objects.select_related("sector"), pk=pk)
    if participant.erased_at is not None:
        messages.info(request, _("This participant's data was already erased."))
        return redirect("participants:detail", pk=pk)
    form = EraseForm(request.POST or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.participant_erase(participant=participant, by=request.user)
        except RegistryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Participant #%(pk)s was erased; their participation remains as counts only.")
                % {"pk": pk},
            )
            return redirect("participants:detail", pk=pk)
    return render(
        request, "participants/participant_erase.html", {"participant": participant, "form": form}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def participant_export_record(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request.user)
    participant = get_object_or_404(
        Participant.objects.select_related("sector", "community", "track"), pk=pk
    )
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = privacy.participant_record_export(participant=participant, by=request.user)
        response = HttpResponse(
            json.dumps(record, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="participant-{pk}.json"'
        return response
    return render(
        request, "participants/participant_export.html", {"participant": participant, "form": form}
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/erase/", participant_erase, name="erase"),
    path("<int:pk>/export/", participant_export_record, name="export_record"),
]
