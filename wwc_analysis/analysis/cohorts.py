"""Peer cohorts: the share of a group of cities meeting each criterion.

A cohort is published (as printed in a certification report, from the year compared or the nearest
year, labelled so) or computed from the cities loaded, one latest assessment per city, never holding
the city compared. Without shares a cohort says so and the report stands without peers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..rules import status as st
from ..rules.standard import Standard
from .identity import city_key
from .phrases import join, plural
from .scoring import Assessments, evaluate, shares, with_evidence

SIMULATED_PREFIX = "Simulated city"
COHORTS = {  # the cohorts a person can choose, by their plain names
    "published:all": "all applicant cities (published shares)",
    "published:size": "cities of the same size (published shares)",
    "loaded": "the other cities loaded",
    "certified": "the certified cities loaded",
}
COHORT_HELP = (
    "published:all (share of all applicant cities, default), published:size (cities the "
    "city's size), loaded (every other loaded city), certified (loaded cities with a tier, "
    "computed or published), cities:NAME;NAME (a named list)"
)


@dataclass(frozen=True)
class Cohort:
    """Per-criterion shares (0-1, indexed by criterion code) and what a reader should know about them."""

    label: str  # its plain name: "all applicant cities, 2023"
    shares: pd.Series
    n_cities: int | None  # None for published shares (the report does not say how many)
    simulated: int = 0  # how many of the cities are simulated
    peers_known: pd.Series | None = None  # per criterion, how many peers have a known answer (loaded cohorts)
    notes: tuple[str, ...] = ()  # a city left out, another year's shares used, no shares at all

    @property
    def description(self) -> str:
        """The cohort as a caption names it, flagging simulated cities."""
        if not self.simulated:
            return self.label
        real = (self.n_cities or 0) - self.simulated
        if real == 0:
            return f"{self.label}, all simulated"
        return f"{self.label}, {real} real and {self.simulated} simulated"

    @property
    def empty(self) -> bool:
        return bool(self.shares.isna().all())


def is_simulated(names: pd.Series | list) -> np.ndarray:
    return pd.Series(names, dtype=object).astype(str).str.startswith(SIMULATED_PREFIX).to_numpy()


def published_cohort(kind: str, city: str, year: int, standard: Standard, published: pd.DataFrame) -> Cohort:
    """Published shares of `year`, or of the nearest year published (all applicants, or cities `city`'s size)."""
    if kind == "all":
        frame, who = published[published["cohort"] == "all_applicants"], "all applicant cities"
    else:
        sized = published[published["cohort"] == "same_size"]
        frame = sized[sized["reference_city"].map(city_key) == city_key(city)]
        who = f"cities the size of {city}"
    years = sorted(int(y) for y in frame["year"].unique())
    if not years:
        return Cohort(
            who,
            pd.Series(np.nan, index=standard.codes),
            None,
            notes=(f"No shares are published for {who}, so there is no peer comparison.",),
        )
    earlier = [y for y in years if y <= year]
    used = earlier[-1] if earlier else years[0]
    picked = frame[frame["year"] == used].set_index("criterion")["share"].reindex(standard.codes)
    notes = (
        () if used == year else (f"No shares are published for {year}; those of {used}, the nearest year, are used.",)
    )
    return Cohort(f"{who}, {used}", picked, None, notes=notes)


def loaded_cohort(
    a: Assessments, rows: np.ndarray, label: str, standard: Standard, notes: tuple[str, ...] = ()
) -> Cohort:
    """Shares among the given assessments; unknown statuses leave a criterion's denominator."""
    statuses = a.statuses[rows]
    known = (statuses != st.UNKNOWN).sum(axis=0)
    n_sim = int(is_simulated(a.keys["city"].iloc[rows]).sum())
    return Cohort(
        f"{label}, {plural(len(rows), 'city')}",
        pd.Series(shares((statuses == st.YES).sum(axis=0), known), index=standard.codes),
        len(rows),
        n_sim,
        pd.Series(known, index=standard.codes),
        notes,
    )


def latest_per_city(a: Assessments, candidates: np.ndarray, year: int) -> np.ndarray:
    """Of the candidate rows, each city's latest assessment in `year` or before."""
    years = a.keys["year"].to_numpy(dtype=np.int64)
    rows = candidates[years[candidates] <= year]
    frame = pd.DataFrame({"row": rows, "key": a.keys["key"].to_numpy()[rows], "year": years[rows]})
    return np.sort(frame.sort_values("year", kind="stable").drop_duplicates("key", keep="last")["row"].to_numpy())


def build_cohort(spec: str, a: Assessments, row: int, standard: Standard, published: pd.DataFrame) -> Cohort:
    """The cohort named by `spec` (see COHORT_HELP) for the assessment at `row`; `published`: the published shares."""
    spec = (spec or "published:all").strip()
    city, year = str(a.keys["city"].iloc[row]), int(a.keys["year"].iloc[row])
    kind, _, arg = spec.partition(":")
    if kind == "published" and arg in ("all", "size"):
        return published_cohort(arg, city, year, standard, published)
    keys = a.keys["key"].to_numpy()
    others = np.flatnonzero(keys != city_key(city))
    notes: tuple[str, ...] = ()
    if kind == "loaded" and not arg:
        label = "other loaded cities"
    elif kind == "certified" and not arg:
        res = evaluate(a.statuses[others], a.outcomes[others], standard)
        low, _, _ = with_evidence(res["tier_low"], res["tier_high"], a.published[others], a.published_floor[others])
        others, label = others[low > 0], "certified loaded cities"
    elif kind == "cities" and arg:
        names = [n.strip() for n in arg.split(";") if n.strip()]
        missing = [n for n in names if city_key(n) not in set(keys)]
        if missing:
            raise ParameterError("cohort", "no such city among those loaded", missing[0])
        if city_key(city) in {city_key(n) for n in names}:
            notes = (f"{city} was left out of the named cities: a city is not compared with itself.",)
        others, label = others[np.isin(keys[others], [city_key(n) for n in names])], "named cities"
    else:
        raise ParameterError("cohort", f"unknown cohort; use {COHORT_HELP}", spec)
    if len(others) == 0:
        raise ParameterError("cohort", f"the cohort has no cities besides {city}", spec)
    rows = latest_per_city(a, others, year)
    if len(rows) == 0:
        covered = sorted({int(y) for y in a.keys["year"].iloc[others]})
        raise ParameterError(
            "cohort", f"the cohort has no assessment in {year} or earlier (it covers {join(covered)})", spec
        )
    if (a.keys["year"].iloc[rows] != year).any():
        notes += (f"Peers without a {year} assessment count with their latest one before it.",)
    return loaded_cohort(a, rows, label, standard, notes)
