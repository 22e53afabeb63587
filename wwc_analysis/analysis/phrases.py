"""The pieces every sentence is built from: counts with the right noun, lists, percentages, tiers.

Reasons, opportunities, summaries and the index all speak through these functions, so
a plural, a missing tier or an unknown share is written one way everywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import pandas as pd

NO_TIER = "no tier"
UNKNOWN_SHARE = "unknown"

_IRREGULAR = {"criterion": "criteria", "city": "cities", "was": "were", "is": "are", "it": "they", "has": "have"}


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """'1 criterion', '2 criteria', '0 resident outcome metrics'."""
    return f"{n} {noun(n, singular, plural_form)}"


def noun(n: int, singular: str, plural_form: str | None = None) -> str:
    """The noun alone, singular for exactly one."""
    if n == 1:
        return singular
    if plural_form:
        return plural_form
    head, _, last = singular.rpartition(" ")
    many = _IRREGULAR.get(last, last + ("es" if last.endswith(("s", "x", "ch")) else "s"))
    return f"{head} {many}" if head else many


def verb(n: int, singular: str) -> str:
    """'is' or 'are', 'was' or 'were', 'has' or 'have' for a count."""
    return singular if n == 1 else _IRREGULAR.get(singular, singular)


def join(items: Iterable[object], last: str = "and") -> str:
    """'A', 'A and B', 'A, B and C'; an empty list gives ''."""
    items = [str(i) for i in items]
    if len(items) <= 2:
        return f" {last} ".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def is_missing(value: object) -> bool:
    """None, NaN or pandas' NA."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def percent(share: object) -> str:
    """'89%' for 0.889; 'unknown' where the share cannot be computed."""
    if is_missing(share) or (isinstance(share, float) and math.isinf(share)):
        return UNKNOWN_SHARE
    return f"{round(float(share) * 100):.0f}%"


def percent_points(share: object, other: object) -> str:
    """The difference of two shares in points, from the rounded percentages so the sentence adds up."""
    if is_missing(share) or is_missing(other):
        return UNKNOWN_SHARE
    diff = round(float(share) * 100) - round(float(other) * 100)
    return f"{diff:+d} {noun(abs(diff), 'point')}"


def tier_label(tier: object) -> str:
    """A tier's name, or 'no tier' for its absence (None, NaN or an empty string)."""
    return NO_TIER if is_missing(tier) or tier == "" else str(tier)


def tier_range(low: object, high: object) -> str:
    """'Gold' when both ends agree, else 'anything from no tier to Platinum'."""
    low_text, high_text = tier_label(low), tier_label(high)
    return low_text if low_text == high_text else f"anything from {low_text} to {high_text}"


def with_published(tier: object, published: object) -> str:
    """'Silver (published)' where the program published the tier shown, else the tier's label."""
    label = tier_label(tier)
    return f"{label} (published)" if not is_missing(published) and published == tier else label


def sentence(text: str) -> str:
    """One sentence: capitalised, single-spaced, ending in one full stop."""
    text = " ".join(text.split())
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~<>#])")  # marks that act in a Markdown line, and tag brackets


def md(text: object) -> str:
    """Text safe inside a Markdown line: marks and tag brackets backslashed, no HTML entities."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)
