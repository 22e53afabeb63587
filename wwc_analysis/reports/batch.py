"""Gap reports for many cities: worker processes with warm kernels, a progress bar, an index.

Inputs are validated city by city and stored once (`io.store`); a city with bad rows, or whose report
fails, is listed and does not stop the others. Reports are moved into place whole; a rerun skips those
whose `build.json` still matches (`force` rebuilds them). One batch at a time writes to a folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.identity import city_key, city_keys, display_name
from ..errors import InputError, ParameterError
from ..io.atomic import TMP_PREFIX, guard
from ..io.digests import edition_digest, file_digest, published_digest
from ..io.inputs import input_files
from ..io.outcomes import check_duplicates as check_outcome_duplicates
from ..io.outcomes import outcomes_from_table
from ..io.plans import load_plan
from ..io.record import certifications
from ..io.responses import STATUS_COLUMNS, check_duplicates, responses_from_table
from ..io.slugs import slugify
from ..io.store import read_inputs, reference, write_store
from ..io.tables import OUTCOME_COLUMNS, RESPONSE_COLUMNS, Table, read_table
from ..rules.standard import load_standard
from ..settings import notebooks_dir
from . import build
from .build import CITY_TEMPLATE, OVERVIEW_TEMPLATE, Job, Result, read_record
from .index import COHORT_FOLDER, write_index
from .pdf import find_chromium

LOCK_FILE = ".wwc-batch-running"


@dataclass
class Batch:
    jobs: list[Job] = field(default_factory=list)
    failures: list[Result] = field(default_factory=list)  # cities refused before any notebook ran
    stages: dict = field(default_factory=dict)  # seconds spent validating while planning


def _by_city(paths: list[Path], kind: str, standard) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """Rows of every city whose rows all pass, and an error for each that does not (a bad file stops everything)."""
    is_responses = kind == "responses"
    parse = partial(responses_from_table if is_responses else outcomes_from_table, standard=standard)
    check = check_duplicates if is_responses else check_outcome_duplicates
    required, any_of = (RESPONSE_COLUMNS, STATUS_COLUMNS) if is_responses else (OUTCOME_COLUMNS, ())
    good: dict[str, list[pd.DataFrame]] = {}
    failures: dict[str, str] = {}
    for path in paths:
        if path.suffix.lower() == ".parquet":  # the store's own rows (or a Parquet file validated whole)
            frame = read_inputs([path], kind, required, any_of, parse)[0]
            for key, rows in frame.groupby(city_keys(frame["city"]), sort=False).groups.items():
                good.setdefault(key, []).append(frame.loc[rows])
            continue
        table = read_table(path, required, any_of=any_of)
        keys = city_keys(table.column("city"))
        for key in pd.unique(keys):
            rows = np.flatnonzero(keys == key)
            part = Table(table.path, table.frame.iloc[rows].reset_index(drop=True), table.lines[rows], table.sheet)
            name = display_name(part.frame["city"].iloc[0])
            if name in failures:
                continue
            try:
                good.setdefault(key, []).append(parse(part))
            except InputError as exc:
                failures[name] = str(exc)
                good.pop(key, None)
    frames = []
    for parts in good.values():
        frame = pd.concat(parts, ignore_index=True)
        try:
            check(frame)
            frames.append(frame)
        except InputError as exc:
            failures[display_name(frame["city"].iloc[0])] = str(exc)
    return (pd.concat(frames, ignore_index=True) if frames else None), failures


def plan_batch(
    files: list[Path],
    outcome_files: list[Path] | None,
    cities: list[str] | None,
    out: Path,
    edition: str | None = None,
    cohort: str = "published:all",
    overview: bool = True,
    year: int | None = None,
    plan_file: Path | None = None,
) -> Batch:
    """Validate inputs city by city, store the validated rows once, and list the notebooks to run."""
    standard = load_standard(edition)
    edition = standard.edition
    plan = load_plan(plan_file, standard) if plan_file else None  # a bad plan stops the batch before any notebook
    common = {"package": build.package_digest(), "edition": edition_digest(edition), "published": published_digest()}
    started = time.perf_counter()
    response_files, outcome_files = input_files(files, outcome_files)
    responses, failed = _by_city(response_files, "responses", standard)
    outcomes, failed_outcomes = _by_city(outcome_files, "outcomes", standard)
    for name, message in failed_outcomes.items():
        failed.setdefault(name, message)
    batch = Batch(stages={"validate": time.perf_counter() - started})
    bad = {city_key(n) for n in failed}
    names: dict[str, str] = {}
    if responses is not None:
        responses = responses[~np.isin(city_keys(responses["city"]), list(bad))]
        outcomes = None if outcomes is None else outcomes[~np.isin(city_keys(outcomes["city"]), list(bad))]
        for name in responses["city"].unique():
            names.setdefault(city_key(name), display_name(name))
    wanted = sorted(names, key=lambda k: names[k].casefold())
    if cities:
        asked = {city_key(c): c for c in cities}
        missing = [c for k, c in asked.items() if k not in names and k not in bad]
        if missing:
            published = city_key(missing[0]) in set(certifications()["key"])
            problem = "no answers of this city are loaded" + (
                " (the published record names it, but a report is written from its answers)" if published else ""
            )
            raise ParameterError("cities", problem, missing[0])
        wanted = [k for k in wanted if k in asked]
        failed = {c: m for c, m in failed.items() if city_key(c) in asked}
    batch.failures = [Result(Job(n, slugify(n), CITY_TEMPLATE, {}), False, m) for n, m in sorted(failed.items())]
    if not wanted:
        return batch
    inputs = {"responses": [reference(write_store(responses, outcomes, edition))], "outcomes": []}
    all_rows = build.rows_digest(responses, outcomes)
    keys = city_keys(responses["city"])
    out_keys = city_keys(outcomes["city"]) if outcomes is not None else None
    for key in wanted:
        name = names[key]
        own_years = set(responses.loc[keys == key, "year"].dropna().astype(int))
        if year is not None and int(year) not in own_years:
            message = f"no assessment of {name} in {year} (it has {', '.join(map(str, sorted(own_years)))})"
            batch.failures.append(Result(Job(name, slugify(name), CITY_TEMPLATE, {}), False, message))
            continue
        plan_year = year if year is not None else max(own_years)
        own_plan = plan_file if plan is not None and plan.is_for(name, plan_year) else None
        params = {
            "city": name,
            "year": year,
            "edition": edition,
            "cohort": cohort,
            "out_dir": ".",
            **inputs,
            "plan": str(Path(own_plan).absolute()) if own_plan else "",
        }
        own = build.rows_digest(responses[keys == key], None if outcomes is None else outcomes[out_keys == key])
        recipe = {
            **common,
            "template": CITY_TEMPLATE,
            "notebook": build.notebook_digest(notebooks_dir() / CITY_TEMPLATE),
            "parameters": {k: params[k] for k in ("city", "year", "edition", "cohort")},
            "plan": file_digest(own_plan),
            "city_rows": own,
            "cohort_rows": None if cohort.startswith("published") else all_rows,
        }
        batch.jobs.append(Job(name, slugify(name), CITY_TEMPLATE, params, build=recipe))
    if overview and len(wanted) > 1:
        recipe = {
            **common,
            "template": OVERVIEW_TEMPLATE,
            "notebook": build.notebook_digest(notebooks_dir() / OVERVIEW_TEMPLATE),
            "parameters": {"edition": edition},
            "cohort_rows": all_rows,
        }
        params = {"edition": edition, "out_dir": ".", **inputs}
        batch.jobs.append(Job("Cohort overview", COHORT_FOLDER, OVERVIEW_TEMPLATE, params, build=recipe))
    return batch


def up_to_date(job: Job, out: Path, chromium: bool) -> bool:
    """The report folder is whole (its PDF too where Chromium can print one) and built from what `job` would use."""
    folder = out / job.folder
    record = read_record(folder)
    whole = (folder / "report.html").is_file() and (folder / "report.ipynb").is_file()
    pdf = (folder / "report.pdf").is_file() and record is not None and record.get("pdf")
    return record is not None and record.get("build") == job.build and whole and (pdf or not chromium)


@contextlib.contextmanager
def batch_lock(out: Path) -> Iterator[None]:
    """Hold the output folder for this batch (a lock on the folder); refuse, naming the batch that holds it."""
    folder = os.open(out, os.O_RDONLY)
    note = out / LOCK_FILE  # says which process holds the folder, while it does
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = note.read_text(encoding="utf-8").strip() if note.is_file() else "running"
            problem = f"another batch is writing to this folder ({holder}); wait for it, or choose another folder"
            raise ParameterError("out", problem, str(out)) from None
        note.write_text(f"process {os.getpid()}\n", encoding="utf-8")
        try:
            yield
        finally:
            note.unlink(missing_ok=True)
    finally:
        os.close(folder)


def run_batch(
    batch: Batch, out: Path, workers: int = 0, progress: bool = True, index: bool = True, force: bool = False
) -> list[Result]:
    """Run every job that is not up to date (all with `force`) on `workers` processes (0: one per core), keeping
    the last good report of each city that fails, and write the index."""
    from tqdm import tqdm

    from .pool import run_pool
    from .worker import run_job, stop_worker

    guard(out).mkdir(parents=True, exist_ok=True)
    with batch_lock(out):
        for stale in out.glob(f"{TMP_PREFIX}*"):  # left by a killed run (no other batch writes here)
            shutil.rmtree(stale, ignore_errors=True)
        chromium = find_chromium() is not None
        results, jobs = list(batch.failures), []
        for job in batch.jobs:
            if not force and up_to_date(job, out, chromium):
                record = read_record(out / job.folder)
                results.append(
                    Result(job, True, skipped=True, pdf=bool(record.get("pdf")), facts=record.get("facts", {}))
                )
            else:
                jobs.append(job)
        workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
        quiet = not progress or not jobs
        bar = tqdm(total=len(jobs), desc="reports", unit="report", disable=quiet, file=sys.stderr, dynamic_ncols=True)
        done = lambda r: (results.append(r), bar.update())  # noqa: E731
        try:
            if workers == 1:  # in this process; its worker stays warm for the next run (see `worker`)
                try:
                    for job in jobs:
                        done(run_job(job, str(out)))
                except BaseException:  # interrupted: its kernel may still be running a cell
                    stop_worker()
                    raise
            elif jobs:  # the cohort overview (the longest) first, so no worker waits alone for it at the end
                run_pool(sorted(jobs, key=lambda j: j.folder != COHORT_FOLDER), str(out), workers, done)
        finally:
            bar.close()
            for stale in out.glob(f"{TMP_PREFIX}*"):
                shutil.rmtree(stale, ignore_errors=True)
        for r in results:
            if not r.ok and (record := read_record(out / r.job.folder)) is not None:
                r.stale, r.pdf, r.facts = True, bool(record.get("pdf")), record.get("facts", {})
        for warning in sorted({r.warning for r in results if r.ok and r.warning}):
            print(f"wwc: warning: {warning}", file=sys.stderr)
        if index:
            write_index(results, out)
    STAGES.clear()
    STAGES.update(batch.stages)
    for r in results:
        for stage, seconds in r.stages.items():
            STAGES[stage] = STAGES.get(stage, 0.0) + seconds
    return results


STAGES: dict[str, float] = {}  # seconds per stage of the last run_batch (report stages summed over workers)
STAGE_NAMES = {
    "validate": "validate",
    "start": "worker start (kernel, Chromium)",
    "notebook": "notebook (without charts)",
    "charts": "charts",
    "html": "HTML",
    "pdf": "PDF",
}


def stage_line(stages: dict[str, float]) -> str:
    """Time per stage, so the next bottleneck is visible."""
    return "time per stage: " + ", ".join(f"{STAGE_NAMES[k]} {stages[k]:.1f} s" for k in STAGE_NAMES if k in stages)


def summary_lines(results: list[Result], out: Path) -> list[str]:
    """What the batch did, for the terminal: reports written, up to date, failed and why."""
    ok = [r for r in results if r.ok and not r.skipped]
    skipped, failed = [r for r in results if r.skipped], [r for r in results if not r.ok]
    cities = [r for r in ok if r.job.is_city]
    cohort = " and the cohort overview" if len(cities) < len(ok) else ""
    lines = [
        f"{len(cities)} city {'report' if len(cities) == 1 else 'reports'}{cohort} written to {out}/ (index: "
        f"{out / 'index.html'})"
    ]
    if skipped:
        lines.append(f"{len(skipped)} up to date, not rebuilt (--force rebuilds them)")
    if ok:
        lines.append(f"mean time per report: {sum(r.seconds for r in ok) / len(ok):.1f} s")
        if STAGES:
            lines.append(stage_line(STAGES) + " (report stages summed over workers)")
    if failed:
        lines.append(f"{len(failed)} failed:")
        lines += [
            f"  {r.job.name}: {r.error}" + (" (last good report kept, marked stale)" if r.stale else "")
            for r in sorted(failed, key=lambda r: r.job.name.casefold())
        ]
    return lines
