"""What each row of an import would do to the registry, and why it cannot.

Every row goes through the create page's form (``ParticipantForm``), so an import accepts
exactly what a person typing into that page could save. Nothing here writes.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django_countries import countries

from core.validators import has_unstorable
from participants import profiles
from participants.forms import PARTICIPANT_FIELDS, ParticipantForm, normalise_phone
from participants.imports.reading import Table, simple_key
from participants.models import (
    Community,
    Gender,
    Language,
    Participant,
    RiskLevel,
    Sector,
    Tag,
    Track,
)

LABEL_LENGTH = 80
PROGRESS_EVERY = 100
SCALAR_FIELDS = [name for name in PARTICIPANT_FIELDS if name not in ("languages", "tags")]
TEXT_FIELDS = {
    "full_name",
    "native_name",
    "email",
    "phone",
    "pronouns",
    "organisation",
    "position",
    "do_not_contact_reason",
}
# A cell starting with one of these runs as a formula when the data goes back into a
# spreadsheet (CSV injection), so we never store one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
PHONE_LIKE = re.compile(r"^\+[\d\s().\-/]+$")
TRACK_NUMBER = re.compile(r"^(?:track\s*)?([1-9])(?:\.0*)?(?:[.:)\s].*)?$", re.IGNORECASE)
TRUE_WORDS = {"yes", "y", "true", "1", "x", "oui", "ja"}
FALSE_WORDS = {"no", "n", "false", "0", "non", "nein"}
GENDER_WORDS = {"female": Gender.WOMAN, "f": Gender.WOMAN, "male": Gender.MAN, "m": Gender.MAN}
LIST_SPLIT = re.compile(r"[;,]")


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    SKIP = "skip"
    ERROR = "error"


@dataclass
class RowPlan:
    number: int
    action: Action = Action.CREATE
    label: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    participant: int | None = None  # the registry entry an update changes
    lookalikes: list[int] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # field labels an update changes
    # What apply needs: cleaned values. Kept in memory only, never in the preview.
    values: dict[str, Any] = field(default_factory=dict, repr=False)
    tag_names: list[str] = field(default_factory=list, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "action": str(self.action),
            "label": self.label,
            "errors": self.errors,
            "warnings": self.warnings,
            "participant": self.participant,
            "lookalikes": self.lookalikes,
            "changes": self.changes,
        }


@dataclass
class Plan:
    rows: list[RowPlan]
    notices: list[str]

    def counts(self) -> dict[str, int]:
        counts = {str(action): 0 for action in Action}
        for row in self.rows:
            counts[str(row.action)] += 1
        counts["warnings"] = sum(1 for row in self.rows if row.warnings)
        return counts

    def as_json(self) -> dict[str, Any]:
        return {
            "notices": self.notices,
            "counts": self.counts(),
            "rows": [row.as_json() for row in self.rows],
        }


class CellError(Exception):
    pass


class _RowForm(ParticipantForm):
    """The create page's form and rules, with two differences that change no outcome.

    Tags are checked by name, since an import may name tags that do not exist yet. The
    registry's lists (sectors, communities, tracks, languages) come from the vocabulary
    loaded once per file instead of one query per cell: every value was found in those
    lists before it reaches the form, so looking it up again would check nothing new.
    """

    RELATED = ("sector", "community", "track", "preferred_language", "languages")

    class Meta(ParticipantForm.Meta):
        fields = [name for name in PARTICIPANT_FIELDS if name != "tags"]

    def __init__(self, *args: Any, vocabulary: "Vocabulary", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.RELATED:
            field = self.fields[name]
            known = vocabulary.by_pk[field.queryset.model]
            if name == "languages":
                field._check_values = partial(_known_values, field, known)
            else:
                field.to_python = partial(_known_value, field, known)

    def _get_validation_exclusions(self) -> set[str]:
        return super()._get_validation_exclusions() | set(self.RELATED)


def _known_value(field: forms.ModelChoiceField, known: dict[str, Any], value: Any) -> Any:
    if value in field.empty_values:
        return None
    try:
        return known[str(value)]
    except KeyError:
        raise ValidationError(
            field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        ) from None


def _known_values(field: forms.ModelChoiceField, known: dict[str, Any], values: Any) -> list:
    return [_known_value(field, known, value) for value in dict.fromkeys(values)]


def _choices_hint(names: list[str]) -> str:
    shown = ", ".join(names[:12])
    return shown + (", …" if len(names) > 12 else "")


class Vocabulary:
    """The registry's lists, loaded once per file, and how a cell names one of their items."""

    def __init__(self) -> None:
        self.sectors = self._index(Sector.objects.all(), ("name", "slug"))
        self.communities = self._index(Community.objects.all(), ("name", "slug"))
        self.tracks_by_name = self._index(Track.objects.all(), ("name",))
        self.tracks_by_number = {track.number: track for track in Track.objects.all()}
        self.languages = self._index(Language.objects.all(), ("code", "name", "native_name"))
        self.tags = {tag.name.casefold(): tag for tag in Tag.objects.all()}
        self.by_pk: dict[type, dict[str, Any]] = {
            model: {str(obj.pk): obj for obj in objects}
            for model, objects in (
                (Sector, set(self.sectors.values())),
                (Community, set(self.communities.values())),
                (Track, self.tracks_by_number.values()),
                (Language, set(self.languages.values())),
            )
        }
        self.sector_names = [s.name for s in Sector.objects.order_by("position", "name")]
        self.community_names = [c.name for c in Community.objects.order_by("name")]

    @staticmethod
    def _index(objects: Any, attributes: tuple[str, ...]) -> dict[str, Any]:
        index: dict[str, Any] = {}
        for obj in objects:
            for attribute in attributes:
                value = getattr(obj, attribute)
                if value:
                    index.setdefault(simple_key(value), obj)
        return index

    def sector(self, text: str) -> Sector:
        found = self.sectors.get(simple_key(text))
        if found is None:
            raise CellError(
                _("no sector called “%(value)s”. Use one of: %(known)s.")
                % {"value": text[:40], "known": _choices_hint(self.sector_names)}
            )
        return found

    def community(self, text: str) -> Community:
        found = self.communities.get(simple_key(text))
        if found is None:
            raise CellError(
                _("no community called “%(value)s”. Use one of: %(known)s.")
                % {"value": text[:40], "known": _choices_hint(self.community_names)}
            )
        return found

    def track(self, text: str) -> Track:
        match = TRACK_NUMBER.match(text.strip())
        found = (
            self.tracks_by_number.get(int(match.group(1)))
            if match
            else self.tracks_by_name.get(simple_key(text))
        )
        if found is None:
            raise CellError(
                _("no track “%(value)s”. Write its number, 1 to 9.") % {"value": text[:40]}
            )
        return found

    def language(self, text: str) -> Language:
        found = self.languages.get(simple_key(text))
        if found is None:
            raise CellError(
                _("no language “%(value)s”. Write codes such as en, el, tr, ar.")
                % {"value": text[:40]}
            )
        return found


