"""The participant registry that every program draws its delegations from, and its vocabulary.

Communities, sectors, tracks and languages describe a *person*, so they live here with the
registry; programs and workshops refer to them, never the reverse.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Community(models.Model):
    """A side in a conflict whose members take part (e.g. Greek Cypriot, Turkish Cypriot)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    region = models.CharField(
        _("conflict or region"), max_length=120, blank=True, help_text=_("e.g. Cyprus")
    )
    description = models.TextField(_("description"), blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a hex colour like #1f77b4."))],
        help_text=_("Optional colour for badges and charts; never the only carrier of meaning."),
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    """Where a participant speaks from: academia, business, religion, media, civil society…"""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Track(models.Model):
    """One of the nine tracks of Diamond & McDonald's Multi-Track Diplomacy."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Multi-Track track")
        verbose_name_plural = _("Multi-Track tracks")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=9), name="track_number_1_to_9"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Language(models.Model):
    """A language a participant speaks or a workshop works in (BCP 47 code)."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=80)
    native_name = models.CharField(_("native name"), max_length=80, blank=True)
    is_rtl = models.BooleanField(_("right to left"), default=False)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A free label staff put on participants (e.g. "alumni 2024", "youth board")."""

    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "self_described", _("Self-described")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class RiskLevel(models.TextChoices):
    NORMAL = "normal", _("Normal")
    ELEVATED = "elevated", _("Elevated")
    HIGH = "high", _("High")


class Participant(models.Model):
    """A person in the registry, shared by all programs.

    ``email`` is optional (not everyone in a village has one) but unique, ignoring case, when
    given. High-risk participants are pseudonymised wherever their data leaves the app.
    """

    full_name = models.CharField(
        _("name"), max_length=200, help_text=_("As written in Latin script.")
    )
    native_name = models.CharField(
        _("name in native script"),
        max_length=200,
        blank=True,
        help_text=_("e.g. in Arabic, Hebrew, Greek or Burmese script."),
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(
        _("phone"), max_length=32, blank=True, help_text=_("International format, e.g. +357…")
    )
    country = CountryField(_("country"), blank=True)
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages"), blank=True, related_name="speakers"
    )
    preferred_language = models.ForeignKey(
        Language,
        verbose_name=_("preferred language"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Invitations and the RSVP page use it when the program has a template."),
    )
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="participants"
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        help_text=_("Leave empty for third parties such as international experts."),
    )
    track = models.ForeignKey(
        Track,
        verbose_name=_("Multi-Track track"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.NORMAL
    )
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    do_not_contact_reason = models.CharField(_("why not to contact"), max_length=200, blank=True)
    tags = models.ManyToManyField(
        Tag, verbose_name=_("tags"), blank=True, related_name="participants"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    erased_at = models.DateTimeField(
        _("erased"),
        null=True,
        blank=True,
        help_text=_("Personal data replaced by a placeholder; aggregate history is kept."),
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["full_name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="participant_email_unique_ci",
                violation_error_message=_("A participant with this email already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["full_name"], name="participant_name_idx"),
            models.Index(fields=["organisation"], name="participant_org_idx"),
            models.Index(fields=["community", "sector"], name="participant_comm_sector_idx"),
            models.Index(fields=["country"], name="participant_country_idx"),
            models.Index(fields=["risk_level"], name="participant_risk_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_high_risk(self) -> bool:
        return self.risk_level == RiskLevel.HIGH


class ConsentScope(models.TextChoices):
    CONTACT = "contact", _("Being contacted")
    DATA_PROCESSING = "data_processing", _("Data processing")
    PHOTOS = "photos", _("Photos")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Signed form")
    EMAIL = "email", _("Email")
    VERBAL = "verbal", _("Verbal, witnessed")
    ONLINE = "online", _("Online form")


class ConsentRecord(models.Model):
    """One grant or withdrawal of consent; the latest record per scope is what holds."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="consent_records",
    )
    scope = models.CharField(_("scope"), max_length=20, choices=ConsentScope.choices)
    granted = models.BooleanField(
        _("granted"), help_text=_("Unticked records a withdrawal of consent.")
    )
    method = models.CharField(_("method"), max_length=20, choices=ConsentMethod.choices)
    given_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-given_on", "-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["participant", "scope", "-given_on"], name="consent_latest_idx"),
        ]

    def __str__(self) -> str:
        verb = _("granted") if self.granted else _("withdrawn")
        return f"{self.get_scope_display()}: {verb} ({self.given_on:%Y-%m-%d})"


