"""Staff pages for outreach: sending a workshop's invitations after a preview, withdrawing
one, and the message queue (per workshop and per program) with its resend and cancel
buttons. Each view checks permission, calls one service or selector and answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import permissions
from core.http import next_or
from core.models import User
from core.validators import parse_id
from dialogues.models import Program
from workshops.calendar import viewer_zone
from workshops.models import Invitation, MessageStatus, ScheduledMessage, Workshop
from workshops.outreach import scheduling, selectors
from workshops.outreach.filters import MessageFilter
from workshops.outreach.send_forms import InvitationSendForm

QUEUE_PAGE_SIZE = 50


def staff_workshop(user: User, pk: int) -> Workshop:
    """A workshop whose outreach this user runs: 404 if they may not see it, 403 if they
    only see it (facilitators, observers)."""
    workshop = get_object_or_404(
        permissions.visible_to(user, Workshop).select_related("program"), pk=pk
    )
    if not permissions.can_change(user, workshop):
        raise PermissionDenied
    return workshop


# --- Sending invitations ----------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = staff_workshop(request.user, pk)
    # Bound on every POST, even one with nothing ticked (an empty QueryDict is falsy).
    form = InvitationSendForm(request.POST if request.method == "POST" else None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        try:
            result = scheduling.invitations_send(
                workshop=workshop, invitations=form.cleaned_data["invitations"], by=request.user
            )
        except scheduling.OutreachError as error:
            messages.error(request, str(error))
        else:
            _report_sent(request, result)
            return redirect("workshops:messages", pk=workshop.pk)
    rows = selectors.invite_list(workshop)
    sendable = [row for row in rows if row.sendable]
    ticked = form.ticked() if form.is_bound else {row.invitation.pk for row in sendable}
    preview = _preview_row(request, sendable, ticked)
    rendered = selectors.invitation_preview(preview.invitation) if preview else None
    context = {
        "workshop": workshop,
        "form": form,
        "rows": rows,
        "sendable": sendable,
        "ticked": ticked,
        "ticked_count": sum(1 for row in sendable if row.invitation.pk in ticked),
        "blockers": selectors.send_blockers(workshop),
        "preview_row": preview,
        "rendered": rendered,
        "calendar_text": rendered.calendar.decode() if rendered and rendered.calendar else "",
        "withdrawable": selectors.withdrawable_invitations(workshop),
    }
    if request.headers.get("HX-Request") and request.method == "GET":
        # "Preview as" changed: only the preview panel is redrawn, the ticks stay.
        return render(request, "workshops/outreach/_invitation_preview.html", context)
    return render(request, "workshops/outreach/invitations_send.html", context)


@never_cache
@login_required
@require_GET
def invitations_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel of the latest send: htmx polls it until nothing is left to send
    (the panel's own request says ``HX-Trigger: send-progress``; the page around it was drawn
    before, hence the offer to reload it at the end). The send page loads it after itself."""
    workshop = staff_workshop(request.user, pk)
    return render(
        request,
        "workshops/outreach/_send_progress.html",
        {
            "workshop": workshop,
            "progress": selectors.invitation_send_progress(workshop),
            "polled": request.headers.get("HX-Trigger") == "send-progress",
            # The same zone as the message queue's times below the panel.
            "zone": viewer_zone(request.user) or timezone.get_current_timezone(),
        },
    )


# The email as the participant's mail program shows it, inside the send page's sandboxed
# iframe. An iframe's srcdoc would inherit the page's Content-Security-Policy, which refuses
# the email's inline styles; so the email is a document of its own with a policy of its
# own: its inline styles, no script, nothing loaded from elsewhere, framed only by this site.
EMAIL_PREVIEW_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
        "sandbox",
    ]
)


