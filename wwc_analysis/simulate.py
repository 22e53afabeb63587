"""Simulated cohorts of cities, for demonstrations and scale tests (always labelled simulated).

Each criterion is met at the published rate of all applicant cities, and criteria are
correlated through one latent "maturity" per city (a one-factor Gaussian copula), so a
mature city meets many criteria rather than a random scatter. A criterion just short
of being met is In Progress.
"""

from __future__ import annotations

from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from . import status as st
from .peers import all_applicant_shares
from .standard import Standard, load_standard

SIMULATED_PREFIX = "Simulated city"
LOADING = 0.75  # weight of the shared maturity factor: criteria correlate at LOADING**2
IN_PROGRESS_BAND = 0.6  # latent distance below a criterion's threshold that counts as In Progress


def simulated_names(n: int) -> list[str]:
    width = max(3, len(str(n)))
    return [f"{SIMULATED_PREFIX} {i:0{width}d}" for i in range(1, n + 1)]


def simulate_matrix(
    n: int, seed: int, standard: Standard | None = None, year: int = 2023
) -> tuple[np.ndarray, np.ndarray]:
    """Status codes (n x criteria) and outcome codes (n x metrics) for `n` simulated cities."""
    standard = standard or load_standard()
    rng = np.random.default_rng(seed)
    rates = all_applicant_shares(year).reindex(standard.codes).to_numpy()
    thresholds = np.array([NormalDist().inv_cdf(1 - r) for r in rates])
    maturity = rng.standard_normal((n, 1))
    latent = LOADING * maturity + np.sqrt(1 - LOADING**2) * rng.standard_normal((n, standard.n_criteria))
    statuses = np.full(latent.shape, st.NO, dtype=np.int8)
    statuses[latent > thresholds - IN_PROGRESS_BAND] = st.IN_PROGRESS
    statuses[latent > thresholds] = st.YES
    # Outcomes: broadband and air quality are mostly met by US cities; a nominated metric
    # is more likely the more mature the city is.
    broadband = np.clip(rng.normal(80, 8, n), 0, 100)
    pm25 = np.clip(rng.normal(8.0, 2.0, n), 0, None)
    nominated = (maturity[:, 0] + rng.standard_normal(n)) > 0.8
    outcomes = np.stack([broadband >= 75, pm25 <= 10, nominated], axis=1).astype(np.int8)
    return statuses, outcomes


def simulate_cohort(
    n: int, seed: int, standard: Standard | None = None, year: int = 2023
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long tables in the workbench's input formats: (responses, outcomes), as strings."""
    standard = standard or load_standard()
    statuses, outcomes = simulate_matrix(n, seed, standard, year)
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
    rng = np.random.default_rng(seed + 1)
    broadband = np.where(outcomes[:, 0] == 1, rng.uniform(75, 95, n), rng.uniform(55, 74.9, n)).round(1)
    pm25 = np.where(outcomes[:, 1] == 1, rng.uniform(4, 10, n), rng.uniform(10.1, 16, n)).round(2)
    out = pd.DataFrame(
        {
            "city": np.concatenate([names, names, names]),
            "year": year,
            "metric": np.repeat(["broadband", "pm25", "nominated"], n),
            "value": np.concatenate([broadband.astype(str), pm25.astype(str), np.full(n, "", dtype=object)]),
            "met": np.concatenate(
                [np.full(2 * n, "", dtype=object), np.where(outcomes[:, 2] == 1, "yes", "no").astype(object)]
            ),
        }
    )
    return responses, out


def write_cohort(n: int, seed: int, folder: Path, standard: Standard | None = None) -> tuple[Path, Path]:
    """Write a simulated cohort as responses.csv and outcomes.csv in `folder` (created whole)."""
    from .safe_io import write_folder

    responses, outcomes = simulate_cohort(n, seed, standard)
    files = {name: frame.to_csv(index=False, lineterminator="\n")
             for name, frame in (("responses.csv", responses), ("outcomes.csv", outcomes))}
    paths = write_folder(folder, files)
    return paths[0], paths[1]
