"""Plain-sentence reasons for a score, and JSON-ready records of scored cities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import status as st
from .standard import Standard, load_standard


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word.endswith("criteria") else f"{n} {word}s"


def _list(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def shortfalls(row: dict, statuses: np.ndarray, tier: str, standard: Standard) -> list[str]:
    """What a city still lacks for `tier`, as short phrases (empty if it qualifies)."""
    index = standard.criterion_index()
    need: list[str] = []
    n_min = standard.min_criteria(tier)
    if row["criteria_met"] < n_min:
        need.append(f"{n_min} criteria met ({standard.band_label(tier)}), {n_min - row['criteria_met']} more")
    tier_row = standard.tier_spec(tier)
    if tier_row["requires_all_core"] and row["missing_core"]:
        need.append("the core " + _list([_with_status(c, statuses[index[c]]) for c in row["missing_core"]]))
    for code in standard.required_for(tier):
        if statuses[index[code]] != st.YES:
            need.append(_with_status(code, statuses[index[code]]))
    short = int(tier_row["min_outcomes"]) - int(row["outcomes_met"])
    if short > 0:
        need.append(f"{_plural(int(tier_row['min_outcomes']), 'resident outcome metric')} met, {short} more")
    return need


def _with_status(code: str, code_status: int) -> str:
    label = st.label(code_status)
    return f"{code} ({label})" if label else f"{code} (status unknown)"


def reasons_for(row: dict, statuses: np.ndarray, standard: Standard) -> list[str]:
    """Why this tier and not the next, in sentences a council memo could use."""
    total = standard.n_criteria
    tier = row["tier"] if isinstance(row["tier"], str) else None
    out = []
    met_text = f"{row['criteria_met']} of {total} criteria are met ({_pct(row['share_met'])})"
    if tier:
        out.append(f"{met_text}, within the {tier} band ({standard.band_label(tier)}).")
    else:
        out.append(f"{met_text}.")
    n_core = len(standard.core_codes)
    if row["missing_core"]:
        out.append(f"Not every core criterion is met ({_list(row['missing_core'])} of "
                   f"{_list(standard.core_codes)}), and no tier is possible without all {n_core}.")
    else:
        out.append(f"All {n_core} core criteria ({_list(standard.core_codes)}) are met.")
    n_metrics = len(standard.outcome_metrics)
    out.append(f"{row['outcomes_met']} of {n_metrics} resident outcome metrics are met"
               + (f" ({row['outcomes_unknown']} unknown)." if row["outcomes_unknown"] else "."))
    names = standard.tier_names
    next_tiers = names[names.index(tier) + 1 :] if tier else names
    if not next_tiers:
        out.append(f"{tier} is the highest tier.")
    else:
        nxt = next_tiers[0]
        out.append(f"Not {nxt}: it needs {'; '.join(shortfalls(row, statuses, nxt, standard))}.")
    if row["criteria_unknown"] or row["outcomes_unknown"]:
        low = row["tier_low"] if isinstance(row["tier_low"], str) else "no tier"
        high = row["tier_high"] if isinstance(row["tier_high"], str) else "no tier"
        gaps = [_plural(int(row["criteria_unknown"]), "criterion" if row["criteria_unknown"] == 1 else "criteria"),
                _plural(int(row["outcomes_unknown"]), "outcome metric")]
        unknown = _list([g for g, n in zip(gaps, (row["criteria_unknown"], row["outcomes_unknown"])) if n])
        out.append(f"The status of {unknown} is unknown, so the result could be anything from "
                   f"{low} to {high}; the tier above counts unknowns as not met.")
    for reading in standard.readings[1:]:
        other = row.get(f"tier_{reading}")
        other = other if isinstance(other, str) else None
        if other != tier:
            out.append(f"At {row['criteria_met']} of {total} met ({row['share_met'] * 100:.1f}%), the published "
                       f"readings of the bands disagree: {tier or 'no tier'} under the "
                       f"{standard.official_reading.replace('_', ' ')} bands, {other or 'no tier'} under the "
                       f"{reading.replace('_', ' ')} bands. The {standard.official_reading.replace('_', ' ')} "
                       "bands are the official ones.")
    if row["audit_changes"]:
        self_tier = row["self_tier"] if isinstance(row["self_tier"], str) else "no tier"
        out.append(f"As self-assessed, {row['self_criteria_met']} of {total} were met "
                   f"({_pct(row['self_share_met'])}, {self_tier}); the audit changed "
                   f"{_list(row['audit_changes'])}.")
    return out


def add_reasons(scored: pd.DataFrame, statuses: np.ndarray, standard: Standard) -> pd.DataFrame:
    scored = scored.copy()
    records = scored.to_dict("records")
    scored["reasons"] = [reasons_for(row, statuses[i], standard) for i, row in enumerate(records)]
    return scored


def explain(responses: pd.DataFrame, outcomes: pd.DataFrame | None = None,
            standard: Standard | None = None) -> pd.DataFrame:
    """`score` plus a `reasons` column of plain sentences."""
    from .scoring import build_assessments, score_assessments

    standard = standard or load_standard()
    a = build_assessments(responses, outcomes, standard)
    return add_reasons(score_assessments(a, standard), a.audited, standard)


def to_records(scored: pd.DataFrame, standard: Standard | None = None) -> list[dict]:
    """JSON-ready dicts, one per assessment, in the shape `wwc score --format json` prints."""
    from .export import json_value as _clean

    standard = standard or load_standard()
    records = []
    for _, row in scored.iterrows():
        rec = {
            "city": row["city"],
            "year": _clean(row["year"]),
            "edition": standard.edition,
            "criteria_met": _clean(row["criteria_met"]),
            "criteria_in_progress": _clean(row["criteria_in_progress"]),
            "criteria_unknown": _clean(row["criteria_unknown"]),
            "criteria_total": _clean(row["criteria_total"]),
            "share_met": _clean(row["share_met"]),
            "practices": {p: _clean(row[f"share_{p}"]) for p in standard.practice_codes},
            "core_met": bool(row["core_met"]),
            "missing_core": list(row["missing_core"]),
            "outcomes_met": _clean(row["outcomes_met"]),
            "outcomes_unknown": _clean(row["outcomes_unknown"]),
            "tier": _tier(row["tier"]),
            "tier_range": [_tier(row["tier_low"]), _tier(row["tier_high"])],
            "tiers_by_reading": {standard.official_reading: _tier(row["tier"]),
                                 **{r: _tier(row[f"tier_{r}"]) for r in standard.readings[1:]}},
            "bands_disagree": any(_tier(row[f"tier_{r}"]) != _tier(row["tier"]) for r in standard.readings[1:]),
        }
        if row["audit_changes"]:
            rec["self_assessed"] = {"criteria_met": _clean(row["self_criteria_met"]),
                                    "share_met": _clean(row["self_share_met"]),
                                    "tier": _tier(row["self_tier"]),
                                    "changed_by_audit": list(row["audit_changes"])}
        if "reasons" in row:
            rec["reasons"] = list(row["reasons"])
        records.append(rec)
    return records


def _tier(value: object) -> str | None:
    return value if isinstance(value, str) else None


def score_table(scored: pd.DataFrame, standard: Standard, numeric: bool = False) -> pd.DataFrame:
    """A flat table of scores: percentages as text for people, or numbers for machines."""
    total = standard.n_criteria
    out = pd.DataFrame({"city": scored["city"], "year": scored["year"]})
    if numeric:
        out["criteria_met"] = scored["criteria_met"]
        out["criteria_total"] = total
        out["share_met"] = scored["share_met"].round(4)
        for p in standard.practice_codes:
            out[p] = scored[f"share_{p}"].round(4)
        out["core_met"] = scored["core_met"]
        out["missing_core"] = scored["missing_core"].map(";".join)
        out["outcomes_met"] = scored["outcomes_met"]
        out["tier"] = scored["tier"].map(_tier)
        out["tier_low"] = scored["tier_low"].map(_tier)
        out["tier_high"] = scored["tier_high"].map(_tier)
        out["self_criteria_met"] = scored["self_criteria_met"]
        out["self_tier"] = scored["self_tier"].map(_tier)
        out["changed_by_audit"] = scored["audit_changes"].map(";".join)
        return out
    out["met"] = [f"{m}/{total}" for m in scored["criteria_met"]]
    out["share"] = scored["share_met"].map(_pct)
    out["tier"] = scored["tier"].map(lambda t: _tier(t) or "none")
    out["range"] = [
        "" if lo == hi else f"{_tier(lo) or 'none'}..{_tier(hi) or 'none'}"
        for lo, hi in zip(scored["tier_low"], scored["tier_high"])
    ]
    out["core"] = scored["missing_core"].map(lambda m: "all" if not m else "missing " + ",".join(m))
    n_metrics = len(standard.outcome_metrics)
    out["outcomes"] = [f"{m}/{n_metrics}" + (f" ({u}?)" if u else "")
                       for m, u in zip(scored["outcomes_met"], scored["outcomes_unknown"])]
    for p in standard.practice_codes:
        out[p] = scored[f"share_{p}"].map(_pct)
    out["self-assessed"] = [
        f"{m}/{total} {_tier(t) or 'none'}" if changes else ""
        for m, t, changes in zip(scored["self_criteria_met"], scored["self_tier"], scored["audit_changes"])
    ]
    return out
