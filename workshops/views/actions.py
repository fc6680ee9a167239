"""Follow-up actions: the lists (per workshop, per program and "mine") with their filters and
quick status change, and the create and edit pages. Each view checks permission, calls one
service or selector and answers; the rules live in ``workshops.actions``."""

import django_filters
from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import permissions
from core.forms import SafeInputMixin
from core.http import next_or
from core.validators import parse_id
from dialogues.models import Program
from workshops import actions as selectors
from workshops import actions as services
from workshops.models import ActionStatus, FollowUpAction, SessionNote, Workshop

PAGE_SIZE = 50
UNFINISHED = "unfinished"


# --- Forms and filters ------------------------------------------------------------------------


class ActionForm(SafeInputMixin, forms.Form):
    """What, who and when; the owner is one of ``owner_candidates`` (``u:``/``p:`` values)."""

    description = forms.CharField(
        label=gettext_lazy("What"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        max_length=2000,
    )
    owner = forms.ChoiceField(label=gettext_lazy("Owner"))
    due_on = forms.DateField(
        label=gettext_lazy("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActionStatus.choices)

    def __init__(
        self, *args, choices: selectors.OwnerChoices, editing: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = choices.as_choices()
        self.fields["owner"].help_text = _(
            "A team member of the program, or someone invited to or present at the workshop."
        )
        if not editing:
            del self.fields["status"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_owner(self) -> selectors.Owner:
        return selectors.owner_from_choice(self.cleaned_data["owner"])


class ActionFilter(django_filters.FilterSet):
    """The lists' filters, all in the URL: status (or all unfinished), owner, overdue."""

    status = django_filters.ChoiceFilter(
        choices=[(UNFINISHED, gettext_lazy("Open or in progress")), *ActionStatus.choices],
        method="filter_status",
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("Any status"),
    )
    owner = django_filters.ChoiceFilter(
        method="filter_owner", label=gettext_lazy("Owner"), empty_label=gettext_lazy("Anyone")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=gettext_lazy("Overdue only"),
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = FollowUpAction
        fields: list[str] = []

    def __init__(self, *args, owners: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["owner"].extra["choices"] = owners
        for name, field in self.form.fields.items():
            if name == "overdue":
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs["class"] = "form-select"

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == UNFINISHED:
            return queryset.filter(status__in=selectors.UNFINISHED)
        return queryset.filter(status=value) if value else queryset

    def filter_owner(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        kind, _sep, raw = value.partition(":")
        pk = parse_id(raw)
        if pk is None:
            return queryset
        return queryset.filter(Q(owner_user=pk) if kind == "u" else Q(owner_participant=pk))

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return selectors.overdue_filter(queryset) if value else queryset


# --- Lists ------------------------------------------------------------------------------------


def _list(
    request: HttpRequest,
    *,
    scope: str,
    workshop: Workshop | None = None,
    program: Program | None = None,
) -> HttpResponse:
    actions = selectors.actions_for_list(
        request.user, workshop=workshop, program=program, mine=scope == "mine"
    )
    found = ActionFilter(
        request.GET or None,
        queryset=actions,
        owners=selectors.owners_present(actions, request.user),
    )
    ordered = selectors.list_order(selectors.with_row_data(found.qs, request.user))
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workshops/actions/list.html",
        {
            "scope": scope,
            "show_workshop": workshop is None,
            "workshop": workshop,
            "program": program,
            "filter": found,
            "page": page,
            "rows": selectors.as_rows(page.object_list),
            "overdue_count": selectors.overdue_filter(actions).count(),
            "may_add": workshop is not None and selectors.may_add_actions(request.user, workshop),
            "statuses": ActionStatus.choices,
            "query_string": query.urlencode(),
            "here": request.get_full_path(),
        },
    )


@login_required
@require_GET
def workshop_actions(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = get_object_or_404(
        permissions.visible_to(request.user, Workshop).select_related("program"), pk=pk
    )
    return _list(request, scope="workshop", workshop=workshop, program=workshop.program)


@login_required
@require_GET
def program_actions(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = permissions.get_visible_or_404(request.user, Program, pk=program_pk)
    return _list(request, scope="program", program=program)


@login_required
@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    return _list(request, scope="mine")


# --- Create, edit, status ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = get_object_or_404(
        permissions.visible_to(request.user, Workshop).select_related("program"), pk=pk
    )
    if not selectors.may_add_actions(request.user, workshop):
        raise PermissionDenied
    note_id = request.POST.get("note") or request.GET.get("note")
    note: SessionNote | None = (
        selectors.note_for_action(request.user, workshop, note_id) if note_id else None
    )
    choices = selectors.owner_candidates(request.user, workshop)
    form = ActionForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(
                workshop=workshop,
                by=request.user,
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
                note=note,
            )
        except services.ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The follow-up action was added."))
            return redirect(next_or(request, reverse("workshops:actions", args=[workshop.pk])))
    return render(
        request,
        "workshops/actions/form.html",
        {
            "workshop": workshop,
            "form": form,
            "note": note,
            "creating": True,
            "reminder_days": settings.OUTREACH_ACTION_REMINDER_DAYS,
        },
    )


def _changeable_action(request: HttpRequest, pk: int) -> FollowUpAction:
    """404 if this user may not see the action, 403 if they only see it (observers)."""
    action = get_object_or_404(
        selectors.actions_visible_to(request.user).select_related("workshop__program", "note"),
        pk=pk,
    )
    if not permissions.can_change(request.user, action):
        raise PermissionDenied
    return action


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole action, for the workshop's team. An owner outside it (someone taken off
    the program since, say) keeps the status buttons, not this page: its owner picker
    lists the workshop's participants."""
    action = _changeable_action(request, pk)
    workshop = action.workshop
    if not selectors.may_add_actions(request.user, workshop):
        raise PermissionDenied
    choices = selectors.owner_candidates(request.user, workshop, keep=action)
    initial = {
        "description": action.description,
        "owner": selectors.owner_choice(action),
        "due_on": action.due_on,
        "status": action.status,
    }
    form = ActionForm(request.POST or None, initial=initial, choices=choices, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                action=action,
                by=request.user,
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
                status=form.cleaned_data["status"],
            )
        except services.ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The follow-up action was saved."))
            return redirect(next_or(request, reverse("workshops:actions", args=[workshop.pk])))
    note = (
        action.note if action.note_id and permissions.can_view(request.user, action.note) else None
    )
    return render(
        request,
        "workshops/actions/form.html",
        {
            "workshop": workshop,
            "form": form,
            "note": note,
            "action": action,
            "creating": False,
            "reminder_days": settings.OUTREACH_ACTION_REMINDER_DAYS,
        },
    )


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The quick status change: htmx swaps in the row, a plain form comes back to the list."""
    action = _changeable_action(request, pk)
    back = next_or(request, reverse("workshops:actions", args=[action.workshop_id]))
    try:
        services.action_set_status(
            action=action, by=request.user, status=request.POST.get("status", "")
        )
    except services.ActionError as error:
        if request.headers.get("HX-Request"):
            return HttpResponse(str(error), status=400)
        messages.error(request, str(error))
        return redirect(back)
    if request.headers.get("HX-Request"):
        # The row is swapped in; the list's overdue count refreshes itself on this event.
        response = render(
            request,
            "workshops/actions/_row.html",
            {
                "row": selectors.row_for(request.user, action),
                "scope": request.POST.get("scope", "workshop"),
                "show_workshop": request.POST.get("scope", "workshop") != "workshop",
                "statuses": ActionStatus.choices,
                "here": next_or(request, ""),
            },
        )
        response["HX-Trigger"] = "actionChanged"
        return response
    messages.success(request, _("Status changed."))
    return redirect(back)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/actions/", workshop_actions, name="actions"),
    path("<int:pk>/actions/new/", action_create, name="action_create"),
    path("program/<int:program_pk>/actions/", program_actions, name="program_actions"),
    path("actions/mine/", my_actions, name="actions_mine"),
    path("actions/<int:pk>/edit/", action_edit, name="action_edit"),
    path("actions/<int:pk>/status/", action_status, name="action_status"),
]
