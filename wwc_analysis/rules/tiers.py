"""What each tier requires, defined once from the edition's files.

A tier's requirements are objects: its band, the core criteria, criteria required from that tier up
(DM8 for Platinum in 2022) and enough resident outcome metrics. Scoring asks each whether it holds
(vectorised); reasons and opportunities ask what it lacks. Tiers are ranks (0: no tier).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .standard import Standard

NO_TIER_RANK = 0  # the rank of no tier (not unknown: a city with no tier is known to have none)


@dataclass(frozen=True)
class Shortfall:
    """What one requirement still lacks: its kind, the criteria that must be met, how many more."""

    kind: str  # band, core, criterion, outcomes
    criteria: tuple[str, ...] = ()  # criteria that must be met (core, required)
    count: int = 0  # how many more criteria (band) or outcome metrics (outcomes)
    needed: int = 0  # what the requirement asks for in all (criteria for a band, metrics for outcomes)
    label: str = ""  # the band's published label ("67-84% of criteria met")


@dataclass(frozen=True)
class Band:
    """At least `min_criteria` criteria met (the lower edge of the tier's band)."""

    min_criteria: int
    label: str

    def holds(self, yes: np.ndarray, met: np.ndarray, outcomes_met: np.ndarray) -> np.ndarray:
        return met >= self.min_criteria

    def shortfall(self, yes: np.ndarray, outcomes_met: int, codes: list[str]) -> Shortfall | None:
        more = self.min_criteria - int(yes.sum())
        return Shortfall("band", (), more, self.min_criteria, self.label) if more > 0 else None


@dataclass(frozen=True)
class AllCore:
    """Every core criterion met."""

    positions: tuple[int, ...]

    def holds(self, yes: np.ndarray, met: np.ndarray, outcomes_met: np.ndarray) -> np.ndarray:
        return yes[:, list(self.positions)].all(axis=1)

    def shortfall(self, yes: np.ndarray, outcomes_met: int, codes: list[str]) -> Shortfall | None:
        missing = tuple(codes[i] for i in self.positions if not yes[i])
        return Shortfall("core", missing, len(missing), len(self.positions)) if missing else None


@dataclass(frozen=True)
class Criterion:
    """One criterion met (a criterion the edition requires from a tier up)."""

    position: int
    code: str

    def holds(self, yes: np.ndarray, met: np.ndarray, outcomes_met: np.ndarray) -> np.ndarray:
        return yes[:, self.position]

    def shortfall(self, yes: np.ndarray, outcomes_met: int, codes: list[str]) -> Shortfall | None:
        return None if yes[self.position] else Shortfall("criterion", (self.code,), 1, 1)


@dataclass(frozen=True)
class Outcomes:
    """At least `minimum` resident outcome metrics met."""

    minimum: int

    def holds(self, yes: np.ndarray, met: np.ndarray, outcomes_met: np.ndarray) -> np.ndarray:
        return outcomes_met >= self.minimum

    def shortfall(self, yes: np.ndarray, outcomes_met: int, codes: list[str]) -> Shortfall | None:
        more = self.minimum - int(outcomes_met)
        return Shortfall("outcomes", (), more, self.minimum) if more > 0 else None


Requirement = Band | AllCore | Criterion | Outcomes


def build_requirements(standard: Standard, tier: str, reading: str) -> tuple[Requirement, ...]:
    """The requirements of `tier` under one reading of the bands, from the edition's tables."""
    spec = standard.tier_spec(tier)
    index = standard.criterion_index()
    reqs: list[Requirement] = [Band(standard.min_criteria(tier, reading), standard.band_label(tier, reading))]
    if spec["requires_all_core"]:
        reqs.append(AllCore(tuple(index[c] for c in standard.core_codes)))
    reqs += [Criterion(index[c], c) for c in standard.required_for(tier)]
    if int(spec["min_outcomes"]):
        reqs.append(Outcomes(int(spec["min_outcomes"])))
    return tuple(reqs)


def tier_ranks(yes: np.ndarray, outcomes_met: np.ndarray, standard: Standard, reading: str | None = None) -> np.ndarray:
    """The rank of the highest tier each row earns (0 = none): every requirement of the tier holds."""
    met = np.count_nonzero(yes, axis=1)
    ranks = np.zeros(len(yes), dtype=np.int8)
    for rank, tier in enumerate(standard.tier_names, start=1):
        ok = np.ones(len(yes), dtype=bool)
        for req in standard.requirements(tier, reading):
            ok &= req.holds(yes, met, outcomes_met)
        ranks[ok] = rank
    return ranks


def shortfalls(
    yes: np.ndarray, outcomes_met: int, tier: str, standard: Standard, reading: str | None = None
) -> list[Shortfall]:
    """What one assessment (a row of met flags) still lacks for `tier`; empty if it qualifies."""
    found = (req.shortfall(yes, outcomes_met, standard.codes) for req in standard.requirements(tier, reading))
    return [s for s in found if s is not None]


def tier_dtype(standard: Standard) -> pd.CategoricalDtype:
    """Tiers in rank order; a missing value means no tier."""
    return pd.CategoricalDtype(standard.tier_names, ordered=True)


def tiers_from_ranks(ranks: np.ndarray, standard: Standard) -> pd.Categorical:
    """Ranks (0 = none) as an ordered categorical of tier names."""
    return pd.Categorical.from_codes(np.asarray(ranks, dtype=np.int64) - 1, dtype=tier_dtype(standard))


def tier_name(value: object) -> str | None:
    """A tier as a plain string, or None for no tier (None, NaN, NA or '')."""
    return (
        None
        if value is None or value is pd.NA or value == "" or (isinstance(value, float) and value != value)
        else str(value)
    )


def rank_of(value: object, standard: Standard) -> int:
    """A tier's rank, 0 for no tier."""
    name = tier_name(value)
    return NO_TIER_RANK if name is None else standard.tier_rank(name)
