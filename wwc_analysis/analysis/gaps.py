"""Where a city stands against a peer cohort, criterion by criterion and practice by practice.

A city *leads* on a criterion it meets that most peers do not, and *lags* on one it misses that most
meet. Per practice, every figure uses one denominator: the criteria both sides know. What cannot be
computed is NaN (null in JSON); a practice whose answers are mostly unknown is not compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..rules import status as st
from ..rules.standard import Standard
from .cohorts import Cohort

MOST_PEERS = 0.5  # a criterion "most peers meet" has a cohort share at or above this
RARE = 0.25  # a self-assessed Yes that fewer peers than this meet is worth checking before an audit
ENOUGH_KNOWN = 0.5  # a practice is compared with peers only where at least this share of its criteria is known

# Positions: leads (met, most peers do not), lags (missed, most peers meet), on par (as most peers).
LEADS, LAGS, ON_PAR, UNKNOWN = "leads", "lags", "on par", "unknown"


def _position(code: int, share: float) -> str:
    if code == st.UNKNOWN or np.isnan(share):
        return UNKNOWN
    met, common = code == st.YES, share >= MOST_PEERS
    if met != common:
        return LEADS if met else LAGS
    return ON_PAR


def criterion_gaps(statuses: np.ndarray, cohort: Cohort, standard: Standard) -> pd.DataFrame:
    """One row per criterion: the city's status, the cohort's share (and over how many peers), the position."""
    shares = cohort.shares.reindex(standard.codes).to_numpy(dtype=float)
    met = (statuses == st.YES).astype(float)
    known = cohort.peers_known
    peers = np.full(len(shares), np.nan) if known is None else known.reindex(standard.codes).to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "criterion": standard.codes,
            "short_name": [standard.short_name(c) for c in standard.codes],
            "practice": standard.criteria["practice"].to_numpy(),
            "core": standard.criteria["core"].to_numpy(),
            "status": [st.label(c) or "Unknown" for c in statuses],
            "met": pd.array([None if c == st.UNKNOWN else bool(c == st.YES) for c in statuses], dtype="boolean"),
            "peer_share": shares,
            "peers": pd.array([None if np.isnan(n) else int(n) for n in peers], dtype="Int64"),
            "difference": np.where((statuses == st.UNKNOWN) | np.isnan(shares), np.nan, met - shares),
            "position": [_position(c, s) for c, s in zip(statuses, shares)],
            "text": standard.criteria["text"].to_numpy(),
        }
    )


def practice_gaps(statuses: np.ndarray, cohort: Cohort, standard: Standard) -> pd.DataFrame:
    """One row per practice: the city's share met against a typical peer's, over the criteria both know."""
    shares = cohort.shares.reindex(standard.codes).to_numpy(dtype=float)
    compared = (statuses != st.UNKNOWN) & ~np.isnan(shares)
    peer = np.where(compared, shares, 0.0)
    practice_of = standard.practice_of
    n_practices = len(standard.practice_codes)
    count = lambda w: np.bincount(practice_of, weights=w, minlength=n_practices)  # noqa: E731
    positions = np.array([_position(c, s) for c, s in zip(statuses, shares)])
    out = pd.DataFrame(
        {
            "practice": standard.practice_codes,
            "name": [standard.practice_name(p) for p in standard.practice_codes],
            "criteria": count(np.ones(len(statuses))).astype(int),
            "unknown": count(statuses == st.UNKNOWN).astype(int),
            "compared": count(compared).astype(int),
            "met": count(compared & (statuses == st.YES)).astype(int),
            "expected_met": count(peer),
            "leads": count(positions == LEADS).astype(int),
            "lags": count(positions == LAGS).astype(int),
        }
    )
    sd = np.sqrt(count(peer * (1 - peer)))
    n = out["compared"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_met"] = np.where(n > 0, out["met"] / np.maximum(n, 1), np.nan)
        out["peer_share"] = np.where(n > 0, out["expected_met"] / np.maximum(n, 1), np.nan)
        out["difference"] = out["share_met"] - out["peer_share"]
        peer_share = out["peer_share"].to_numpy()
        out["ratio"] = np.where(peer_share > 0, out["share_met"] / np.where(peer_share > 0, peer_share, 1), np.nan)
        out["z_score"] = np.where(sd > 0, (out["met"] - out["expected_met"]) / np.where(sd > 0, sd, 1), np.nan)
    out["enough_known"] = out["compared"] >= ENOUGH_KNOWN * out["criteria"]
    few = ~out["enough_known"]
    out.loc[few, ["difference", "ratio", "z_score"]] = np.nan
    out.loc[n == 0, "expected_met"] = np.nan
    columns = "practice name criteria unknown compared met share_met expected_met peer_share difference ratio z_score"
    return out[[*columns.split(), "leads", "lags", "enough_known"]]


def audit_risk(
    statuses: np.ndarray, self_statuses: np.ndarray, notes: dict[str, str], cohort: Cohort, standard: Standard
) -> pd.DataFrame:
    """Self-assessed Yes answers the audit changed, or that fewer than RARE of peers meet (none without a
    self-assessment beside the audit); `notes`: the auditor's note by criterion."""
    self_yes = self_statuses == st.YES
    changed = self_yes & (statuses != st.YES) & (statuses != st.UNKNOWN)
    shares = cohort.shares.reindex(standard.codes).to_numpy(dtype=float)
    uncommon = self_yes & (shares < RARE)
    records = []
    for i in np.flatnonzero(changed | uncommon):
        reasons = [f"the audit changed it to {st.label(statuses[i])}"] if changed[i] else []
        reasons += [f"only {round(shares[i] * 100)}% of peers meet it"] if uncommon[i] else []
        code = standard.codes[i]
        records.append(
            {
                "criterion": code,
                "self_assessed": "Yes",
                "status": st.label(statuses[i]) or "Unknown",
                "peer_share": shares[i],
                "risk": "; ".join(reasons),
                "audit_note": notes.get(code, ""),
            }
        )
    return pd.DataFrame(records, columns=["criterion", "self_assessed", "status", "peer_share", "risk", "audit_note"])
