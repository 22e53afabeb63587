"""Load city responses: one row per city, assessment year and criterion.

Accepted columns: `city`, `criterion`, `status` (the audited status where there was an
audit), and optionally `year`, `self_assessed`, `audit_note`; other columns are kept
as they are. Statuses are normalised to Yes / In Progress / No, blank meaning unknown.
Each distinct cell is checked and normalised once, so a file of many cities costs little
more than reading it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import status as st
from ..distinct import categorical, constant, distinct, int_values, lookup, sorted_categorical
from ..errors import InputError
from ..identity import group_city_years
from ..standard import Standard, load_standard
from .store import expand
from .tables import RESPONSE_COLUMNS, Table, join_tables, parse_years, read_files

REQUIRED = RESPONSE_COLUMNS
COLUMNS = ["city", "year", "criterion", "status", "self_assessed", "audit_note", "source_file", "source_row"]


def load_responses(paths: str | Path | Iterable[str | Path], standard: Standard | None = None) -> pd.DataFrame:
    """Read and validate one or more responses files into one tidy frame.

    Columns: city, year (the edition's first assessment year where a file gives none),
    criterion, status and self_assessed (int8 codes, see `wwc_analysis.status`), audit_note,
    source_file, source_row. Text columns are categoricals. A city and year may come from
    several files, but each criterion at most once.
    """
    return validate_responses(read_responses(paths), standard or load_standard())


def read_responses(paths: str | Path | Iterable[str | Path]) -> list[Table | pd.DataFrame | InputError]:
    """The responses files (or store folders) read, not yet validated (see `validate_responses`)."""
    return read_files(expand([paths] if isinstance(paths, (str, Path)) else paths, "responses"), REQUIRED)


def validate_responses(read: list[Table | pd.DataFrame | InputError], standard: Standard) -> pd.DataFrame:
    """Responses files as `read_responses` read them, validated and joined (see `load_responses`)."""
    return join_tables(read, lambda t: responses_from_table(t, standard), check_duplicates, empty_responses)


def empty_responses() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame["year"] = frame["year"].astype("Int64")
    return frame


def responses_from_table(table: Table, standard: Standard) -> pd.DataFrame:
    """Validate the cells of one table and return it in the tidy form."""
    f = table.frame
    city_codes, cities = table.cells("city")
    table.refuse_first("city is blank", cities == "", city_codes)
    name_codes, names = table.cells("criterion")
    codes = np.array([standard.criterion_code(name) for name in names], dtype=object)
    table.refuse_first(
        f"unknown criterion code (edition {standard.edition} has {standard.codes[0]}..{standard.codes[-1]})",
        pd.isna(codes),
        name_codes,
        "criterion",
    )
    audited = _statuses(table, "status")
    # No self_assessed column: no self-assessment (its figures are then absent, not copied from the audit).
    self_assessed = _statuses(table, "self_assessed") if "self_assessed" in f else np.full(len(f), st.UNKNOWN, np.int8)
    out = pd.DataFrame(
        {
            "city": sorted_categorical(f["city"]),
            "year": parse_years(table, standard.default_year),
            "criterion": categorical(name_codes, codes),
            "status": audited,
            "self_assessed": self_assessed,
            "audit_note": _text(table, "audit_note"),
            "source_file": constant(table.label, len(f)),
            "source_row": table.lines,
        },
        copy=False,  # every column is new: no copy needed
    )
    extra = [c for c in f.columns if c not in out.columns and c != "criterion" and not c.startswith("unnamed_")]
    for col in extra:
        out[col] = _text(table, col)
    return out


def _text(table: Table, column: str) -> pd.Categorical:
    """A column of free text as a categorical; blank where the table has no such column."""
    if column not in table.frame:
        return constant("", len(table.frame))
    return sorted_categorical(table.frame[column])


def _statuses(table: Table, column: str) -> np.ndarray:
    """The int8 status code of each row's cell in `column`, each distinct spelling parsed once."""
    codes, cells = table.cells(column)
    parsed, bad = st.parse_statuses(pd.Series(cells, dtype=object))
    table.refuse_first(f"'{column}' is not a status (use Yes, In Progress, No or leave blank)", bad, codes, column)
    return lookup(parsed, codes)


def check_duplicates(frame: pd.DataFrame) -> None:
    """Refuse a criterion given twice for one city and year, naming both rows."""
    years = int_values(frame["year"], -1)
    groups = group_city_years(frame["city"], years)
    criteria, names = distinct(frame["criterion"])
    layout = groups.layout(criteria)
    if layout is not None and len(np.unique(layout)) == len(layout):  # each assessment lists its criteria once
        return
    # One int per row, equal where city (by `city_key`), year (a missing one apart) and criterion are.
    key = groups.cells(criteria, len(names))
    if not _repeats(key):
        return
    dup = pd.Index(key).duplicated(keep="first")
    i = int(np.flatnonzero(dup)[0])
    row = frame.iloc[i]
    first = frame.iloc[int(np.flatnonzero(key == key[i])[0])]
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


def _repeats(key: np.ndarray) -> bool:
    """Whether any value of `key` (non-negative) occurs twice; marked off directly where the values are few."""
    if len(key) and int(key.max()) < 4 * len(key):
        seen = np.zeros(int(key.max()) + 1, dtype=bool)
        seen[key] = True
        return int(np.count_nonzero(seen)) < len(key)
    return bool(pd.Index(key).duplicated().any())
