"""Workshop pages: the delegation builder (search the registry, add people in bulk, watch
the balance of the room)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, F, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.validators import parse_id
from participants import safety
from participants.filters import ParticipantFilter
from participants.selectors import participants_for_list
from workshops import services
from workshops.delegation import LIVE_STATUSES, delegation_balance
from workshops.models import Invitation, InvitationStatus, Workshop
from workshops.views.workshops import changeable_workshop

RESULTS_PER_PAGE = 25
BUILDER_FILTERS = ("q", "sector", "community", "track", "country", "language")


class DelegationFilter(ParticipantFilter):
    """The registry's filters that matter for composing a room."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.filters):
            if name not in BUILDER_FILTERS:
                del self.filters[name]
        # Plain Bootstrap widgets: this page renders often and crispy is the slow part.
        for name, field in list(self.form.fields.items()):
            if name not in BUILDER_FILTERS:
                del self.form.fields[name]
            elif isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            else:
                field.widget.attrs["class"] = "form-control"


class ResultsPage:
    """One page of candidates without counting them all: on a registry of 100,000 people
    the count would cost more than the page. A 26th row says there is a next page."""

    def __init__(self, queryset, number: str | None) -> None:
        self.number = min(parse_id(number) or 1, 100_000)  # an OFFSET past bigint is a 500
        start = (self.number - 1) * RESULTS_PER_PAGE
        rows = list(queryset[start : start + RESULTS_PER_PAGE + 1])
        self.items = rows[:RESULTS_PER_PAGE]
        self.has_next = len(rows) > RESULTS_PER_PAGE
        self.has_previous = self.number > 1
        self.first = start + 1
        self.last = start + len(self.items)


def _back(workshop: Workshop, request: HttpRequest) -> str:
    query = request.POST.get("query", "")
    url = reverse("workshops:delegation", args=[workshop.pk])
    # The list's filters, kept within what a redirect may carry (Django refuses a Location
    # past 16 KB; no real filter comes near 2,000 characters).
    return f"{url}?{query}" if query and len(query) <= 2000 else url


@never_cache
@login_required
@require_GET
def delegation(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = changeable_workshop(request.user, pk)
    on_list = Invitation.objects.filter(workshop=workshop, participant=OuterRef("pk"))
    candidates = safety.with_contact_state(participants_for_list(request.user)).annotate(
        on_list=Exists(on_list)
    )
    people = DelegationFilter(request.GET or None, queryset=candidates)
    page = ResultsPage(people.qs, request.GET.get("page"))
    rows = [(p, safety.listed_contact_blockers(p)) for p in page.items]
    labels = dict(InvitationStatus.choices)
    # Plain rows, not model instances: a workshop may list hundreds of people.
    listed = (
        workshop.invitations.filter(status__in=[*LIVE_STATUSES, InvitationStatus.WAITLISTED])
        .order_by("participant__full_name")
        .values(
            "pk",
            "status",
            name=F("participant__full_name"),
            risk=F("participant__risk_level"),
            community=F("participant__community__name"),
            sector=F("participant__sector__name"),
        )
    )
    by_status: dict[str, list[dict]] = {}
    for row in listed:
        by_status.setdefault(row["status"], []).append(row)
    invitees = [
        (status, labels[status], by_status[status])
        for status in (*LIVE_STATUSES[::-1], InvitationStatus.WAITLISTED)
        if status in by_status
    ]
    query = request.GET.copy()
    query.pop("page", None)
    balance = delegation_balance(workshop)
    return render(
        request,
        "workshops/delegation.html",
        {
            "workshop": workshop,
            "filter": people,
            "page": page,
            "rows": rows,
            "invitees": invitees,
            "balance": balance,
            "balance_groups": [
                (_("Community"), balance.by_community),
                (_("Sector"), balance.by_sector),
                (_("Gender"), balance.by_gender),
                (_("Multi-Track track"), balance.by_track),
            ],
            "query_string": query.urlencode(),
            "third_party": _("Third party"),
            "remove_label": _("Remove"),
        },
    )


@never_cache
@login_required
@require_POST
def delegation_add(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = changeable_workshop(request.user, pk)
    ids = [i for i in map(parse_id, request.POST.getlist("participant")) if i is not None]
    if not ids:
        messages.error(request, _("Tick the people to add first."))
        return redirect(_back(workshop, request))
    # Only people this user may see can be added, whatever ids the form carried.
    people = participants_for_list(request.user).filter(pk__in=ids)
    try:
        change = services.invitations_add(workshop=workshop, participants=people, by=request.user)
    except services.WorkshopError as error:
        messages.error(request, str(error))
        return redirect(_back(workshop, request))
    if change.added:
        messages.success(
            request,
            ngettext(
                "%(n)s person added to the invite list.",
                "%(n)s people added to the invite list.",
                change.added,
            )
            % {"n": change.added},
        )
    if change.waitlisted:
        messages.warning(
            request,
            ngettext(
                "%(n)s person went to the waitlist: the workshop is full.",
                "%(n)s people went to the waitlist: the workshop is full.",
                change.waitlisted,
            )
            % {"n": change.waitlisted},
        )
    for person, reasons in change.refused:
        messages.error(
            request,
            _("%(name)s cannot be invited: %(reasons)s")
            % {"name": person.full_name, "reasons": " ".join(reasons)},
        )
    if change.already:
        messages.info(
            request,
            ngettext(
                "%(n)s person was already on the list.",
                "%(n)s people were already on the list.",
                change.already,
            )
            % {"n": change.already},
        )
    return redirect(_back(workshop, request))


@never_cache
@login_required
@require_POST
def delegation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = changeable_workshop(request.user, pk)
    invitation = request.POST.get("invitation", "")
    item = get_object_or_404(Invitation, pk=parse_id(invitation) or 0, workshop=workshop)
    try:
        promoted = services.invitation_remove(invitation=item, by=request.user)
    except services.WorkshopError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(name)s was taken off the list.") % {"name": item.participant.full_name}
        )
        if promoted is not None:
            messages.info(
                request,
                _("%(name)s moved up from the waitlist.")
                % {"name": promoted.participant.full_name},
            )
    return redirect(_back(workshop, request))


urlpatterns: list[URLPattern] = [
    path("<int:pk>/delegation/", delegation, name="delegation"),
    path("<int:pk>/delegation/add/", delegation_add, name="delegation_add"),
    path("<int:pk>/delegation/remove/", delegation_remove, name="delegation_remove"),
]
