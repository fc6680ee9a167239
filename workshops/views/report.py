"""The shareable workshop report, as a page (with a print stylesheet) and as a PDF. Anyone
who may see the workshop may see its report, observers included: it holds only what may
leave the team (see ``workshops.report``). Neither is cached; every PDF is audited."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import audit, permissions
from workshops import report as selectors
from workshops.actions import may_add_actions
from workshops.models import Workshop


def _workshop(request: HttpRequest, pk: int) -> Workshop:
    return get_object_or_404(
        permissions.visible_to(request.user, Workshop).select_related("program"), pk=pk
    )


@never_cache
@login_required
@require_GET
def workshop_report(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    return render(
        request,
        "workshops/report/report.html",
        {
            "workshop": workshop,
            "report": selectors.workshop_report(workshop),
            "on_team": may_add_actions(request.user, workshop),
        },
    )


@never_cache
@login_required
@require_GET
def workshop_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    pdf = selectors.report_pdf(selectors.workshop_report(workshop))
    audit.record(request.user, "report.pdf", workshop, workshop_id=workshop.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    # No title in the file name: in a discreet program it would give the workshop away.
    response["Content-Disposition"] = f'attachment; filename="workshop-{workshop.pk}-report.pdf"'
    return response


urlpatterns: list[URLPattern] = [
    path("<int:pk>/report/", workshop_report, name="report"),
    path("<int:pk>/report.pdf", workshop_report_pdf, name="report_pdf"),
]
