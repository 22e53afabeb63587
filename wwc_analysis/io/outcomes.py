"""Load resident outcome metric values and judge each against the standard's threshold.

Columns: `city`, `metric` (a code from the edition's outcome_metrics.csv), `value`, and
optionally `year`, `target` and `direction` (for a city-nominated metric), `met` (yes/no,
where the metric was judged elsewhere), `source`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..identity import city_keys
from ..standard import Standard, load_standard
from .responses import _years
from .tables import Table, load_tables

REQUIRED = ("city", "metric", "value")
_DIRECTIONS = {
    ">=": ">=",
    "at least": ">=",
    "higher": ">=",
    "higher is better": ">=",
    "min": ">=",
    "<=": "<=",
    "at most": "<=",
    "lower": "<=",
    "lower is better": "<=",
    "max": "<=",
}
_YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


def load_outcomes(paths: str | Path | Iterable[str | Path], standard: Standard | None = None) -> pd.DataFrame:
    """Read and validate outcome files: one row per city, year and metric, with `met` judged."""
    from .store import expand

    standard = standard or load_standard()
    paths = expand([paths] if isinstance(paths, (str, Path)) else paths, "outcomes")
    return load_tables(paths, REQUIRED, lambda t: outcomes_from_table(t, standard), check_duplicates, empty_outcomes)


def check_duplicates(out: pd.DataFrame) -> None:
    """Refuse a metric given twice for one city and year."""
    key = out[["city", "year", "metric"]].assign(city=city_keys(out["city"]))
    dup = key.duplicated().to_numpy()
    if dup.any():
        row = out.iloc[int(np.flatnonzero(dup)[0])]
        raise InputError(
            row["source_file"], int(row["source_row"]), f"metric given twice for {row['city']}", row["metric"]
        )


def empty_outcomes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city": pd.Series(dtype=object),
            "year": pd.Series(dtype="Int64"),
            "metric": pd.Series(dtype=object),
            "value": pd.Series(dtype=float),
            "target": pd.Series(dtype=float),
            "direction": pd.Series(dtype=object),
            "met": pd.Series(dtype="boolean"),
            "source_file": pd.Series(dtype=object),
            "source_row": pd.Series(dtype=int),
        }
    )


def _number(table: Table, i: int, column: str, text: str) -> float:
    cleaned = text.replace(",", "").rstrip("%").strip()
    if cleaned == "":
        return np.nan
    try:
        value = float(cleaned)
    except ValueError:
        raise table.error(i, f"'{column}' must be a number", text) from None
    if not np.isfinite(value):
        raise table.error(i, f"'{column}' must be a finite number", text)
    return value


def _as_percent(table: Table, i: int, value: float, text: str) -> float:
    """A share as a percentage, however it was typed: '80%', 80, or 0.8 (an Excel percentage cell).

    1 alone is refused: it could be 1% or 100%.
    """
    if np.isnan(value) or text.strip().endswith("%"):
        return value
    if value == 1:
        raise table.error(i, "a share of 1 is ambiguous (1% or 100%?); write it with a % sign", text)
    return value * 100 if 0 < value < 1 else value


def outcomes_from_table(table: Table, standard: Standard) -> pd.DataFrame:
    f = table.frame
    metrics = standard.outcome_metrics.set_index("code").to_dict("index")
    blank = [""] * len(f)
    names = ("city", "metric", "value", "target", "direction", "met")
    column = {c: (f[c].tolist() if c in f else blank) for c in names}
    years = _years(table).tolist()
    rows = []
    for i, (city, metric, value_text, target_text, direction_text, met_text) in enumerate(zip(*column.values())):
        if city == "":
            raise table.error(i, "city is blank", "")
        code = standard.metric_code(metric) or metric.lower().replace(" ", "_")
        spec = metrics.get(code)
        if spec is None:
            raise table.error(i, f"unknown outcome metric (use {', '.join(metrics)})", metric)
        value = _number(table, i, "value", value_text)
        if spec["unit"] == "%":
            value = _as_percent(table, i, value, value_text)
        elif value_text.strip().endswith("%"):
            raise table.error(
                i, f"{code} is not a share: give its value in {spec['unit'] or 'its own unit'}, without %", value_text
            )
        target = _number(table, i, "target", target_text)
        direction = direction_text.lower()
        if direction and direction not in _DIRECTIONS:
            raise table.error(i, "direction must be >= or <= (or 'higher'/'lower')", direction_text)
        direction = _DIRECTIONS.get(direction, "")
        met_lower = met_text.lower()
        if met_lower and met_lower not in _YES_NO:
            raise table.error(i, "'met' must be yes, no or blank", met_text)
        stated = _YES_NO.get(met_lower)
        if not np.isnan(spec["threshold"]):  # a metric whose standard the edition sets
            lo, hi = spec["min_value"], spec["max_value"]
            if not np.isnan(value) and ((not np.isnan(lo) and value < lo) or (not np.isnan(hi) and value > hi)):
                raise table.error(
                    i, f"{code} value outside the possible range {lo:g}..{hi:g} {spec['unit']}", value_text
                )
            if (not np.isnan(target) and target != spec["threshold"]) or (direction and direction != spec["direction"]):
                raise table.error(
                    i,
                    f"the standard sets {code}'s threshold ({spec['direction']} "
                    f"{spec['threshold']:g}); leave target and direction blank",
                    target_text or direction_text,
                )
            target, direction = float(spec["threshold"]), str(spec["direction"])
        elif not np.isnan(value) and (np.isnan(target) or not direction) and stated is None:
            raise table.error(i, f"{code} needs a target and a direction (>= or <=), or a 'met' of yes/no", value_text)
        judged = None
        if not np.isnan(value) and not np.isnan(target) and direction:
            judged = bool(value >= target) if direction == ">=" else bool(value <= target)
        if judged is not None and stated is not None and judged != stated:
            raise table.error(
                i,
                f"'met' says {met_lower} but {value:g} {direction} {target:g} says {'yes' if judged else 'no'}",
                met_text,
            )
        met = judged if judged is not None else stated
        rows.append((city, years[i], code, value, target, direction, met, table.label, int(table.lines[i])))
    out = pd.DataFrame(
        rows, columns=["city", "year", "metric", "value", "target", "direction", "met", "source_file", "source_row"]
    )
    out["year"] = out["year"].astype("Int64")
    out["met"] = out["met"].astype("boolean")
    return out
