"""One report at a time: its notebook in a warm kernel, then its HTML and PDF copies, moved into place whole.

A worker keeps what is slow to start (a warm kernel, the HTML exporter, one Chromium) for all its
reports, and in the calling process for the next batch too, until its settings change. A report is moved
into place only when all its files were written, so a failure keeps the last good report; a failed
notebook is kept, with its traceback, in `_failed/<folder>.ipynb`.
"""

from __future__ import annotations

import atexit
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ..io.atomic import publish_folder, staging_folder, write_file
from ..settings import kernel_settings, notebooks_dir
from .build import BUILD_FILE, Job, Result, record_text, title
from .city_report import FACTS_FILE
from .html import prepare, to_html
from .kernel import NotebookFailed, WarmKernel, parameterise, write_notebook
from .pdf import PdfFailed, Printer, find_chromium

FAILED_FOLDER = "_failed"  # notebooks that failed, with their traceback
NO_CHROMIUM = "Chromium is not installed: report.pdf not written (apt-get install -y chromium)"


@dataclass
class Worker:
    """What a worker keeps between reports."""

    kernel: WarmKernel
    printer: Printer | None  # None without Chromium
    start_seconds: float = 0.0  # starting it: reported once, with its first report
    kernel_env: tuple = ()  # the WWC_ settings its kernel inherited
    chromium: str | None = None  # the Chromium its printer runs


_WORKER: Worker | None = None


def init_worker() -> Worker:
    """This process's worker: kept while it runs with the current settings (a new Chromium: a new printer)."""
    global _WORKER
    kernel_env, chromium = kernel_settings(), find_chromium()
    if _WORKER is not None and _WORKER.kernel_env == kernel_env and _WORKER.kernel.alive():
        if _WORKER.chromium != chromium:
            if _WORKER.printer is not None:
                _WORKER.printer.close()
            _WORKER.printer, _WORKER.chromium = (Printer(chromium) if chromium else None), chromium
        return _WORKER
    stop_worker()
    started = time.perf_counter()
    kernel = WarmKernel()
    kernel.launch()  # while it boots: the HTML template and Chromium
    prepare()
    printer = Printer(chromium) if chromium else None
    if printer is not None:
        printer.start()
    kernel.wait()
    _WORKER = Worker(kernel, printer, time.perf_counter() - started, kernel_env, chromium)
    atexit.unregister(stop_worker)
    atexit.register(stop_worker)
    return _WORKER


def stop_worker() -> None:
    """Stop this process's Chromium and kernel."""
    global _WORKER
    if _WORKER is not None:
        if _WORKER.printer is not None:  # first: jupyter_client's calls hang once Playwright's loop is closing
            _WORKER.printer.close()
        _WORKER.kernel.stop()
        _WORKER = None


def kill_worker() -> None:
    """End this process's kernel at once (a worker told to leave)."""
    if _WORKER is not None:
        _WORKER.kernel.kill()


def run_job(job: Job, out: str) -> Result:
    """Run one notebook into a staging folder, add its HTML and PDF copies, and move it into place whole."""
    start = time.perf_counter()
    worker = init_worker()
    target = Path(out) / job.folder
    staging = staging_folder(target)
    try:
        nb = worker.kernel.run(parameterise(notebooks_dir() / job.template, job.parameters), staging)
        charts = worker.kernel.chart_seconds
        stages = {"notebook": time.perf_counter() - start - charts, "charts": charts}
        mark = time.perf_counter()
        facts_file = staging / FACTS_FILE
        facts = json.loads(facts_file.read_text(encoding="utf-8")) if facts_file.is_file() else {}
        write_file(staging / "report.ipynb", write_notebook(nb))
        write_file(staging / "report.html", to_html(nb, title(job)))
        stages["html"] = time.perf_counter() - mark
        mark = time.perf_counter()
        if worker.printer is not None:
            worker.printer.to_pdf(staging / "report.html", staging / "report.pdf")
        stages["pdf"] = time.perf_counter() - mark
        pdf = worker.printer is not None
        write_file(staging / BUILD_FILE, record_text(job, facts, pdf))
        publish_folder(staging, target)
        (Path(out) / FAILED_FOLDER / f"{job.folder}.ipynb").unlink(missing_ok=True)
        if worker.start_seconds:  # the worker's start, counted once
            stages["start"], worker.start_seconds = worker.start_seconds, 0.0
        warning = "" if pdf else NO_CHROMIUM
        return Result(
            job, True, seconds=time.perf_counter() - start, warning=warning, pdf=pdf, facts=facts, stages=stages
        )
    except NotebookFailed as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if exc.notebook is not None:  # kept with its traceback, outside the report folders
            write_file(Path(out) / FAILED_FOLDER / f"{job.folder}.ipynb", write_notebook(exc.notebook))
        message = str(exc) if str(exc).startswith("the notebook's kernel") else f"the notebook failed: {exc}"
        return Result(job, False, message, time.perf_counter() - start)
    except PdfFailed as exc:
        shutil.rmtree(staging, ignore_errors=True)
        return Result(job, False, f"report.pdf not written: {exc}", time.perf_counter() - start)
    except OSError as exc:  # a full disk, a folder that cannot be written: this report only
        shutil.rmtree(staging, ignore_errors=True)
        message = f"the report could not be written: {exc.strerror or exc}"
        return Result(job, False, message, time.perf_counter() - start)
