"""Django's admin app with Olive Branch's two-factor admin site as ``admin.site``.

Kept apart from ``core.admin_site``: an app config is imported before the apps are ready,
the site (which imports django-otp's admin forms and so the auth models) only after.
"""

from django.contrib.admin.apps import AdminConfig


class OliveBranchAdminConfig(AdminConfig):
    default_site = "core.admin_site.OliveBranchAdminSite"

    def ready(self) -> None:
        super().ready()  # autodiscover: every app registers its models
        from axes.models import AccessFailureLog, AccessLog
        from django.contrib import admin

        # django-axes keeps neither log here (AXES_DISABLE_ACCESS_LOG, no failure log): only
        # the current attempts, which an admin may delete to unlock someone early.
        for model in (AccessLog, AccessFailureLog):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
