"""Where a city stands against a peer cohort, criterion by criterion and practice by practice.

A city *leads* on a criterion it meets that most of its peers do not, and *lags* on one
it misses that most peers meet. Per practice, the cohort's shares give the share of
criteria a typical peer meets; the difference, the ratio and a standardised score (how
unusual the city's count is, given how rarely peers meet each criterion) say how far
ahead or behind the city is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import status as st
from .cohorts import Cohort
from .scoring import Assessments, city_key
from .standard import Standard

MOST_PEERS = 0.5  # a criterion "most peers meet" has a cohort share at or above this
RARE = 0.25  # a self-assessed Yes that fewer peers than this meet is worth checking before an audit

# Positions: leads (met, most peers do not), lags (missed, most peers meet), on par (as most peers).
LEADS, LAGS, ON_PAR, UNKNOWN = "leads", "lags", "on par", "unknown"


def _position(code: int, share: float) -> str:
    if code == st.UNKNOWN or np.isnan(share):
        return UNKNOWN
    met, common = code == st.YES, share >= MOST_PEERS
    if met != common:
        return LEADS if met else LAGS
    return ON_PAR


def criterion_gaps(a: Assessments, row: int, cohort: Cohort, standard: Standard) -> pd.DataFrame:
    """One row per criterion: the city's status, the cohort's share, and whether the city leads or lags."""
    statuses = a.audited[row]
    shares = cohort.shares.reindex(standard.codes).to_numpy(dtype=float)
    met = (statuses == st.YES).astype(float)
    out = pd.DataFrame({
        "criterion": standard.codes,
        "practice": standard.criteria["practice"].to_numpy(),
        "core": standard.criteria["core"].to_numpy(),
        "status": [st.label(c) or "Unknown" for c in statuses],
        "met": statuses == st.YES,
        "peer_share": shares,
        "difference": np.where(statuses == st.UNKNOWN, np.nan, met - shares),
        "position": [_position(c, s) for c, s in zip(statuses, shares)],
        "text": standard.criteria["text"].to_numpy(),
    })
    return out


def practice_gaps(a: Assessments, row: int, cohort: Cohort, standard: Standard) -> pd.DataFrame:
    """One row per practice: the city's share met against the share a typical peer meets."""
    gaps = criterion_gaps(a, row, cohort, standard)
    gaps["variance"] = gaps["peer_share"] * (1 - gaps["peer_share"])
    grouped = gaps.groupby("practice", sort=False)
    out = pd.DataFrame({
        "criteria": grouped.size(),
        "met": grouped["met"].sum(),
        "expected_met": grouped["peer_share"].sum(),
        "share_met": grouped["met"].mean(),
        "peer_share": grouped["peer_share"].mean(),
        "leads": grouped["position"].apply(lambda s: int((s == LEADS).sum())),
        "lags": grouped["position"].apply(lambda s: int((s == LAGS).sum())),
        "sd": np.sqrt(grouped["variance"].sum()),
    }).reindex(standard.practice_codes)
    out["difference"] = out["share_met"] - out["peer_share"]
    out["ratio"] = out["share_met"] / out["peer_share"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["z_score"] = (out["met"] - out["expected_met"]) / out["sd"]
    out = out.drop(columns="sd")
    out.insert(0, "name", [standard.practice_name(p) for p in out.index])
    return out.rename_axis("practice").reset_index()


def audit_risk(responses: pd.DataFrame, a: Assessments, row: int, cohort: Cohort, standard: Standard,
               rare: float = RARE) -> pd.DataFrame:
    """Self-assessed Yes answers the audit changed, or that fewer than `rare` of peers meet."""
    self_yes = a.self_assessed[row] == st.YES
    changed = self_yes & (a.audited[row] != st.YES)
    shares = cohort.shares.reindex(standard.codes).to_numpy(dtype=float)
    uncommon = self_yes & (shares < rare)
    notes = _audit_notes(responses, a, row)
    records = []
    for i in np.flatnonzero(changed | uncommon):
        code = standard.codes[i]
        reasons = []
        if changed[i]:
            reasons.append(f"the audit changed it to {st.label(a.audited[row, i]) or 'unknown'}")
        if uncommon[i]:
            reasons.append(f"only {shares[i]:.0%} of peers meet it")
        records.append({"criterion": code, "self_assessed": "Yes", "status": st.label(a.audited[row, i]) or "Unknown",
                        "peer_share": shares[i], "risk": "; ".join(reasons), "audit_note": notes.get(code, "")})
    return pd.DataFrame(records, columns=["criterion", "self_assessed", "status", "peer_share", "risk", "audit_note"])


def _audit_notes(responses: pd.DataFrame, a: Assessments, row: int) -> dict[str, str]:
    city, year = a.keys["city"].iloc[row], a.keys["year"].iloc[row]
    sel = city_key(responses["city"]) == str(city).strip().casefold()
    if pd.notna(year):
        sel &= (responses["year"] == year).fillna(False)
    frame = responses[sel]
    return {c: str(n) for c, n in zip(frame["criterion"], frame["audit_note"]) if isinstance(n, str) and n}
