"""A workshop of a program, and the sessions of its agenda."""

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.validators import validate_time_zone
from dialogues.models import Program
from participants.models import Language

DEFAULT_REMINDER_OFFSETS = ["7d", "1d"]


def default_reminder_offsets() -> list[str]:
    return list(DEFAULT_REMINDER_OFFSETS)


class WorkshopFormat(models.TextChoices):
    PROBLEM_SOLVING = "problem_solving", _("Facilitated problem-solving workshop")
    LIVING_ROOM = "living_room", _("Living-room dialogue")
    TRAINING = "training", _("Training")
    EXCHANGE = "exchange", _("Exchange visit")
    CAMP = "camp", _("Camp")
    ROUNDTABLE = "roundtable", _("Roundtable")


class WorkshopStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLANNED = "planned", _("Planned")
    CONFIRMED = "confirmed", _("Confirmed")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Workshop(models.Model):
    """One gathering of a program: its venue, time, capacity, facilitators and agenda.

    Times are stored in UTC and shown in the venue's ``time_zone``.
    """

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="workshops"
    )
    title = models.CharField(_("title"), max_length=200)
    code_name = models.CharField(
        _("code name"),
        max_length=80,
        blank=True,
        help_text=_("Neutral name used in messages when the program is in discreet mode."),
    )
    format = models.CharField(
        _("format"),
        max_length=20,
        choices=WorkshopFormat.choices,
        default=WorkshopFormat.PROBLEM_SOLVING,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=WorkshopStatus.choices, default=WorkshopStatus.DRAFT
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("venue time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Asia/Nicosia."),
    )
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("address"), max_length=300, blank=True)
    venue_city = models.CharField(_("city"), max_length=120, blank=True)
    venue_country = CountryField(_("country"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    working_languages = models.ManyToManyField(
        Language, verbose_name=_("working languages"), blank=True, related_name="workshops"
    )
    interpretation = models.CharField(
        _("interpretation"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Greek ↔ Turkish, simultaneous"),
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        blank=True,
        related_name="facilitated_workshops",
    )
    objectives = models.TextField(_("objectives"), blank=True)
    chatham_house = models.BooleanField(
        _("Chatham House rule"),
        default=True,
        help_text=_("What is said may be used, but not attributed to anyone present."),
    )
    reminder_offsets = models.JSONField(
        _("reminders"),
        default=default_reminder_offsets,
        blank=True,
        help_text=_("Before the start, to those who accepted, e.g. 7d, 1d or 3h."),
    )
    send_follow_up = models.BooleanField(
        _("send a thank-you afterwards"),
        default=True,
        help_text=_("With the follow-up actions agreed, the day after the workshop ends."),
    )
    feedback_url = models.URLField(_("feedback form link"), blank=True)
    calendar_sequence = models.PositiveIntegerField(
        _("calendar revision"),
        default=0,
        editable=False,
        help_text=_("iCalendar SEQUENCE: raised when the date, time or venue changes."),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="workshop_ends_after_start",
                violation_error_message=_("A workshop must end after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0),
                name="workshop_capacity_positive",
                violation_error_message=_("Capacity must be at least one person."),
            ),
        ]
        indexes = [
            models.Index(fields=["program", "starts_at"], name="workshop_program_start_idx"),
            models.Index(fields=["starts_at"], name="workshop_start_idx"),
            models.Index(fields=["status", "starts_at"], name="workshop_status_start_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:detail", args=[self.pk])

    @property
    def venue_zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(self.venue_zone)

    def local_ends_at(self) -> datetime:
        return self.ends_at.astimezone(self.venue_zone)


class Session(models.Model):
    """One item of a workshop's agenda. Parallel sessions may overlap; others may not."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.CharField(_("room"), max_length=120, blank=True)
    is_parallel = models.BooleanField(
        _("parallel"), default=False, help_text=_("May overlap other sessions.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["workshop", "starts_at", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["workshop", "starts_at"], name="session_workshop_start_idx")
        ]

    def __str__(self) -> str:
        return self.title
