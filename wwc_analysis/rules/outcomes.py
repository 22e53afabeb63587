"""The resident outcome metrics' rule, written once: a value judged against the threshold or a city's target.

A loaded file, a plan step and a value typed in the app all go through `judge_cells`. Shares are
percentages however typed ('80%', 80, 0.8); a bare 1 is ambiguous and refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MET, NOT_MET, UNKNOWN = 1, 0, -1
CHOICES = {MET: "met", NOT_MET: "not met", UNKNOWN: "unknown"}  # as people choose them
WORDS = {"met": MET, "yes": MET, "y": MET, "true": MET, "not met": NOT_MET, "no": NOT_MET, "n": NOT_MET}
WORDS |= {"false": NOT_MET, "": UNKNOWN, "unknown": UNKNOWN}
DIRECTIONS = {">=": ">=", "at least": ">=", "higher": ">=", "higher is better": ">=", "min": ">="}
DIRECTIONS |= {"<=": "<=", "at most": "<=", "lower": "<=", "lower is better": "<=", "max": "<="}

Problem = tuple[np.ndarray, Callable[[int], tuple[str, object]]]  # rows that break a rule; its message for a row


@dataclass
class Judged:
    """Each row's metric code, value (a share as a percentage), target, direction and whether it is met (1/0/-1)."""

    metric: np.ndarray
    value: np.ndarray
    target: np.ndarray
    direction: np.ndarray
    met: np.ndarray
    problems: list[Problem] = field(default_factory=list)  # in the order a row is checked

    def first_problem(self) -> tuple[int, str, object] | None:
        """The first row that breaks a rule, with the first rule it breaks: (row, problem, value); None if none."""
        bad = np.zeros(len(self.met), dtype=bool)
        for rows, _ in self.problems:
            bad |= rows
        if not bad.any():
            return None
        i = int(np.flatnonzero(bad)[0])
        message = next(describe for rows, describe in self.problems if rows[i])
        return (i, *message(i))


