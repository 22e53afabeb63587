"""Peer benchmarks: published shares of cities meeting each criterion, as tidy tables."""

from __future__ import annotations

import pandas as pd

from .paths import raw_dir


def published_shares(year: int | None = None) -> pd.DataFrame:
    """Published shares: year, cohort, reference_city, criterion, share (0-1)."""
    frames = [
        pd.read_csv(p, dtype={"reference_city": str}, keep_default_na=False)
        for p in sorted((raw_dir() / "benchmarks").glob("published_shares_*.csv"))
    ]
    frame = pd.concat(frames, ignore_index=True)
    frame["share"] = frame.pop("share_pct") / 100
    return frame if year is None else frame[frame["year"] == year].reset_index(drop=True)


def all_applicant_shares(year: int) -> pd.Series:
    """Share of all applicant cities meeting each criterion, indexed by criterion code."""
    frame = published_shares(year)
    sel = frame[frame["cohort"] == "all_applicants"]
    if sel.empty:
        raise LookupError(f"no published all-applicant shares for {year}")
    return sel.set_index("criterion")["share"]
