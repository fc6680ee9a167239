"""Session notes, their edit history, and the follow-up actions agreed in the room."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from participants.models import Participant
from workshops.models.workshop import Session, Workshop


class NoteLevel(models.TextChoices):
    """Who may read a note (see ``core.permissions``)."""

    RESTRICTED = "restricted", _("Restricted: the workshop's facilitators")
    TEAM = "team", _("Team: the program team")
    SHAREABLE = "shareable", _("Shareable: may leave the team")


class NoteTheme(models.Model):
    """A theme that notes are tagged with (e.g. "missing persons", "property", "education")."""

    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("note theme")
        verbose_name_plural = _("note themes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SessionNote(models.Model):
    """A facilitator's note on a workshop or one of its sessions, in Markdown."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="notes"
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="session_notes",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("note"), help_text=_("Markdown."))
    level = models.CharField(
        _("confidentiality"), max_length=12, choices=NoteLevel.choices, default=NoteLevel.TEAM
    )
    chatham_house = models.BooleanField(
        _("Chatham House"),
        default=True,
        help_text=_("Non-attributable: the text names no participant."),
    )
    themes = models.ManyToManyField(
        NoteTheme, verbose_name=_("themes"), blank=True, related_name="notes"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("session note")
        verbose_name_plural = _("session notes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workshop", "level"], name="note_workshop_level_idx"),
            models.Index(fields=["author", "-created_at"], name="note_author_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class SessionNoteRevision(models.Model):
    """An earlier version of a note, kept when it is edited: the note as it was before
    ``edited_by`` changed it at ``edited_at``."""

    note = models.ForeignKey(
        SessionNote, verbose_name=_("note"), on_delete=models.CASCADE, related_name="revisions"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("note"))
    level = models.CharField(_("confidentiality"), max_length=12, choices=NoteLevel.choices)
    chatham_house = models.BooleanField(_("Chatham House"))
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Theme names as they were, comma-separated: a theme renamed or deleted later does not
    # rewrite history.
    themes = models.CharField(_("themes"), max_length=500, blank=True)
    edited_at = models.DateTimeField(_("edited"), auto_now_add=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("session note revision")
        verbose_name_plural = _("session note revisions")
        ordering = ["note", "-edited_at", "-id"]

    def __str__(self) -> str:
        return f"{self.note} @ {self.edited_at:%Y-%m-%d %H:%M}"


class NoteDraft(models.Model):
    """What a user is typing in the note editor, saved every few seconds, so a dropped
    connection or a closed tab loses nothing. One per user and note (or new note of a
    workshop); saving the note deletes it. Only its own user ever sees it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="note_drafts",
    )
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="+"
    )
    note = models.ForeignKey(
        SessionNote,
        verbose_name=_("note"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drafts",
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("note"), blank=True)
    level = models.CharField(
        _("confidentiality"), max_length=12, choices=NoteLevel.choices, default=NoteLevel.TEAM
    )
    chatham_house = models.BooleanField(_("Chatham House"), default=True)
    themes = models.CharField(_("themes"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("note draft")
        verbose_name_plural = _("note drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workshop", "note"],
                condition=models.Q(note__isnull=False),
                name="note_draft_one_per_note",
            ),
            models.UniqueConstraint(
                fields=["user", "workshop"],
                condition=models.Q(note__isnull=True),
                name="note_draft_one_new_per_workshop",
            ),
        ]

    def __str__(self) -> str:
        return f"draft #{self.pk}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class FollowUpAction(models.Model):
    """Something agreed at a workshop, owned by a staff user or a participant."""

    workshop = models.ForeignKey(
        Workshop,
        verbose_name=_("workshop"),
        on_delete=models.CASCADE,
        related_name="follow_up_actions",
    )
    note = models.ForeignKey(
        SessionNote,
        verbose_name=_("from note"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_actions",
    )
    description = models.TextField(_("what"))
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (team)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up_actions",
    )
    owner_participant = models.ForeignKey(
        Participant,
        verbose_name=_("owner (participant)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up_actions",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(owner_user__isnull=False, owner_participant__isnull=True)
                    | models.Q(owner_user__isnull=True, owner_participant__isnull=False)
                ),
                name="action_has_exactly_one_owner",
                violation_error_message=_(
                    "An action is owned by one team member or one participant."
                ),
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="action_status_due_idx"),
            models.Index(fields=["owner_user", "status"], name="action_owner_user_idx"),
            models.Index(fields=["workshop", "status"], name="action_workshop_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def owner(self) -> object:
        return self.owner_user or self.owner_participant
