"""``{{ placeholder }}`` fields in message templates: which exist, finding and filling them.

Plain substitution, not Django's template language: staff edit these in the browser, and a
template must not be able to reach anything but the values listed here.
"""

import re

from django.utils.translation import gettext_lazy as _

from workshops.models import MessageKind

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Braces that are not a well-formed placeholder: "{{ name }" or "{ name }}" and the like.
STRAY_BRACES = re.compile(r"\{\{|\}\}")

_ABOUT_WORKSHOP = {
    "participant_name": _("the participant's name"),
    "workshop": _("the workshop's title (its code name in discreet mode)"),
    "dates": _("start and end, in the venue's time zone"),
    "starts": _("the start, in the venue's time zone"),
    "venue": _("venue and city (in discreet mode only once the person has accepted)"),
    "rsvp_link": _("the participant's personal link to answer"),
    "organiser": _("who sends the message"),
}

PLACEHOLDERS: dict[str, dict[str, object]] = {
    MessageKind.INVITATION: _ABOUT_WORKSHOP,
    MessageKind.REMINDER: _ABOUT_WORKSHOP,
    MessageKind.UPDATE: _ABOUT_WORKSHOP,
    MessageKind.CANCELLATION: {
        key: value for key, value in _ABOUT_WORKSHOP.items() if key != "rsvp_link"
    },
    MessageKind.SEAT_OFFER: _ABOUT_WORKSHOP,
    MessageKind.FOLLOW_UP: {
        **{key: value for key, value in _ABOUT_WORKSHOP.items() if key != "rsvp_link"},
        "actions": _("the follow-up actions agreed, one per line"),
        "feedback_link": _("the feedback form link, if the workshop has one"),
    },
    MessageKind.ACTION_REMINDER: {
        "owner_name": _("the name of the person the action is for"),
        "action": _("what was agreed"),
        "due_date": _("when it is due"),
        "workshop": _("the workshop's title (its code name in discreet mode)"),
        "organiser": _("who sends the message"),
    },
}


def names_in(text: str) -> list[str]:
    """The placeholder names a text uses, in order, without repeats."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def problems(text: str, kind: str) -> list[str]:
    """What is wrong with the placeholders of a subject or body for this kind of message."""
    allowed = PLACEHOLDERS[kind]
    found = []
    unknown = [name for name in names_in(text) if name not in allowed]
    if unknown:
        found.append(
            _("Unknown placeholder: %(names)s. Available: %(available)s.")
            % {
                "names": ", ".join("{{ " + name + " }}" for name in unknown),
                "available": ", ".join("{{ " + name + " }}" for name in allowed),
            }
        )
    if STRAY_BRACES.search(PLACEHOLDER.sub("", text)):
        found.append(_("Braces that are not a placeholder: write placeholders as {{ name }}."))
    return [str(problem) for problem in found]


def fill(text: str, values: dict[str, str]) -> str:
    """Replace each placeholder by its value (missing ones by nothing; templates were
    checked when saved, and built-in wordings only use known names)."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), text)
