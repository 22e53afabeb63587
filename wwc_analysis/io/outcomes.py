"""Load resident outcome metric values and judge each against the standard's threshold.

Columns: `city`, `metric` (a code from the edition's outcome_metrics.csv), `value`, and
optionally `year`, `target` and `direction` (for a city-nominated metric), `met` (yes/no,
where the metric was judged elsewhere), `source`.

Each distinct cell is parsed once and the rules are applied to every row at once; the first
row that breaks one is then checked on its own (`_judge_row`), which names the problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..distinct import categorical, constant, distinct, row_keys, sorted_categorical
from ..errors import InputError
from ..identity import city_key_codes
from ..standard import Standard, load_standard
from .store import expand
from .tables import OUTCOME_COLUMNS, Table, load_tables, parse_years

REQUIRED = OUTCOME_COLUMNS
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
_NOT_A_NUMBER = "must be a number"
_NOT_FINITE = "must be a finite number"


def load_outcomes(paths: str | Path | Iterable[str | Path], standard: Standard | None = None) -> pd.DataFrame:
    """Read and validate outcome files: one row per city, year and metric, with `met` judged."""
    standard = standard or load_standard()
    paths = expand([paths] if isinstance(paths, (str, Path)) else paths, "outcomes")
    return load_tables(paths, REQUIRED, lambda t: outcomes_from_table(t, standard), check_duplicates, empty_outcomes)


def check_duplicates(out: pd.DataFrame) -> None:
    """Refuse a metric given twice for one city and year."""
    cities, _ = city_key_codes(out["city"])
    years, _ = distinct(out["year"].astype("Int64"))
    metrics, _ = distinct(out["metric"])
    dup = pd.Index(row_keys(cities, years, metrics)).duplicated()
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


def _parse_number(text: str) -> tuple[float, str | None]:
    """The number a cell holds (NaN when blank), and what is wrong with it (None when nothing is)."""
    cleaned = text.replace(",", "").rstrip("%").strip()
    if cleaned == "":
        return np.nan, None
    try:
        value = float(cleaned)
    except ValueError:
        return np.nan, _NOT_A_NUMBER
    return (value, None) if np.isfinite(value) else (np.nan, _NOT_FINITE)


def _percent(value: float, text: str) -> float | None:
    """A share as a percentage, however it was typed: '80%', 80, or 0.8 (an Excel percentage cell).

    1 alone is ambiguous (1% or 100%?): None.
    """
    if np.isnan(value) or text.strip().endswith("%"):
        return value
    if value == 1:
        return None
    return value * 100 if 0 < value < 1 else value


def _number(table: Table, i: int, column: str, text: str) -> float:
    value, problem = _parse_number(text)
    if problem:
        raise table.error(i, f"'{column}' {problem}", text)
    return value


def _as_percent(table: Table, i: int, value: float, text: str) -> float:
    share = _percent(value, text)
    if share is None:
        raise table.error(i, "a share of 1 is ambiguous (1% or 100%?); write it with a % sign", text)
    return share


def _judge_row(table: Table, i: int, cells: dict[str, str], standard: Standard) -> tuple:
    """One row checked on its own: (code, value, target, direction, met), or the InputError naming its problem."""
    metrics = standard.outcome_metrics.set_index("code").to_dict("index")
    metric, value_text, target_text = cells["metric"], cells["value"], cells["target"]
    direction_text, met_text = cells["direction"], cells["met"]
    if cells["city"] == "":
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
            raise table.error(i, f"{code} value outside the possible range {lo:g}..{hi:g} {spec['unit']}", value_text)
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
    return code, value, target, direction, judged if judged is not None else stated


_CELLS = ("city", "metric", "value", "target", "direction", "met")


def outcomes_from_table(table: Table, standard: Standard) -> pd.DataFrame:
    """Validate one table of outcome values and judge each; every distinct cell parsed once."""
    years = parse_years(table)
    columns = {name: table.cells(name) for name in _CELLS}
    rows = _Rows(columns, standard)
    for i in np.flatnonzero(rows.broken()):  # the first broken row raises its own error
        _judge_row(table, int(i), {name: cells[codes[i]] for name, (codes, cells) in columns.items()}, standard)
    n = len(table.frame)
    out = pd.DataFrame(
        {
            "city": sorted_categorical(table.frame["city"]),
            "year": years,
            "metric": categorical(columns["metric"][0], rows.metric_codes),
            "value": rows.value,
            "target": rows.target,
            "direction": categorical(*rows.direction),
            "met": pd.arrays.BooleanArray(rows.met, rows.met_unknown),
            "source_file": constant(table.label, n),
            "source_row": table.lines.astype(np.int64),
        },
        copy=False,  # every column is new: no copy needed
    )
    return out


class _Rows:
    """`_judge_row` for every row at once: each rule as a mask over the rows, the values it gives."""

    def __init__(self, columns: dict[str, tuple[np.ndarray, np.ndarray]], standard: Standard):
        specs = standard.outcome_metrics.reset_index(drop=True)
        position = {code: j for j, code in enumerate(specs["code"])}
        metric_codes, metric_cells = columns["metric"]
        self.metric_codes = np.array(
            [standard.metric_code(m) or m.lower().replace(" ", "_") for m in metric_cells], dtype=object
        )
        # The spec of each row's metric; an unknown metric takes the last, blank spec (and is refused).
        spec = np.array([position.get(c, len(specs)) for c in self.metric_codes], dtype=np.int64)[metric_codes]
        pad = lambda col, blank: np.append(specs[col].to_numpy(), blank)  # noqa: E731
        self.unknown_metric = spec == len(specs)
        threshold, lo, hi = (pad(c, np.nan).astype(float)[spec] for c in ("threshold", "min_value", "max_value"))
        spec_direction = pad("direction", "").astype(object)[spec]
        share = (pad("unit", "") == "%")[spec]
        has_threshold = ~np.isnan(threshold)

        city_codes, cities = columns["city"]
        self.blank_city = (cities == "")[city_codes]
        value, value_problem, typed_percent, percent, ambiguous = self._values(*columns["value"])
        target, self.target_problem = self._numbers(*columns["target"])
        direction, self.bad_direction = self._directions(*columns["direction"])
        stated, self.bad_met = self._stated(*columns["met"])

        self.value_problem = value_problem
        self.share_problem = np.where(share, ambiguous, typed_percent)
        value = np.where(share, percent, value)
        known = ~np.isnan(value)
        self.out_of_range = has_threshold & known & ((~np.isnan(lo) & (value < lo)) | (~np.isnan(hi) & (value > hi)))
        self.not_the_standard = has_threshold & (
            (~np.isnan(target) & (target != threshold)) | ((direction != "") & (direction != spec_direction))
        )
        self.needs_target = ~has_threshold & known & (np.isnan(target) | (direction == "")) & (stated < 0)
        target = np.where(has_threshold, threshold, target)
        direction = np.where(has_threshold, spec_direction, direction)
        judgeable = known & ~np.isnan(target) & (direction != "")
        with np.errstate(invalid="ignore"):
            judged = np.where(direction == ">=", value >= target, value <= target)
        self.contradicted = judgeable & (stated >= 0) & (judged != (stated == 1))
        self.value, self.target = value, target
        self.direction = distinct(direction)
        self.met = np.where(judgeable, judged, stated == 1)
        self.met_unknown = ~judgeable & (stated < 0)

    def broken(self) -> np.ndarray:
        """Rows that break a rule (the first of them is the one reported)."""
        return (
            self.blank_city
            | self.unknown_metric
            | self.value_problem
            | self.share_problem
            | self.target_problem
            | self.bad_direction
            | self.bad_met
            | self.out_of_range
            | self.not_the_standard
            | self.needs_target
            | self.contradicted
        )

    @staticmethod
    def _numbers(codes: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's number (NaN when blank or not a number), and whether it is not one."""
        parsed = [_parse_number(text) for text in cells]
        values = np.array([v for v, _ in parsed], dtype=float)
        problems = np.array([p is not None for _, p in parsed], dtype=bool)
        return values[codes], problems[codes]

    @classmethod
    def _values(cls, codes: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, ...]:
        """Each row's value, whether it is not a number, typed with %, as a percentage, and ambiguous as one."""
        values, problems = cls._numbers(np.arange(len(cells)), cells)
        typed = np.array([text.strip().endswith("%") for text in cells], dtype=bool)
        shares = [_percent(v, text) for v, text in zip(values, cells)]
        percent = np.array([np.nan if s is None else s for s in shares], dtype=float)
        ambiguous = np.array([s is None for s in shares], dtype=bool)
        return values[codes], problems[codes], typed[codes], percent[codes], ambiguous[codes]

    @staticmethod
    def _directions(codes: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's direction ('>=', '<=' or ''), and whether its cell names none."""
        lower = [text.lower() for text in cells]
        bad = np.array([bool(d) and d not in _DIRECTIONS for d in lower], dtype=bool)
        return np.array([_DIRECTIONS.get(d, "") for d in lower], dtype=object)[codes], bad[codes]

    @staticmethod
    def _stated(codes: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's stated `met` (1 yes, 0 no, -1 not stated), and whether its cell is none of these."""
        lower = [text.lower() for text in cells]
        bad = np.array([bool(m) and m not in _YES_NO for m in lower], dtype=bool)
        stated = np.array([{True: 1, False: 0}.get(_YES_NO.get(m), -1) for m in lower], dtype=np.int8)
        return stated[codes], bad[codes]
