"""Who is invited to a workshop, and who was in the room."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from participants.models import Participant
from workshops.models.workshop import Session, Workshop


class InvitationStatus(models.TextChoices):
    DRAFT = "draft", _("On the invite list")
    WAITLISTED = "waitlisted", _("Waitlisted")
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def new_rsvp_secret() -> str:
    return secrets.token_urlsafe(16)


class Invitation(models.Model):
    """A participant's place on a workshop's delegation, from invite list to RSVP."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="invitations"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InvitationStatus.choices,
        default=InvitationStatus.DRAFT,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    response_note = models.TextField(_("note from the participant"), blank=True)
    needs = models.TextField(
        _("other needs"), blank=True, help_text=_("Visa, travel or anything else to arrange.")
    )
    dietary = models.CharField(_("dietary needs"), max_length=300, blank=True)
    accessibility = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    interpretation = models.CharField(_("interpretation needs"), max_length=300, blank=True)
    rsvp_secret = models.CharField(
        _("RSVP link secret"),
        max_length=32,
        default=new_rsvp_secret,
        editable=False,
        help_text=_("Part of the signed RSVP link; changing it retires every link sent."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["workshop", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "participant"],
                name="invitation_once_per_workshop",
                violation_error_message=_("This participant is already invited to the workshop."),
            )
        ]
        indexes = [
            models.Index(fields=["workshop", "status"], name="invitation_workshop_status_idx"),
            models.Index(fields=["participant", "status"], name="invitation_participant_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.workshop} ({self.get_status_display()})"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    """Whether a participant was in one session; walk-ins have no invitation beforehand."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    status = models.CharField(_("status"), max_length=8, choices=AttendanceStatus.choices)
    is_walk_in = models.BooleanField(_("walk-in"), default=False)
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance records")
        ordering = ["session", "participant"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"],
                name="attendance_once_per_session",
                violation_error_message=_("Attendance is already recorded for this person."),
            )
        ]
        indexes = [models.Index(fields=["participant"], name="attendance_participant_idx")]

    def __str__(self) -> str:
        return f"{self.participant} · {self.session} · {self.get_status_display()}"
