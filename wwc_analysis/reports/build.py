"""What a report is built from: the job that builds it, and the record that lets a rerun skip it.

A `Job` names a template notebook, its parameters, the report's folder and the figures the
index shows. Each report folder holds `build.json`: digests of the city's own validated rows,
of the cohort's inputs (every loaded row for a cohort computed from loaded cities, the published
files otherwise), of the notebook's cells (not its outputs), of the package's source files and
of the edition's files, plus the parameters and the figures the index shows. It is
deterministic: no timestamps, no absolute paths, so a rerun on the same inputs writes the same
bytes, and a report whose record matches is not rebuilt.

The planner (`batch`) and the report runner (`worker`) both use this module; it uses neither.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..io.by_city import outcomes_csv, responses_csv
from ..io.digests import digest, files_digest
from ..phrases import tier_label, with_published

BUILD_FILE = "build.json"
PACKAGE = Path(__file__).resolve().parents[1]
CITY_TEMPLATE = "city_report.ipynb"
FIGURES = (
    "tier",
    "tier_high",
    "criteria_met",
    "simulated",
    "year",
    "published_tier",
    "change",
    "next_tier",
    "criteria_needed",
)  # what the index shows about a city, recorded in build.json


@dataclass
class Job:
    """One notebook to run: which template, with which parameters, into which folder."""

    name: str  # the city, or the cohort overview's title
    folder: str  # folder name under the batch's output folder
    template: str  # notebook file name under notebooks/
    parameters: dict
    tier: str | None = None
    tier_high: str | None = None  # highest tier still possible while some statuses are unknown
    criteria_met: int | None = None
    simulated: bool = False
    year: int | None = None
    published_tier: str | None = None
    change: str = ""  # since the previous assessment, e.g. "+3 criteria since 2023 (up from Silver to Gold)"
    next_tier: str | None = None
    criteria_needed: int | None = None
    build: dict = field(default_factory=dict)  # what the report is built from (digests, parameters)

    def record(self) -> dict:
        """The content of build.json: what it was built from, and the figures the index shows."""
        return {"build": self.build, "figures": {k: getattr(self, k) for k in FIGURES}}


def tier_text(job: Job) -> str:
    """The city's tier as the index and the byline say it, with the highest still possible."""
    text = with_published(job.tier, job.published_tier)
    if job.tier_high != job.tier:
        text += f" (up to {tier_label(job.tier_high)} while statuses are unknown)"
    return text


def byline(job: Job) -> str:
    """The key facts for the top of a report's first page: city, tier, criteria met and the year of the data."""
    if job.template != CITY_TEMPLATE:
        return ""
    parts = [job.name + (" (simulated)" if job.simulated else ""), tier_text(job)]
    if job.criteria_met is not None:
        parts.append(f"{job.criteria_met} criteria met")
    parts.append(f"data: {job.year} assessment" if job.year else "data: assessment year not given")
    parts.append(f"edition {job.parameters.get('edition', '')} of the standard".replace("edition  of", "the"))
    return " · ".join(parts)


def title(job: Job) -> str:
    """The report page's title."""
    return f"{job.name}: WWC gap report" if job.template == CITY_TEMPLATE else job.name


@lru_cache(maxsize=1)
def package_digest() -> str:
    """The package's source: any change to its code or templates rebuilds every report."""
    files = [
        p
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    ]
    return files_digest(files, PACKAGE)


@lru_cache(maxsize=8)
def notebook_digest(path: Path) -> str:
    """The notebook's cells (type and source), not the outputs of its committed, executed copy."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return digest(
        json.dumps(
            [[c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"]] for c in cells]
        )
    )


def rows_digest(responses: pd.DataFrame | None, outcomes: pd.DataFrame | None) -> str:
    """Validated rows, in a canonical order, without where they were read from."""
    parts = []
    if responses is not None and len(responses):
        own = responses.sort_values(["city", "year", "criterion"], kind="stable")
        parts.append(responses_csv(own))
    if outcomes is not None and len(outcomes):
        own = outcomes.sort_values(["city", "year", "metric"], kind="stable")
        parts.append(outcomes_csv(own))
    return digest("\0".join(parts))


def record_text(record: dict) -> str:
    return json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def read_record(folder: Path) -> dict | None:
    try:
        return json.loads((Path(folder) / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
