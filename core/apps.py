from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        # Sign-ins and sign-outs are Django's own events: a signal is the only way in.
        from core import signals  # noqa: F401
