"""One city's planning scenario: the single place the planning panel and plans call the core.

`load_city` loads the inputs, finds the city's assessment and builds its peer cohort once;
`evaluate_scenario` scores a changed copy of its statuses in one vectorised call on a
single-row matrix and adds the reasons and the shortest path to each higher tier. The
panel (`wwc_analysis.panel`) and plan files (`wwc_analysis.plan`) use only these, so a
change to the core's signatures is absorbed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import status as st
from .context import as_paths, city_context, load_inputs
from .explain import band_notes, reasons_for
from .gaps import practice_gaps
from .opportunities import requirements, shortlist
from .phrases import tier_label
from .scoring import score_assessments
from .standard import DEFAULT_EDITION, Standard
from .tiers import rank_of, tier_name
from .whatif import scenario_assessment

STATUS_CHOICES = ("Yes", "In Progress", "No", "unknown")  # as the panel offers them
STATUS_CODES = {"Yes": st.YES, "In Progress": st.IN_PROGRESS, "No": st.NO, "unknown": st.UNKNOWN}
METRIC_CHOICES = ("met", "not met", "unknown")
METRIC_CODES = {"met": 1, "not met": 0, "unknown": -1}
COHORT_CHOICES = ("published:all", "published:size", "loaded", "certified")


def status_choice(code: int) -> str:
    return next(k for k, v in STATUS_CODES.items() if v == int(code))


def metric_choice(code: int) -> str:
    return next(k for k, v in METRIC_CODES.items() if v == int(code))


@dataclass
class CityData:
    """A city's recorded assessment, its cohort, and what the scenario scoring needs, computed once."""

    standard: Standard
    city: str
    year: int | None
    cohort_spec: str
    cohort_label: str
    statuses: np.ndarray  # recorded (audited) status codes, standard order
    outcomes: np.ndarray  # recorded outcome metric codes (1 met, 0 not met, -1 unknown)
    peer_shares: np.ndarray  # cohort share per criterion (nan where unknown)
    practice_peer: np.ndarray  # a typical peer's share met, per practice
    metrics: list[str] = field(default_factory=list)
    assessments: object = None  # the core's Assessments and row, for callers that need them
    row: int = 0

    @property
    def n_criteria(self) -> int:
        return self.standard.n_criteria


@dataclass
class Result:
    """A scored scenario, everything the panel draws."""

    criteria_met: int
    criteria_total: int
    share_met: float
    tier: str | None
    tier_low: str | None
    tier_high: str | None
    outcomes_met: int
    practice_share: np.ndarray
    reasons: list[str]
    paths: list[dict]  # one per higher tier: tier, criteria, picks, outcomes_needed, metrics
    changed: list[str]  # criteria and metric codes that differ from the recorded answers
    band_notes: list[str]  # where the published readings of the tier bands disagree at this count

    def tier_text(self) -> str:
        return tier_label(self.tier)


@lru_cache(maxsize=4)
def _load(edition: str, responses: tuple[str, ...], outcomes: tuple[str, ...]):
    return load_inputs(list(responses), list(outcomes), edition)


def _files(paths: Sequence[str | Path] | str | Path | None) -> tuple[str, ...]:
    return tuple(str(p) for p in as_paths(paths))


def assessments_loaded(edition: str = DEFAULT_EDITION, responses=(), outcomes=()) -> list[tuple[str, int]]:
    """(city, year) of every assessment loaded, sorted."""
    keys = _load(str(edition), _files(responses), _files(outcomes)).assessments.keys
    pairs = {(str(c), int(y)) for c, y in zip(keys["city"], keys["year"])}
    return sorted(pairs, key=lambda p: (p[0].casefold(), p[1]))


def load_city(
    city: str,
    year: int | None = None,
    cohort: str = "published:all",
    edition: str = DEFAULT_EDITION,
    responses: Sequence[str | Path] = (),
    outcomes: Sequence[str | Path] = (),
) -> CityData:
    """Load the inputs (bundled when none; cached), find the city's assessment and build its cohort."""

    ctx = city_context(city, year, cohort, inputs=_load(str(edition), _files(responses), _files(outcomes)))
    return city_data(ctx.assessments, ctx.row, ctx.cohort, ctx.standard, cohort)


