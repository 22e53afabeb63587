"""Score assessments against an edition of the standard, many cities in one vectorised pass.

A city earns the highest tier whose every requirement (`rules.tiers`) it meets; only Yes counts.
Unknown answers give a range of tiers, and a tier the program published for that audited assessment
settles the range where it fits (a conflict is reported where it does not).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..rules import status as st
from ..rules.standard import Standard
from ..rules.tiers import tier_ranks, tiers_from_ranks
from .identity import city_codes, city_key, display_name


@dataclass
class Assessments:
    """Statuses as matrices: one row per (city, year) assessment, one column per criterion, in standard order."""

    keys: pd.DataFrame  # city (as shown), year, key (the city's identity)
    statuses: np.ndarray  # int8 codes scored: the audited answers, or the self-assessed ones where no audit was loaded
    self_assessed: np.ndarray  # int8 codes; all unknown where no self-assessment was given
    outcomes: np.ndarray  # int8: 1 met, 0 not met, -1 unknown; shape (n, metrics)
    audited: np.ndarray  # bool: the statuses are audited ones (only these can be settled by a published tier)
    published: np.ndarray | None = None  # int8 rank of the tier published for this assessment (0: none)
    published_floor: np.ndarray | None = None  # bool: the published tier is only a floor (changes that raise answers)
    notes: dict = field(default_factory=dict)  # (row, criterion position) -> the auditor's note

    def __post_init__(self) -> None:
        n = len(self.keys)
        self.published = np.zeros(n, np.int8) if self.published is None else self.published
        self.published_floor = np.zeros(n, bool) if self.published_floor is None else self.published_floor

    def __len__(self) -> int:
        return len(self.keys)

    def select(self, rows: object) -> Assessments:
        """The assessments at `rows` (positions), as a new Assessments."""
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        where = {int(r): i for i, r in enumerate(rows)}
        return replace(
            self,
            keys=self.keys.iloc[rows].reset_index(drop=True),
            **{f: getattr(self, f)[rows] for f in ("statuses", "self_assessed", "outcomes", "audited")},
            published=self.published[rows],
            published_floor=self.published_floor[rows],
            notes={(where[r], c): t for (r, c), t in self.notes.items() if r in where},
        )

    @property
    def has_self(self) -> np.ndarray:
        """Whether each assessment carries a self-assessment of its own beside audited answers."""
        return self.audited & (self.self_assessed != st.UNKNOWN).any(axis=1)


def build_assessments(
    responses: pd.DataFrame, outcomes: pd.DataFrame | None, standard: Standard, record: pd.DataFrame | None = None
) -> Assessments:
    """Pivot validated tidy responses (and outcomes) into status matrices: one row per (city, year) in order of first
    appearance, each audited one carrying the tier `record` (the published record) gives that city and year."""
    codes, city_keys_ = city_codes(responses["city"])
    years = responses["year"].fillna(standard.default_year).to_numpy(dtype=np.int64)
    group, assessments = pd.factorize(codes.astype(np.int64) * 10_000 + years)  # in order of first appearance
    n = len(assessments)
    first = np.flatnonzero(np.diff(np.maximum.accumulate(group), prepend=-1) > 0)  # a new label starts each one
    names = [display_name(c) for c in responses["city"].iloc[first]]
    keys = pd.DataFrame({"city": names, "year": pd.array(years[first], dtype="Int64"), "key": city_keys_[codes[first]]})
    criterion = pd.Categorical(responses["criterion"])
    position = np.array([standard.criterion_index().get(c, -1) for c in criterion.categories], dtype=np.int64)
    column = position[criterion.codes]
    placed = column >= 0  # a criterion of another edition places no answer
    matrices = []
    for name in ("status", "self_assessed"):
        matrix = np.full((n, standard.n_criteria), st.UNKNOWN, dtype=np.int8)
        matrix[group[placed], column[placed]] = responses[name].to_numpy(dtype=np.int8)[placed]
        matrices.append(matrix)
    audited_answers, self_assessed = matrices
    audited = (audited_answers != st.UNKNOWN).any(axis=1)
    statuses = np.where(audited[:, None], audited_answers, self_assessed)
    # Within a self-assessment beside an audit, a criterion left blank is the answer the city was scored on.
    beside = audited[:, None] & (self_assessed == st.UNKNOWN) & (self_assessed != st.UNKNOWN).any(axis=1)[:, None]
    self_assessed = np.where(beside, audited_answers, np.where(audited[:, None], self_assessed, st.UNKNOWN))
    notes = {}
    if "audit_note" in responses:
        noted = np.flatnonzero((responses["audit_note"].fillna("") != "").to_numpy() & placed)
        for i, text in zip(noted, responses["audit_note"].iloc[noted]):
            notes[(int(group[i]), int(column[i]))] = str(text)
    matrices = statuses.astype(np.int8), self_assessed.astype(np.int8), outcome_matrix(keys, outcomes, standard)
    out = Assessments(keys, *matrices, audited, notes=notes)
    out.published = published_ranks(out, record, standard)
    return out


def outcome_matrix(keys: pd.DataFrame, outcomes: pd.DataFrame | None, standard: Standard) -> np.ndarray:
    """Met (1), not met (0) or unknown (-1) per assessment and metric; a row without a year applies to every year."""
    out = np.full((len(keys), len(standard.metric_codes)), -1, dtype=np.int8)
    if outcomes is None or outcomes.empty:
        return out
    assessments = pd.DataFrame({"key": keys["key"].to_numpy(), "year": keys["year"].to_numpy()})
    assessments["row"] = np.arange(len(keys))
    codes, keys_ = city_codes(outcomes["city"])
    column = pd.Series(outcomes["metric"].astype(object)).map({m: j for j, m in enumerate(standard.metric_codes)})
    given = pd.DataFrame({"key": keys_[codes], "year": outcomes["year"].astype("Int64").to_numpy(), "metric": column})
    given = given.assign(met=outcomes["met"].astype("boolean").to_numpy()).dropna(subset=["metric", "met"])
    general = given[given["year"].isna()].drop(columns="year").merge(assessments, on="key")
    specific = given[given["year"].notna()].merge(assessments, on=["key", "year"])
    for part in (general, specific):  # rows of one year are written last: they win
        rows, metrics = part["row"].to_numpy(dtype=np.int64), part["metric"].to_numpy(dtype=np.int64)
        out[rows, metrics] = part["met"].to_numpy(dtype=np.int8)
    return out


def published_ranks(a: Assessments, record: pd.DataFrame | None, standard: Standard) -> np.ndarray:
    """The rank of the tier published for each audited assessment's city and `assessment_year` (0: none)."""
    ranks = np.zeros(len(a), dtype=np.int8)
    if record is None or record.empty:
        return ranks
    rows = record[record["tier"].isin(standard.tier_names) & (record["edition"].astype(str) == standard.edition)]
    tiers = {(city_key(c), int(y)): t for c, y, t in zip(rows["city"], rows["assessment_year"], rows["tier"])}
    keys, years = a.keys["key"].to_numpy(dtype=object), a.keys["year"].to_numpy(dtype=np.int64)
    for i in np.flatnonzero(a.audited & np.isin(keys, [k for k, _ in tiers])):  # the few cities the record names
        tier = tiers.get((keys[i], int(years[i])))
        ranks[i] = standard.tier_rank(tier) if tier else 0
    return ranks


