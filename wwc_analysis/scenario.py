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
from .standard import Standard

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

    def tier_text(self) -> str:
        return self.tier or "no tier"


@lru_cache(maxsize=4)
def _load(edition: str, responses: tuple[str, ...], outcomes: tuple[str, ...]):
    from .bundled import input_files
    from .outcomes import load_outcomes
    from .responses import load_responses
    from .scoring import build_assessments
    from .standard import load_standard

    standard = load_standard(edition)
    response_files, outcome_files = input_files(responses, outcomes)
    frame = load_responses(response_files, standard)
    return standard, build_assessments(frame, load_outcomes(outcome_files, standard), standard)


def _files(paths: Sequence[str | Path] | str | Path | None) -> tuple[str, ...]:
    if not paths:
        return ()
    if isinstance(paths, (str, Path)):
        return (str(paths),)
    return tuple(str(p) for p in paths)


def assessments_loaded(edition: str = "2022", responses=(), outcomes=()) -> list[tuple[str, int | None]]:
    """(city, year) of every assessment loaded, sorted."""
    import pandas as pd

    _, a = _load(str(edition), _files(responses), _files(outcomes))
    pairs = {(str(c), None if pd.isna(y) else int(y)) for c, y in zip(a.keys["city"], a.keys["year"])}
    return sorted(pairs, key=lambda p: (p[0].casefold(), p[1] or 0))


def load_city(city: str, year: int | None = None, cohort: str = "published:all", edition: str = "2022",
              responses: Sequence[str | Path] = (), outcomes: Sequence[str | Path] = ()) -> CityData:
    """Load the inputs (bundled when none), find the city's assessment and build its cohort."""
    from .cohorts import build_cohort
    from .scoring import assessment_index

    standard, a = _load(str(edition), _files(responses), _files(outcomes))
    row = assessment_index(a, city, year)
    return city_data(a, row, build_cohort(cohort, a, row, standard), standard, cohort)


def city_data(a, row: int, cohort, standard: Standard, cohort_spec: str = "") -> CityData:
    """CityData from the core's Assessments, the city's row and its Cohort (as a report has them)."""
    import pandas as pd

    from .gaps import practice_gaps

    shares = cohort.shares.reindex(standard.codes).to_numpy(dtype=float)
    peer = practice_gaps(a, row, cohort, standard)["peer_share"].to_numpy(dtype=float)
    y = a.keys["year"].iloc[row]
    return CityData(standard=standard, city=str(a.keys["city"].iloc[row]), year=None if pd.isna(y) else int(y),
                    cohort_spec=cohort_spec, cohort_label=cohort.description, statuses=a.audited[row].copy(),
                    outcomes=a.outcomes[row].copy(), peer_shares=shares, practice_peer=peer,
                    metrics=standard.outcome_metrics["code"].tolist(), assessments=a, row=row)


def _names(standard: Standard) -> np.ndarray:
    return np.array([None, *standard.tier_names], dtype=object)


def score_row(statuses: np.ndarray, outcomes: np.ndarray, standard: Standard) -> dict:
    """Counts, shares and tiers (names) of one scenario: `evaluate` on a single-row matrix."""
    from .scoring import evaluate

    res = evaluate(statuses[None, :], outcomes[None, :], standard)
    names = _names(standard)
    out = {k: v[0] for k, v in res.items()}
    out["tier_rank"] = int(res["tier"][0])
    for key in ("tier", "tier_low", "tier_high"):
        out[key] = names[res[key][0]]
    return out


def reasons(scored: dict, statuses: np.ndarray, outcomes: np.ndarray, standard: Standard) -> list[str]:
    """The core's plain-sentence reasons for a scenario (the recorded audit's history left out)."""
    from .explain import reasons_for
    from .scoring import evaluate

    names = _names(standard)
    core = [standard.criterion_index()[c] for c in standard.core_codes]
    row = {
        "tier": scored["tier"], "criteria_met": int(scored["criteria_met"]), "share_met": float(scored["share_met"]),
        "missing_core": [c for c, i in zip(standard.core_codes, core) if statuses[i] != st.YES],
        "outcomes_met": int(scored["outcomes_met"]), "outcomes_unknown": int(scored["outcomes_unknown"]),
        "criteria_unknown": int(scored["criteria_unknown"]), "tier_low": scored["tier_low"],
        "tier_high": scored["tier_high"], "audit_changes": [],
    }
    for reading in standard.readings[1:]:
        row[f"tier_{reading}"] = names[evaluate(statuses[None, :], outcomes[None, :], standard, reading)["tier"][0]]
    return reasons_for(row, statuses, standard)


def paths(statuses: np.ndarray, outcomes: np.ndarray, rank: int, data: CityData) -> list[dict]:
    """The shortest path to each tier above `rank`: the core's shortlist plus the outcome metrics it needs."""
    from .opportunities import requirements, shortlist

    standard = data.standard
    out = []
    for tier in standard.tier_names[rank:]:
        need = requirements(statuses, outcomes, tier, standard)
        picks = shortlist(statuses, tier, data.peer_shares, standard, data.cohort_label)
        unmet = need["outcome_metrics_not_met"]
        out.append({"tier": tier, "criteria": [p["criterion"] for p in picks], "picks": picks,
                    "outcomes_needed": int(need["outcomes_needed"]),
                    "metrics": unmet[: int(need["outcomes_needed"])], "metrics_not_met": unmet})
    return out


def changed_codes(statuses: np.ndarray, outcomes: np.ndarray, data: CityData) -> list[str]:
    crit = [data.standard.codes[i] for i in np.flatnonzero(statuses != data.statuses)]
    return crit + [data.metrics[j] for j in np.flatnonzero(outcomes != data.outcomes)]


def evaluate_scenario(data: CityData, statuses: np.ndarray, outcomes: np.ndarray) -> Result:
    """Score a scenario of the city: counts, tier and range, reasons and the paths to higher tiers."""
    standard = data.standard
    scored = score_row(statuses, outcomes, standard)
    return Result(
        criteria_met=int(scored["criteria_met"]), criteria_total=standard.n_criteria,
        share_met=float(scored["share_met"]), tier=scored["tier"], tier_low=scored["tier_low"],
        tier_high=scored["tier_high"], outcomes_met=int(scored["outcomes_met"]),
        practice_share=np.asarray(scored["practice_share"], dtype=float),
        reasons=reasons(scored, statuses, outcomes, standard),
        paths=paths(statuses, outcomes, scored["tier_rank"], data),
        changed=changed_codes(statuses, outcomes, data),
    )


def judge_metric(standard: Standard, metric: str, value: float) -> int | None:
    """Met (1) or not (0) for a value against the standard's threshold; None if the standard sets none."""
    spec = standard.outcome_metrics.set_index("code").loc[metric]
    threshold, direction = spec["threshold"], spec["direction"]
    if threshold != threshold or not direction:  # nan: the city sets the target
        return None
    return int(value >= threshold) if direction == ">=" else int(value <= threshold)