def city_data(a, row: int, cohort, standard: Standard, cohort_spec: str = "") -> CityData:
    """CityData from the core's Assessments, the city's row and its Cohort (as a report has them)."""
    shares = cohort.shares.reindex(standard.codes).to_numpy(dtype=float)
    peer = practice_gaps(a, row, cohort, standard)["peer_share"].to_numpy(dtype=float)
    return CityData(
        standard=standard,
        city=str(a.keys["city"].iloc[row]),
        year=int(a.keys["year"].iloc[row]),
        cohort_spec=cohort_spec,
        cohort_label=cohort.description,
        statuses=a.audited[row].copy(),
        outcomes=a.outcomes[row].copy(),
        peer_shares=shares,
        practice_peer=peer,
        metrics=standard.metric_codes,
        assessments=a,
        row=row,
    )


def score_row(statuses: np.ndarray, outcomes: np.ndarray, data: CityData) -> dict:
    """One scenario of the city scored as the core scores any assessment (published tier as evidence)."""
    trial = scenario_assessment(data.assessments, data.row, statuses, outcomes)
    row = score_assessments(trial, data.standard).iloc[0].to_dict()
    row["audit_changes"] = []  # the recorded audit's history is not the scenario's
    row["tier_rank"] = rank_of(row["tier"], data.standard)
    row["practice_share"] = np.array([row[f"share_{p}"] for p in data.standard.practice_codes], dtype=float)
    return row


def evaluate_scenario(data: CityData, statuses: np.ndarray, outcomes: np.ndarray) -> Result:
    """Score a scenario of the city: counts, tier and range, reasons and the paths to higher tiers."""
    scored = score_row(statuses, outcomes, data)
    return Result(
        criteria_met=int(scored["criteria_met"]),
        criteria_total=data.standard.n_criteria,
        share_met=float(scored["share_met"]),
        tier=tier_name(scored["tier"]),
        tier_low=tier_name(scored["tier_low"]),
        tier_high=tier_name(scored["tier_high"]),
        outcomes_met=int(scored["outcomes_met"]),
        practice_share=scored["practice_share"],
        reasons=reasons_for(scored, statuses, data.standard),
        paths=paths(statuses, outcomes, scored["tier_rank"], data),
        changed=changed_codes(statuses, outcomes, data),
        band_notes=band_notes(scored, data.standard),
    )


def paths(statuses: np.ndarray, outcomes: np.ndarray, rank: int, data: CityData) -> list[dict]:
    """The shortest path to each tier above `rank`: the core's shortlist plus the outcome metrics it needs."""
    standard = data.standard
    out = []
    for tier in standard.tier_names[rank:]:
        need = requirements(statuses, outcomes, tier, standard)
        picks = shortlist(statuses, tier, data.peer_shares, standard, data.cohort_label)
        unmet = need["outcome_metrics_not_met"]
        out.append(
            {
                "tier": tier,
                "criteria": [p["criterion"] for p in picks],
                "picks": picks,
                "outcomes_needed": int(need["outcomes_needed"]),
                "metrics": unmet[: int(need["outcomes_needed"])],
                "metrics_not_met": unmet,
            }
        )
    return out


def changed_codes(statuses: np.ndarray, outcomes: np.ndarray, data: CityData) -> list[str]:
    crit = [data.standard.codes[i] for i in np.flatnonzero(statuses != data.statuses)]
    return crit + [data.metrics[j] for j in np.flatnonzero(outcomes != data.outcomes)]


def judge_metric(standard: Standard, metric: str, value: float) -> int | None:
    """Met (1) or not (0) for a value against the standard's threshold; None if the standard sets none."""
    spec = standard.outcome_metrics.set_index("code").loc[metric]
    threshold, direction = spec["threshold"], spec["direction"]
    if threshold != threshold or not direction:  # nan: the city sets the target
        return None
    return int(value >= threshold) if direction == ">=" else int(value <= threshold)
