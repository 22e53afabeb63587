"""Progress over assessments: one row per assessment year of a city, and what changed since the last.

*Gained* is met now and known not met before, *lost* the reverse; unknown-to-Yes is *newly known to
be met* and Yes-to-unknown *no longer known*, listed so the counts add up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..rules import status as st
from ..rules.standard import Standard
from ..rules.tiers import rank_of, tier_name
from .phrases import tier_label, tier_range
from .scoring import Assessments, assessment_rows, score_assessments


def progress(a: Assessments, city: str, standard: Standard, scored: pd.DataFrame | None = None) -> pd.DataFrame:
    """The city's assessments, oldest first, with criteria gained and lost since the previous one.

    `scored` is every assessment of `a` already scored (one row each, in order), to save scoring again."""
    rows = assessment_rows(a, city)
    if scored is None:
        scored = score_assessments(a.select(rows), standard)
    else:
        scored = scored.iloc[rows].reset_index(drop=True)
    statuses = a.statuses[rows]
    out = scored[["city", "year", "criteria_met", "criteria_unknown", "tier", "published_tier"]].copy()
    for p in standard.practice_codes:
        out[f"share_{p}"] = scored[f"share_{p}"]
    gained, lost, newly, unknown_now, change, met_change = [[]], [[]], [[]], [[]], [""], [pd.NA]
    for i in range(1, len(rows)):
        before, now = statuses[i - 1], statuses[i]
        known = (before != st.UNKNOWN) & (now != st.UNKNOWN)
        gained.append([standard.codes[j] for j in np.flatnonzero(known & (now == st.YES) & (before != st.YES))])
        lost.append([standard.codes[j] for j in np.flatnonzero(known & (before == st.YES) & (now != st.YES))])
        newly.append([standard.codes[j] for j in np.flatnonzero((before == st.UNKNOWN) & (now == st.YES))])
        unknown_now.append([standard.codes[j] for j in np.flatnonzero((before == st.YES) & (now == st.UNKNOWN))])
        text = tier_change(scored["tier"].iloc[i - 1], scored["tier"].iloc[i], standard)
        low, high = scored["tier_low"].iloc[i], scored["tier_high"].iloc[i]
        if tier_name(low) != tier_name(high):
            text += f"; while answers are unknown it could be {tier_range(low, high)}"
        change.append(text)
        met_change.append(int(scored["criteria_met"].iloc[i] - scored["criteria_met"].iloc[i - 1]))
    out["gained"] = gained
    out["lost"] = lost
    out["newly_known_met"] = newly
    out["no_longer_known"] = unknown_now
    out["met_change"] = pd.array(met_change, dtype="Int64")
    out["tier_change"] = change
    return out.reset_index(drop=True)


def tier_change(before: object, after: object, standard: Standard) -> str:
    """'up from Silver to Gold', 'down from Gold to Silver', 'unchanged at Gold' or 'still no tier'."""
    low, high = rank_of(before, standard), rank_of(after, standard)
    if low == high:
        return f"unchanged at {tier_label(after)}" if high else "still no tier"
    return f"{'up' if high > low else 'down'} from {tier_label(before)} to {tier_label(after)}"
