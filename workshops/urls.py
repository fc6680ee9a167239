"""Workshop pages. Each views module owns its routes; this file only gathers them."""

from workshops.views import (
    actions,
    agenda,
    attendance,
    calendar,
    delegation,
    facilitation,
    message_templates,
    notes,
    outreach,
    report,
    roster_pdfs,
    rosters,
    workshops,
)

app_name = "workshops"

urlpatterns = [
    *calendar.urlpatterns,
    *workshops.urlpatterns,
    *agenda.urlpatterns,
    *delegation.urlpatterns,
    *outreach.urlpatterns,
    *message_templates.urlpatterns,
    *facilitation.urlpatterns,
    *attendance.urlpatterns,
    *notes.urlpatterns,
    *actions.urlpatterns,
    *report.urlpatterns,
    *roster_pdfs.urlpatterns,
    *rosters.urlpatterns,
]
