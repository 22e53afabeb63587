"""Validate inputs city by city, so one city's bad rows do not stop the others in a batch.

File-level problems (not a table, a missing column) still stop everything: no city in
such a file can be trusted. Row-level problems are charged to the city whose row it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import status as st
from ..errors import InputError
from ..identity import city_keys
from ..standard import Standard
from .tables import Table, read_table


def _split(table: Table) -> dict[str, Table]:
    keys = city_keys(table.frame["city"]).to_numpy()
    parts = {}
    for key in pd.unique(keys):
        rows = np.flatnonzero(keys == key)
        parts[key] = Table(table.path, table.frame.iloc[rows].reset_index(drop=True), table.lines[rows], table.sheet)
    return parts


def load_by_city(
    paths: Iterable[str | Path],
    required: tuple[str, ...],
    parse: Callable[[Table, Standard], pd.DataFrame],
    standard: Standard,
    check: Callable[[pd.DataFrame], None] | None = None,
) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """Rows of every city whose rows all pass, and a one-line error for each city that does not."""
    good: dict[str, list[pd.DataFrame]] = {}
    failures: dict[str, str] = {}
    names: dict[str, str] = {}
    for path in paths:
        for key, part in _split(read_table(path, required)).items():
            names.setdefault(key, part.frame["city"].iloc[0])
            if key in failures:
                continue
            try:
                good.setdefault(key, []).append(parse(part, standard))
            except InputError as exc:
                failures[key] = str(exc)
                good.pop(key, None)
    frames = []
    for key, parts in good.items():
        frame = pd.concat(parts, ignore_index=True)
        try:
            if check:
                check(frame)
            frames.append(frame)
        except InputError as exc:
            failures[key] = str(exc)
    out = pd.concat(frames, ignore_index=True) if frames else None
    return out, {names[k]: v for k, v in failures.items()}


def responses_csv(frame: pd.DataFrame) -> str:
    """Validated responses in the plain input format (statuses as words)."""
    labels = np.array([st.LABELS[c] for c in (st.NO, st.IN_PROGRESS, st.YES, st.UNKNOWN)], dtype=object)
    out = pd.DataFrame(
        {
            "city": frame["city"],
            "year": frame["year"],
            "criterion": frame["criterion"],
            "self_assessed": labels[frame["self_assessed"].to_numpy()],
            "status": labels[frame["status"].to_numpy()],
            "audit_note": frame["audit_note"],
        }
    )
    return out.to_csv(index=False, lineterminator="\n")


def outcomes_csv(frame: pd.DataFrame) -> str:
    """Validated outcomes in the plain input format (with `met` as judged)."""
    out = frame[["city", "year", "metric", "value", "target", "direction"]].copy()
    out["met"] = frame["met"].map({True: "yes", False: "no"}).fillna("")
    return out.to_csv(index=False, lineterminator="\n")