def practice_counts(statuses: np.ndarray, standard: Standard) -> tuple[np.ndarray, np.ndarray]:
    """Per assessment and practice: criteria met, and criteria with a known status."""
    statuses = np.atleast_2d(statuses)
    onehot = np.eye(len(standard.practice_codes), dtype=np.int32)[standard.practice_of]
    return (statuses == st.YES).astype(np.int32) @ onehot, (statuses != st.UNKNOWN).astype(np.int32) @ onehot


def shares(met: np.ndarray, known: np.ndarray) -> np.ndarray:
    """met / known, NaN where nothing is known (unknown answers leave the denominator)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(known > 0, met / np.maximum(known, 1), np.nan)


def practice_shares(statuses: np.ndarray, standard: Standard) -> np.ndarray:
    """The share of each practice's known criteria that are met; NaN where none is known."""
    return shares(*practice_counts(statuses, standard))


def evaluate(statuses: np.ndarray, outcomes: np.ndarray, standard: Standard, reading: str | None = None) -> dict:
    """Counts, shares and tier ranks for a status matrix; `tier_low` counts unknowns as not met, `tier_high` as met."""
    statuses, outcomes = np.atleast_2d(statuses), np.atleast_2d(outcomes)
    yes, unknown = statuses == st.YES, statuses == st.UNKNOWN
    omet, ounk = np.count_nonzero(outcomes == 1, axis=1), np.count_nonzero(outcomes == -1, axis=1)
    met = np.count_nonzero(yes, axis=1)
    return {
        "criteria_met": met,
        "criteria_in_progress": np.count_nonzero(statuses == st.IN_PROGRESS, axis=1),
        "criteria_unknown": np.count_nonzero(unknown, axis=1),
        "share_met": met / standard.n_criteria,
        "outcomes_met": omet,
        "outcomes_unknown": ounk,
        "tier_low": tier_ranks(yes, omet, standard, reading),
        "tier_high": tier_ranks(yes | unknown, omet + ounk, standard, reading),
    }


