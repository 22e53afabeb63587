"""Load resident outcome metric values and judge each against the standard's threshold.

Columns: `city`, `metric` (a code from the edition's outcome_metrics.csv), `value`, and
optionally `year`, `target` and `direction` (for a city-nominated metric), `met` (yes/no,
where the metric was judged elsewhere), `source`.

Each distinct cell is parsed once and the rules are applied to every row at once; the first
row that breaks one is then checked on its own (`_judge_row`), which names the problem.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..distinct import categorical, constant, distinct, first_rows, row_keys, sorted_categorical
from ..errors import InputError
from ..identity import city_key_codes
from ..standard import Standard, load_standard
from .store import expand
from .tables import OUTCOME_COLUMNS, Table, join_tables, parse_years, read_files

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
    return validate_outcomes(read_outcomes(paths), standard or load_standard())


def read_outcomes(paths: str | Path | Iterable[str | Path]) -> list[Table | pd.DataFrame | InputError]:
    """The outcome files (or store folders) read, not yet validated (see `validate_outcomes`)."""
    return read_files(expand([paths] if isinstance(paths, (str, Path)) else paths, "outcomes"), REQUIRED)


def validate_outcomes(read: list[Table | pd.DataFrame | InputError], standard: Standard) -> pd.DataFrame:
    """Outcome files as `read_outcomes` read them, validated and joined (see `load_outcomes`)."""
    return join_tables(read, lambda t: outcomes_from_table(t, standard), check_duplicates, empty_outcomes)


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
    return (value, None) if math.isfinite(value) else (np.nan, _NOT_FINITE)


def _percents(values: np.ndarray, typed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shares as percentages, however they were typed: '80%', 80, or 0.8 (an Excel percentage cell).

    `typed`: the cell ends in %. A bare 1 is ambiguous (1% or 100%?): NaN, and flagged in the second array.
    """
    bare = ~np.isnan(values) & ~typed
    ambiguous = bare & (values == 1)
    fraction = bare & (values > 0) & (values < 1)
    return np.where(ambiguous, np.nan, np.where(fraction, values * 100, values)), ambiguous


def _typed_percent(text: str) -> bool:
    return text.strip().endswith("%")


def _number(table: Table, i: int, column: str, text: str) -> float:
    value, problem = _parse_number(text)
    if problem:
        raise table.error(i, f"'{column}' {problem}", text)
    return value


def _as_percent(table: Table, i: int, value: float, text: str) -> float:
    shares, ambiguous = _percents(np.array([value]), np.array([_typed_percent(text)]))
    if ambiguous[0]:
        raise table.error(i, "a share of 1 is ambiguous (1% or 100%?); write it with a % sign", text)
    return float(shares[0])


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
    """Validate one table of outcome values and judge each: every distinct cell parsed once, every rule
    applied once per distinct combination of the cells it reads, and the first row that breaks one
    checked on its own to name its problem."""
    years = parse_years(table)
    columns = {name: table.cells(name) for name in _CELLS}
    combination, first = _combinations([columns[name][0] for name in _JUDGED])
    # The rules read a row's metric, value, target, direction and `met`: rows alike in these are judged once.
    judged = {name: (columns[name][0][first], columns[name][1]) for name in _JUDGED}
    metric, spec = _specs(*judged["metric"], standard)
    cells = _cells(judged, spec)
    value, target, direction, met, broken = _judge(cells, spec)
    city_codes, cities = columns["city"]
    broken = (broken | cells.broken)[combination] | np.asarray(cities == "")[city_codes]
    for i in np.flatnonzero(broken):  # the first of them raises its error
        _judge_row(table, int(i), {name: found[codes[i]] for name, (codes, found) in columns.items()}, standard)
    n = len(table.frame)
    return pd.DataFrame(
        {
            "city": sorted_categorical(table.frame["city"]),
            "year": years,
            "metric": categorical(columns["metric"][0], metric),
            "value": value[combination],
            "target": target[combination],
            "direction": categorical(combination, direction),
            "met": pd.arrays.BooleanArray(
                met.to_numpy(dtype=bool, na_value=False)[combination], met.isna()[combination]
            ),
            "source_file": constant(table.label, n),
            "source_row": table.lines,
        },
        copy=False,  # every column is new: no copy needed
    )


_JUDGED = ("metric", "value", "target", "direction", "met")  # the cells the rules read (the city is apart)


