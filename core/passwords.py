"""Password rules beyond Django's four (length 12, common, numeric, similar to the user)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class VarietyValidator:
    """At least ``min_distinct`` different characters: "aaaaaaaaaaaa" or "abababababab"
    pass the length rule and are guessed in seconds."""

    def __init__(self, min_distinct: int = 5) -> None:
        self.min_distinct = min_distinct

    def validate(self, password: str, user: object = None) -> None:
        if len(set(password.casefold())) < self.min_distinct:
            raise ValidationError(
                ngettext(
                    "This password repeats too few characters: use at least %(n)d different one.",
                    "This password repeats too few characters: use at least %(n)d different ones.",
                    self.min_distinct,
                )
                % {"n": self.min_distinct},
                code="password_too_repetitive",
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must use at least %(n)d different character.",
            "Your password must use at least %(n)d different characters.",
            self.min_distinct,
        ) % {"n": self.min_distinct}


class MaximumLengthValidator:
    """A bound on length: a passphrase fits, a pasted document does not get hashed."""

    def __init__(self, max_length: int = 200) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("This password is too long: use at most %(n)d characters.")
                % {"n": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Your password must be at most %(n)d characters long.") % {"n": self.max_length}
