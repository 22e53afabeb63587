"""A city's story: each certification published and each assessment loaded, by assessment year.

An announcement early in a year certifies the year before; a certified year whose answers are loaded
is one row holding both.
"""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from ..rules.standard import Standard
from ..rules.tiers import rank_of, tier_name
from .phrases import plural, tier_label
from .progress import tier_change

COLUMNS = ["year", "published_tier", "announced", "event", "edition", "loaded", "criteria_met", "tier", "change"]


def announced_text(announced: object) -> str:
    """'January 2024' for 2024-01-23 or 2024-01, '2019' for a bare year."""
    parts = str(announced).split("-")
    if len(parts) >= 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        return f"{calendar.month_name[int(parts[1])]} {parts[0]}"
    return parts[0]


def _ranked(record: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """The record's rows that name a tier this edition knows, in order of assessment year and announcement."""
    if record is None or record.empty:
        return pd.DataFrame(columns=["tier", "announced", "assessment_year", "event", "edition"])
    rows = record[record["tier"].isin(standard.tier_names)]
    return rows.sort_values(["assessment_year", "announced"], kind="stable")


def announced_since(record: pd.DataFrame, year: int, standard: Standard) -> dict | None:
    """The tier the program announced last for an assessment after `year`, or None."""
    later = _ranked(record, standard)
    later = later[later["assessment_year"].astype(int) > int(year)]
    if later.empty:
        return None
    row = later.iloc[-1]
    return {
        "tier": row["tier"],
        "announced": str(row["announced"]),
        "assessment_year": int(row["assessment_year"]),
        "event": row["event"],
    }


def latest_published(record: pd.DataFrame, standard: Standard) -> dict | None:
    """The city's latest published tier: what the program says of it now."""
    return announced_since(record, -1, standard)


def timeline(record: pd.DataFrame, progress: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """One row per assessment year the record certifies or the loaded answers cover, oldest first.

    `change` says what changed against the row before: the tier (published where the program
    published one, else as scored) and, between two loaded assessments, the criteria gained and lost.
    """
    published = _ranked(record, standard).drop_duplicates("assessment_year", keep="last")
    published = published.set_index(published["assessment_year"].astype(int))
    loaded = progress.set_index(progress["year"].astype(int)) if len(progress) else progress
    years = sorted(set(published.index) | set(loaded.index if len(loaded) else []))
    first = object()  # no row before: nothing has changed yet
    rows, previous, previous_loaded = [], first, None
    for year in years:
        pub = published.loc[year] if year in published.index else None
        load = loaded.loc[year] if len(loaded) and year in loaded.index else None
        tier = pub["tier"] if pub is not None else (tier_name(load["tier"]) if load is not None else None)
        change = "" if previous is first else tier_change(previous, tier, standard)
        unknown = 0 if load is None or pub is not None else int(load["criteria_unknown"])
        lower = change and rank_of(tier, standard) < rank_of(previous, standard)
        if lower and unknown:  # a drop the unknown answers may explain is not called one
            change = f"{plural(unknown, 'criterion')} unknown, so not yet comparable with {tier_label(previous)} before"
        if load is not None and previous_loaded is not None:
            gained, lost = list(load["gained"]), list(load["lost"])
            detail = "; ".join(
                p
                for p in (f"gained {', '.join(gained)}" if gained else "", f"lost {', '.join(lost)}" if lost else "")
                if p
            )
            change += f" ({detail or 'no criterion known to be gained or lost'} since {previous_loaded})"
        rows.append(
            {
                "year": year,
                "published_tier": None if pub is None else pub["tier"],
                "announced": None if pub is None else announced_text(pub["announced"]),
                "event": None if pub is None else pub["event"],
                "edition": None if pub is None else str(pub["edition"]),
                "loaded": load is not None,
                "criteria_met": None if load is None else int(load["criteria_met"]),
                "tier": tier_name(load["tier"]) if load is not None else None,
                "change": change,
            }
        )
        previous = tier
        previous_loaded = year if load is not None else previous_loaded
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["criteria_met"] = frame["criteria_met"].astype("Int64")
    return frame.replace({np.nan: None})
