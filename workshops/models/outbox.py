"""The outbox: every email the system will send is first one of these rows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dialogues.models import Program
from participants.models import Language, Participant
from workshops.models.invitations import Invitation
from workshops.models.notes import FollowUpAction
from workshops.models.workshop import Workshop


class MessageKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    REMINDER = "reminder", _("Reminder")
    FOLLOW_UP = "follow_up", _("Follow-up")
    ACTION_REMINDER = "action_reminder", _("Action reminder")
    UPDATE = "update", _("Workshop update")
    CANCELLATION = "cancellation", _("Cancellation")
    SEAT_OFFER = "seat_offer", _("Place from the waitlist")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Scheduled")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ScheduledMessage(models.Model):
    """One email to one recipient, due at ``send_at``.

    The database, not the broker, is the source of truth: ``dedupe_key`` (e.g.
    ``reminder:<invitation id>:7d``) makes scheduling the same message twice impossible, and
    ``status`` moves pending → queued (handed to the broker) → sending (a worker took it)
    → sent | failed | cancelled, each step a guarded UPDATE, so it is never sent twice. The
    body is rendered when it is sent, so a message reflects the workshop as it is then.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    send_at = models.DateTimeField(_("due"))
    recipient_participant = models.ForeignKey(
        Participant,
        verbose_name=_("recipient (participant)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scheduled_messages",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient (team)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scheduled_messages",
        db_index=False,  # message_recipient_user_idx: partial, only rows that have one
    )
    workshop = models.ForeignKey(
        Workshop,
        verbose_name=_("workshop"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scheduled_messages",
        db_index=False,  # message_workshop_idx leads with it
    )
    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scheduled_messages",
        db_index=False,  # message_invitation_idx leads with it
    )
    follow_up_action = models.ForeignKey(
        FollowUpAction,
        verbose_name=_("follow-up action"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scheduled_messages",
        db_index=False,  # message_follow_up_action_idx: partial, only rows that have one
    )
    message_id = models.CharField(
        _("Message-ID"),
        max_length=200,
        blank=True,
        help_text=_("Derived from the dedupe key: a re-sent copy carries the same one."),
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error or reason"), blank=True)
    claimed_at = models.DateTimeField(
        _("claimed"), null=True, blank=True, help_text=_("When a worker took it to send.")
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("scheduled message")
        verbose_name_plural = _("scheduled messages")
        ordering = ["send_at", "id"]
        # Every status change of a message writes to each of its indexes, so there is none
        # to spare: the dedupe key is unique by a constraint (no LIKE index beside it) and the
        # workshop and invitation are found through the (…, status) indexes below. An update
        # writes no entry into a partial index whose predicate the new row fails, so those
        # that serve only messages in flight (the claim, the sweeper) or only the few rows
        # with a team recipient or an action are partial: a message once sent, failed or
        # cancelled leaves them. Every query on the two foreign keys (``= x``, ``IN (…)``,
        # a join, the cascade's delete) implies IS NOT NULL, so the planner can still use them.
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="message_dedupe_key_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(recipient_participant__isnull=False, recipient_user__isnull=True)
                    | models.Q(recipient_participant__isnull=True, recipient_user__isnull=False)
                ),
                name="message_has_exactly_one_recipient",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="message_sent_has_sent_at",
            ),
        ]
        indexes = [
            # outbox.claim_due: pending AND send_at <= now ORDER BY send_at, id.
            models.Index(
                fields=["send_at", "id"],
                name="message_due_idx",
                condition=models.Q(status=MessageStatus.PENDING),
            ),
            models.Index(fields=["invitation", "status"], name="message_invitation_idx"),
            models.Index(fields=["workshop", "status"], name="message_workshop_idx"),
            # outbox.sweep_stuck: queued or sending AND claimed_at < cutoff.
            models.Index(
                fields=["claimed_at"],
                name="message_claimed_idx",
                condition=models.Q(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]),
            ),
            models.Index(
                fields=["recipient_user"],
                name="message_recipient_user_idx",
                condition=models.Q(recipient_user__isnull=False),
            ),
            models.Index(
                fields=["follow_up_action"],
                name="message_follow_up_action_idx",
                condition=models.Q(follow_up_action__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.send_at:%Y-%m-%d %H:%M} · {self.status}"


class MessageTemplate(models.Model):
    """A program's wording for one kind of message, in one language (or its default).

    Subject and body are plain text with ``{{ placeholder }}`` fields; unknown placeholders are
    refused when the template is saved, not when mail goes out.
    """

    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.CASCADE,
        related_name="message_templates",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    language = models.ForeignKey(
        Language,
        verbose_name=_("language"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for the program's default wording."),
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["program", "kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind", "language"],
                name="message_template_once_per_language",
                violation_error_message=_(
                    "This program already has this template in this language."
                ),
            ),
            models.UniqueConstraint(
                fields=["program", "kind"],
                condition=models.Q(language__isnull=True),
                name="message_template_one_default",
                violation_error_message=_("This program already has a default for this message."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language_id or 'default'})"
