"""The inputs of a run, loaded once: the standard, every assessment loaded, the published record and shares.

`load_inputs` reads and validates the files given (the bundled data when no responses are given) and
keeps the result while its files are unchanged. `city_context` returns one city's scenario:

    ctx = city_context("Scottsdale")
    ctx.score["tier"], ctx.reasons, ctx.opportunities()["steps"]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from ..analysis.cohorts import build_cohort
from ..analysis.identity import city_key
from ..analysis.scenario import Scenario
from ..analysis.scoring import Assessments, assessment_index, build_assessments, score_assessments
from ..rules.standard import Standard, load_standard
from .outcomes import load_outcomes
from .record import bundled_files, certifications, published_shares
from .responses import load_responses
from .store import input_paths, is_store, resolve, store_files

Paths = str | Path | Iterable[str | Path] | None


def as_paths(value: Paths) -> list[Path]:
    """File parameters as absolute paths: one path given as a string (`papermill -p responses my.csv`) is one."""
    if value is None or value == "":
        return []
    items = [value] if isinstance(value, (str, Path)) else list(value)
    return [resolve(p).expanduser().absolute() for p in items if str(p).strip()]


def input_files(responses: Paths = (), outcomes: Paths = ()) -> tuple[list[Path], list[Path]]:
    """The files given (a store folder brings its outcomes unless others are), or the bundled ones without responses."""
    response_files, outcome_files = as_paths(responses), as_paths(outcomes)
    if not outcome_files:
        outcome_files = [f for p in response_files if is_store(p) for f in store_files(p)[1]]
    response_files = input_paths(response_files, "responses")
    if not response_files:
        return bundled_files("responses"), outcome_files or bundled_files("outcomes")
    return response_files, outcome_files


@dataclass(eq=False)
class Inputs:
    """Validated inputs and their assessments: what every question of one run shares."""

    standard: Standard
    responses: pd.DataFrame
    outcomes: pd.DataFrame
    assessments: Assessments
    record: pd.DataFrame  # the published record (every city)
    shares: pd.DataFrame  # the published peer shares

    @cached_property
    def scored(self) -> pd.DataFrame:
        """Every assessment scored (computed once)."""
        return score_assessments(self.assessments, self.standard)


_LOADED: dict[tuple, Inputs] = {}


def _state(path: Path) -> tuple:
    """What changes when a file is rewritten: its path, size and modification time."""
    try:
        stat = path.stat()
        return (str(path), stat.st_size, stat.st_mtime_ns)
    except OSError:
        return (str(path),)


def load_inputs(responses: Paths = (), outcomes: Paths = (), edition: str | None = None) -> Inputs:
    """Read and validate the files given (the bundled data when no responses are given); reused while unchanged."""
    standard = load_standard(edition)
    response_files, outcome_files = input_files(responses, outcomes)
    key = (str(standard.folder), tuple(map(_state, response_files)), tuple(map(_state, outcome_files)))
    if key not in _LOADED:
        frame = load_responses(response_files, standard)
        outs = load_outcomes(outcome_files, standard)
        record = certifications()
        inputs = Inputs(
            standard, frame, outs, build_assessments(frame, outs, standard, record), record, published_shares()
        )
        _LOADED.clear()  # one set of inputs kept: a run asks about one set at a time
        _LOADED[key] = inputs
    return _LOADED[key]


def scenario(inputs: Inputs, city: str, year: int | None = None, cohort: str = "published:all") -> Scenario:
    """A city's recorded assessment among the loaded ones (its latest unless `year` is given), with its cohort."""
    row = assessment_index(inputs.assessments, city, None if year in (None, "") else int(year))
    peers = build_cohort(cohort, inputs.assessments, row, inputs.standard, inputs.shares)
    record = inputs.record[inputs.record["key"] == city_key(city)]
    return Scenario(inputs.standard, inputs.assessments, row, peers, record)


def city_context(
    city: str,
    year: int | None = None,
    cohort: str = "published:all",
    responses: Paths = (),
    outcomes: Paths = (),
    edition: str | None = None,
) -> Scenario:
    """Load the inputs (the bundled data when no files are given) and return the city's scenario."""
    return scenario(load_inputs(responses, outcomes, edition), city, year, cohort)
