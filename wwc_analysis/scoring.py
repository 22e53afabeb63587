"""Score assessments against an edition of the standard, many cities in one vectorised pass.

The rules come from the edition's files (see `tiers`): a city earns the highest tier whose
every requirement it meets. Only Yes counts as met. Unknown statuses are not No: they give
a range of tiers still possible, and a practice's share counts known answers only. A tier
the program published for the city and year is evidence: where it lies within the range
the answers allow, it settles the tier; where it does not, the conflict is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from . import status as st
from .errors import InputError
from .identity import city_key, city_keys, display_name
from .standard import Standard, load_standard
from .tiers import tier_ranks, tiers_from_ranks

NO_TIER = 0


@dataclass
class Assessments:
    """Statuses as a matrix: one row per (city, year), one column per criterion, in standard order."""

    keys: pd.DataFrame  # city, year (one row per assessment)
    audited: np.ndarray  # int8 codes, shape (n, criteria)
    self_assessed: np.ndarray  # int8 codes; all unknown where no self-assessment was given
    outcomes: np.ndarray  # int8: 1 met, 0 not met, -1 unknown; shape (n, metrics)
    published: np.ndarray | None = None  # int8 rank of the tier published for the city and year (0: none)
    published_floor: np.ndarray | None = None  # bool: the published tier is only a floor (a what-if that raises)

    def __post_init__(self) -> None:
        n = len(self.keys)
        if self.published is None:
            self.published = np.zeros(n, dtype=np.int8)
        if self.published_floor is None:
            self.published_floor = np.zeros(n, dtype=bool)

    def __len__(self) -> int:
        return len(self.keys)

    def select(self, rows: object) -> Assessments:
        """The assessments at `rows` (positions), as a new Assessments."""
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        return replace(
            self,
            keys=self.keys.iloc[rows].reset_index(drop=True),
            audited=self.audited[rows],
            self_assessed=self.self_assessed[rows],
            outcomes=self.outcomes[rows],
            published=self.published[rows],
            published_floor=self.published_floor[rows],
        )

    @property
    def has_self(self) -> np.ndarray:
        """Whether each assessment carries a self-assessment of its own."""
        return (self.self_assessed != st.UNKNOWN).any(axis=1)

    def city_keys(self) -> np.ndarray:
        return city_keys(self.keys["city"]).to_numpy()


def build_assessments(
    responses: pd.DataFrame, outcomes: pd.DataFrame | None, standard: Standard, published: bool = True
) -> Assessments:
    """Pivot tidy responses (and outcomes) into status matrices, vectorised.

    Rows are (city, year); cities are matched by `identity.city_key`. With `published`, the
    tier the program announced for each city and year is attached as evidence.
    """
    ckeys = city_keys(responses["city"])
    years = responses["year"].astype("Int64").fillna(standard.default_year).to_numpy(dtype=np.int64)
    city_codes, _ = pd.factorize(ckeys, sort=False)
    row_key = city_codes.astype(np.int64) * 100_000 + years
    assess_idx, uniq = pd.factorize(row_key, sort=False)
    first = np.unique(assess_idx, return_index=True)[1]
    keys = pd.DataFrame(
        {
            "city": ckeys.to_numpy()[first],
            "year": pd.array(years[first], dtype="Int64"),
        }
    )
    keys["city"] = keys["city"].map(display_names(responses["city"], ckeys))
    crit_idx = pd.Categorical(responses["criterion"], categories=standard.codes).codes
    shape = (len(uniq), standard.n_criteria)
    audited = np.full(shape, st.UNKNOWN, dtype=np.int8)
    self_assessed = np.full(shape, st.UNKNOWN, dtype=np.int8)
    audited[assess_idx, crit_idx] = responses["status"].to_numpy(dtype=np.int8)
    self_assessed[assess_idx, crit_idx] = responses["self_assessed"].to_numpy(dtype=np.int8)
    # Within a self-assessment, a criterion left blank is the answer the city was scored on.
    has_self = (self_assessed != st.UNKNOWN).any(axis=1)
    fill = has_self[:, None] & (self_assessed == st.UNKNOWN)
    self_assessed[fill] = audited[fill]
    out = Assessments(keys, audited, self_assessed, outcome_matrix(keys, outcomes, standard))
    if published:
        out.published = published_ranks(keys, standard)
    return out


def display_names(names: pd.Series, keys: pd.Series) -> dict[str, str]:
    """For each city key, the name shown: the spelling used most often (the first one on a tie)."""
    shown = pd.DataFrame({"key": keys.to_numpy(), "name": names.astype(str).to_numpy()})
    counts = shown.groupby(["key", "name"], sort=False).size().reset_index(name="n")
    best = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates("key")
    return {k: display_name(n) for k, n in zip(best["key"], best["name"])}


def published_ranks(keys: pd.DataFrame, standard: Standard) -> np.ndarray:
    """The rank of the tier the program published for each (city, year), 0 where none is recorded."""
    from .io.bundled import published_tiers

    table = published_tiers()
    lookup = {(city_key(c), int(y)): t for c, y, t in zip(table["city"], table["year"], table["tier"])}
    ranks = [
        standard.tier_rank(t) if (t := lookup.get((city_key(c), int(y)))) in standard.tier_names else 0
        for c, y in zip(keys["city"], keys["year"].fillna(-1))
    ]
    return np.asarray(ranks, dtype=np.int8)


def outcome_matrix(keys: pd.DataFrame, outcomes: pd.DataFrame | None, standard: Standard) -> np.ndarray:
    """Met (1), not met (0) or unknown (-1) for each assessment and outcome metric.

    An outcome row without a year applies to every year of its city; one with a year wins.
    """
    metrics = standard.metric_codes
    out = np.full((len(keys), len(metrics)), -1, dtype=np.int8)
    if outcomes is None or outcomes.empty:
        return out
    left = pd.DataFrame(
        {"ckey": city_keys(keys["city"]).to_numpy(), "year": keys["year"].to_numpy(), "pos": np.arange(len(keys))}
    )
    right = outcomes.assign(
        ckey=city_keys(outcomes["city"]), m=outcomes["metric"].map({m: i for i, m in enumerate(metrics)})
    )
    right = right[right["met"].notna()]
    merged = left.merge(right[["ckey", "year", "m", "met"]], on="ckey", suffixes=("", "_o"))
    exact = merged["year"].astype("Int64") == merged["year_o"].astype("Int64")
    general = merged["year_o"].isna()
    merged = merged[exact.fillna(False) | general]
    merged = merged.assign(rank=np.where(merged["year_o"].isna(), 1, 0)).sort_values("rank", kind="stable")
    merged = merged.drop_duplicates(["pos", "m"], keep="first")
    out[merged["pos"].to_numpy(), merged["m"].to_numpy(dtype=int)] = merged["met"].astype(bool).to_numpy()
    return out


def practice_counts(statuses: np.ndarray, standard: Standard) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per assessment and practice: criteria met, criteria with a known status, criteria in all."""
    statuses = np.atleast_2d(statuses)
    member = np.zeros((standard.n_criteria, len(standard.practice_codes)), dtype=np.int32)
    member[np.arange(standard.n_criteria), standard.practice_of()] = 1
    met = (statuses == st.YES).astype(np.int32) @ member
    known = (statuses != st.UNKNOWN).astype(np.int32) @ member
    return met, known, np.broadcast_to(member.sum(axis=0), met.shape)


