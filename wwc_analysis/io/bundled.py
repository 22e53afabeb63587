"""The real city data shipped in data/raw/: responses, outcomes, peer shares, city records."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..identity import city_key
from ..paths import raw_dir
from ..standard import Standard, load_standard
from .outcomes import load_outcomes
from .responses import load_responses
from .store import is_store, store_files


def bundled_response_files() -> list[Path]:
    return sorted((raw_dir() / "responses").glob("*.csv"))


def bundled_outcome_files() -> list[Path]:
    return sorted((raw_dir() / "outcomes").glob("*.csv"))


def input_files(
    responses: Iterable[str | Path] | None = (), outcomes: Iterable[str | Path] | None = ()
) -> tuple[list[Path], list[Path]]:
    """The files a command reads: those given, or the bundled data when no responses are given.

    Outcome files default to the bundled ones only alongside the bundled responses.
    """

    response_files = [Path(p) for p in responses or ()]
    outcome_files = [Path(p) for p in outcomes or ()]
    stores = [p for p in response_files if is_store(p)]
    if stores:  # a folder of the validated store: its responses, and its outcomes unless others are given
        response_files = [f for p in response_files for f in (store_files(p)[0] if is_store(p) else [p])]
        if not outcome_files:
            outcome_files = [f for p in stores for f in store_files(p)[1]]
    if not response_files:
        return bundled_response_files(), outcome_files or bundled_outcome_files()
    return response_files, outcome_files


def load_bundled(standard: Standard | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Responses and outcomes of every city in data/raw/ (real, published data only)."""
    standard = standard or load_standard()
    return (load_responses(bundled_response_files(), standard), load_outcomes(bundled_outcome_files(), standard))


def certification_history() -> pd.DataFrame:
    """Published certification announcements: city, region, country, year, tier, event, source."""
    frame = pd.read_csv(raw_dir() / "cities" / "certification_history.csv", dtype=str, keep_default_na=False)
    frame["year"] = frame["year"].astype(int)
    return frame


def cities() -> pd.DataFrame:
    """City records (population where a source gives it)."""
    return pd.read_csv(raw_dir() / "cities" / "cities.csv", dtype={"population": "Int64"})


@lru_cache(maxsize=1)
def published_tiers() -> pd.DataFrame:
    """City, year and tier of every announcement that names a tier (read once per process)."""
    hist = certification_history()
    return hist.loc[hist["tier"] != "", ["city", "year", "tier"]].reset_index(drop=True)


def published_tier(city: str, year: int | None) -> str | None:
    """The tier announced for a city in a year, where the history records one."""
    hist = published_tiers()
    sel = hist[(hist["city"].map(city_key) == city_key(city)) & (hist["year"] == year)]
    return str(sel["tier"].iloc[0]) if len(sel) else None
