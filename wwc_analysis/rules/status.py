"""Criterion statuses: the three published values, their spellings, and integer codes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

YES, IN_PROGRESS, NO, UNKNOWN = 2, 1, 0, -1
LABELS = {YES: "Yes", IN_PROGRESS: "In Progress", NO: "No", UNKNOWN: ""}
CHOICES = {YES: "Yes", IN_PROGRESS: "In Progress", NO: "No", UNKNOWN: "unknown"}  # as people choose them
_RISING = {UNKNOWN: -1, NO: 0, IN_PROGRESS: 1, YES: 2}  # an answer's strength, for "does a change lower it"

_SPELLINGS = {
    "yes": YES,
    "y": YES,
    "in progress": IN_PROGRESS,
    "inprogress": IN_PROGRESS,
    "ip": IN_PROGRESS,
    "no": NO,
    "n": NO,
    "": UNKNOWN,
    "unknown": UNKNOWN,
}
_NOISE = re.compile(r"[\s_\-]+")


def parse_status(text: object) -> int | None:
    """The code for one spelling ("Yes", "in progress*", " N "), or None if it is not a status.

    A trailing '*' is the report's mark for an audited answer; blank means unknown.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return UNKNOWN
    if not isinstance(text, str):
        return None
    return _SPELLINGS.get(_NOISE.sub(" ", text.strip().rstrip("*").strip().casefold()))


def parse_statuses(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """`parse_status` of a column, each distinct spelling parsed once: int8 codes, and where a cell is no status."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    parsed = [parse_status(u) for u in uniques]
    bad = np.array([p is None for p in parsed], dtype=bool)[codes]
    table = np.array([UNKNOWN if p is None else p for p in parsed], dtype=np.int8)
    return table[codes], bad


def label(code: int) -> str:
    return LABELS[int(code)]


def lowers(before: np.ndarray, after: np.ndarray) -> bool:
    """Whether any answer in `after` is weaker than in `before` (Yes to In Progress, known to unknown...)."""
    strength = np.vectorize(_RISING.get)
    return bool((strength(after) < strength(before)).any())
