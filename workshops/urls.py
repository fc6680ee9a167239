"""Workshop pages. Each views module owns its routes; this file only gathers them."""

from workshops.views import agenda, calendar, delegation, message_templates, outreach, workshops

app_name = "workshops"

urlpatterns = [
    *calendar.urlpatterns,
    *workshops.urlpatterns,
    *agenda.urlpatterns,
    *delegation.urlpatterns,
    *outreach.urlpatterns,
    *message_templates.urlpatterns,
]