def _country(text: str) -> str:
    code = countries.alpha2(text) if len(text) <= 3 else ""
    code = code or countries.by_name(text)
    if not code:
        raise CellError(
            _("no country “%(value)s”. Write its ISO code (CY) or English name (Cyprus).")
            % {"value": text[:40]}
        )
    return str(code)


def _choice(text: str, choices: type, extra: dict[str, str] | None = None) -> str:
    key = simple_key(text)
    for value, label in choices.choices:
        if key in (simple_key(value), simple_key(str(label))):
            return value
    if extra and key in extra:
        return extra[key]
    raise CellError(
        _("“%(value)s” is not one of: %(known)s.")
        % {"value": text[:40], "known": ", ".join(str(label) for _v, label in choices.choices)}
    )


def _boolean(text: str) -> bool:
    word = text.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("write yes or no."))


def looks_like_formula(column: str, text: str) -> bool:
    stripped = text.lstrip(" ")
    if not stripped.startswith(FORMULA_START):
        return False
    if NUMBER.match(stripped):
        return False  # a negative number or "+1" is not a formula
    if column == "phone" and PHONE_LIKE.match(stripped):
        return False  # +357 99 123456; the phone rules check the number itself
    return True


def _visible(char: str) -> str:
    return {"\t": _("a tab"), "\r": _("a line break")}.get(char, char)


def _restore_plus(phone: str, country: str) -> str:
    """Excel turns +35799123456 typed into a cell into the number 35799123456: when the
    digits are no number in the person's country but are one with a "+", put it back."""
    if not phone.isdigit() or len(phone) < 8:
        return phone
    try:
        normalise_phone(phone, country)
    except ValidationError:
        try:
            normalise_phone("+" + phone)
        except ValidationError:
            return phone
        return "+" + phone
    return phone


