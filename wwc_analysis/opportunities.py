"""What the next tier needs, and the smallest set of criteria that gets a city there.

Every tier requirement that criteria can satisfy is counted: the missing core criteria,
the criteria the tier requires (DM8 for Platinum in the 2022 edition) and enough criteria
to reach the band. The shortlist takes the mandatory ones first and fills the rest,
preferring criteria already In Progress, then those peers meet most often, then those in
the city's weakest practices. Resident outcome metrics cannot be bought with criteria,
so they are reported beside the shortlist.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import status as st
from .cohorts import Cohort
from .scoring import Assessments, evaluate
from .standard import Standard


def requirements(statuses: np.ndarray, outcomes: np.ndarray, tier: str, standard: Standard) -> dict:
    """What `tier` asks of a city that it does not yet meet, as data."""
    index = standard.criterion_index()
    spec = standard.tier_spec(tier)
    yes = statuses == st.YES
    missing_core = [c for c in standard.core_codes if not yes[index[c]]] if spec["requires_all_core"] else []
    required = [c for c in standard.required_for(tier) if not yes[index[c]]]
    need_count = max(standard.min_criteria(tier) - int(yes.sum()), 0)
    metrics = standard.outcome_metrics["code"].tolist()
    unmet_metrics = [m for m, v in zip(metrics, outcomes) if v != 1]
    return {
        "tier": tier,
        "criteria_needed": max(need_count, len(missing_core) + len(required)),
        "more_criteria_for_band": need_count,
        "missing_core": missing_core,
        "required_criteria": required,
        "outcomes_needed": max(int(spec["min_outcomes"]) - int((outcomes == 1).sum()), 0),
        "outcome_metrics_not_met": unmet_metrics,
    }


def preference_order(statuses: np.ndarray, peer_shares: np.ndarray, standard: Standard) -> np.ndarray:
    """Unmet criteria, best first: In Progress, then most met by peers, then weakest practice, then order."""
    practice_of = standard.practice_of()
    yes = statuses == st.YES
    per_practice = np.bincount(practice_of, weights=yes, minlength=len(standard.practice_codes))
    practice_share = per_practice / np.bincount(practice_of, minlength=len(standard.practice_codes))
    shares = np.nan_to_num(peer_shares, nan=0.0)
    candidates = np.flatnonzero(~yes)
    keys = (np.arange(standard.n_criteria)[candidates], practice_share[practice_of[candidates]],
            -shares[candidates], statuses[candidates] != st.IN_PROGRESS)
    return candidates[np.lexsort(keys)]


def shortlist(statuses: np.ndarray, tier: str, peer_shares: np.ndarray, standard: Standard,
              cohort_label: str = "peers") -> list[dict]:
    """The fewest criteria that, once met, satisfy every criterion requirement of `tier`, with reasons."""
    index = standard.criterion_index()
    req = requirements(statuses, np.zeros(len(standard.outcome_metrics)), tier, standard)
    mandatory = {c: "a core criterion: no tier without it" for c in req["missing_core"]}
    mandatory |= {c: f"required for {tier}" for c in req["required_criteria"]}
    order = [standard.codes[i] for i in preference_order(statuses, peer_shares, standard)]
    fill = [c for c in order if c not in mandatory][: req["criteria_needed"] - len(mandatory)]
    yes = statuses == st.YES
    practice_of = standard.practice_of()
    picks = []
    for code in [*[c for c in order if c in mandatory], *fill]:
        i = index[code]
        practice = standard.practice_codes[practice_of[i]]
        in_practice = practice_of == practice_of[i]
        share = peer_shares[i]
        why = [mandatory[code]] if code in mandatory else []
        if statuses[i] == st.IN_PROGRESS:
            why.append("already In Progress")
        if not np.isnan(share):
            why.append(f"{share:.0%} of {cohort_label} meet it")
        why.append(f"{standard.practice_name(practice)}: {yes[in_practice].mean():.0%} met")
        picks.append({"criterion": code, "practice": practice, "status": st.label(statuses[i]) or "Unknown",
                      "peer_share": None if np.isnan(share) else round(float(share), 4),
                      "mandatory": code in mandatory, "reason": "; ".join(why)})
    return picks


def at_risk(statuses: np.ndarray, outcomes: np.ndarray, standard: Standard) -> list[str]:
    """Met criteria whose loss alone would drop the city's tier."""
    yes_idx = np.flatnonzero(statuses == st.YES)
    if len(yes_idx) == 0:
        return []
    trial = np.repeat(statuses[None, :], len(yes_idx) + 1, axis=0)
    trial[np.arange(1, len(yes_idx) + 1), yes_idx] = st.NO
    tiers = evaluate(trial, np.repeat(outcomes[None, :], len(trial), axis=0), standard)["tier"]
    return [standard.codes[i] for i, t in zip(yes_idx, tiers[1:]) if t < tiers[0]]


def opportunities(a: Assessments, row: int, cohort: Cohort, standard: Standard) -> dict:
    """Next tier, what it needs, the shortlist, the tiers beyond, and what puts the current tier at risk."""
    statuses, outcomes = a.audited[row], a.outcomes[row]
    rank = int(evaluate(statuses[None, :], outcomes[None, :], standard)["tier"][0])
    names = standard.tier_names
    current = names[rank - 1] if rank else None
    higher = names[rank:]
    shares = cohort.shares.reindex(standard.codes).to_numpy(dtype=float)
    label = cohort.description
    steps = []
    for tier in higher:
        need = requirements(statuses, outcomes, tier, standard)
        need["shortlist"] = shortlist(statuses, tier, shares, standard, label)
        steps.append(need)
    result = {
        "city": str(a.keys["city"].iloc[row]),
        "year": None if pd.isna(a.keys["year"].iloc[row]) else int(a.keys["year"].iloc[row]),
        "tier": current,
        "next_tier": higher[0] if higher else None,
        "cohort": label,
        "at_risk": at_risk(statuses, outcomes, standard),
        "steps": steps,
    }
    first = steps[0] if steps else requirements(statuses, outcomes, current, standard) | {"shortlist": []}
    for key in ("criteria_needed", "missing_core", "required_criteria", "outcomes_needed",
                "outcome_metrics_not_met", "shortlist"):
        result[key] = first[key]
    result["summary"] = summarise(result)
    return result


def _step_sentence(step: dict) -> str:
    mandatory = [p["criterion"] for p in step["shortlist"] if p["mandatory"]]
    text = f"{step['tier']} needs {step['criteria_needed']} more criteria"
    if mandatory:
        text += f" (including {', '.join(mandatory)})"
    if step["outcomes_needed"]:
        s = "s" if step["outcomes_needed"] > 1 else ""
        text += (f" and {step['outcomes_needed']} more resident outcome metric{s} (not yet met or unknown: "
                 f"{', '.join(step['outcome_metrics_not_met'])})")
    return text + f". Shortest path: {', '.join(p['criterion'] for p in step['shortlist'])}."


def summarise(opp: dict) -> list[str]:
    """The opportunities in sentences: each higher tier's needs and shortest path, or the risks at the top."""
    if opp["next_tier"] is None:
        risky = ", ".join(opp["at_risk"]) or "none"
        return [f"{opp['city']} is at {opp['tier']}: there is no higher tier.",
                f"Criteria whose loss alone would drop it a tier: {risky}."]
    return [_step_sentence(step) for step in opp["steps"]]
