"""One city in context: the standard, every loaded assessment, the city's row and its peer cohort.

Every question the workbench answers about a city (its score and reasons, its gaps against
peers, its opportunities, its audit risks, its progress, a what-if) is a method here, so the
CLI, the reports, the overview and the notebooks load and select the same way:

    ctx = city_context("Scottsdale")
    ctx.score["tier"], ctx.practice_gaps(), ctx.opportunities()["summary"]
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .cohorts import Cohort, build_cohort, is_simulated
from .explain import add_reasons
from .gaps import audit_risk, criterion_gaps, practice_gaps
from .io.bundled import input_files
from .io.outcomes import load_outcomes
from .io.responses import read_responses, validate_responses
from .opportunities import opportunities
from .progress import progress
from .scoring import Assessments, assessment_index, build_assessments, score_assessments
from .standard import DEFAULT_EDITION, Standard, load_standard
from .whatif import what_if


def as_paths(value: str | Path | Iterable[str | Path] | None) -> list[Path]:
    """File parameters as a list of paths: one path given as a string is a one-element list.

    Schedulers pass a single file as a plain string (`papermill -p responses my.csv`); it must
    not be iterated letter by letter. Relative paths resolve against the current folder.
    """
    if value is None or value == "":
        return []
    items = [value] if isinstance(value, (str, Path)) else list(value)
    return [Path(p).expanduser().absolute() for p in items if str(p).strip()]


@dataclass
class Inputs:
    """Validated inputs and their assessments: what every city context of one run shares."""

    standard: Standard
    responses: pd.DataFrame
    outcomes: pd.DataFrame
    assessments: Assessments

    @cached_property
    def scored(self) -> pd.DataFrame:
        """Every assessment scored, with reasons (computed once)."""
        return add_reasons(score_assessments(self.assessments, self.standard), self.assessments.audited, self.standard)


def load_inputs(
    responses: str | Path | Iterable[str | Path] | None = (),
    outcomes: str | Path | Iterable[str | Path] | None = (),
    edition: str | None = None,
) -> Inputs:
    """Read and validate the files given (the bundled data when no responses are given)."""

    # Three jobs overlap: while this thread reads the responses (on Arrow's threads, waiting), a second
    # loads the standard; then, while this one validates and pivots the responses, the second reads and
    # validates the outcomes. A failure surfaces in the order the steps would run one after another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        standard_loaded = pool.submit(load_standard, str(edition or DEFAULT_EDITION))
        try:
            response_files, outcome_files = input_files(as_paths(responses), as_paths(outcomes))
            read = read_responses(response_files)
        finally:
            standard = standard_loaded.result()
        outcomes_loaded = pool.submit(load_outcomes, outcome_files, standard)
        frame = validate_responses(read, standard)
        del read
        assessments = build_assessments(frame, outcomes_loaded.result, standard)
    return Inputs(standard, frame, outcomes_loaded.result(), assessments)


@dataclass
class CityContext:
    """One city's assessment among the loaded ones, and the peer cohort it is compared with."""

    inputs: Inputs
    row: int
    cohort: Cohort

    @property
    def standard(self) -> Standard:
        return self.inputs.standard

    @property
    def assessments(self) -> Assessments:
        return self.inputs.assessments

    @property
    def city(self) -> str:
        return str(self.assessments.keys["city"].iloc[self.row])

    @property
    def year(self) -> int:
        return int(self.assessments.keys["year"].iloc[self.row])

    @property
    def statuses(self) -> np.ndarray:
        return self.assessments.audited[self.row]

    @property
    def self_statuses(self) -> np.ndarray:
        return self.assessments.self_assessed[self.row]

    @property
    def outcome_codes(self) -> np.ndarray:
        return self.assessments.outcomes[self.row]

    @property
    def simulated(self) -> bool:
        return bool(is_simulated(pd.Series([self.city]))[0])

    @cached_property
    def score(self) -> dict:
        """The city's row of the scored table: counts, shares, tiers and reasons."""
        return self.inputs.scored.iloc[self.row].to_dict()

    @property
    def has_self(self) -> bool:
        return bool(self.score["has_self"])

    def criterion_gaps(self) -> pd.DataFrame:
        return criterion_gaps(self.assessments, self.row, self.cohort, self.standard)

    def practice_gaps(self) -> pd.DataFrame:
        return practice_gaps(self.assessments, self.row, self.cohort, self.standard)

    def audit_risk(self) -> pd.DataFrame:
        return audit_risk(self.inputs.responses, self.assessments, self.row, self.cohort, self.standard)

    def opportunities(self) -> dict:
        return opportunities(self.assessments, self.row, self.cohort, self.standard)

    def progress(self) -> pd.DataFrame:
        """Every loaded assessment of this city, oldest first, with what changed between them."""
        table = progress(self.assessments, self.city, self.standard, self.inputs.scored)
        return table[table["year"] <= self.year].reset_index(drop=True)

    def what_if(self, changes) -> pd.DataFrame:
        return what_if(self.assessments, self.row, changes, self.standard)


def city_context(
    city: str,
    year: int | None = None,
    cohort: str = "published:all",
    responses: str | Path | Iterable[str | Path] | None = (),
    outcomes: str | Path | Iterable[str | Path] | None = (),
    edition: str | None = None,
    inputs: Inputs | None = None,
) -> CityContext:
    """Load the inputs (or reuse `inputs`), find the city's assessment and build its cohort."""
    inputs = inputs or load_inputs(responses, outcomes, edition)
    row = assessment_index(inputs.assessments, city, None if year in (None, "") else int(year))
    return CityContext(inputs, row, build_cohort(cohort, inputs.assessments, row, inputs.standard))
