"""The attendance sheet of a workshop's sessions: one tap per person (htmx, or a plain
POST and redirect without JavaScript), "mark all", and walk-ins from the registry or
created on the spot.

Who may see and change a sheet: ``facilitation.workshops_for_attendance`` (the program's
staff, the workshop's facilitators, admins); everyone else gets 404. The pages list
people, so no browser or proxy may keep them (``never_cache``).
"""

from crispy_forms.layout import Layout
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import permissions
from core.models import User
from core.validators import has_unstorable, parse_id
from participants import safety
from participants.forms import ParticipantForm
from participants.models import Participant
from participants.selectors import search_participants
from workshops import attendance as services
from workshops import facilitation
from workshops.models import Session, Workshop
from workshops.views.workshops import add_service_errors

SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 15


class WalkInForm(ParticipantForm):
    """The registry's own form, cut down to what can be asked at the door."""

    class Meta(ParticipantForm.Meta):
        fields = ["full_name", "native_name", "community", "sector"]

    def __init__(self, *args, workshop: Workshop, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["not_a_duplicate"]
        communities = workshop.program.communities.all()
        if communities.exists():
            self.fields["community"].queryset = communities.order_by("name")
        self.fields["full_name"].widget.attrs.pop("autofocus", None)
        self.helper.layout = Layout("full_name", "native_name", "community", "sector")

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def attendance_workshop(user: User, pk: int) -> Workshop:
    """A workshop whose attendance this user takes; 404 for anyone else (observers too)."""
    queryset = facilitation.workshops_for_attendance(user).select_related("program")
    return get_object_or_404(queryset, pk=pk)


def _session(workshop: Workshop, pk: int) -> Session:
    """A session of this workshop: a session of another one answers 404."""
    session = get_object_or_404(Session, pk=pk, workshop=workshop)
    session.workshop = workshop
    return session


def _sheet_url(workshop: Workshop, session: Session, anchor: str = "") -> str:
    url = reverse("workshops:attendance_session", args=[workshop.pk, session.pk])
    return f"{url}#{anchor}" if anchor else url


def _sheet(
    request: HttpRequest, workshop: Workshop, session: Session | None, status: int = 200
) -> HttpResponse:
    choices = facilitation.sessions_for_attendance(workshop, request.user)
    session = session or facilitation.default_session(choices)
    rows, counts = facilitation.attendance_sheet(session) if session else ([], None)
    index = next((i for i, c in enumerate(choices) if c.session == session), None)
    context = {
        "workshop": workshop,
        "session": session,
        "choices": choices,
        "current": choices[index] if index is not None else None,
        "previous": choices[index - 1].session if index else None,
        "next": choices[index + 1].session
        if index is not None and index + 1 < len(choices)
        else None,
        "rows": rows,
        "counts": counts,
        "closed": services.sheet_is_closed(workshop),
    }
    if request.headers.get("HX-Request"):
        return render(request, "workshops/attendance/_sheet.html", context, status=status)
    return render(request, "workshops/attendance/sheet.html", context, status=status)


def _reload_or_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """After a refusal: htmx loads the page anew (with the message), a plain POST
    redirects to it."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@never_cache
@login_required
@require_GET
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The sheet of the session running now (else the next, else the last)."""
    workshop = attendance_workshop(request.user, pk)
    return _sheet(request, workshop, None)


@never_cache
@login_required
@require_GET
def attendance_session(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    workshop = attendance_workshop(request.user, pk)
    return _sheet(request, workshop, _session(workshop, session))


@never_cache
@login_required
@require_POST
def attendance_mark(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    """One tap: present or absent. htmx gets the row back (and the counts, out of band)."""
    workshop = attendance_workshop(request.user, pk)
    item = _session(workshop, session)
    participant_pk = request.POST.get("participant", "")
    person = (
        facilitation.on_roster(workshop, parse_id(participant_pk))
        if parse_id(participant_pk)
        else None
    )
    if person is None:
        raise Http404("No such person on this workshop's list.")
    try:
        services.attendance_mark(
            session=item, participant=person, status=request.POST.get("status", ""), by=request.user
        )
    except services.AttendanceError as error:
        # Closed meanwhile, or a forged status: the whole page again, saying why.
        messages.error(request, str(error))
        return _reload_or_redirect(request, _sheet_url(workshop, item))
    row = facilitation.attendance_row(item, person)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "workshops/attendance/_row_answer.html",
            {
                "workshop": workshop,
                "session": item,
                "row": row,
                "counts": facilitation.attendance_counts(item),
                "closed": "",
            },
        )
    return redirect(_sheet_url(workshop, item, row.dom_id))


@never_cache
@login_required
@require_POST
def attendance_mark_all(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    workshop = attendance_workshop(request.user, pk)
    item = _session(workshop, session)
    try:
        count = services.attendance_mark_all(session=item, by=request.user)
    except services.AttendanceError as error:
        messages.error(request, str(error))
        return _reload_or_redirect(request, _sheet_url(workshop, item))
    if not request.headers.get("HX-Request"):
        messages.success(
            request,
            ngettext("%(n)s person marked present.", "%(n)s people marked present.", count)
            % {"n": count},
        )
        return redirect(_sheet_url(workshop, item))
    return _sheet(request, workshop, item)


def _search_results(
    user: User, workshop: Workshop, query: str
) -> list[tuple[Participant, safety.PublicIdentity, bool]]:
    """Registry people this user may see matching ``query``, each with how to show them
    (high-risk people by pseudonym: the list is read on a phone in a full room) and
    whether they are already on the sheet."""
    # Typed at the door: at most a name's length, and never a NUL, which PostgreSQL
    # refuses in a query (a 500); such a search simply finds nobody.
    query = query.strip()[:200]
    if len(query) < SEARCH_MIN_LENGTH or has_unstorable(query):
        return []
    found = list(
        search_participants(
            permissions.visible_to(user, Participant).filter(erased_at__isnull=True), query
        ).select_related("community", "sector")[:SEARCH_LIMIT]
    )
    on_sheet = set(
        Participant.objects.filter(
            facilitation.roster_condition(workshop), pk__in=[p.pk for p in found]
        ).values_list("pk", flat=True)
    )
    return [(p, safety.public_identity(p), p.pk in on_sheet) for p in found]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def attendance_walk_in(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    """Find a walk-in in the registry (GET ?q=) and add them (POST participant=)."""
    workshop = attendance_workshop(request.user, pk)
    item = _session(workshop, session)
    closed = services.sheet_is_closed(workshop)
    if request.method == "POST":
        participant_pk = request.POST.get("participant", "")
        person = (
            permissions.visible_to(request.user, Participant)
            .filter(pk=parse_id(participant_pk))
            .first()
            if parse_id(participant_pk) is not None
            else None
        )
        if person is None:
            raise Http404("No such participant.")
        try:
            services.walk_in_add(session=item, participant=person, by=request.user)
        except services.AttendanceError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s was added and marked present.")
                % {"name": safety.public_identity(person).full_name},
            )
        return redirect(_sheet_url(workshop, item, f"attendee-{person.pk}"))
    query = request.GET.get("q", "")
    context = {
        "workshop": workshop,
        "session": item,
        "query": query,
        "min_length": SEARCH_MIN_LENGTH,
        "results": _search_results(request.user, workshop, query),
        "form": WalkInForm(workshop=workshop, prefix="new"),
        "closed": closed,
    }
    if request.headers.get("HX-Request"):
        return render(request, "workshops/attendance/_walk_in_results.html", context)
    return render(request, "workshops/attendance/walk_in.html", context)


@never_cache
@login_required
@require_POST
def attendance_walk_in_new(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    """Someone who is not in the registry: a minimal entry, marked present."""
    workshop = attendance_workshop(request.user, pk)
    item = _session(workshop, session)
    form = WalkInForm(request.POST, workshop=workshop, prefix="new")
    if form.is_valid():
        try:
            record = services.walk_in_create(session=item, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        except services.AttendanceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(name)s was added to the registry and marked present.")
                % {"name": form.cleaned_data["full_name"]},
            )
            return redirect(_sheet_url(workshop, item, f"attendee-{record.participant_id}"))
    context = {
        "workshop": workshop,
        "session": item,
        "query": "",
        "min_length": SEARCH_MIN_LENGTH,
        "results": [],
        "form": form,
        "closed": services.sheet_is_closed(workshop),
    }
    return render(request, "workshops/attendance/walk_in.html", context, status=400)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/attendance/", attendance, name="attendance"),
    path("<int:pk>/attendance/<int:session>/", attendance_session, name="attendance_session"),
    path("<int:pk>/attendance/<int:session>/mark/", attendance_mark, name="attendance_mark"),
    path(
        "<int:pk>/attendance/<int:session>/mark-all/",
        attendance_mark_all,
        name="attendance_mark_all",
    ),
    path(
        "<int:pk>/attendance/<int:session>/walk-in/",
        attendance_walk_in,
        name="attendance_walk_in",
    ),
    path(
        "<int:pk>/attendance/<int:session>/walk-in/new/",
        attendance_walk_in_new,
        name="attendance_walk_in_new",
    ),
]
