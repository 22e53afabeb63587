"""Peer cohorts: the share of a group of cities meeting each criterion.

A cohort is either published (the share of all applicant cities, or of cities a given
size, as printed in a certification report) or computed from the cities loaded (all of
them, only certified ones, or a named list). A cohort never holds the city it is compared
with. Each peer city counts once, with its latest assessment up to the year compared;
published shares come from that year, or the latest year published before it.
Cohorts built from simulated cities say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import status as st
from .errors import InputError
from .identity import city_key
from .peers import published_shares
from .phrases import join
from .scoring import Assessments, evaluate, with_evidence
from .simulate import SIMULATED_PREFIX
from .standard import Standard

COHORT_HELP = (
    "published:all (share of all applicant cities, default), published:size (cities the "
    "city's size), loaded (every other loaded city), certified (loaded cities with a tier, "
    "computed or published), cities:NAME;NAME (a named list)"
)


@dataclass(frozen=True)
class Cohort:
    """Per-criterion shares (0-1, indexed by criterion code) and where they come from."""

    label: str
    shares: pd.Series
    n_cities: int | None  # None for published shares (the report does not say how many)
    simulated: int = 0  # how many of the cities are simulated
    peers_known: pd.Series | None = None  # per criterion, how many peers have a known answer (loaded cohorts)
    notes: tuple[str, ...] = ()  # what a reader should know: a city dropped, an older year used

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
    """Published shares for `year` (or the latest year before it): of all applicants, or of cities `city`'s size."""
    frame = published_shares()
    if kind == "all":
        frame = frame[frame["cohort"] == "all_applicants"]
    else:
        frame = frame[(frame["cohort"] == "same_size") & (frame["reference_city"].map(city_key) == city_key(city))]
    years = sorted(int(y) for y in frame["year"].unique())
    if not years:
        raise InputError("--cohort", None, f"no published shares of this kind for {city}", f"published:{kind}")
    usable = [y for y in years if y <= year]
    if not usable:
        raise InputError(
            "--cohort",
            None,
            f"no published shares for {year} or earlier (the published shares cover {join(years)})",
            f"published:{kind}",
        )
    used = usable[-1]
    shares = frame[frame["year"] == used].set_index("criterion")["share"].reindex(standard.codes)
    who = "all applicant cities" if kind == "all" else f"cities the size of {city}"
    notes = () if used == year else (f"No shares are published for {year}; those of {used} are used.",)
    return Cohort(f"{who}, {used} (published)", shares, None, notes=notes)


def loaded_cohort(
    a: Assessments, rows: np.ndarray, label: str, standard: Standard, notes: tuple[str, ...] = ()
) -> Cohort:
    """Shares among the given assessments; unknown statuses leave a criterion's denominator."""
    statuses = a.audited[rows]
    known = (statuses != st.UNKNOWN).sum(axis=0)
    met = (statuses == st.YES).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(known > 0, met / np.maximum(known, 1), np.nan)
    n_sim = int(is_simulated(a.keys["city"].iloc[rows]).sum())
    return Cohort(
        f"{label} (n={len(rows)})",
        pd.Series(shares, index=standard.codes),
        len(rows),
        n_sim,
        pd.Series(known, index=standard.codes),
        notes,
    )


def latest_per_city(a: Assessments, candidates: np.ndarray, year: int) -> np.ndarray:
    """Of the candidate rows, each city's latest assessment in `year` or before."""
    years = a.keys["year"].to_numpy(dtype=np.int64)
    rows = candidates[years[candidates] <= year]
    if len(rows) == 0:
        return rows
    frame = pd.DataFrame({"row": rows, "key": a.city_keys()[rows], "year": years[rows]})
    return np.sort(frame.sort_values("year").drop_duplicates("key", keep="last")["row"].to_numpy())


def build_cohort(spec: str, a: Assessments, row: int, standard: Standard) -> Cohort:
    """The cohort named by `spec` (see COHORT_HELP) for the assessment at `row`."""
    spec = (spec or "published:all").strip()
    city, year = str(a.keys["city"].iloc[row]), int(a.keys["year"].iloc[row])
    kind, _, arg = spec.partition(":")
    if kind == "published" and arg in ("all", "size"):
        return published_cohort(arg, city, year, standard)
    keys = a.city_keys()
    others = np.flatnonzero(keys != city_key(city))
    notes: tuple[str, ...] = ()
    if kind == "loaded" and not arg:
        label = "loaded cities"
    elif kind == "certified" and not arg:
        res = evaluate(a.audited[others], a.outcomes[others], standard)
        low, _, _ = with_evidence(res["tier_low"], res["tier_high"], a.published[others], a.published_floor[others])
        others, label = others[low > 0], "certified loaded cities"
    elif kind == "cities" and arg:
        wanted = list(dict.fromkeys(city_key(n) for n in arg.split(";") if n.strip()))
        missing = [n for n in arg.split(";") if n.strip() and city_key(n) not in set(keys)]
        if missing:
            raise InputError("--cohort", None, "no such city among those loaded", missing[0].strip())
        if city_key(city) in wanted:
            notes = (f"{city} was left out of the named cities: a city is not compared with itself.",)
        others, label = others[np.isin(keys[others], wanted)], "named cities"
    else:
        raise InputError("--cohort", None, f"unknown cohort; use {COHORT_HELP}", spec)
    if len(others) == 0:
        raise InputError("--cohort", None, f"the cohort has no cities besides {city}", spec)
    rows = latest_per_city(a, others, year)
    if len(rows) == 0:
        covered = sorted({int(y) for y in a.keys["year"].iloc[others]})
        raise InputError(
            "--cohort", None, f"the cohort has no assessment in {year} or earlier (it covers {join(covered)})", spec
        )
    if (a.keys["year"].iloc[rows] != year).any():
        notes += (f"Peers without a {year} assessment count with their latest one before it.",)
    return loaded_cohort(a, rows, label, standard, notes)
