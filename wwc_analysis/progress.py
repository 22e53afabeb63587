"""Progress over assessments: one row per assessment year of a city, and what changed since the last.

A criterion is *gained* when it is met now and was known not to be met before, and *lost*
the other way round. An answer that was unknown and is now Yes is *newly known to be met*,
and one that was Yes and is now unknown is *no longer known*: nothing is known to have
changed, but they are listed so the counts add up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import status as st
from .io.export import json_value
from .phrases import join, noun, sentence, tier_label, tier_range
from .scoring import Assessments, assessment_rows, score_assessments
from .standard import Standard
from .tiers import rank_of, tier_name


def progress(a: Assessments, city: str, standard: Standard, scored: pd.DataFrame | None = None) -> pd.DataFrame:
    """The city's assessments, oldest first, with criteria gained and lost since the previous one.

    `scored` is every assessment of `a` already scored (one row each, in order), to save scoring again."""
    rows = assessment_rows(a, city)
    if scored is None:
        scored = score_assessments(a.select(rows), standard)
    else:
        scored = scored.iloc[rows].reset_index(drop=True)
    statuses = a.audited[rows]
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


def progress_sentences(table: pd.DataFrame) -> list[str]:
    """Each assessment against the one before, in sentences."""
    out = []
    for i in range(1, len(table)):
        prev, row = table.iloc[i - 1], table.iloc[i]
        parts = [f"{row['criteria_met']} criteria met against {prev['criteria_met']} in {prev['year']}"]
        if row["gained"]:
            parts.append(f"gained {join(row['gained'])}")
        if row["lost"]:
            parts.append(f"lost {join(row['lost'])}")
        if row["newly_known_met"]:
            parts.append(f"newly known to be met (unknown before): {join(row['newly_known_met'])}")
        if row["no_longer_known"]:
            parts.append(f"met before, unknown now: {join(row['no_longer_known'])}")
        if not (row["gained"] or row["lost"] or row["newly_known_met"] or row["no_longer_known"]):
            parts.append("no criterion known to be gained or lost")
        out.append(sentence(f"{row['year']}: {'; '.join(parts)}; tier {row['tier_change']}"))
    return out


def progress_records(table: pd.DataFrame) -> list[dict]:
    """JSON-ready rows of a progress table."""
    records = []
    for row in table.to_dict("records"):
        rec = {k: json_value(v) for k, v in row.items() if not k.startswith("share_")}
        rec["tier"], rec["published_tier"] = tier_name(row["tier"]), tier_name(row["published_tier"])
        rec["practices"] = {k[6:]: json_value(v) for k, v in row.items() if k.startswith("share_")}
        records.append(rec)
    return records


def change_text(table: pd.DataFrame) -> str:
    """A short index cell: '+3 since 2023 (up from Silver to Gold)', or '' with one assessment."""
    if len(table) < 2:
        return ""
    prev, row = table.iloc[-2], table.iloc[-1]
    n = int(row["met_change"])
    return f"{n:+d} {noun(abs(n), 'criterion')} since {prev['year']}; tier {row['tier_change']}"
