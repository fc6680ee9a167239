"""Workshop pages. Each views module owns its routes; this file only gathers them."""

from workshops.views import agenda, calendar, delegation, workshops

app_name = "workshops"

urlpatterns = [
    *calendar.urlpatterns,
    *workshops.urlpatterns,
    *agenda.urlpatterns,
    *delegation.urlpatterns,
]