class Planner:
    """Plans the rows of one table against the registry as it is now."""

    def __init__(self, table: Table, *, lookalikes: bool = True) -> None:
        self.table = table
        self.with_lookalikes = lookalikes
        self.vocabulary = Vocabulary()
        self.labels = {name: str(_RowForm.base_fields[name].label) for name in SCALAR_FIELDS}
        self.labels.update(languages=_("Languages"), tags=_("Tags"))
        self.existing = self._existing_by_email()

    def column_name(self, name: str) -> str:
        return self.labels.get(name, name)

    def _existing_by_email(self) -> dict[str, Participant]:
        emails = {record.get("email", "").strip().casefold() for _n, record in self.table.records()}
        emails = {email for email in emails if email and not has_unstorable(email)}
        found: dict[str, Participant] = {}
        emails_list = sorted(emails)
        for start in range(0, len(emails_list), 2000):
            batch = emails_list[start : start + 2000]
            for person in (
                Participant.objects.filter(erased_at__isnull=True)
                .annotate(email_folded=Lower("email"))
                .filter(email_folded__in=batch)
                .prefetch_related("languages", "tags")
            ):
                found[person.email_folded] = person
        return found

    def plan(self, progress: Callable[[int], None] | None = None) -> Plan:
        rows: list[RowPlan] = []
        emails_seen: dict[str, int] = {}
        names_seen: dict[str, int] = {}
        for count, (number, record) in enumerate(self.table.records(), start=1):
            row = self.plan_row(number, record)
            email = record.get("email", "").strip().casefold()
            if email:
                if email in emails_seen:
                    row.errors.append(
                        _(
                            "%(column)s: the same address is on row %(row)s. Each person may "
                            "appear once per file."
                        )
                        % {"column": self.column_name("email"), "row": emails_seen[email]}
                    )
                    row.action = Action.ERROR
                else:
                    emails_seen[email] = number
            name = simple_key(record.get("full_name", ""))
            if name and row.action == Action.CREATE:
                if name in names_seen:
                    row.warnings.append(
                        _("Same name as row %(row)s: one person twice?") % {"row": names_seen[name]}
                    )
                else:
                    names_seen[name] = number
            rows.append(row)
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
        notices = []
        if self.table.ignored:
            notices.append(
                _("These columns are not imported and were ignored: %(columns)s.")
                % {"columns": ", ".join(f"“{h}”" for h in self.table.ignored)}
            )
        return Plan(rows=rows, notices=notices)

    # --- One row ---------------------------------------------------------------------------

    def plan_row(self, number: int, record: dict[str, str]) -> RowPlan:
        row = RowPlan(number=number)
        values = self._parse_cells(record, row)
        existing = self.existing.get(record.get("email", "").strip().casefold())
        row.label = "" if "full_name" not in values else values["full_name"][:LABEL_LENGTH]
        if existing is not None:
            row.participant = existing.pk
            row.label = row.label or existing.full_name[:LABEL_LENGTH]
        if row.errors:
            row.action = Action.ERROR
            return row
        if "phone" in values:
            country = values.get("country") or (existing.country.code if existing else "")
            values["phone"] = _restore_plus(values["phone"], country or "")
        # Validating writes the cleaned values onto the instance: keep what it was first.
        original = _data_of(existing) if existing is not None else {}
        form = _RowForm(
            data=self._form_data(original, values), instance=existing, vocabulary=self.vocabulary
        )
        if not form.is_valid():
            for name, messages in form.errors.items():
                for message in messages:
                    if name == "__all__":
                        row.errors.append(message)
                    else:
                        row.errors.append(f"{self.column_name(name)}: {message}")
            row.action = Action.ERROR
            return row
        cleaned = form.cleaned_data
        row.values = {name: cleaned[name] for name in SCALAR_FIELDS}
        row.values["languages"] = list(cleaned["languages"])
        row.tag_names = values.get("tags", [])
        if existing is None:
            row.action = Action.CREATE
            if self.with_lookalikes:
                self._find_lookalikes(row)
        else:
            self._plan_update(row, existing, original)
        return row

    def _parse_cells(self, record: dict[str, str], row: RowPlan) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, raw in record.items():
            text = raw.strip()
            if not text:
                continue
            column = self.column_name(name)
            if has_unstorable(raw):
                # Never echoed (the preview is stored, and PostgreSQL refuses NUL in it).
                row.errors.append(
                    _(
                        "%(column)s contains a character that cannot be stored (a null byte "
                        "or a broken character, often from copying out of another program). "
                        "Retype the cell."
                    )
                    % {"column": column}
                )
                continue
            if looks_like_formula(name, raw):
                row.errors.append(
                    _(
                        "%(column)s looks like a spreadsheet formula (it starts with “%(char)s”), "
                        "which is never imported. Type the value itself, without the leading "
                        "sign."
                    )
                    % {"column": column, "char": _visible(raw.lstrip(" ")[:1])}
                )
                continue
            try:
                values[name] = self._parse_cell(name, text)
            except CellError as error:
                row.errors.append(f"{column}: {error}")
        return values

    def _parse_cell(self, name: str, text: str) -> Any:
        vocabulary = self.vocabulary
        if name in TEXT_FIELDS:
            return text
        if name == "country":
            return _country(text)
        if name == "languages":
            parts = [part.strip() for part in LIST_SPLIT.split(text)]
            return [vocabulary.language(part) for part in parts if part]
        if name == "preferred_language":
            return vocabulary.language(text)
        if name == "gender":
            return _choice(text, Gender, GENDER_WORDS)
        if name == "risk_level":
            return _choice(text, RiskLevel)
        if name == "sector":
            return vocabulary.sector(text)
        if name == "community":
            return vocabulary.community(text)
        if name == "track":
            return vocabulary.track(text)
        if name == "do_not_contact":
            return _boolean(text)
        if name == "tags":
            names = list(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))
            too_long = [tag for tag in names if len(tag) > Tag._meta.get_field("name").max_length]
            if too_long:
                raise CellError(_("a tag is longer than 60 characters."))
            return names
        raise CellError(_("this column cannot be imported."))  # pragma: no cover

    def _form_data(self, original: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """The create page's form data: the person as they are (for an update) or the
        page's defaults, with every non-empty cell written over it."""
        data: dict[str, Any] = (
            dict(original)
            if original
            else {"risk_level": RiskLevel.NORMAL, "do_not_contact": False}
        )
        for name, value in values.items():
            if name == "tags":
                continue
            if name == "languages" and original:
                # Languages and tags add to what a person has; an import never removes them.
                data[name] = list(dict.fromkeys([*data["languages"], *(v.pk for v in value)]))
            elif name == "languages":
                data[name] = [language.pk for language in value]
            elif hasattr(value, "pk"):
                data[name] = value.pk
            else:
                data[name] = value
        return data

    def _plan_update(self, row: RowPlan, existing: Participant, original: dict[str, Any]) -> None:
        if row.values["email"].casefold() == original["email"].casefold():
            row.values["email"] = original["email"]  # a change of case only is no change
        after = {
            name: _comparable(row.values[name]) for name in SCALAR_FIELDS if name in row.values
        }
        changed = [name for name in SCALAR_FIELDS if after.get(name) != original.get(name)]
        if {language.pk for language in row.values["languages"]} != set(original["languages"]):
            changed.append("languages")
        known_tags = {tag.name.casefold() for tag in existing.tags.all()}
        if any(name.casefold() not in known_tags for name in row.tag_names):
            changed.append("tags")
        row.changes = [self.column_name(name) for name in changed]
        if not changed:
            row.action = Action.SKIP
            row.warnings.append(_("Already up to date: nothing to change."))
            return
        row.action = Action.UPDATE
        levels = list(RiskLevel.values)
        if levels.index(row.values["risk_level"]) < levels.index(original["risk_level"]):
            row.warnings.append(
                _("Lowers the risk level from %(before)s to %(after)s.")
                % {
                    "before": RiskLevel(original["risk_level"]).label,
                    "after": RiskLevel(row.values["risk_level"]).label,
                }
            )
        if original["do_not_contact"] and not row.values["do_not_contact"]:
            row.warnings.append(_("Clears “do not contact”: this person could be invited again."))

    def _find_lookalikes(self, row: RowPlan) -> None:
        phone = row.values.get("phone") or ""
        found = list(
            profiles.lookalikes(
                full_name=row.values["full_name"],
                email=row.values.get("email") or "",
                phone=phone,
            ).values_list("pk", flat=True)
        )
        if found:
            row.lookalikes = found
            row.warnings.append(_("May already be in the registry: compare before importing."))


def _comparable(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return value.pk
    return value


def _data_of(person: Participant) -> dict[str, Any]:
    """A participant as the create page's form data."""
    return {
        "full_name": person.full_name,
        "native_name": person.native_name,
        "email": person.email,
        "phone": person.phone,
        "country": person.country.code or "",
        "languages": [language.pk for language in person.languages.all()],
        "preferred_language": person.preferred_language_id or "",
        "gender": person.gender,
        "pronouns": person.pronouns,
        "sector": person.sector_id,
        "community": person.community_id or "",
        "track": person.track_id or "",
        "organisation": person.organisation,
        "position": person.position,
        "risk_level": person.risk_level,
        "do_not_contact": person.do_not_contact,
        "do_not_contact_reason": person.do_not_contact_reason,
    }


def plan_table(
    table: Table, *, lookalikes: bool = True, progress: Callable[[int], None] | None = None
) -> Plan:
    return Planner(table, lookalikes=lookalikes).plan(progress)
