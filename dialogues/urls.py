"""Program pages. Each views module owns its routes; this file only gathers them."""

from dialogues.views import dashboard, programs, team

app_name = "dialogues"

urlpatterns = [*programs.urlpatterns, *team.urlpatterns, *dashboard.urlpatterns]
