"""The registry's pages. Each views module owns its routes; this file only gathers them."""

from participants.views import duplicates, exports, imports, listing, privacy, registry

app_name = "participants"

urlpatterns = [
    *listing.urlpatterns,
    *registry.urlpatterns,
    *imports.urlpatterns,
    *duplicates.urlpatterns,
    *privacy.urlpatterns,
    *exports.urlpatterns,
]
