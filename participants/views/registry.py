"""Registry pages: one person's profile, creating and editing people, recording consent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import permissions
from core.models import User
from core.validators import parse_id, storable
from participants import profiles, services
from participants.forms import ConsentForm, ParticipantForm, normalise_phone
from participants.models import Participant


def _require_registry_editor(user: User) -> None:
    """Whole pages for editors only answer 403; a person you may not see answers 404."""
    if not (permissions.is_admin(user) or permissions.is_programme_staff(user)):
        raise PermissionDenied


def _service_kwargs(form: ParticipantForm) -> dict:
    fields = form.service_fields()
    return {
        "languages": fields.pop("languages"),
        "tags": fields.pop("tags"),
        **fields,
    }


@never_cache
@login_required
@require_GET
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    participant = profiles.participant_for_profile(request.user, pk)
    return render(
        request,
        "participants/participant_detail.html",
        {
            "participant": participant,
            "profile": profiles.profile_for(request.user, participant),
            "consent_form": ConsentForm(),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def participant_create(request: HttpRequest) -> HttpResponse:
    _require_registry_editor(request.user)
    form = ParticipantForm(request.POST or None)
    lookalikes: list[Participant] = []
    if request.method == "POST" and form.is_valid():
        lookalikes = list(profiles.lookalikes(**form.lookalike_query()))
        if lookalikes and not form.cleaned_data["not_a_duplicate"]:
            form.add_error(
                None,
                _(
                    "This person may already be in the registry: see the possible duplicates "
                    "above. Tick the box if this is someone else."
                ),
            )
        else:
            participant = services.participant_create(by=request.user, **_service_kwargs(form))
            messages.success(request, _("%(name)s was added.") % {"name": participant.full_name})
            return redirect("participants:detail", pk=participant.pk)
    return render(
        request,
        "participants/participant_form.html",
        {"form": form, "lookalikes": lookalikes, "creating": True},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_registry_editor(request.user)
    participant = permissions.get_changeable_or_404(request.user, Participant, pk=pk)
    if participant.erased_at is not None:
        messages.error(request, _("This participant's data was erased; it cannot be edited."))
        return redirect("participants:detail", pk=pk)
    form = ParticipantForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                participant=participant, by=request.user, **_service_kwargs(form)
            )
        except services.RegistryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Changes to %(name)s saved.") % {"name": form.cleaned_data["full_name"]}
            )
            return redirect("participants:detail", pk=pk)
    return render(
        request,
        "participants/participant_form.html",
        {"form": form, "participant": participant, "creating": False},
    )


@never_cache
@login_required
@require_GET
def participant_lookalikes(request: HttpRequest) -> HttpResponse:
    """The htmx partial under the create form: possible duplicates while typing."""
    _require_registry_editor(request.user)
    phone = request.GET.get("phone", "")
    try:
        phone = normalise_phone(phone, request.GET.get("country", ""))
    except ValidationError:  # a half-typed number matches nothing yet
        phone = ""
    exclude = request.GET.get("exclude", "")
    # Half-typed text straight from the page: PostgreSQL refuses a NUL in a query, so what
    # no column can hold is replaced (it matches nobody) rather than sent.
    lookalikes = profiles.lookalikes(
        full_name=storable(request.GET.get("full_name", "")[:200]),
        email=storable(request.GET.get("email", "")[:254]),
        phone=phone,
        exclude_pk=parse_id(exclude),
    )
    return render(request, "participants/_lookalikes.html", {"lookalikes": lookalikes})


@never_cache
@login_required
@require_POST
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_registry_editor(request.user)
    participant = permissions.get_changeable_or_404(request.user, Participant, pk=pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record_add(
                participant=participant, by=request.user, **form.cleaned_data
            )
        except services.RegistryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Consent record added."))
            return redirect(reverse("participants:detail", args=[pk]) + "#consent")
    participant = profiles.participant_for_profile(request.user, pk)
    return render(
        request,
        "participants/participant_detail.html",
        {
            "participant": participant,
            "profile": profiles.profile_for(request.user, participant),
            "consent_form": form,
        },
        status=400,
    )


urlpatterns: list[URLPattern] = [
    path("new/", participant_create, name="create"),
    path("lookalikes/", participant_lookalikes, name="lookalikes"),
    path("<int:pk>/", participant_detail, name="detail"),
    path("<int:pk>/edit/", participant_edit, name="edit"),
    path("<int:pk>/consent/", consent_add, name="consent_add"),
]
