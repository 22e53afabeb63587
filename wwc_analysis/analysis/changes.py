"""Changes to a city's answers, from `--set`, a plan file or the app, parsed here once.

A change sets a criterion's status or an outcome metric (met, not met, unknown, or a value judged
against the threshold); a plan is a list of them for one city and year, with owners, due dates, notes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import InputError
from ..rules import outcomes as om
from ..rules import status as st
from ..rules.standard import Standard
from .identity import city_key

_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00)?)?$")


@dataclass(frozen=True)
class Change:
    """Set `code` to `value`: a status code for a criterion, 1 / 0 / -1 (met, not met, unknown) for a metric."""

    code: str
    kind: str  # "criterion" or "metric"
    value: int
    number: float | None = None  # a metric's value, where one is given
    owner: str = ""
    due: dt.date | None = None
    note: str = ""

    @property
    def value_text(self) -> str:
        """The new answer in words: 'Yes', 'unknown', 'met', or a metric's value."""
        if self.kind == "criterion":
            return st.CHOICES[self.value]
        return f"{self.number:g}" if self.number is not None else om.CHOICES[self.value]

    @property
    def file_text(self) -> str:
        """The answer as a plan file writes it (blank for unknown)."""
        return "" if self.value_text == "unknown" else self.value_text


@dataclass(frozen=True)
class Plan:
    """Changes a city means to make; `city` and `year` name whom it was made for (None: any city)."""

    changes: tuple[Change, ...] = ()
    city: str | None = None
    year: int | None = None
    source: str = ""

    def __len__(self) -> int:
        return len(self.changes)

    def is_for(self, city: str, year: int | None) -> bool:
        """Whether the plan may be applied to this city and year (a plan naming no city fits any)."""
        return self.city is None or (city_key(self.city) == city_key(city) and self.year in (None, year))


def parse_due(text: str) -> dt.date | None:
    """A due date written YYYY-MM-DD (blank: none); ValueError otherwise."""
    text = str(text or "").strip()
    if not text:
        return None
    match = _DATE.match(text)
    if not match:
        raise ValueError(text)
    return dt.date.fromisoformat(match.group(1))


def parse_change(
    code: str, value: str, standard: Standard, where: str = "change", row: int | None = None, **meta: str
) -> Change:
    """One change, checked against the standard (InputError naming `where`, `row` and the value).

    `meta`: owner, due (YYYY-MM-DD) and note, as a plan gives them."""
    key, value = str(code).strip(), str(value or "").strip()
    try:
        due = parse_due(meta.get("due", ""))
    except ValueError:
        raise InputError(where, row, "'due' must be a date written YYYY-MM-DD", meta.get("due")) from None
    extra = {"owner": str(meta.get("owner", "") or ""), "due": due, "note": str(meta.get("note", "") or "")}
    criterion = standard.criterion_code(key)
    if criterion:
        status = st.parse_status(value)
        if status is None:
            raise InputError(where, row, "unknown status (expected Yes, In Progress, No or blank)", value)
        return Change(criterion, "criterion", status, **extra)
    metric = standard.metric_code(key)
    if metric is None:
        raise InputError(where, row, f"neither a criterion nor an outcome metric of edition {standard.edition}", key)
    met = om.parse_met(value)
    if met is not None:
        return Change(metric, "metric", met, **extra)
    number, problem = om.parse_number(value)
    if problem:
        raise InputError(where, row, f"an outcome metric is met, not met or a value, not {value!r}", value)
    judged = om.judge_value(standard, metric, value)
    if judged is None:
        raise InputError(
            where, row, f"{metric} takes no value here: write met or not met, or a value the standard can judge", value
        )
    return Change(metric, "metric", judged, number, **extra)


def parse_changes(text: str | Iterable[str], standard: Standard) -> list[Change]:
    """Changes written "CODE=STATUS, CODE=STATUS" (a string, or a list of such strings)."""
    items = text.split(",") if isinstance(text, str) else [p for t in text for p in str(t).split(",")]
    out = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError("what-if", None, "a change is written CODE=STATUS", item)
        out.append(parse_change(key, value, standard, "what-if"))
    return out


def merged(changes: Iterable[Change]) -> tuple[Change, ...]:
    """Changes in order; a later change to a code replaces the earlier one (and takes its place at the end)."""
    latest: dict[str, Change] = {}
    for change in changes:
        latest.pop(change.code, None)
        latest[change.code] = change
    return tuple(latest.values())