def practice_shares(statuses: np.ndarray, standard: Standard) -> np.ndarray:
    """The share of each practice's known criteria that are met; NaN where none is known.

    The one definition of a practice's share: unknown answers leave the denominator.
    """
    met, known, _ = practice_counts(statuses, standard)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(known > 0, met / np.maximum(known, 1), np.nan)


def evaluate(
    statuses: np.ndarray, outcomes: np.ndarray, standard: Standard, reading: str | None = None
) -> dict[str, np.ndarray]:
    """Counts, shares and tier ranks for a status matrix; the engine behind `score` and what-ifs.

    `tier_low` counts unknowns as not met, `tier_high` as met: the range the answers allow.
    """
    statuses = np.atleast_2d(statuses)
    outcomes = np.atleast_2d(outcomes)
    yes = statuses == st.YES
    unknown = statuses == st.UNKNOWN
    omet = (outcomes == 1).sum(axis=1)
    ounk = (outcomes == -1).sum(axis=1)
    p_met, p_known, _ = practice_counts(statuses, standard)
    low = tier_ranks(yes, omet, standard, reading)
    return {
        "criteria_met": yes.sum(axis=1),
        "criteria_in_progress": (statuses == st.IN_PROGRESS).sum(axis=1),
        "criteria_unknown": unknown.sum(axis=1),
        "share_met": yes.sum(axis=1) / standard.n_criteria,
        "practice_met": p_met,
        "practice_known": p_known,
        "practice_share": practice_shares(statuses, standard),
        "outcomes_met": omet,
        "outcomes_unknown": ounk,
        "tier": low,
        "tier_low": low,
        "tier_high": tier_ranks(yes | unknown, omet + ounk, standard, reading),
    }