@login_required
@require_GET
def invitation_preview_email(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = staff_workshop(request.user, pk)
    sendable = [row for row in selectors.invite_list(workshop) if row.sendable]
    preview = _preview_row(request, sendable, set())
    if preview is None:
        raise Http404
    rendered = selectors.invitation_preview(preview.invitation)
    response = HttpResponse(rendered.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = EMAIL_PREVIEW_POLICY
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cache-Control"] = "no-store"
    return response


def _preview_row(
    request: HttpRequest, sendable: list[selectors.InviteRow], ticked: set[int]
) -> selectors.InviteRow | None:
    """Whom the preview shows: the one chosen in "Preview as", else the first ticked."""
    chosen = request.GET.get("preview", "")
    for row in sendable:
        if row.invitation.pk == parse_id(chosen):
            return row
    return next((row for row in sendable if row.invitation.pk in ticked), None) or next(
        iter(sendable), None
    )


def _report_sent(request: HttpRequest, result: scheduling.SendResult) -> None:
    if result.scheduled:
        messages.success(
            request,
            ngettext(
                "%(n)s invitation scheduled: it goes out in the next minute.",
                "%(n)s invitations scheduled: they go out in the next minutes.",
                result.scheduled,
            )
            % {"n": result.scheduled},
        )
    else:
        messages.info(request, _("No invitation was scheduled."))
    if result.skipped:
        reasons = "; ".join(
            _("%(name)s: %(reason)s") % {"name": invitation.participant.full_name, "reason": reason}
            for invitation, reason in result.skipped
        )
        messages.warning(
            request,
            ngettext(
                "%(n)s person skipped — %(reasons)s",
                "%(n)s people skipped — %(reasons)s",
                len(result.skipped),
            )
            % {"n": len(result.skipped), "reasons": reasons},
        )


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = permissions.get_visible_or_404(request.user, Invitation, pk=pk)
    if not permissions.can_change(request.user, invitation):
        raise PermissionDenied
    name = invitation.participant.full_name
    back = next_or(request, reverse("workshops:invitations_send", args=[invitation.workshop_id]))
    try:
        promoted = scheduling.invitation_withdraw(invitation=invitation, by=request.user)
    except scheduling.OutreachError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request,
        _("%(name)s's invitation was withdrawn: their RSVP link no longer works.") % {"name": name},
    )
    if promoted is not None:
        messages.info(
            request,
            _("%(name)s moved up from the waitlist.") % {"name": promoted.participant.full_name},
        )
    return redirect(back)


# --- The queue --------------------------------------------------------------------------------


def _queue(
    request: HttpRequest, *, workshop: Workshop | None = None, program: Program
) -> HttpResponse:
    rows = selectors.messages_for_queue(request.user, workshop=workshop, program=program)
    found = MessageFilter(request.GET or None, queryset=rows, program=None if workshop else program)
    status = found.chosen_status
    page = Paginator(selectors.queue_order(found.qs, status), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.status_counts(found.qs_any_status())
    query = request.GET.copy()
    query.pop("page", None)
    tabs_query = query.copy()
    tabs_query.pop("status", None)
    zone = viewer_zone(request.user) or timezone.get_current_timezone()
    return render(
        request,
        "workshops/outreach/message_queue.html",
        {
            "workshop": workshop,
            "progress": selectors.invitation_send_progress(workshop) if workshop else None,
            "program": program,
            "filter": found,
            "page": page,
            "status": status,
            "tabs": [(value, label, counts[value]) for value, label in MessageStatus.choices],
            "total": sum(counts.values()),
            "query_string": query.urlencode(),
            "tabs_query": tabs_query.urlencode(),
            "zone": zone,
            "zone_name": getattr(zone, "key", str(zone)),
            "resendable": selectors.RESENDABLE,
            "cancellable": selectors.CANCELLABLE,
            "here": request.get_full_path(),
        },
    )


@never_cache
@login_required
@require_GET
def workshop_messages(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = staff_workshop(request.user, pk)
    return _queue(request, workshop=workshop, program=workshop.program)


@never_cache
@login_required
@require_GET
def program_messages(request: HttpRequest, program: int) -> HttpResponse:
    found = permissions.get_visible_or_404(request.user, Program, pk=program)
    if not permissions.can_change(request.user, found):
        raise PermissionDenied
    return _queue(request, program=found)


def _queue_of(message: ScheduledMessage) -> str:
    if message.workshop_id is None:
        return reverse("dialogues:list")
    return reverse("workshops:messages", args=[message.workshop_id])


@login_required
@require_POST
def message_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = permissions.get_changeable_or_404(request.user, ScheduledMessage, pk=pk)
    try:
        scheduling.message_resend(message=message, by=request.user)
    except scheduling.OutreachError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The message is scheduled to be sent again now."))
    return redirect(next_or(request, _queue_of(message)))


@login_required
@require_POST
def message_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    message = permissions.get_changeable_or_404(request.user, ScheduledMessage, pk=pk)
    try:
        scheduling.message_cancel(message=message, by=request.user)
    except scheduling.OutreachError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The message was cancelled: it will not be sent."))
    return redirect(next_or(request, _queue_of(message)))


urlpatterns: list[URLPattern] = [
    path("<int:pk>/invitations/send/", invitations_send, name="invitations_send"),
    path("<int:pk>/invitations/progress/", invitations_progress, name="invitations_progress"),
    path(
        "<int:pk>/invitations/preview.html",
        invitation_preview_email,
        name="invitation_preview_email",
    ),
    path("invitations/<int:pk>/withdraw/", invitation_withdraw, name="invitation_withdraw"),
    path("<int:pk>/messages/", workshop_messages, name="messages"),
    path("program/<int:program>/messages/", program_messages, name="program_messages"),
    path("messages/<int:pk>/resend/", message_resend, name="message_resend"),
    path("messages/<int:pk>/cancel/", message_cancel, name="message_cancel"),
]
