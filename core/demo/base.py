"""Bookkeeping for the demo: write only what differs, count it, and one clock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db.models import Model, QuerySet

SEED = 20260401
DEMO_PASSWORD = "olive-branch-demo"
PARTICIPANT_COUNT = 150

M = TypeVar("M", bound=Model)


# --- Bookkeeping: create or update only what differs, and count it ---------------------------


@dataclass
class Tally:
    """What one run wrote, per model, so the command can say "nothing changed"."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    linked: Counter[str] = field(default_factory=Counter)
    unlinked: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return any((self.created, self.updated, self.linked, self.unlinked))


def _label(model: type[Model]) -> str:
    return model._meta.label


def _current(obj: Model, name: str) -> Any:
    value = getattr(obj, name)
    return getattr(value, "code", value)  # django-countries' Country compares by code


def _touch_fields(obj: Model) -> list[str]:
    """auto_now fields, saved with any change so "updated" stays truthful."""
    return [
        f.name
        for f in obj._meta.concrete_fields
        if getattr(f, "auto_now", False) and not getattr(f, "primary_key", False)
    ]


def sync_rows(
    model: type[M],
    existing: QuerySet[M],
    keys: Sequence[str],
    rows: Iterable[dict[str, Any]],
    tally: Tally,
    *,
    clean: bool = True,
) -> dict[tuple, M]:
    """Make ``rows`` exist, matched on ``keys`` (attnames), touching only rows that differ.

    Loads the candidates in one query, creates the missing ones with one ``bulk_create``
    (after ``full_clean``, which runs the model's validators and constraints), and saves a
    changed row with ``update_fields`` so unchanged rows keep their ``updated_at``.
    """
    found: dict[tuple, M] = {tuple(_current(o, k) for k in keys): o for o in existing}
    result: dict[tuple, M] = {}
    new: list[M] = []
    for row in rows:
        key = tuple(row[k] for k in keys)
        obj = found.get(key)
        if obj is None:
            obj = model(**row)
            if clean:
                obj.full_clean()
            new.append(obj)
        else:
            changed = [k for k, v in row.items() if _current(obj, k) != v]
            if changed:
                for name in changed:
                    setattr(obj, name, row[name])
                if clean:
                    obj.full_clean()
                names = {obj._meta.get_field(n).name for n in changed} | set(_touch_fields(obj))
                obj.save(update_fields=sorted(names))
                tally.updated[_label(model)] += 1
        result[key] = obj
    if new:
        model.objects.bulk_create(new)
        tally.created[_label(model)] += len(new)
    return result


def sync_links(
    model: type[Model], name: str, wanted: dict[int, Iterable[Any]], tally: Tally
) -> None:
    """Make the many-to-many ``model.name`` of each object in ``wanted`` exactly that set."""
    m2m = model._meta.get_field(name)
    through = m2m.remote_field.through
    src, dst = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
    desired = {(pk, target) for pk, targets in wanted.items() for target in targets}
    have = {
        (row[src], row[dst]): row["pk"]
        for row in through.objects.filter(**{f"{src}__in": list(wanted)}).values("pk", src, dst)
    }
    missing = desired - have.keys()
    extra = [pk for pair, pk in have.items() if pair not in desired]
    if missing:
        through.objects.bulk_create([through(**{src: a, dst: b}) for a, b in sorted(missing)])
        tally.linked[f"{_label(model)}.{name}"] += len(missing)
    if extra:
        through.objects.filter(pk__in=extra).delete()
        tally.unlinked[f"{_label(model)}.{name}"] += len(extra)


# --- Time: offsets from today at fixed local hours ---------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Today, frozen for one run, so every date in the demo is computed from one anchor."""

    today: date

    def at(self, days: int, hour: int, minute: int = 0, tz: str = "UTC") -> datetime:
        day = self.today + timedelta(days=days)
        local = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))
        # In UTC, so later arithmetic is absolute and equals what the database returns.
        return local.astimezone(UTC)

    def day(self, days: int) -> date:
        return self.today + timedelta(days=days)

    @property
    def midnight(self) -> datetime:
        return self.at(0, 0)
