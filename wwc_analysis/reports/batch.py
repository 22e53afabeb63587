"""Gap reports for many cities: worker processes with warm kernels, a progress bar, an index.

Inputs are validated city by city; a city with bad rows, or whose notebook fails, is
reported in the summary and the index and does not stop the others. Each report is
written to a temporary folder and moved into place whole (see `wwc_analysis.reports.worker`),
so an interrupted batch leaves every report folder complete or absent, and a rerun finishes the rest.

Each report folder records what it was built from (`build.json`, see `wwc_analysis.reports.build`):
a rerun skips the reports whose record still matches (no kernel is started when all do), and
`force` rebuilds them all. A city whose notebook fails keeps its last good report, marked
stale in the index with the reason; the failed notebook, with its traceback, is kept in
`_failed/<folder>.ipynb`.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..cohorts import is_simulated
from ..errors import InputError
from ..identity import city_key, city_keys
from ..io.atomic import TMP_PREFIX, guard, write_file
from ..io.bundled import input_files
from ..io.by_city import load_by_city
from ..io.digests import edition_digest, file_digest, published_digest
from ..io.outcomes import REQUIRED as OUTCOME_COLUMNS
from ..io.outcomes import check_duplicates as check_outcome_duplicates
from ..io.outcomes import outcomes_from_table
from ..io.responses import REQUIRED, check_duplicates, responses_from_table
from ..io.slugs import slugify
from ..io.store import store_files, write_store
from ..opportunities import current_rank, requirements
from ..phrases import NO_TIER, md, tier_label, with_published
from ..plan import load_plan
from ..progress import change_text, progress
from ..scoring import Assessments, assessment_index, build_assessments, score_assessments
from ..standard import DEFAULT_EDITION, Standard, load_standard
from ..tiers import tier_name
from . import build
from .build import CITY_TEMPLATE, Job, read_record, tier_text
from .html import TEMPLATES
from .kernel import NOTEBOOKS
from .worker import Result, init_worker, run_job, stop_worker

COHORT_FOLDER = "cohort"


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    failures: list[Result] = field(default_factory=list)  # cities refused before any notebook ran
    stages: dict = field(default_factory=dict)  # seconds spent validating and scoring while planning


def plan_batch(
    files: list[Path],
    outcome_files: list[Path] | None,
    cities: list[str] | None,
    out: Path,
    edition: str = DEFAULT_EDITION,
    cohort: str = "published:all",
    overview: bool = True,
    year: int | None = None,
    plan_file: Path | None = None,
) -> Plan:
    """Validate inputs per city, write the shared validated inputs, and list the notebooks to run."""
    standard = load_standard(edition)
    extra: dict = {}
    if plan_file:  # checked once here, so a bad plan stops the batch before any notebook runs
        load_plan(plan_file, standard)
        extra["plan"] = str(Path(plan_file).absolute())
    common = {
        "package": build.package_digest(),
        "edition": edition_digest(edition),
        "published": published_digest(),
        "plan": file_digest(plan_file),
    }
    bundled = not files
    started = time.perf_counter()
    response_files, outcome_files = input_files(files, outcome_files)
    responses, failed = load_by_city(response_files, REQUIRED, responses_from_table, standard, check_duplicates)
    outcomes, failed_outcomes = load_by_city(
        outcome_files, OUTCOME_COLUMNS, outcomes_from_table, standard, check_outcome_duplicates
    )
    for name, message in failed_outcomes.items():
        failed.setdefault(name, message)
    plan = Plan(stages={"validate": time.perf_counter() - started})
    bad = {city_key(n) for n in failed}
    if responses is not None:
        responses = responses[~city_keys(responses["city"]).isin(bad).to_numpy()]
        if outcomes is not None:
            outcomes = outcomes[~city_keys(outcomes["city"]).isin(bad).to_numpy()]
    names: dict[str, str] = {}  # city key -> the name shown (the first spelling met)
    if responses is not None:
        for name in responses["city"]:
            names.setdefault(city_key(name), " ".join(str(name).split()))
    wanted = sorted(names, key=lambda k: names[k])
    if cities:
        asked = {city_key(c): c for c in cities}
        missing = [c for k, c in asked.items() if k not in names and k not in {city_key(f) for f in failed}]
        if missing:
            raise InputError("--cities", None, "no such city in the data", missing[0])
        wanted = [k for k in wanted if k in asked]
        failed = {c: m for c, m in failed.items() if city_key(c) in asked}
    plan.failures = [
        Result(Job(name, slugify(name), CITY_TEMPLATE, {}), False, message) for name, message in sorted(failed.items())
    ]
    if not wanted:
        return plan
    if bundled and not failed:
        inputs: dict = {"responses": [], "outcomes": []}  # the notebook reads the bundled data itself
    else:  # validated once into the store (data/processed/validated/<digest>/), read from there by every notebook
        store_responses, store_outcomes = store_files(write_store(responses, outcomes, edition))
        inputs = {"responses": [str(p) for p in store_responses], "outcomes": [str(p) for p in store_outcomes]}
    started = time.perf_counter()
    all_rows = build.rows_digest(responses, outcomes)
    # A cohort computed from the loaded cities depends on all of them; a published one on the published files.
    cohort_rows = None if cohort.startswith("published") else all_rows
    loaded = Loaded(responses, outcomes, standard)
    for key in wanted:
        job = _city_job(names[key], loaded, edition, cohort, year, {**inputs, **extra})
        job.build = {
            **common,
            "template": job.template,
            "notebook": build.notebook_digest(NOTEBOOKS / job.template),
            "parameters": {"city": job.name, "year": year, "edition": edition, "cohort": cohort},
            "city_rows": job.build["city_rows"],
            "cohort_rows": cohort_rows,
        }
        plan.jobs.append(job)
    if overview and len(wanted) > 1:
        template = "cohort_overview.ipynb"
        plan.jobs.append(
            Job(
                "Cohort overview",
                COHORT_FOLDER,
                template,
                {"edition": edition, "out_dir": ".", **inputs},
                build={
                    **common,
                    "template": template,
                    "plan": None,
                    "notebook": build.notebook_digest(NOTEBOOKS / template),
                    "parameters": {"edition": edition},
                    "city_rows": None,
                    "cohort_rows": all_rows,
                },
            )
        )
    plan.stages["score"] = time.perf_counter() - started
    return plan


class Loaded:
    """The validated rows of every city, their assessments scored once, and each city's rows by its key."""

    def __init__(self, responses: pd.DataFrame, outcomes: pd.DataFrame | None, standard: Standard):
        self.responses, self.outcomes, self.standard = responses, outcomes, standard
        self.assessments: Assessments = build_assessments(responses, outcomes, standard)
        self.scored = score_assessments(self.assessments, standard)
        self._responses = _rows_by_city(responses)
        self._outcomes = _rows_by_city(outcomes)
        self._assessments = _rows_by_city(self.assessments.keys)

    def rows(self, key: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """One city's validated responses and outcomes."""
        own = self.responses.iloc[self._responses.get(key, [])]
        own_outcomes = None if self.outcomes is None else self.outcomes.iloc[self._outcomes.get(key, [])]
        return own, own_outcomes

    def n_assessments(self, key: str) -> int:
        return len(self._assessments.get(key, []))


def _rows_by_city(frame: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Row positions of each city, by city key, in the frame's order."""
    if frame is None or not len(frame):
        return {}
    return {k: np.asarray(v) for k, v in frame.groupby(city_keys(frame["city"]).to_numpy(), sort=False).indices.items()}


def _city_job(name: str, loaded: Loaded, edition: str, cohort: str, year: int | None, inputs: dict) -> Job:
    """One city's report job, with what the index shows about it (from the assessments scored once for all)."""
    key = city_key(name)
    own, own_outcomes = loaded.rows(key)
    a, standard = loaded.assessments, loaded.standard
    job = Job(
        name,
        slugify(name),
        CITY_TEMPLATE,
        {"city": name, "year": year, "edition": edition, "cohort": cohort, "out_dir": ".", **inputs},
        simulated=bool(is_simulated(pd.Series([name]))[0]),
        build={"city_rows": build.rows_digest(own, own_outcomes)},
    )
    try:
        row = assessment_index(a, name, year)
    except InputError:
        if year is not None:  # asked for a year the city has no assessment in: say so before any kernel starts
            raise
        return job  # the notebook will say what is wrong; the index shows no figures
    scored = loaded.scored.iloc[row]
    job.year = int(scored["year"])
    job.tier, job.tier_high = tier_name(scored["tier"]), tier_name(scored["tier_high"])
    job.criteria_met = int(scored["criteria_met"])
    job.published_tier = tier_name(scored["published_tier"])
    if loaded.n_assessments(key) > 1:  # a change needs an earlier assessment
        table = progress(a, name, standard)
        job.change = change_text(table[table["year"] <= job.year])
    rank = current_rank(a, row, standard)
    if rank < len(standard.tier_names):
        job.next_tier = standard.tier_names[rank]
        job.criteria_needed = requirements(a.audited[row], a.outcomes[row], job.next_tier, standard)["criteria_needed"]
    return job


# The batch ------------------------------------------------------------------------------------


def up_to_date(job: Job, out: Path) -> bool:
    """The report folder exists, is whole, and was built from what `job` would build it from."""
    folder = out / job.folder
    record = read_record(folder)
    return (
        record is not None
        and record.get("build") == job.build
        and (folder / "report.html").is_file()
        and (folder / "report.ipynb").is_file()
    )


def run_batch(
    plan: Plan, out: Path, workers: int = 0, progress: bool = True, index: bool = True, force: bool = False
) -> list[Result]:
    """Run every job of `plan` that is not up to date (all with `force`) on `workers` processes (0: one per core),
    and write the index."""
    from tqdm import tqdm

    guard(out).mkdir(parents=True, exist_ok=True)
    for stale in out.glob(f"{TMP_PREFIX}*"):  # left by a killed run
        shutil.rmtree(stale, ignore_errors=True)
    results = list(plan.failures)
    jobs = []
    for job in plan.jobs:
        if not force and up_to_date(job, out):
            results.append(Result(job, True, skipped=True, pdf=(out / job.folder / "report.pdf").is_file()))
        else:
            jobs.append(job)
    workers = workers or os.cpu_count() or 1
    workers = max(1, min(workers, len(jobs)))
    bar = tqdm(
        total=len(jobs),
        desc="reports",
        unit="report",
        disable=not progress or not jobs,
        file=sys.stderr,
        dynamic_ncols=True,
    )
    try:
        if not jobs:
            pass  # everything is up to date: no kernel is started
        elif workers == 1:  # in this process; its worker stays warm for the next run (see `worker`)
            try:
                for job in jobs:
                    results.append(run_job(job, str(out)))
                    bar.update()
            except BaseException:  # interrupted: its kernel may still be running a cell
                stop_worker()
                raise
        else:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(
                workers, mp_context=context, initializer=init_worker, initargs=(os.getpid(),)
            ) as pool:
                # the cohort overview (the longest report) first, so no worker waits alone for it at the end
                first = sorted(jobs, key=lambda job: job.folder != COHORT_FOLDER)
                futures = [pool.submit(run_job, job, str(out)) for job in first]
                try:
                    for future in as_completed(futures):
                        results.append(future.result())
                        bar.update()
                except BaseException:
                    for process in list(getattr(pool, "_processes", {}).values()):
                        process.terminate()
                    pool.shutdown(wait=False, cancel_futures=True)
                    for stale in out.glob(f"{TMP_PREFIX}*"):  # unfinished reports: absent, not half-written
                        shutil.rmtree(stale, ignore_errors=True)
                    raise
    finally:
        bar.close()
    for r in results:
        if not r.ok:
            _keep_last_good(r, out)
    warnings = sorted({r.warning for r in results if r.ok and r.warning})
    for warning in warnings:  # one line, however many reports it concerns
        print(f"wwc: warning: {warning}", file=sys.stderr)
    if index:
        write_index(results, out)
    STAGES.clear()
    STAGES.update(plan.stages)
    for r in results:
        for stage, seconds in r.stages.items():
            STAGES[stage] = STAGES.get(stage, 0.0) + seconds
    return results


STAGES: dict[str, float] = {}  # seconds per stage of the last run_batch (report stages summed over workers)


def stage_line(stages: dict[str, float]) -> str:
    """Time per stage, so the next bottleneck is visible: validate, score, worker start, notebook, charts, HTML, PDF."""
    names = {
        "validate": "validate",
        "score": "score",
        "start": "worker start (kernel, Chromium)",
        "notebook": "notebook (without charts)",
        "charts": "charts",
        "html": "HTML",
        "pdf": "PDF",
    }
    return "time per stage: " + ", ".join(f"{names[k]} {stages[k]:.1f} s" for k in names if k in stages)


def _keep_last_good(result: Result, out: Path) -> None:
    """A failed city whose last good report is still there: the index lists it, stale, with that report's figures."""
    record = read_record(out / result.job.folder)
    if record is None:
        return
    result.stale = True
    result.pdf = (out / result.job.folder / "report.pdf").is_file()
    for key, value in record.get("figures", {}).items():
        setattr(result.job, key, value)


def _order(results: list[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (r.job.folder == COHORT_FOLDER, r.job.name.casefold(), r.job.folder))


def index_markdown(results: list[Result]) -> str:
    """The batch index as Markdown: each city's tier, criteria met and links, then the failures."""
    lines = ["# WWC gap reports", "", "| city | tier | criteria met | report |", "| --- | --- | ---: | --- |"]
    for r in _order(results):
        if not (r.ok or r.stale) or r.job.folder == COHORT_FOLDER:
            continue
        sim = " (simulated)" if r.job.simulated else ""
        sim += f" **stale**: {md(r.error)}" if r.stale else ""
        lines.append(
            f"| {md(r.job.name)}{sim} | {tier_text(r.job)} | {r.job.criteria_met} | "
            f"[report]({r.job.folder}/report.html)"
            + (f" · [PDF]({r.job.folder}/report.pdf)" if r.pdf else "")
            + f" · [summary]({r.job.folder}/summary.md) |"
        )
    if any(r.ok and r.job.folder == COHORT_FOLDER for r in results):
        lines += ["", f"[Cohort overview]({COHORT_FOLDER}/report.html)"]
    failed = [r for r in _order(results) if not r.ok]
    if failed:
        lines += ["", "## Failed", "", "| city | why |", "| --- | --- |"]
        lines += [f"| {md(r.job.name)} | {md(r.error)} |" for r in failed]
    return "\n".join(lines) + "\n"


INDEX_TEMPLATE = "index/index.html.j2"


def index_rows(results: list[Result]) -> dict:
    """What the index shows, as data: one entry per city report, the failures, the tiers to filter by."""
    editions = [r.job.parameters.get("edition") for r in results if r.job.parameters.get("edition")]
    std = load_standard(editions[0] if editions else DEFAULT_EDITION)
    rank = {NO_TIER: 0, **{t: i + 1 for i, t in enumerate(std.tier_names)}}
    cities = []
    for r in _order(results):
        if not (r.ok or r.stale) or r.job.folder == COHORT_FOLDER:
            continue
        j = r.job
        tier = tier_label(j.tier)
        cities.append(
            {
                "name": j.name,
                "folder": j.folder,
                "simulated": j.simulated,
                "tier": with_published(j.tier, j.published_tier),
                "tier_filter": tier,
                "tier_rank": rank.get(tier, ""),
                "tier_note": ""
                if j.tier_high == j.tier
                else f"(up to {tier_label(j.tier_high)} while statuses are unknown)",
                "published_tier": j.published_tier,
                "published_rank": rank.get(j.published_tier or "", ""),
                "criteria_met": j.criteria_met,
                "change": j.change or None,
                "next_tier": j.next_tier,
                "next_rank": rank.get(j.next_tier or "", ""),
                "criteria_needed": j.criteria_needed,
                "pdf": r.pdf,
                "stale": r.error if r.stale else None,
            }
        )
    present = {c["tier"] for c in cities}
    return {
        "cities": cities,
        "total": std.n_criteria,
        "tiers": [t for t in [NO_TIER, *std.tier_names] if t in present],
        "cohort": COHORT_FOLDER if any(r.ok and r.job.folder == COHORT_FOLDER for r in results) else None,
        "failed": [
            {"name": r.job.name, "error": r.error + ("; the last good report is kept, marked stale" if r.stale else "")}
            for r in _order(results)
            if not r.ok
        ],
    }


INDEX_COLUMNS = [
    ("City", False),
    ("Tier", False),
    ("Published tier", False),
    ("Criteria met", True),
    ("Change since previous assessment", False),
    ("Next tier", False),
    ("Criteria needed", True),
]
# (the last column, the links to the report, is not sortable)


def index_html(results: list[Result]) -> str:
    """The batch index page, from the Jinja2 template in wwc_analysis/reports/templates/ (autoescaped)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    columns = [{"label": label, "numeric": numeric} for label, numeric in INDEX_COLUMNS]
    return env.get_template(INDEX_TEMPLATE).render(title="WWC gap reports", columns=columns, **index_rows(results))


def write_index(results: list[Result], out: Path) -> None:
    for name, text in (("index.md", index_markdown(results)), ("index.html", index_html(results))):
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:  # unchanged: not rewritten
            write_file(path, text)


def summary_lines(results: list[Result], out: Path) -> list[str]:
    ok = [r for r in results if r.ok and not r.skipped]
    skipped = [r for r in results if r.skipped]
    failed = [r for r in results if not r.ok]
    cities = [r for r in ok if r.job.folder != COHORT_FOLDER]
    cohort = " and the cohort overview" if len(cities) < len(ok) else ""
    lines = [
        f"{len(cities)} city {'report' if len(cities) == 1 else 'reports'}{cohort} written to {out}/ "
        f"(index: {out / 'index.html'})"
    ]
    if skipped:
        lines.append(f"{len(skipped)} up to date, not rebuilt (--force rebuilds them)")
    if ok:
        mean = sum(r.seconds for r in ok) / len(ok)
        lines.append(f"mean time per report: {mean:.1f} s")
        if STAGES:
            lines.append(stage_line(STAGES) + " (report stages summed over workers)")
    if failed:
        lines.append(f"{len(failed)} failed:")
        lines += [
            f"  {r.job.name}: {r.error}" + (" (last good report kept, marked stale)" if r.stale else "")
            for r in _order(failed)
        ]
    return lines