def _per_distinct(cells: pd.Series, fn: Callable[[str], object]) -> np.ndarray:
    """`fn` of each cell, computed once per distinct cell."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    return np.array([fn(u) for u in uniques] + [None], dtype=object)[codes]


def parse_number(text: str) -> tuple[float, str | None]:
    """The number a cell holds (NaN when blank), and what is wrong with it (None when nothing is)."""
    cleaned = str(text).replace(",", "").rstrip("%").strip()
    if cleaned == "":
        return np.nan, None
    try:
        value = float(cleaned)
    except ValueError:
        return np.nan, "must be a number"
    return (value, None) if np.isfinite(value) else (np.nan, "must be a finite number")


def _numbers(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    parsed = _per_distinct(cells, parse_number)
    return np.array([p[0] for p in parsed], dtype=float), np.array([p[1] for p in parsed], dtype=object)


def judge_cells(cells: dict[str, pd.Series], standard) -> Judged:
    """Judge rows of text cells `metric`, `value`, `target`, `direction` and `met` (blank where absent)."""
    n = len(cells["metric"])
    text = {
        k: pd.Series(cells.get(k, [""] * n), dtype=object).fillna("").astype(str).str.strip().to_numpy()
        for k in ("metric", "value", "target", "direction", "met")
    }
    series = {k: pd.Series(v, dtype=object) for k, v in text.items()}
    specs = standard.outcome_metrics.set_index("code")
    metric = _per_distinct(series["metric"], lambda m: standard.metric_code(m) or m.lower().replace(" ", "_"))
    known = np.isin(metric, specs.index)
    position = specs.index.get_indexer(metric)  # -1 (the last, blank) for a metric the edition does not have
    spec = {c: np.append(specs[c].to_numpy(dtype=object), None)[position] for c in specs.columns}
    threshold, low, high = (spec[c].astype(float) for c in ("threshold", "min_value", "max_value"))
    unit, standard_direction = (pd.Series(spec[c]).fillna("").to_numpy(dtype=object) for c in ("unit", "direction"))
    share = unit == "%"
    value, value_problem = _numbers(series["value"])
    typed = np.char.endswith(text["value"].astype(str), "%")
    bare = ~np.isnan(value) & ~typed
    ambiguous = share & bare & (value == 1)
    value = np.where(share & bare & (value > 0) & (value < 1), value * 100, value)
    value = np.where(ambiguous, np.nan, value)
    target, target_problem = _numbers(series["target"])
    direction = _per_distinct(series["direction"], lambda d: DIRECTIONS.get(d.lower(), ""))
    bad_direction = (text["direction"] != "") & (direction == "")
    stated = _per_distinct(series["met"], lambda m: WORDS.get(m.lower(), UNKNOWN)).astype(np.int8)
    bad_met = _per_distinct(series["met"], lambda m: m.lower() not in WORDS).astype(bool)
    has_threshold = ~np.isnan(threshold)
    with np.errstate(invalid="ignore"):
        out_of_range = (~np.isnan(low) & (value < low)) | (~np.isnan(high) & (value > high))
        not_the_standard = has_threshold & (
            (~np.isnan(target) & (target != threshold)) | ((direction != "") & (direction != standard_direction))
        )
    target = np.where(has_threshold, threshold, target)
    direction = np.where(has_threshold, standard_direction, direction)
    needs_target = known & ~has_threshold & ~np.isnan(value) & (np.isnan(target) | (direction == "")) & (stated < 0)
    judgeable = ~np.isnan(value) & ~np.isnan(target) & (direction != "")
    with np.errstate(invalid="ignore"):
        judged = np.where(direction == ">=", value >= target, value <= target)
    contradicts = judgeable & (stated >= 0) & (judged != (stated == MET))
    met = np.where(judgeable, judged.astype(np.int8), stated).astype(np.int8)
    codes = ", ".join(specs.index)
    text["setting"] = np.where(text["target"] != "", text["target"], text["direction"])
    own_unit, says = np.where(unit == "", "its own unit", unit), np.where(judged, "yes", "no")
    rule = lambda i: f"{direction[i]} {target[i]:g}"  # noqa: E731 - the rule a value is judged by
    outside, blank, or_met = has_threshold & out_of_range, "leave target and direction blank", "or a 'met' of yes/no"
    rules: list[tuple[np.ndarray, str, Callable[[int], str]]] = [  # rows, the cell shown, the problem
        (~known, "metric", lambda i: f"unknown outcome metric (use {codes})"),
        (value_problem != None, "value", lambda i: f"'value' {value_problem[i]}"),  # noqa: E711
        (ambiguous, "value", lambda i: "a share of 1 is ambiguous (1% or 100%?); write it with a % sign"),
        (~share & typed, "value", lambda i: f"{metric[i]} is not a share: give its value in {own_unit[i]}, without %"),
        (target_problem != None, "target", lambda i: f"'target' {target_problem[i]}"),  # noqa: E711
        (bad_direction, "direction", lambda i: "direction must be >= or <= (or 'higher'/'lower')"),
        (bad_met, "met", lambda i: "'met' must be yes, no or blank"),
        (outside, "value", lambda i: f"{metric[i]} value outside the possible range {low[i]:g}..{high[i]:g} {unit[i]}"),
        (not_the_standard, "setting", lambda i: f"the standard sets {metric[i]}'s threshold ({rule(i)}); {blank}"),
        (needs_target, "value", lambda i: f"{metric[i]} needs a target and a direction (>= or <=), {or_met}"),
        (
            contradicts,
            "met",
            lambda i: f"'met' says {text['met'][i].lower()} but {value[i]:g} {rule(i)} says {says[i]}",
        ),
    ]
    rules = [(rows if cell == "metric" else known & rows, cell, say) for rows, cell, say in rules]
    problems = [(rows, lambda i, cell=cell, say=say: (say(i), text[cell][i])) for rows, cell, say in rules]
    return Judged(metric, value, np.where(np.isnan(target), np.nan, target), direction, met, problems)


def judge_value(standard, metric: str, value: str | float) -> int | None:
    """Met (1) or not (0) for one value of a metric whose threshold the standard sets; None where it sets none
    (a city-nominated metric) or the value breaks a rule."""
    judged = judge_cells({"metric": [metric], "value": [str(value)]}, standard)
    if judged.first_problem() is not None or np.isnan(standard.metric(metric)["threshold"]):
        return None
    return int(judged.met[0])


def parse_met(text: str) -> int | None:
    """1, 0 or -1 for a word saying whether a metric is met ('met', 'not met', 'yes', blank...); None if none."""
    return WORDS.get(str(text).strip().lower())
