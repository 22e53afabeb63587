"""What a report is built from: the job that builds it, and the record that lets a rerun skip it.

A `Job` names a template notebook, its parameters and the report's folder. Each report folder holds
`build.json`: digests of its rows, the cohort's inputs, the notebook's cells, the package and the
edition, with the parameters and the facts the report states. It has no timestamps or absolute paths,
so the same inputs write the same bytes, and a report whose record matches is not rebuilt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..io.digests import digest, files_digest
from ..io.outcomes import outcomes_csv
from ..io.responses import responses_csv
from ..settings import PACKAGE

BUILD_FILE = "build.json"
CITY_TEMPLATE = "city_report.ipynb"
OVERVIEW_TEMPLATE = "cohort_overview.ipynb"


@dataclass
class Job:
    """One notebook to run: which template, with which parameters, into which folder."""

    name: str  # the city, or the cohort overview's title
    folder: str  # folder name under the batch's output folder
    template: str  # notebook file name under notebooks/
    parameters: dict
    build: dict = field(default_factory=dict)  # what the report is built from (digests, parameters)

    @property
    def is_city(self) -> bool:
        return self.template == CITY_TEMPLATE


@dataclass
class Result:
    """How a job ended: its facts (from the report itself), or why it failed."""

    job: Job
    ok: bool
    error: str = ""
    seconds: float = 0.0
    warning: str = ""  # written, but something is missing (the PDF without Chromium)
    skipped: bool = False  # up to date: not rebuilt
    stale: bool = False  # failed, and the last good report is kept
    pdf: bool = False
    facts: dict = field(default_factory=dict)  # what the report states: tier, criteria met, next tier...
    stages: dict = field(default_factory=dict)  # seconds per stage: start, notebook, charts, HTML, PDF


def title(job: Job) -> str:
    """The report page's title."""
    return f"{job.name}: What Works Cities Certification report" if job.is_city else job.name


@lru_cache(maxsize=1)
def package_digest() -> str:
    """The package's source and templates: any change to its code rebuilds every report."""
    files = [p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts and "bundled" not in p.parts]
    return files_digest([p for p in files if p.suffix not in (".pyc", ".pyo")], PACKAGE)


@lru_cache(maxsize=8)
def notebook_digest(path: Path) -> str:
    """The notebook's cells (type and source), not the outputs of its committed, executed copy."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return digest(json.dumps([[c["cell_type"], "".join(c["source"])] for c in cells]))  # source: text or lines


def rows_digest(responses: pd.DataFrame | None, outcomes: pd.DataFrame | None) -> str:
    """Validated rows, in a canonical order, without where they were read from."""
    parts = []
    if responses is not None and len(responses):
        parts.append(responses_csv(responses.sort_values(["city", "year", "criterion"], kind="stable")))
    if outcomes is not None and len(outcomes):
        parts.append(outcomes_csv(outcomes.sort_values(["city", "year", "metric"], kind="stable")))
    return digest("\0".join(parts))


def record_text(job: Job, facts: dict, pdf: bool) -> str:
    """build.json: what the report was built from, whether its PDF was printed, and what it states."""
    record = {"build": job.build, "pdf": pdf, "facts": facts}
    return json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def read_record(folder: Path) -> dict | None:
    try:
        return json.loads((Path(folder) / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
