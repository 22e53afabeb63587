"""Score assessments against an edition of the standard, many cities in one vectorised pass.

The rules come from the edition's files: a city earns the highest tier whose every
requirement it meets (band lower edge, all core criteria, the tier's required criteria,
and enough resident outcome metrics). Only Yes counts as met; unknown statuses give
a range of tiers still possible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import status as st
from .standard import Standard, load_standard

NO_TIER = 0


@dataclass
class Assessments:
    """Statuses as a matrix: one row per (city, year), one column per criterion, in standard order."""

    keys: pd.DataFrame  # city, year (one row per assessment)
    audited: np.ndarray  # int8 codes, shape (n, criteria)
    self_assessed: np.ndarray
    outcomes: np.ndarray  # int8: 1 met, 0 not met, -1 unknown; shape (n, metrics)


def city_key(names: pd.Series) -> pd.Series:
    """The key cities are matched on across files: case and outer spaces do not matter."""
    return names.astype(str).str.strip().str.casefold()


def build_assessments(responses: pd.DataFrame, outcomes: pd.DataFrame | None, standard: Standard) -> Assessments:
    """Pivot tidy responses (and outcomes) into status matrices, vectorised."""
    city_codes, _ = pd.factorize(city_key(responses["city"]), sort=False)
    years = responses["year"].astype("Int64").fillna(-1).to_numpy(dtype=np.int64)
    row_key = city_codes.astype(np.int64) * 100_000 + (years + 1)
    assess_idx, uniq = pd.factorize(row_key, sort=False)
    first = np.unique(assess_idx, return_index=True)[1]
    keys = pd.DataFrame({
        "city": responses["city"].to_numpy()[first],
        "year": responses["year"].astype("Int64").to_numpy()[first],
    })
    keys["year"] = keys["year"].astype("Int64")
    crit_idx = pd.Categorical(responses["criterion"], categories=standard.codes).codes
    shape = (len(uniq), standard.n_criteria)
    audited = np.full(shape, st.UNKNOWN, dtype=np.int8)
    self_assessed = np.full(shape, st.UNKNOWN, dtype=np.int8)
    audited[assess_idx, crit_idx] = responses["status"].to_numpy(dtype=np.int8)
    self_assessed[assess_idx, crit_idx] = responses["self_assessed"].to_numpy(dtype=np.int8)
    return Assessments(keys, audited, self_assessed, outcome_matrix(keys, outcomes, standard))


def outcome_matrix(keys: pd.DataFrame, outcomes: pd.DataFrame | None, standard: Standard) -> np.ndarray:
    """Met (1), not met (0) or unknown (-1) for each assessment and outcome metric.

    An outcome row without a year applies to every year of its city; one with a year wins.
    """
    metrics = standard.outcome_metrics["code"].tolist()
    out = np.full((len(keys), len(metrics)), -1, dtype=np.int8)
    if outcomes is None or outcomes.empty:
        return out
    left = pd.DataFrame({"ckey": city_key(keys["city"]).to_numpy(), "year": keys["year"].to_numpy(),
                         "pos": np.arange(len(keys))})
    right = outcomes.assign(ckey=city_key(outcomes["city"]), m=outcomes["metric"].map(
        {m: i for i, m in enumerate(metrics)}))
    right = right[right["met"].notna()]
    merged = left.merge(right[["ckey", "year", "m", "met"]], on="ckey", suffixes=("", "_o"))
    exact = merged["year"].astype("Int64") == merged["year_o"].astype("Int64")
    general = merged["year_o"].isna()
    merged = merged[exact.fillna(False) | general]
    merged = merged.assign(rank=np.where(merged["year_o"].isna(), 1, 0)).sort_values("rank", kind="stable")
    merged = merged.drop_duplicates(["pos", "m"], keep="first")
    out[merged["pos"].to_numpy(), merged["m"].to_numpy(dtype=int)] = merged["met"].astype(bool).to_numpy()
    return out


def tier_ranks(met: np.ndarray, core_ok: np.ndarray, yes: np.ndarray, outcomes_met: np.ndarray,
               standard: Standard, reading: str | None = None) -> np.ndarray:
    """The rank of the highest tier each row earns (0 = none), under one reading of the bands."""
    ranks = np.zeros(len(met), dtype=np.int8)
    index = standard.criterion_index()
    for tier in standard.tiers.itertuples():
        ok = met >= standard.min_criteria(tier.tier, reading)
        ok &= outcomes_met >= tier.min_outcomes
        if tier.requires_all_core:
            ok &= core_ok
        for code in standard.required_for(tier.tier):
            ok &= yes[:, index[code]]
        ranks = np.where(ok, np.maximum(ranks, tier.rank), ranks).astype(np.int8)
    return ranks


def evaluate(statuses: np.ndarray, outcomes: np.ndarray, standard: Standard,
             reading: str | None = None) -> dict[str, np.ndarray]:
    """Counts, shares and tiers for a status matrix; the engine behind `score` and what-ifs."""
    yes = statuses == st.YES
    unknown = statuses == st.UNKNOWN
    core = [standard.criterion_index()[c] for c in standard.core_codes]
    member = np.zeros((standard.n_criteria, len(standard.practice_codes)), dtype=np.int32)
    member[np.arange(standard.n_criteria), standard.practice_of()] = 1
    met = yes.sum(axis=1)
    omet = (outcomes == 1).sum(axis=1)
    ounk = (outcomes == -1).sum(axis=1)
    core_ok = yes[:, core].all(axis=1)
    core_possible = (yes | unknown)[:, core].all(axis=1)
    best_yes = yes | unknown
    result = {
        "criteria_met": met,
        "criteria_in_progress": (statuses == st.IN_PROGRESS).sum(axis=1),
        "criteria_unknown": unknown.sum(axis=1),
        "share_met": met / standard.n_criteria,
        "practice_met": yes.astype(np.int32) @ member,
        "practice_share": (yes.astype(np.int32) @ member) / member.sum(axis=0),
        "core_met": core_ok,
        "outcomes_met": omet,
        "outcomes_unknown": ounk,
        "tier_low": tier_ranks(met, core_ok, yes, omet, standard, reading),
        "tier_high": tier_ranks(best_yes.sum(axis=1), core_possible, best_yes, omet + ounk, standard, reading),
    }
    result["tier"] = result["tier_low"]
    return result


def tier_name(rank: int, standard: Standard) -> str | None:
    return None if rank == NO_TIER else standard.tiers.loc[standard.tiers["rank"] == rank, "tier"].iloc[0]


def score(responses: pd.DataFrame, outcomes: pd.DataFrame | None = None,
          standard: Standard | None = None) -> pd.DataFrame:
    """One row per (city, year): criteria met, practice shares, core, outcomes, tier and range.

    Audited statuses are scored; the self-assessed answers are scored beside them
    (`self_*` columns), and each other reading of the tier bands gives a `tier_<reading>`.
    """
    standard = standard or load_standard()
    a = build_assessments(responses, outcomes, standard)
    return score_assessments(a, standard)


def score_assessments(a: Assessments, standard: Standard) -> pd.DataFrame:
    res = evaluate(a.audited, a.outcomes, standard)
    names = np.array([None, *standard.tier_names], dtype=object)
    out = a.keys.copy()
    out["criteria_met"] = res["criteria_met"]
    out["criteria_in_progress"] = res["criteria_in_progress"]
    out["criteria_unknown"] = res["criteria_unknown"]
    out["criteria_total"] = standard.n_criteria
    out["share_met"] = res["share_met"]
    for j, code in enumerate(standard.practice_codes):
        out[f"share_{code}"] = res["practice_share"][:, j]
    out["core_met"] = res["core_met"]
    core = [standard.criterion_index()[c] for c in standard.core_codes]
    core_yes = a.audited[:, core] == st.YES
    out["missing_core"] = _codes_where(~core_yes, np.array(standard.core_codes))
    out["outcomes_met"] = res["outcomes_met"]
    out["outcomes_unknown"] = res["outcomes_unknown"]
    out["tier"] = names[res["tier"]]
    out["tier_low"] = names[res["tier_low"]]
    out["tier_high"] = names[res["tier_high"]]
    for reading in standard.readings[1:]:
        alt = evaluate(a.audited, a.outcomes, standard, reading)
        out[f"tier_{reading}"] = names[alt["tier"]]
    selfres = evaluate(a.self_assessed, a.outcomes, standard)
    out["self_criteria_met"] = selfres["criteria_met"]
    out["self_share_met"] = selfres["share_met"]
    out["self_tier"] = names[selfres["tier"]]
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


def assessment_index(a: Assessments, city: str, year: int | None = None) -> int:
    """The row of one city's assessment (its latest year unless `year` is given)."""
    from .errors import InputError

    keys = city_key(a.keys["city"])
    rows = np.flatnonzero((keys == str(city).strip().casefold()).to_numpy())
    if year is not None:
        rows = rows[(a.keys["year"].iloc[rows] == year).fillna(False).to_numpy()]
    if len(rows) == 0:
        known = ", ".join(sorted(set(a.keys["city"]))[:20])
        raise InputError("--city", None, f"no assessment for this city{f' in {year}' if year else ''} "
                         f"(known: {known})", city)
    years = a.keys["year"].iloc[rows].fillna(-1).to_numpy()
    return int(rows[np.argmax(years)])
