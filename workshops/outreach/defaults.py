"""The built-in wording of each message, used when a program has no template of its own.

Translatable like every UI string, so a participant whose language Olive Branch ships gets
the built-in wording in it.
"""

from django.utils.translation import gettext_lazy as _

from workshops.models import MessageKind

DEFAULTS = {
    MessageKind.INVITATION: (
        _("Invitation: {{ workshop }}"),
        _(
            "Dear {{ participant_name }},\n\n"
            "We would be glad to have you with us at {{ workshop }}, {{ dates }}.\n\n"
            "Venue: {{ venue }}\n\n"
            "Please let us know whether you can come, and anything we should arrange for "
            "you (dietary, accessibility, interpretation), through your personal link:\n"
            "{{ rsvp_link }}\n\n"
            "With warm regards,\n{{ organiser }}"
        ),
    ),
    MessageKind.REMINDER: (
        _("Reminder: {{ workshop }}, {{ starts }}"),
        _(
            "Dear {{ participant_name }},\n\n"
            "A reminder that {{ workshop }} takes place {{ dates }}.\n\n"
            "Venue: {{ venue }}\n\n"
            "If your plans have changed, please tell us through your personal link:\n"
            "{{ rsvp_link }}\n\n"
            "With warm regards,\n{{ organiser }}"
        ),
    ),
    MessageKind.UPDATE: (
        _("Changed: {{ workshop }}"),
        _(
            "Dear {{ participant_name }},\n\n"
            "The details of {{ workshop }} have changed. It now takes place {{ dates }}.\n\n"
            "Venue: {{ venue }}\n\n"
            "The calendar entry attached replaces the earlier one. If you can no longer "
            "come, please tell us through your personal link:\n{{ rsvp_link }}\n\n"
            "With warm regards,\n{{ organiser }}"
        ),
    ),
    MessageKind.CANCELLATION: (
        _("Cancelled: {{ workshop }}"),
        _(
            "Dear {{ participant_name }},\n\n"
            "We are sorry to tell you that {{ workshop }}, planned for {{ dates }}, has been "
            "cancelled. The calendar entry attached removes it from your calendar.\n\n"
            "With warm regards,\n{{ organiser }}"
        ),
    ),
    MessageKind.SEAT_OFFER: (
        _("A place for you: {{ workshop }}"),
        _(
            "Dear {{ participant_name }},\n\n"
            "A place has opened at {{ workshop }}, {{ dates }}, and it is yours: you were "
            "first on the waitlist.\n\n"
            "Venue: {{ venue }}\n\n"
            "If you can no longer come, please let us know through your personal link so "
            "that the next person can take the place:\n{{ rsvp_link }}\n\n"
            "With warm regards,\n{{ organiser }}"
        ),
    ),
    MessageKind.FOLLOW_UP: (
        _("Thank you for {{ workshop }}"),
        _(
            "Dear {{ participant_name }},\n\n"
            "Thank you for taking part in {{ workshop }}.\n\n"
            "What we agreed to follow up:\n{{ actions }}\n\n"
            "{{ feedback_link }}\n\n"
            "With warm regards,\n{{ organiser }}"
        ),
    ),
    MessageKind.ACTION_REMINDER: (
        _("Due {{ due_date }}: a follow-up from {{ workshop }}"),
        _(
            "Dear {{ owner_name }},\n\n"
            "A reminder of the follow-up action agreed at {{ workshop }}, due {{ due_date }}:\n\n"
            "{{ action }}\n\n"
            "With warm regards,\n{{ organiser }}"
        ),
    ),
}
