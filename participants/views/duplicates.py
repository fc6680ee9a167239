"""Registry pages: likely duplicates, dismissing a pair, merging two entries into one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants import merge, selectors, services, tasks
from participants.duplicates import REASONS
from participants.models import LikelyDuplicate, Participant
from participants.views.registry import _require_registry_editor

PAIRS_PER_PAGE = 20
# Up to this many people the scan runs while staff wait (a second or two); beyond, a worker.
SCAN_NOW_LIMIT = 20_000


@never_cache
@login_required
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    _require_registry_editor(request.user)
    page = Paginator(selectors.open_duplicates(), PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    for pair in page:
        pair.reasons = [REASONS[code] for code in pair.reason.split(",") if code in REASONS]
    return render(
        request,
        "participants/duplicate_list.html",
        {"page": page, "last_scan": selectors.last_duplicate_scan()},
    )


@login_required
@require_POST
def duplicate_scan(request: HttpRequest) -> HttpResponse:
    _require_registry_editor(request.user)
    if Participant.objects.filter(erased_at__isnull=True).count() <= SCAN_NOW_LIMIT:
        found = services.duplicates_rescan(by=request.user)
        messages.success(
            request,
            ngettext(
                "Scan finished: %(count)s likely duplicate.",
                "Scan finished: %(count)s likely duplicates.",
                found,
            )
            % {"count": found},
        )
    else:
        user_id = request.user.pk
        transaction.on_commit(lambda: tasks.scan_duplicates.delay(user_id))
        messages.info(
            request,
            _("The scan runs in the background; reload this page in a minute to see its result."),
        )
    return redirect("participants:duplicates")


@login_required
@require_POST
def duplicate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    _require_registry_editor(request.user)
    pair = get_object_or_404(LikelyDuplicate, pk=pk)
    services.duplicate_dismiss(pair=pair, by=request.user)
    messages.success(
        request, _("Marked as two different people; the scan will not raise them again.")
    )
    return redirect("participants:duplicates")


class MergeForm(forms.Form):
    """One choice per field on which the two entries differ."""

    confirm = forms.BooleanField(
        label=gettext_lazy("I checked: these two entries are the same person."), required=True
    )

    def __init__(self, *args, keep: Participant, other: Participant, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.differing = merge.differing_fields(keep, other)
        for name in self.differing:
            field = Participant._meta.get_field(name)
            self.fields[f"take_{name}"] = forms.ChoiceField(
                label=field.verbose_name.capitalize(),
                choices=[
                    ("keep", _display(keep, name)),
                    ("other", _display(other, name)),
                ],
                initial="keep",
                widget=forms.RadioSelect,
            )
        self.order_fields([f"take_{name}" for name in self.differing] + ["confirm"])

    def taken(self) -> list[str]:
        return [name for name in self.differing if self.cleaned_data[f"take_{name}"] == "other"]


def _display(participant: Participant, name: str) -> str:
    display = getattr(participant, f"get_{name}_display", None)
    value = display() if display else getattr(participant, name)
    return str(getattr(value, "name", value))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def participant_merge(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """Fold ``other`` into ``pk``: a side-by-side view with a choice per differing field."""
    _require_registry_editor(request.user)
    related = ("sector", "community", "track", "preferred_language")
    keep = get_object_or_404(
        Participant.objects.select_related(*related), pk=pk, erased_at__isnull=True
    )
    gone = get_object_or_404(
        Participant.objects.select_related(*related), pk=other, erased_at__isnull=True
    )
    if keep.pk == gone.pk:
        messages.error(request, _("A participant cannot be merged with themselves."))
        return redirect("participants:detail", pk=pk)
    form = MergeForm(request.POST or None, keep=keep, other=gone)
    if request.method == "POST" and form.is_valid():
        try:
            merge.participants_merge(keep=keep, other=gone, by=request.user, take=form.taken())
        except services.RegistryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Merged: entry #%(gone)s is now part of this one, with all its history.")
                % {"gone": other},
            )
            return redirect("participants:detail", pk=pk)
    history = selectors.merge_history_counts([keep.pk, gone.pk])
    return render(
        request,
        "participants/participant_merge.html",
        {
            "keep": keep,
            "other": gone,
            "form": form,
            "keep_history": history[keep.pk],
            "other_history": history[gone.pk],
        },
    )


urlpatterns: list[URLPattern] = [
    path("duplicates/", duplicate_list, name="duplicates"),
    path("duplicates/scan/", duplicate_scan, name="duplicates_scan"),
    path("duplicates/<int:pk>/dismiss/", duplicate_dismiss, name="duplicate_dismiss"),
    path("<int:pk>/merge/<int:other>/", participant_merge, name="merge"),
]