def _combinations(codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's distinct combination of `codes` (numbered in order of first appearance), and a row of each."""
    combination, _ = pd.factorize(row_keys(*codes))
    return combination, first_rows(combination)


@dataclass
class _Spec:
    """What the standard says of each row's metric (an unknown metric: a blank spec, and refused)."""

    unknown: np.ndarray
    threshold: np.ndarray
    low: np.ndarray
    high: np.ndarray
    direction: np.ndarray
    share: np.ndarray  # the metric is a share (unit %)


def _specs(codes: np.ndarray, names: np.ndarray, standard: Standard) -> tuple[np.ndarray, _Spec]:
    """The metric code each distinct cell names, and the spec of each row's metric."""
    specs = standard.outcome_metrics.reset_index(drop=True)
    position = {code: j for j, code in enumerate(specs["code"])}
    metric = np.array([standard.metric_code(m) or m.lower().replace(" ", "_") for m in names], dtype=object)
    row = np.array([position.get(c, len(specs)) for c in metric], dtype=np.int64)[codes]
    column = lambda name, blank: np.append(specs[name].to_numpy(), blank)[row]  # noqa: E731
    return metric, _Spec(
        unknown=row == len(specs),
        threshold=column("threshold", np.nan).astype(float),
        low=column("min_value", np.nan).astype(float),
        high=column("max_value", np.nan).astype(float),
        direction=column("direction", "").astype(object),
        share=column("unit", "") == "%",
    )


@dataclass
class _Cells:
    """Each row's cells as `_judge_row` reads them, and the rows whose cells alone break a rule."""

    value: np.ndarray  # as a share where the metric is one
    target: np.ndarray
    direction: np.ndarray  # '>=', '<=' or ''
    stated: np.ndarray  # the `met` cell: 1 yes, 0 no, -1 not stated
    broken: np.ndarray


def _cells(columns: dict[str, tuple[np.ndarray, np.ndarray]], spec: _Spec) -> _Cells:
    """Parse each distinct cell once; the rules that look at one cell, for every row (or combination) given."""
    texts = {name: (codes, list(np.asarray(cells, dtype=object))) for name, (codes, cells) in columns.items()}
    value, value_problem, typed_percent, percent, ambiguous = _values(*texts["value"])
    target, target_problem = _numbers(*texts["target"])
    direction, bad_direction = _directions(*texts["direction"])
    stated, bad_met = _stated(*texts["met"])
    broken = spec.unknown | value_problem | target_problem | bad_direction | bad_met
    broken |= np.where(spec.share, ambiguous, typed_percent)  # 1 as a share; a % on a metric that is not one
    return _Cells(np.where(spec.share, percent, value), target, direction, stated, broken)


def _judge(cells: _Cells, spec: _Spec) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.arrays.BooleanArray, np.ndarray]:
    """The rules that weigh a row's value against its target: the value, target, direction and `met` of
    every row, and the rows that break one of these rules."""
    value, target, direction, stated = cells.value, cells.target, cells.direction, cells.stated
    has_threshold, known = ~np.isnan(spec.threshold), ~np.isnan(value)
    out_of_range = (~np.isnan(spec.low) & (value < spec.low)) | (~np.isnan(spec.high) & (value > spec.high))
    not_the_standard = (~np.isnan(target) & (target != spec.threshold)) | (
        (direction != "") & (direction != spec.direction)
    )
    broken = has_threshold & ((known & out_of_range) | not_the_standard)
    broken |= ~has_threshold & known & (np.isnan(target) | (direction == "")) & (stated < 0)  # needs a target
    target = np.where(has_threshold, spec.threshold, target)
    direction = np.where(has_threshold, spec.direction, direction)
    judgeable = known & ~np.isnan(target) & (direction != "")
    with np.errstate(invalid="ignore"):
        judged = np.where(direction == ">=", value >= target, value <= target)
    broken |= judgeable & (stated >= 0) & (judged != (stated == 1))  # 'met' says otherwise
    met = pd.arrays.BooleanArray(np.where(judgeable, judged, stated == 1), ~judgeable & (stated < 0))
    return value, target, direction, met, broken


def _numbers(codes: np.ndarray, cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's number (NaN when blank or not a number), and whether it is not one."""
    parsed = [_parse_number(text) for text in cells]
    values = np.array([v for v, _ in parsed], dtype=float)
    problems = np.array([p is not None for _, p in parsed], dtype=bool)
    return values[codes], problems[codes]


def _values(codes: np.ndarray, cells: list[str]) -> tuple[np.ndarray, ...]:
    """Each row's value, whether it is not a number, typed with %, as a percentage, and ambiguous as one."""
    values, problems = _numbers(np.arange(len(cells)), cells)
    typed = np.array([_typed_percent(text) for text in cells], dtype=bool)
    percent, ambiguous = _percents(values, typed)
    return values[codes], problems[codes], typed[codes], percent[codes], ambiguous[codes]


def _directions(codes: np.ndarray, cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's direction ('>=', '<=' or ''), and whether its cell names none."""
    lower = [text.lower() for text in cells]
    bad = np.array([bool(d) and d not in _DIRECTIONS for d in lower], dtype=bool)
    return np.array([_DIRECTIONS.get(d, "") for d in lower], dtype=object)[codes], bad[codes]


def _stated(codes: np.ndarray, cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's stated `met` (1 yes, 0 no, -1 not stated), and whether its cell is none of these."""
    lower = [text.lower() for text in cells]
    bad = np.array([bool(m) and m not in _YES_NO for m in lower], dtype=bool)
    stated = np.array([{True: 1, False: 0}.get(_YES_NO.get(m), -1) for m in lower], dtype=np.int8)
    return stated[codes], bad[codes]