def with_evidence(low: np.ndarray, high: np.ndarray, published: np.ndarray, floor: np.ndarray) -> tuple:
    """Each range [low, high] narrowed to the published tier where it fits (a floor only lifts `low`), and a
    conflict flag where it does not fit (the range then stays as the answers give it)."""
    has = published > 0
    exact = has & ~floor & (published >= low) & (published <= high)
    lifted = has & floor & (published <= high)
    new_low = np.where(exact, published, np.where(lifted, np.maximum(low, published), low))
    return new_low.astype(np.int8), np.where(exact, published, high).astype(np.int8), has & ~(exact | lifted)


def _codes_where(mask: np.ndarray, codes: list[str]) -> list[tuple[str, ...]]:
    """For each row of a boolean matrix, the codes of its True columns (rows with one pattern share one tuple)."""
    found: dict[bytes, tuple[str, ...]] = {}
    out = []
    for row in mask:
        key = row.tobytes()
        if key not in found:
            found[key] = tuple(c for c, m in zip(codes, row) if m)
        out.append(found[key])
    return out


def score_assessments(a: Assessments, standard: Standard) -> pd.DataFrame:
    """One row per assessment: criteria met, practice shares, core, outcomes, tier and range, self-assessed figures."""
    res = evaluate(a.statuses, a.outcomes, standard)
    low, high, conflict = with_evidence(res["tier_low"], res["tier_high"], a.published, a.published_floor)
    tiers = lambda ranks: tiers_from_ranks(ranks, standard)  # noqa: E731
    cols: dict[str, object] = {"city": a.keys["city"].to_numpy(), "year": a.keys["year"].array}
    cols |= {k: res[k] for k in ("criteria_met", "criteria_in_progress", "criteria_unknown")}
    cols["criteria_total"] = standard.n_criteria
    cols["share_met"] = res["share_met"]
    p_met, p_known = practice_counts(a.statuses, standard)
    size = np.bincount(standard.practice_of)
    for j, code in enumerate(standard.practice_codes):
        cols[f"share_{code}"] = shares(p_met[:, j], p_known[:, j])
        cols[f"unknown_{code}"] = size[j] - p_known[:, j]
    core = [standard.criterion_index()[c] for c in standard.core_codes]
    core_yes = a.statuses[:, core] == st.YES
    cols["core_met"] = core_yes.all(axis=1)
    cols["missing_core"] = _codes_where(~core_yes, standard.core_codes)
    cols |= {k: res[k] for k in ("outcomes_met", "outcomes_unknown")}
    cols["tier"], cols["tier_low"], cols["tier_high"] = tiers(low), tiers(low), tiers(high)
    cols["answers_low"], cols["answers_high"] = tiers(res["tier_low"]), tiers(res["tier_high"])
    cols["published_tier"] = tiers(np.where(a.published_floor, 0, a.published))
    cols["published_floor"] = tiers(np.where(a.published_floor, a.published, 0))
    cols["published_conflict"] = conflict
    cols["audited"] = a.audited
    yes = a.statuses == st.YES
    for reading in standard.readings[1:]:
        cols[f"tier_{reading}"] = tiers(tier_ranks(yes, res["outcomes_met"], standard, reading))
    has_self = a.has_self
    self_met = np.count_nonzero(a.self_assessed == st.YES, axis=1)
    cols["has_self"] = has_self
    cols["self_criteria_met"] = pd.arrays.IntegerArray(self_met.astype(np.int64), ~has_self)
    cols["self_share_met"] = np.where(has_self, self_met / standard.n_criteria, np.nan)
    self_ranks = tier_ranks(a.self_assessed == st.YES, res["outcomes_met"], standard)
    cols["self_tier"] = tiers(np.where(has_self, self_ranks, 0))
    changed = has_self[:, None] & (a.self_assessed != a.statuses) & (a.self_assessed != st.UNKNOWN)
    cols["audit_changes"] = _codes_where(changed, standard.codes)
    return pd.DataFrame(cols)


def assessment_rows(a: Assessments, city: str) -> np.ndarray:
    """The rows of one city's assessments, oldest first."""
    rows = np.flatnonzero(a.keys["key"].to_numpy() == city_key(city))
    return rows[np.argsort(a.keys["year"].to_numpy(dtype=np.int64)[rows], kind="stable")]


def assessment_index(a: Assessments, city: str, year: int | None = None) -> int:
    """The row of one city's assessment (its latest year unless `year` is given)."""
    rows = assessment_rows(a, city)
    if len(rows) == 0:
        known = ", ".join(sorted(set(a.keys["city"]))[:20])
        raise ParameterError("city", f"no assessment of this city is loaded (loaded: {known})", city)
    if year is None:
        return int(rows[-1])
    match = rows[a.keys["year"].to_numpy(dtype=np.int64)[rows] == int(year)]
    if len(match) == 0:
        years = ", ".join(str(y) for y in a.keys["year"].iloc[rows])
        city = a.keys["city"].iloc[rows[0]]
        raise ParameterError("year", f"no assessment of {city} in this year (it has {years})", year)
    return int(match[0])
