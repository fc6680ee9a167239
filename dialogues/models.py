"""Programs: Track II initiatives around one conflict, and who works on them."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from participants.models import Community, Sector, Track


class Process(models.Model):
    """One of Montville's processes of Track Two diplomacy."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("Montville process")
        verbose_name_plural = _("Montville processes")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class TrackLevel(models.TextChoices):
    TRACK_2 = "track_2", _("Track 2")
    TRACK_1_5 = "track_1_5", _("Track 1.5")


class ProgramStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CONCLUDED = "concluded", _("Concluded")
    TRANSITIONED = "transitioned", _("Transitioned to Track One")


class Program(models.Model):
    """A Track II initiative around one conflict, e.g. "Cyprus bi-communal dialogue 2027"."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    conflict_context = models.TextField(_("conflict context"), blank=True)
    communities = models.ManyToManyField(
        Community, verbose_name=_("communities"), related_name="programs"
    )
    track_level = models.CharField(
        _("track level"), max_length=12, choices=TrackLevel.choices, default=TrackLevel.TRACK_2
    )
    tracks = models.ManyToManyField(
        Track, verbose_name=_("Multi-Track tracks"), blank=True, related_name="programs"
    )
    processes = models.ManyToManyField(
        Process, verbose_name=_("Montville processes"), blank=True, related_name="programs"
    )
    target_sectors = models.ManyToManyField(
        Sector,
        verbose_name=_("target sectors"),
        blank=True,
        related_name="programs",
        help_text=_("Delegations warn when one of these sectors is missing."),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProgramStatus.choices, default=ProgramStatus.PLANNING
    )
    objectives = models.TextField(_("objectives"), blank=True)
    balance_tolerance = models.PositiveSmallIntegerField(
        _("balance tolerance (points)"),
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_("Warn when communities' shares of a delegation differ by more than this."),
    )
    discreet_mode = models.BooleanField(
        _("discreet mode"),
        default=False,
        help_text=_(
            "Messages use workshops' code names and leave out the venue until a participant "
            "has accepted."
        ),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ProgramMembership",
        through_fields=("program", "user"),
        related_name="programs",
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="program_ends_after_start",
                violation_error_message=_("A program cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(balance_tolerance__lte=100),
                name="program_balance_tolerance_percent",
            ),
        ]
        indexes = [models.Index(fields=["status", "-starts_on"], name="program_status_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dialogues:detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ProgramRole(models.TextChoices):
    MANAGER = "manager", _("Programme staff")
    FACILITATOR = "facilitator", _("Facilitator")
    OBSERVER = "observer", _("Observer")


class ProgramMembership(models.Model):
    """A user's role in one program's team."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="program_memberships",
    )
    role = models.CharField(_("role"), max_length=12, choices=ProgramRole.choices)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("program membership")
        verbose_name_plural = _("program memberships")
        ordering = ["program", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user"],
                name="membership_one_role_per_program",
                violation_error_message=_("This person already has a role in this program."),
            )
        ]
        indexes = [models.Index(fields=["user", "role"], name="membership_user_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.program}"
