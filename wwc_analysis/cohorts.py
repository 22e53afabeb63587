"""Peer cohorts: the share of a group of cities meeting each criterion.

A cohort is either published (the share of all applicant cities, or of cities a given
size, as printed in a certification report) or computed from the cities loaded (all of
them, only certified ones, or a named list). Cohorts built from simulated cities say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import status as st
from .errors import InputError
from .scoring import Assessments, city_key, evaluate
from .simulate import SIMULATED_PREFIX
from .standard import Standard

COHORT_HELP = ("published:all (share of all applicant cities, default), published:size (cities the "
               "city's size), loaded (every other loaded city), certified (loaded cities with a tier), "
               "cities:NAME;NAME (a named list)")


@dataclass(frozen=True)
class Cohort:
    """Per-criterion shares (0-1, indexed by criterion code) and where they come from."""

    label: str
    shares: pd.Series
    n_cities: int | None  # None for published shares (the report does not say how many)
    simulated: int = 0  # how many of the cities are simulated

    @property
    def description(self) -> str:
        """The cohort as a chart or table caption would name it, flagging simulated cities."""
        if not self.simulated:
            return self.label
        real = (self.n_cities or 0) - self.simulated
        if real == 0:
            return f"{self.label} (simulated)"
        return f"{self.label} ({real} real and {self.simulated} simulated cities)"


def is_simulated(names: pd.Series) -> np.ndarray:
    return names.astype(str).str.startswith(SIMULATED_PREFIX).to_numpy()


def published_cohort(kind: str, city: str, year: int, standard: Standard) -> Cohort:
    """Published shares for `year`: of all applicants, or of cities the size of `city`."""
    from .peers import published_shares

    frame = published_shares(year)
    if kind == "all":
        sel = frame[frame["cohort"] == "all_applicants"]
        label = f"all applicant cities, {year} (published)"
    else:
        sel = frame[(frame["cohort"] == "same_size") & (city_key(frame["reference_city"]) == city.strip().casefold())]
        label = f"cities the size of {city}, {year} (published)"
    if sel.empty:
        raise InputError("--cohort", None, f"no published shares of this kind for {city} in {year}",
                         f"published:{kind}")
    shares = sel.set_index("criterion")["share"].reindex(standard.codes)
    return Cohort(label, shares, None)


def loaded_cohort(a: Assessments, rows: np.ndarray, label: str, standard: Standard) -> Cohort:
    """Shares among the given assessments; unknown statuses leave a criterion's denominator."""
    statuses = a.audited[rows]
    known = (statuses != st.UNKNOWN).sum(axis=0)
    met = (statuses == st.YES).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(known > 0, met / np.maximum(known, 1), np.nan)
    names = a.keys["city"].iloc[rows]
    n_sim = int(is_simulated(names).sum())
    return Cohort(f"{label} (n={len(rows)})", pd.Series(shares, index=standard.codes), len(rows), n_sim)


def build_cohort(spec: str, a: Assessments, row: int, standard: Standard) -> Cohort:
    """The cohort named by `spec` (see COHORT_HELP) for the assessment at `row`."""
    spec = (spec or "published:all").strip()
    city, year = str(a.keys["city"].iloc[row]), a.keys["year"].iloc[row]
    kind, _, arg = spec.partition(":")
    if kind == "published" and arg in ("all", "size"):
        return published_cohort(arg, city, int(year) if pd.notna(year) else standard.assessment_years[0], standard)
    others = np.flatnonzero(city_key(a.keys["city"]).to_numpy() != city.strip().casefold())
    if kind == "loaded" and not arg:
        rows, label = others, "loaded cities"
    elif kind == "certified" and not arg:
        tiers = evaluate(a.audited[others], a.outcomes[others], standard)["tier"]
        rows, label = others[tiers > 0], "certified loaded cities"
    elif kind == "cities" and arg:
        wanted = [n.strip().casefold() for n in arg.split(";") if n.strip()]
        keys = city_key(a.keys["city"]).to_numpy()
        missing = [n for n in wanted if n not in set(keys)]
        if missing:
            raise InputError("--cohort", None, "no such city among those loaded", missing[0])
        rows, label = np.flatnonzero(np.isin(keys, wanted)), "named cities"
    else:
        raise InputError("--cohort", None, f"unknown cohort; use {COHORT_HELP}", spec)
    if len(rows) == 0:
        raise InputError("--cohort", None, "the cohort has no cities besides the one compared", spec)
    return loaded_cohort(a, rows, label, standard)
