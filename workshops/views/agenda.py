"""Workshop pages: the agenda, edited inline with htmx (and working without it).

Every htmx answer is the whole agenda section, re-rendered: one shape, always current.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from workshops import selectors, services
from workshops.forms import SessionForm
from workshops.models import Session, Workshop
from workshops.views.workshops import add_service_errors, changeable_workshop


def _agenda(
    request: HttpRequest,
    workshop: Workshop,
    *,
    new_form: SessionForm | None = None,
    editing: int | None = None,
    edit_form: SessionForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The agenda section for htmx, or the whole workshop page without it."""
    page = selectors.workshop_page(request.user, workshop)
    context = {
        "workshop": workshop,
        "page": page,
        "session_form": new_form or SessionForm(workshop=workshop, prefix="new"),
        "editing": editing,
        "edit_form": edit_form,
        "agenda_error": error,
    }
    if request.headers.get("HX-Request"):
        # htmx swaps 200 answers only; the form inside says what went wrong.
        return render(request, "workshops/_agenda.html", context)
    return render(request, "workshops/workshop_detail.html", context, status=status)


def _done(request: HttpRequest, workshop: Workshop, message: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return _agenda(request, workshop)
    messages.success(request, message)
    return redirect(f"{workshop.get_absolute_url()}#agenda")


@login_required
@require_POST
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = changeable_workshop(request.user, pk)
    form = SessionForm(request.POST, workshop=workshop, prefix="new")
    if form.is_valid():
        try:
            services.session_add(workshop=workshop, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        except services.WorkshopError as error:
            form.add_error(None, str(error))
        else:
            title = form.cleaned_data["title"]
            return _done(request, workshop, _("Session “%(title)s” added.") % {"title": title})
    return _agenda(request, workshop, new_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    workshop = changeable_workshop(request.user, pk)
    item = get_object_or_404(Session, pk=session, workshop=workshop)
    form = SessionForm(request.POST or None, instance=item, workshop=workshop, prefix="edit")
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=item, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        except services.WorkshopError as error:
            form.add_error(None, str(error))
        else:
            return _done(
                request,
                workshop,
                _("Session “%(title)s” saved.") % {"title": form.cleaned_data["title"]},
            )
    status = 400 if form.errors else 200
    return _agenda(request, workshop, editing=item.pk, edit_form=form, status=status)


@login_required
@require_POST
def session_remove(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    workshop = changeable_workshop(request.user, pk)
    item = get_object_or_404(Session, pk=session, workshop=workshop)
    try:
        services.session_remove(session=item, by=request.user)
    except services.WorkshopError as error:
        return _agenda(request, workshop, error=str(error), status=400)
    return _done(request, workshop, _("Session “%(title)s” removed.") % {"title": item.title})


@login_required
@require_POST
def session_move(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    workshop = changeable_workshop(request.user, pk)
    item = get_object_or_404(Session, pk=session, workshop=workshop)
    try:
        services.session_move(
            session=item, by=request.user, earlier=request.POST.get("direction") == "up"
        )
    except (services.WorkshopError, ValidationError) as error:
        message = str(error) if isinstance(error, services.WorkshopError) else error.messages[0]
        return _agenda(request, workshop, error=message, status=400)
    return _done(request, workshop, _("Agenda reordered."))


urlpatterns: list[URLPattern] = [
    path("<int:pk>/sessions/add/", session_add, name="session_add"),
    path("<int:pk>/sessions/<int:session>/edit/", session_edit, name="session_edit"),
    path("<int:pk>/sessions/<int:session>/remove/", session_remove, name="session_remove"),
    path("<int:pk>/sessions/<int:session>/move/", session_move, name="session_move"),
]