def with_evidence(
    low: np.ndarray, high: np.ndarray, published: np.ndarray, floor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Narrow each range [low, high] by the published tier where the answers allow it.

    Returns the new low and high ranks and a flag where the published tier lies outside the
    range (a conflict: the range is then left as the answers give it). A floor (a what-if
    that only raises answers) lifts the low end and leaves the high end.
    """
    has = published > 0
    exact = has & ~floor & (published >= low) & (published <= high)
    lifted = has & floor & (published <= high)
    new_low = np.where(exact, published, np.where(lifted, np.maximum(low, published), low))
    new_high = np.where(exact, published, high)
    return new_low.astype(np.int8), new_high.astype(np.int8), has & ~(exact | lifted)


def score(
    responses: pd.DataFrame, outcomes: pd.DataFrame | None = None, standard: Standard | None = None
) -> pd.DataFrame:
    """One row per (city, year): criteria met, practice shares, core, outcomes, tier and range.

    Audited statuses are scored; a self-assessment, where given, is scored beside them
    (`self_*` columns), and each other reading of the tier bands gives a `tier_<reading>`.
    """
    standard = standard or load_standard()
    return score_assessments(build_assessments(responses, outcomes, standard), standard)


def score_assessments(a: Assessments, standard: Standard) -> pd.DataFrame:
    res = evaluate(a.audited, a.outcomes, standard)
    low, high, conflict = with_evidence(res["tier_low"], res["tier_high"], a.published, a.published_floor)
    tiers = lambda ranks: tiers_from_ranks(ranks, standard)  # noqa: E731
    out = a.keys.copy()
    out["criteria_met"] = res["criteria_met"]
    out["criteria_in_progress"] = res["criteria_in_progress"]
    out["criteria_unknown"] = res["criteria_unknown"]
    out["criteria_total"] = standard.n_criteria
    out["share_met"] = res["share_met"]
    for j, code in enumerate(standard.practice_codes):
        out[f"share_{code}"] = res["practice_share"][:, j]
        out[f"unknown_{code}"] = np.bincount(standard.practice_of())[j] - res["practice_known"][:, j]
    core = [standard.criterion_index()[c] for c in standard.core_codes]
    core_yes = a.audited[:, core] == st.YES
    out["core_met"] = core_yes.all(axis=1)
    out["missing_core"] = _codes_where(~core_yes, np.array(standard.core_codes))
    out["outcomes_met"] = res["outcomes_met"]
    out["outcomes_unknown"] = res["outcomes_unknown"]
    out["tier"] = tiers(low)
    out["tier_low"] = tiers(low)
    out["tier_high"] = tiers(high)
    out["answers_low"] = tiers(res["tier_low"])
    out["answers_high"] = tiers(res["tier_high"])
    out["published_tier"] = tiers(np.where(a.published_floor, 0, a.published))
    out["published_floor"] = tiers(np.where(a.published_floor, a.published, 0))  # a what-if's floor
    out["published_conflict"] = conflict
    for reading in standard.readings[1:]:
        out[f"tier_{reading}"] = tiers(evaluate(a.audited, a.outcomes, standard, reading)["tier"])
    has_self = a.has_self
    selfres = evaluate(a.self_assessed, a.outcomes, standard)
    out["has_self"] = has_self
    self_met = pd.array(selfres["criteria_met"], dtype="Int64")
    self_met[~has_self] = pd.NA
    out["self_criteria_met"] = self_met
    out["self_share_met"] = np.where(has_self, selfres["share_met"], np.nan)
    out["self_tier"] = tiers(np.where(has_self, selfres["tier"], 0))
    changed = (a.self_assessed != a.audited) & (a.self_assessed != st.UNKNOWN)
    out["audit_changes"] = _codes_where(changed, np.array(standard.codes))
    return out


def _codes_where(mask: np.ndarray, codes: np.ndarray) -> list[list[str]]:
    """For each row of a boolean matrix, the codes of its True columns (fast when few are True)."""
    lists: list[list[str]] = [[] for _ in range(mask.shape[0])]
    rows, cols = np.nonzero(mask)
    for r, c in zip(rows.tolist(), codes[cols].tolist()):
        lists[r].append(c)
    return lists


def assessment_rows(a: Assessments, city: str) -> np.ndarray:
    """The rows of one city's assessments, oldest first."""
    rows = np.flatnonzero(a.city_keys() == city_key(city))
    return rows[np.argsort(a.keys["year"].iloc[rows].to_numpy(dtype=np.int64), kind="stable")]


def assessment_index(a: Assessments, city: str, year: int | None = None) -> int:
    """The row of one city's assessment (its latest year unless `year` is given)."""
    rows = assessment_rows(a, city)
    if len(rows) == 0:
        known = ", ".join(sorted(set(a.keys["city"]))[:20])
        raise InputError("--city", None, f"no assessment for this city (known: {known})", city)
    if year is None:
        return int(rows[-1])
    match = rows[(a.keys["year"].iloc[rows] == int(year)).to_numpy(dtype=bool)]
    if len(match) == 0:
        years = ", ".join(str(y) for y in a.keys["year"].iloc[rows])
        raise InputError(
            "--year", None, f"no assessment of {a.keys['city'].iloc[rows[0]]} in this year (it has {years})", year
        )
    return int(match[0])
