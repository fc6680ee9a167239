"""A user's private calendar feed: the address calendar apps subscribe to."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """One private iCalendar address per user, revoked by deleting the row.

    Only a SHA-256 of the token is stored: the address is shown once when it is issued, and
    a copy of the database never holds a working address. Issuing a new token replaces the
    hash, so the previous address stops working at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(_("address issued"))
    last_fetched_at = models.DateTimeField(
        _("last fetched"),
        null=True,
        blank=True,
        help_text=_("When a calendar app last read the feed (updated at most hourly)."),
    )

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-issued_at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
