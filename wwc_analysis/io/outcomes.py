"""Load resident outcome metric values and judge each against the standard's threshold.

Columns: `city`, `metric` (an edition's code), `value`; optionally `year`, `target` and `direction` (for a
city-nominated metric), `met` (yes/no, judged elsewhere), `source`. The rule itself is `rules.outcomes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.identity import city_codes
from ..errors import InputError
from ..rules.outcomes import judge_cells
from ..rules.standard import Standard, load_standard
from .store import read_inputs
from .tables import OUTCOME_COLUMNS, Table, parse_years

_CELLS = ("metric", "value", "target", "direction", "met")


def load_outcomes(paths: str | Path | Iterable[str | Path], standard: Standard | None = None) -> pd.DataFrame:
    """Read and validate outcome files (or store folders): one row per city, year and metric, with `met` judged."""
    standard = standard or load_standard()
    frames = read_inputs(paths, "outcomes", OUTCOME_COLUMNS, (), lambda t: outcomes_from_table(t, standard))
    if not frames:
        return empty_outcomes()
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    check_duplicates(out)
    return out


def empty_outcomes() -> pd.DataFrame:
    types = {"city": object, "year": "Int64", "metric": object, "value": float, "target": float}
    types |= {"direction": object, "met": "boolean", "source_file": object, "source_row": int}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in types.items()})


def outcomes_from_table(table: Table, standard: Standard) -> pd.DataFrame:
    """Validate one table of outcome values and judge each row."""
    years = parse_years(table, -1)
    city = table.column("city")
    table.refuse_first("city is blank", (city == "").to_numpy(), "city")
    judged = judge_cells({name: table.column(name).astype(object) for name in _CELLS}, standard)
    problem = judged.first_problem()
    if problem:
        raise table.error(*problem)
    met = judged.met
    return pd.DataFrame(
        {
            "city": city,
            "year": pd.array(np.where(years.to_numpy() == -1, None, years), dtype="Int64"),
            "metric": pd.Categorical(judged.metric),
            "value": judged.value,
            "target": judged.target,
            "direction": pd.Categorical(judged.direction),
            "met": pd.arrays.BooleanArray(met == 1, met < 0),
            "source_file": pd.Categorical.from_codes(np.zeros(len(met), np.int8), [table.label]),
            "source_row": table.lines,
        }
    )


def check_duplicates(frame: pd.DataFrame) -> None:
    """Refuse a metric given twice for one city and year."""
    cities, _ = city_codes(frame["city"])
    metrics = pd.Categorical(frame["metric"]).codes.astype(np.int64)
    years = frame["year"].fillna(0).to_numpy(dtype=np.int64)
    dup = pd.Index((cities.astype(np.int64) * 10_000 + years) * 100 + metrics).duplicated()
    if dup.any():
        row = frame.iloc[int(np.flatnonzero(dup)[0])]
        raise InputError(
            row["source_file"], int(row["source_row"]), f"metric given twice for {row['city']}", row["metric"]
        )


def outcomes_csv(frame: pd.DataFrame) -> str:
    """Validated outcomes in the plain input format (with `met` as judged)."""
    out = frame[["city", "year", "metric", "value", "target", "direction"]].astype({"city": str, "metric": str})
    out["met"] = frame["met"].map({True: "yes", False: "no"}).fillna("")
    return out.to_csv(index=False, lineterminator="\n")
