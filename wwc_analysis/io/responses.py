"""Load city responses: one row per city, assessment year and criterion.

Columns: `city`, `criterion`, and `status` (audited) or `self_assessed` (the city's own) or both;
optionally `year` and `audit_note`; others are kept. Self-assessed answers alone are never settled by
a published tier. Statuses read as Yes / In Progress / No, blank meaning unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.identity import city_codes
from ..errors import InputError
from ..rules import status as st
from ..rules.standard import Standard, load_standard
from .store import read_inputs
from .tables import RESPONSE_COLUMNS, Table, parse_years

STATUS_COLUMNS = ("status", "self_assessed")
COLUMNS = ["city", "year", "criterion", "status", "self_assessed", "audit_note", "source_file", "source_row"]


def load_responses(paths: str | Path | Iterable[str | Path], standard: Standard | None = None) -> pd.DataFrame:
    """Read and validate responses files (or store folders) into one frame of `COLUMNS` (statuses as int8 codes);
    a city and year may come from several files, each criterion at most once."""
    standard = standard or load_standard()
    frames = read_inputs(
        paths, "responses", RESPONSE_COLUMNS, STATUS_COLUMNS, lambda t: responses_from_table(t, standard)
    )
    if not frames:
        return empty_responses()
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    check_duplicates(out)
    return out


def empty_responses() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame["year"] = frame["year"].astype("Int64")
    return frame


def responses_from_table(table: Table, standard: Standard) -> pd.DataFrame:
    """Validate the cells of one table and return it in the tidy form (each distinct cell checked once)."""
    city = table.column("city")
    table.refuse_first("city is blank", (city == "").to_numpy(), "city")
    index = standard.criterion_index()
    criterion = table.per_cell("criterion", lambda cell: index.get(standard.criterion_code(cell), -1)).astype(np.int64)
    known = f"edition {standard.edition} has {standard.codes[0]}..{standard.codes[-1]}"
    table.refuse_first(f"unknown criterion code ({known})", criterion < 0, "criterion")
    label = np.zeros(len(table.frame), np.int8)
    out = {
        "city": city,
        "year": parse_years(table, standard.default_year),
        "criterion": pd.Categorical.from_codes(criterion, standard.codes),
        **{name: _statuses(table, name) for name in STATUS_COLUMNS},
        "audit_note": table.column("audit_note"),
        "source_file": pd.Categorical.from_codes(label, [table.label]),
        "source_row": table.lines,
    }
    extra = {c: table.frame[c] for c in table.frame.columns if c not in out and not c.startswith("unnamed_")}
    return pd.DataFrame(out | extra)


def _statuses(table: Table, column: str) -> np.ndarray:
    """The int8 status code of each row's cell in `column` (unknown where the table has no such column)."""
    cells = table.column(column)
    parsed, bad = st.parse_statuses(pd.Series(cells.cat.categories, dtype=object))
    codes = cells.cat.codes.to_numpy()
    table.refuse_first(
        f"'{column}' is not a status (use Yes, In Progress, No or leave blank)", np.append(bad, False)[codes], column
    )
    return np.append(parsed, np.int8(st.UNKNOWN))[codes].astype(np.int8)


def check_duplicates(frame: pd.DataFrame) -> None:
    """Refuse a criterion given twice for one city and year, naming both rows."""
    cities, _ = city_codes(frame["city"])
    criteria = pd.Categorical(frame["criterion"]).codes.astype(np.int64)
    years = frame["year"].fillna(0).to_numpy(dtype=np.int64)
    key = (cities.astype(np.int64) * 10_000 + years) * 1_000 + criteria
    dup = pd.Index(key).duplicated()
    if not dup.any():
        return
    i = int(np.flatnonzero(dup)[0])
    row, first = frame.iloc[i], frame.iloc[int(np.flatnonzero(key == key[i])[0])]
    where = f"{first['source_file']} row {first['source_row']}"
    year = "" if pd.isna(row["year"]) else f" {row['year']}"
    if first["status"] != row["status"] or first["self_assessed"] != row["self_assessed"]:
        problem = (
            f"{row['criterion']} for {row['city']}{year} is listed twice with different statuses "
            f"({st.label(first['status']) or 'blank'} at {where})"
        )
    else:
        problem = f"{row['criterion']} for {row['city']}{year} is listed twice (also at {where})"
    raise InputError(row["source_file"], int(row["source_row"]), problem, st.label(row["status"]))


def responses_csv(frame: pd.DataFrame) -> str:
    """Validated responses in the plain input format (statuses as words)."""
    words = lambda col: [st.LABELS[int(c)] for c in frame[col]]  # noqa: E731
    out = pd.DataFrame(
        {
            "city": frame["city"].astype(str),
            "year": frame["year"],
            "criterion": frame["criterion"].astype(str),
            "self_assessed": words("self_assessed"),
            "status": words("status"),
            "audit_note": frame["audit_note"].astype(str),
        }
    )
    return out.to_csv(index=False, lineterminator="\n")
