"""What the next tier needs, and the smallest set of criteria that gets a city there.

The shortlist takes the mandatory criteria first (core, and those a tier requires), then fills the
band preferring In Progress, then what peers meet most, then the weakest practices. Outcome metrics
cannot be bought with criteria, so they are reported beside it.
"""

from __future__ import annotations

import numpy as np

from ..rules import status as st
from ..rules.standard import Standard
from ..rules.tiers import shortfalls
from .cohorts import Cohort
from .phrases import percent
from .scoring import evaluate, practice_shares


def requirements(statuses: np.ndarray, outcomes: np.ndarray, tier: str, standard: Standard) -> dict:
    """What `tier` asks of a city that its known answers do not yet give, as data."""
    lacks = shortfalls(statuses == st.YES, int((outcomes == 1).sum()), tier, standard)
    by_kind = {kind: [s for s in lacks if s.kind == kind] for kind in ("band", "core", "criterion", "outcomes")}
    missing_core = [c for s in by_kind["core"] for c in s.criteria]
    required = [c for s in by_kind["criterion"] for c in s.criteria]
    band = sum(s.count for s in by_kind["band"])
    metrics = standard.metric_codes
    unmet = [m for m, v in zip(metrics, outcomes) if v != 1]
    needed = sum(s.count for s in by_kind["outcomes"])
    return {
        "tier": tier,
        "criteria_needed": max(band, len(missing_core) + len(required)),
        "more_criteria_for_band": band,
        "missing_core": missing_core,
        "required_criteria": required,
        "outcomes_needed": needed,
        "outcome_metrics_not_met": unmet,
        "metrics": unmet[:needed],  # the ones a path meets: the first not yet met, in the edition's order
    }


def preference_order(statuses: np.ndarray, peer_shares: np.ndarray, standard: Standard) -> np.ndarray:
    """Unmet criteria, best first: In Progress, then most met by peers, then weakest practice, then order."""
    practice_of = standard.practice_of
    weakest = np.nan_to_num(practice_shares(statuses, standard)[0], nan=0.0)
    shares = np.nan_to_num(peer_shares, nan=0.0)
    candidates = np.flatnonzero(statuses != st.YES)
    keys = (candidates, weakest[practice_of[candidates]], -shares[candidates], statuses[candidates] != st.IN_PROGRESS)
    return candidates[np.lexsort(keys)]  # the last key sorts first


def shortlist(
    statuses: np.ndarray, tier: str, peer_shares: np.ndarray, standard: Standard, cohort_label: str = "peers"
) -> list[dict]:
    """The fewest criteria that, once met, satisfy every criterion requirement of `tier`, with reasons."""
    index = standard.criterion_index()
    req = requirements(statuses, np.zeros(len(standard.outcome_metrics)), tier, standard)
    mandatory = {c: "a core criterion: no tier without it" for c in req["missing_core"]}
    mandatory |= {c: f"required for {tier}" for c in req["required_criteria"]}
    order = [standard.codes[i] for i in preference_order(statuses, peer_shares, standard)]
    fill = [c for c in order if c not in mandatory][: req["criteria_needed"] - len(mandatory)]
    practice_of = standard.practice_of
    shares_by_practice = practice_shares(statuses, standard)[0]
    picks = []
    for code in [*[c for c in order if c in mandatory], *fill]:
        i = index[code]
        practice = standard.practice_codes[practice_of[i]]
        share = peer_shares[i]
        why = [mandatory[code]] if code in mandatory else []
        if statuses[i] == st.IN_PROGRESS:
            why.append("already In Progress")
        elif statuses[i] == st.UNKNOWN:
            why.append("status unknown: it may already be met")
        if not np.isnan(share):
            why.append(f"{percent(share)} of {cohort_label} meet it")
        in_practice = practice_of == practice_of[i]
        known = int((statuses[in_practice] != st.UNKNOWN).sum())
        unknown = int(in_practice.sum()) - known
        practice_share = shares_by_practice[practice_of[i]]
        of_known = f" of {known} known ({unknown} unknown)" if unknown else ""
        met = "no answer known" if np.isnan(practice_share) else f"{percent(practice_share)} met{of_known}"
        why.append(f"{standard.practice_name(practice)}: {met}")
        picks.append(
            {
                "criterion": code,
                "practice": practice,
                "status": st.label(statuses[i]) or "Unknown",
                "peer_share": None if np.isnan(share) else round(float(share), 4),
                "mandatory": code in mandatory,
                "reason": "; ".join(why),
            }
        )
    return picks


def at_risk(statuses: np.ndarray, outcomes: np.ndarray, standard: Standard) -> list[str]:
    """Met criteria whose loss alone would drop the city's tier."""
    yes_idx = np.flatnonzero(statuses == st.YES)
    if len(yes_idx) == 0:
        return []
    trial = np.repeat(statuses[None, :], len(yes_idx) + 1, axis=0)
    trial[np.arange(1, len(yes_idx) + 1), yes_idx] = st.NO
    tiers = evaluate(trial, np.repeat(outcomes[None, :], len(trial), axis=0), standard)["tier_low"]
    return [standard.codes[i] for i, t in zip(yes_idx, tiers[1:]) if t < tiers[0]]


def opportunities(
    statuses: np.ndarray, outcomes: np.ndarray, rank: int, cohort: Cohort, standard: Standard, above: int = 0
) -> dict:
    """Each tier above the city's (rank, as scored) and above `above` (a tier the program has announced since):
    what it needs and the shortest path to it; and what puts the current tier at risk."""
    names = standard.tier_names
    higher = names[max(rank, above) :]
    shares = cohort.shares.reindex(standard.codes).to_numpy(dtype=float)
    steps = []
    for tier in higher:
        need = requirements(statuses, outcomes, tier, standard)
        need["shortlist"] = shortlist(statuses, tier, shares, standard, cohort.description)
        need["criteria"] = [p["criterion"] for p in need["shortlist"]]
        steps.append(need)
    result = {
        "tier": names[rank - 1] if rank else None,
        "next_tier": higher[0] if higher else None,
        "beyond_announced": names[above - 1] if above > rank else None,
        "cohort": cohort.description,
        "criteria_met": int((statuses == st.YES).sum()),
        "criteria_unknown": int((statuses == st.UNKNOWN).sum()),
        "at_risk": at_risk(statuses, outcomes, standard),
        "steps": steps,
    }
    first = steps[0] if steps else requirements(statuses, outcomes, names[-1], standard) | {"shortlist": []}
    for key in ("criteria_needed", "missing_core", "required_criteria", "outcomes_needed", "outcome_metrics_not_met"):
        result[key] = first[key]
    result["shortlist"] = first["shortlist"]
    return result
