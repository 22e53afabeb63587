"""Load city responses: one row per city, assessment year and criterion.

Accepted columns: `city`, `criterion`, `status` (the audited status where there was an
audit), and optionally `year`, `self_assessed`, `audit_note`; other columns are kept
as they are. Statuses are normalised to Yes / In Progress / No, blank meaning unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import status as st
from ..identity import city_keys
from ..standard import Standard, load_standard
from .tables import Table, load_tables

REQUIRED = ("city", "criterion", "status")
COLUMNS = ["city", "year", "criterion", "status", "self_assessed", "audit_note", "source_file", "source_row"]


def load_responses(paths: str | Path | Iterable[str | Path], standard: Standard | None = None) -> pd.DataFrame:
    """Read and validate one or more responses files into one tidy frame.

    Columns: city, year (the edition's first assessment year where a file gives none),
    criterion, status and self_assessed (int8 codes, see `wwc_analysis.status`), audit_note,
    source_file, source_row. A city and year may come from several files, but each
    criterion at most once.
    """
    from .store import expand

    standard = standard or load_standard()
    paths = expand([paths] if isinstance(paths, (str, Path)) else paths, "responses")
    return load_tables(paths, REQUIRED, lambda t: responses_from_table(t, standard), check_duplicates, empty_responses)


def empty_responses() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame["year"] = frame["year"].astype("Int64")
    return frame


def responses_from_table(table: Table, standard: Standard) -> pd.DataFrame:
    """Validate the cells of one table and return it in the tidy form."""
    f = table.frame
    city = f["city"]
    blank_city = (city == "").to_numpy()
    if blank_city.any():
        raise table.error(int(np.flatnonzero(blank_city)[0]), "city is blank", "")
    names = {v: standard.criterion_code(v) for v in pd.unique(f["criterion"])}
    code = f["criterion"].map(names)
    known = code.notna().to_numpy()
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        raise table.error(
            i,
            f"unknown criterion code (edition {standard.edition} has {standard.codes[0]}..{standard.codes[-1]})",
            f["criterion"].iloc[i],
        )
    audited = _statuses(table, "status")
    # No self_assessed column: no self-assessment (its figures are then absent, not copied from the audit).
    self_assessed = (
        _statuses(table, "self_assessed") if "self_assessed" in f else np.full(len(f), st.UNKNOWN, dtype=np.int8)
    )
    out = pd.DataFrame(
        {
            "city": city.to_numpy(),
            "year": _years(table).fillna(standard.default_year),
            "criterion": code.to_numpy(),
            "status": audited,
            "self_assessed": self_assessed,
            "audit_note": f["audit_note"].to_numpy() if "audit_note" in f else "",
            "source_file": table.label,
            "source_row": table.lines,
        }
    )
    extra = [c for c in f.columns if c not in out.columns and c != "criterion" and not c.startswith("unnamed_")]
    for col in extra:
        out[col] = f[col].to_numpy()
    return out


def _statuses(table: Table, column: str) -> np.ndarray:
    codes, bad = st.parse_statuses(table.frame[column])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise table.error(
            i, f"'{column}' is not a status (use Yes, In Progress, No or leave blank)", table.frame[column].iloc[i]
        )
    return codes


def _years(table: Table) -> pd.Series:
    if "year" not in table.frame:
        return pd.array([pd.NA] * len(table.frame), dtype="Int64")
    raw = table.frame["year"]
    years = pd.to_numeric(raw.str.replace(r"\.0$", "", regex=True), errors="coerce")
    bad = (raw != "") & (years.isna() | (years % 1 != 0) | (years < 2000) | (years > 2100))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise table.error(i, "year must be a four-digit year", raw.iloc[i])
    return years.astype("Int64").array


def check_duplicates(frame: pd.DataFrame) -> None:
    """Refuse a criterion given twice for one city and year, naming both rows."""
    key = frame[["city", "year", "criterion"]].copy()
    key["city"] = city_keys(key["city"])
    key["year"] = key["year"].astype("Int64").fillna(-1)
    dup = key.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    from ..errors import InputError

    i = int(np.flatnonzero(dup)[0])
    row = frame.iloc[i]
    same = (key == key.iloc[i]).all(axis=1).to_numpy()
    first = frame.iloc[int(np.flatnonzero(same)[0])]
    year = "" if pd.isna(row["year"]) else f" {row['year']}"
    where = f"{first['source_file']} row {first['source_row']}"
    if first["status"] != row["status"] or first["self_assessed"] != row["self_assessed"]:
        problem = (
            f"{row['criterion']} for {row['city']}{year} is listed twice with different statuses "
            f"({st.label(first['status']) or 'blank'} at {where})"
        )
    else:
        problem = f"{row['criterion']} for {row['city']}{year} is listed twice (also at {where})"
    raise InputError(row["source_file"], int(row["source_row"]), problem, st.label(row["status"]))
