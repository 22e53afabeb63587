"""Criterion statuses: the three published values, their spellings, and integer codes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

YES, IN_PROGRESS, NO, UNKNOWN = 2, 1, 0, -1
LABELS = {YES: "Yes", IN_PROGRESS: "In Progress", NO: "No", UNKNOWN: ""}
CODES = {label: code for code, label in LABELS.items()}

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
_NOT_A_STATUS = -2
_NOISE = re.compile(r"[\s_\-]+")


def parse_status(text: object) -> int | None:
    """The code for one spelling ("Yes", "in progress*", " N "), or None if it is not a status.

    A trailing '*' is the report's mark for an audited answer; blank means unknown.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return UNKNOWN
    if not isinstance(text, str):
        return None
    key = _NOISE.sub(" ", text.strip().rstrip("*").strip().casefold())
    return _SPELLINGS.get(key)


def parse_statuses(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised `parse_status`: int8 codes, and a mask of values that are not statuses."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = [parse_status(u) for u in uniques]
    table = np.array([_NOT_A_STATUS if p is None else p for p in parsed] + [UNKNOWN], dtype=np.int8)
    mapped = table[codes]  # code -1 (missing value) picks the final UNKNOWN entry
    bad = mapped == _NOT_A_STATUS
    return np.where(bad, np.int8(UNKNOWN), mapped).astype(np.int8), bad


def label(code: int) -> str:
    return LABELS[int(code)]
