"""A program's message templates: what each kind of message says, edited in the browser
with a preview filled with sample values."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import permissions
from core.models import User
from dialogues.models import Program
from participants.models import Language
from workshops.models import MessageKind, MessageTemplate
from workshops.outreach import template_preview, templates
from workshops.outreach.template_forms import MessageTemplateForm
from workshops.views.workshops import add_service_errors


def program_for_templates(user: User, pk: int) -> Program:
    """A program whose messages this user may edit: 404 if they may not see the program,
    403 if they see it but do not run it (facilitators, observers)."""
    program = permissions.get_visible_or_404(user, Program, pk=pk)
    if not permissions.can_change(user, program):
        raise PermissionDenied
    return program


def _refuse_archived(request: HttpRequest, program: Program) -> HttpResponse | None:
    if program.is_archived:
        messages.error(
            request, _("The program is archived: restore it before changing its messages.")
        )
        return redirect("workshops:message_templates", program=program.pk)
    return None


@login_required
@require_GET
def template_list(request: HttpRequest, program: int) -> HttpResponse:
    program = program_for_templates(request.user, program)
    return render(
        request,
        "workshops/message_templates/list.html",
        {"program": program, "kinds": templates.overview(program)},
    )


def _preview_of(program: Program, values: dict) -> template_preview.Preview | None:
    kind = values.get("kind")
    if kind not in MessageKind.values:
        return None
    language = values.get("language")
    if language is not None and not isinstance(language, Language):
        language = Language.objects.filter(pk=language).first()
    return template_preview.preview(
        program=program,
        kind=kind,
        language=language,
        subject=values.get("subject") or "",
        body=values.get("body") or "",
    )


def _edit(
    request: HttpRequest,
    program: Program,
    form: MessageTemplateForm,
    template: MessageTemplate | None,
) -> HttpResponse:
    """Shared by add and edit: GET shows the form with a preview of what it holds; POST
    either previews (nothing saved) or saves through the service."""
    preview = None
    if request.method == "POST":
        if form.is_valid():
            if "preview" in request.POST:
                preview = _preview_of(program, form.template_fields())
            else:
                try:
                    saved = templates.template_save(
                        program=program,
                        by=request.user,
                        template=template,
                        **form.template_fields(),
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                except templates.TemplateError as error:
                    messages.error(request, str(error))
                    return redirect("workshops:message_templates", program=program.pk)
                else:
                    messages.success(
                        request,
                        _("Template saved: %(kind)s messages use it from now on.")
                        % {"kind": saved.get_kind_display().lower()},
                    )
                    return redirect("workshops:message_templates", program=program.pk)
    else:
        preview = _preview_of(program, form.initial)
    context = {
        "program": program,
        "form": form,
        "template": template,
        "preview": preview,
    }
    kind = form["kind"].value()
    if kind in MessageKind.values:
        context["kind_label"] = MessageKind(kind).label
        context["kind_placeholders"] = templates.placeholders_for(kind)
    if request.headers.get("HX-Request") and "preview" in request.POST:
        return render(request, "workshops/message_templates/_preview.html", context)
    return render(request, "workshops/message_templates/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest, program: int) -> HttpResponse:
    program = program_for_templates(request.user, program)
    refused = _refuse_archived(request, program)
    if refused:
        return refused
    kind = request.GET.get("kind")
    if kind not in MessageKind.values:
        kind = MessageKind.INVITATION.value
    # A new template starts from the built-in wording, so staff edit rather than write.
    initial = {"kind": kind, **templates.built_in_wording(kind)}
    form = MessageTemplateForm(
        request.POST or None, initial=initial, instance=MessageTemplate(program=program)
    )
    return _edit(request, program, form, template=None)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, program: int, pk: int) -> HttpResponse:
    program = program_for_templates(request.user, program)
    template = get_object_or_404(templates.program_templates(program), pk=pk)
    refused = _refuse_archived(request, program)
    if refused:
        return refused
    form = MessageTemplateForm(request.POST or None, instance=template)
    return _edit(request, program, form, template=template)


@login_required
@require_POST
def template_delete(request: HttpRequest, program: int, pk: int) -> HttpResponse:
    program = program_for_templates(request.user, program)
    template = get_object_or_404(templates.program_templates(program), pk=pk)
    try:
        templates.template_delete(template=template, by=request.user)
    except templates.TemplateError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Template deleted: %(kind)s messages in that language now use the fallback.")
            % {"kind": template.get_kind_display().lower()},
        )
    return redirect("workshops:message_templates", program=program.pk)


urlpatterns: list[URLPattern] = [
    path(
        "program/<int:program>/messages/templates/",
        template_list,
        name="message_templates",
    ),
    path(
        "program/<int:program>/messages/templates/new/",
        template_create,
        name="message_template_create",
    ),
    path(
        "program/<int:program>/messages/templates/<int:pk>/edit/",
        template_edit,
        name="message_template_edit",
    ),
    path(
        "program/<int:program>/messages/templates/<int:pk>/delete/",
        template_delete,
        name="message_template_delete",
    ),
]
