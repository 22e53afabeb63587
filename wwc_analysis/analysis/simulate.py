"""Simulated cohorts of cities, for demonstrations and scale tests (always labelled simulated).

Criteria are met at the published rates, correlated through one latent maturity per city (a
one-factor Gaussian copula); a criterion just short of met is In Progress.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from ..rules import status as st
from ..rules.standard import Standard
from .cohorts import SIMULATED_PREFIX

LOADING = 0.75  # weight of the shared maturity factor: criteria correlate at LOADING**2
IN_PROGRESS_BAND = 0.6  # latent distance below a criterion's threshold that counts as In Progress


def simulated_names(n: int) -> list[str]:
    width = max(3, len(str(n)))
    return [f"{SIMULATED_PREFIX} {i:0{width}d}" for i in range(1, n + 1)]


def simulate(n: int, seed: int, standard: Standard, rates: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Statuses (n x criteria), outcome values (NaN for metrics without a threshold) and outcome codes of `n`
    simulated cities; `rates`: the share of applicant cities meeting each criterion (indexed by code)."""
    rng = np.random.default_rng(seed)
    rates = rates.reindex(standard.codes).to_numpy(dtype=float)
    thresholds = np.array([NormalDist().inv_cdf(1 - r) for r in rates])
    maturity = rng.standard_normal((n, 1))
    latent = LOADING * maturity + np.sqrt(1 - LOADING**2) * rng.standard_normal((n, standard.n_criteria))
    statuses = np.full(latent.shape, st.NO, dtype=np.int8)
    statuses[latent > thresholds - IN_PROGRESS_BAND] = st.IN_PROGRESS
    statuses[latent > thresholds] = st.YES
    # Outcome metrics with a threshold in the edition: values scattered around it, most on the
    # good side (as for most US cities); a metric the city sets itself is met more often the
    # more mature the city is.
    metrics = standard.outcome_metrics
    values = np.full((n, len(metrics)), np.nan)
    outcomes = np.zeros((n, len(metrics)), dtype=np.int8)
    for j, m in enumerate(metrics.itertuples()):
        if np.isnan(m.threshold):
            outcomes[:, j] = (maturity[:, 0] + rng.standard_normal(n)) > 0.8
            continue
        sign = 1 if m.direction == ">=" else -1
        spread = max(abs(m.threshold) * 0.2, 1e-6)
        lo = -np.inf if np.isnan(m.min_value) else m.min_value
        hi = np.inf if np.isnan(m.max_value) else m.max_value
        values[:, j] = np.clip(rng.normal(m.threshold + sign * 0.6 * spread, spread, n), lo, hi).round(2)
        outcomes[:, j] = values[:, j] >= m.threshold if sign > 0 else values[:, j] <= m.threshold
    return statuses, values, outcomes


def simulate_cohort(n: int, seed: int, standard: Standard, rates: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long tables in the workbench's input formats: (responses, outcomes), as strings."""
    year = standard.default_year
    statuses, values, outcomes = simulate(n, seed, standard, rates)
    names = np.array(simulated_names(n), dtype=object)
    labels = np.array([st.LABELS[c] for c in (st.NO, st.IN_PROGRESS, st.YES)], dtype=object)
    k = standard.n_criteria
    responses = pd.DataFrame(
        {
            "city": np.repeat(names, k),
            "year": year,
            "criterion": np.tile(np.array(standard.codes, dtype=object), n),
            "status": labels[statuses.ravel()],
        }
    )
    codes = standard.metric_codes
    value_text = np.where(np.isnan(values), "", values.astype(str)).astype(object)
    met_text = np.where(np.isnan(values), np.where(outcomes == 1, "yes", "no"), "").astype(object)
    out = pd.DataFrame(
        {
            "city": np.tile(names, len(codes)),
            "year": year,
            "metric": np.repeat(codes, n),
            "value": value_text.T.ravel(),
            "met": met_text.T.ravel(),
        }
    )
    return responses, out
