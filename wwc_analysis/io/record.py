"""The published record shipped with the workbench: certifications, peer shares, city records and bundled files.

`certification_history.csv` holds one row per city and announcement (tier, event, date, assessment year,
edition, source); `published_shares_*.csv` the share of applicants meeting each criterion, as reports print it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..analysis.identity import city_key
from ..settings import raw_dir


def bundled_files(kind: str) -> list[Path]:
    """The bundled files of one kind: "responses" or "outcomes"."""
    return sorted((raw_dir() / kind).glob("*.csv"))


def certifications() -> pd.DataFrame:
    """The published record: city, region, country, tier, event, announced, assessment_year, edition, source."""
    return _certifications(raw_dir()).copy()


@lru_cache(maxsize=4)
def _certifications(root: Path) -> pd.DataFrame:
    frame = pd.read_csv(root / "cities" / "certification_history.csv", dtype=str, keep_default_na=False)
    frame["assessment_year"] = frame["assessment_year"].astype(int)
    frame["announced_year"] = frame["announced"].str[:4].astype(int)
    frame["key"] = frame["city"].map(city_key)
    return frame


def published_shares() -> pd.DataFrame:
    """Published shares: year, cohort, reference_city, criterion, share (0-1)."""
    return _shares(raw_dir()).copy()


@lru_cache(maxsize=4)
def _shares(root: Path) -> pd.DataFrame:
    files = sorted((root / "benchmarks").glob("published_shares_*.csv"))
    frame = pd.concat(
        [pd.read_csv(p, dtype={"reference_city": str}, keep_default_na=False) for p in files], ignore_index=True
    )
    frame["share"] = frame.pop("share_pct") / 100
    return frame


def all_applicant_shares(year: int) -> pd.Series:
    """Share of all applicant cities meeting each criterion in `year` (or the nearest year published)."""
    frame = published_shares()
    frame = frame[frame["cohort"] == "all_applicants"]
    nearest = min(frame["year"].unique(), key=lambda y: (abs(int(y) - year), -int(y)))
    return frame[frame["year"] == nearest].set_index("criterion")["share"]


def cities() -> pd.DataFrame:
    """City records (population where a source gives it)."""
    return pd.read_csv(raw_dir() / "cities" / "cities.csv", dtype={"population": "Int64"})