class ImportStatus(models.TextChoices):
    ANALYSING = "analysing", _("Checking the file")
    READY = "ready", _("Ready to confirm")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


def _import_upload_to(instance: "ParticipantImport", filename: str) -> str:
    # The original name is kept in a field; the stored name says nothing about its contents.
    return f"participant-imports/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class ParticipantImport(models.Model):
    """One uploaded spreadsheet on its way into the registry: checked, previewed, confirmed.

    The file goes through the storage API (local folder or S3), so the Celery worker that
    checks and applies it may run on another machine than the web process that received it.
    """

    file = models.FileField(_("file"), upload_to=_import_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.ANALYSING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    preview = models.JSONField(
        _("preview"), default=dict, blank=True, help_text=_("Per-row plan, errors and notices.")
    )
    skipped_rows = models.JSONField(_("rows skipped on purpose"), default=list, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant import")
        verbose_name_plural = _("participant imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(processed_rows__lte=models.F("total_rows")),
                name="import_processed_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class LikelyDuplicate(models.Model):
    """Two registry entries that may be one person, found by the duplicate scan.

    A scan replaces the open pairs; a pair staff dismissed ("two different people") stays,
    so the next scan does not raise it again.
    """

    first = models.ForeignKey(
        Participant, verbose_name=_("first"), on_delete=models.CASCADE, related_name="+"
    )
    second = models.ForeignKey(
        Participant, verbose_name=_("second"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("why"), max_length=120)
    score = models.FloatField(_("likelihood"))
    found_at = models.DateTimeField(_("found"), auto_now_add=True)
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")
        ordering = ["-score", "first", "second"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["dismissed_at", "-score"], name="duplicate_open_idx"),
            models.Index(fields=["second"], name="duplicate_second_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.first_id} ~ #{self.second_id} ({self.reason})"


# --- Exports (participants.exports) -----------------------------------------------------------


class ExportKind(models.TextChoices):
    REGISTRY = "registry", _("Registry")
    WORKSHOP = "workshop", _("Workshop roster")
    PROGRAM = "program", _("Program roster")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")


class ExportPreset(models.Model):
    """A named choice of columns, saved per program (or for the registry) for reuse.

    The one reference from the registry up to programs: a preset belongs to a program's
    team, and goes with it. Only column keys are stored, never data.
    """

    program = models.ForeignKey(
        "dialogues.Program",
        verbose_name=_("program"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="export_presets",
        help_text=_("Empty for presets of the registry export."),
    )
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("export"), max_length=12, choices=ExportKind.choices)
    columns = models.JSONField(_("columns"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("export preset")
        verbose_name_plural = _("export presets")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"],
                name="export_preset_name_per_program",
                violation_error_message=_("This program already has a preset of that name."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(program__isnull=True),
                name="export_preset_name_registry",
                violation_error_message=_("The registry already has a preset of that name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ExportJobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Preparing")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


def _export_upload_to(instance: "ExportJob", filename: str) -> str:
    # The stored name says nothing about the contents; the download names the file.
    return f"exports/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class ExportJob(models.Model):
    """A big export prepared by a Celery worker: its parameters, progress and file.

    The file goes through the storage API, so the worker that writes it may run on another
    machine than the web process that hands it out; only its requester may download it, and
    a beat task deletes it once ``expires_at`` has passed.
    """

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("export"), max_length=12, choices=ExportKind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExportJobStatus.choices,
        default=ExportJobStatus.PENDING,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to=_export_upload_to, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="export_job_progress_percent"
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="export_job_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"
