"""One report at a time: its notebook in a warm kernel, then its HTML and PDF copies, moved into place whole.

A worker (a process of the batch's pool, or the batch's own process with one worker) keeps what is
slow to start for all its reports: a warm kernel, the HTML exporter with its compiled template, and
one headless Chromium for the PDFs. In the batch's own process it also outlives the batch, so the
next report or batch started from the same Python session (a notebook, a script) skips the start;
it is replaced when its settings change and stopped when the process exits. Each report is written
to a staging folder and moved into place whole; a failed notebook is kept, with its traceback, in
`_failed/<folder>.ipynb`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..io.atomic import publish_folder, staging_folder, write_file
from .build import BUILD_FILE, Job, byline, record_text, title
from .html import prepare, to_html
from .kernel import NOTEBOOKS, NotebookFailed, WarmKernel, parameterise, write_notebook
from .pdf import MISSING, PdfFailed, Printer, find_chromium

FAILED_FOLDER = "_failed"  # notebooks that failed, with their traceback


@dataclass
class Result:
    job: Job
    ok: bool
    error: str = ""
    seconds: float = 0.0
    warning: str = ""  # written, but something is missing (the PDF without Chromium)
    skipped: bool = False  # up to date: not rebuilt
    stale: bool = False  # failed, and the last good report is kept
    pdf: bool = True
    stages: dict = field(default_factory=dict)  # seconds per stage: start, notebook, charts, HTML, PDF


@dataclass
class Worker:
    """What a worker keeps between reports."""

    kernel: WarmKernel
    printer: Printer | None  # None without Chromium
    start_seconds: float = 0.0  # starting it: reported once, with its first report
    kernel_env: tuple = ()  # the WWC_ settings its kernel inherited (see `kernel_settings`)
    chromium: str | None = None  # the Chromium its printer runs


_WORKER: Worker | None = None


def kernel_settings() -> tuple:
    """The WWC_ environment a kernel inherits (where data and outputs are): a change needs a new kernel."""
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("WWC_") and k != "WWC_CHROMIUM"))


def init_worker(parent: int | None = None) -> None:
    """Start this process's warm kernel and Chromium, unless they are running with the current settings (a new
    Chromium setting replaces the printer only); in a pool, leave with the batch process."""
    global _WORKER
    kernel_env, chromium = kernel_settings(), find_chromium()
    if _WORKER is not None:
        if _WORKER.kernel_env == kernel_env and _WORKER.kernel.alive():
            if _WORKER.chromium != chromium:
                _replace_printer(_WORKER, chromium)
            return
        stop_worker()
    started = time.perf_counter()
    if parent is not None:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    kernel = WarmKernel()
    kernel.launch()  # while it boots: the HTML template and Chromium
    prepare()
    printer = Printer(chromium) if chromium else None
    if printer is not None:
        printer.start()
    kernel.wait()
    _WORKER = Worker(kernel, printer, time.perf_counter() - started, kernel_env, chromium)
    atexit.unregister(stop_worker)  # registered once, however many workers this process starts
    atexit.register(stop_worker)


def _replace_printer(worker: Worker, chromium: str | None) -> None:
    if worker.printer is not None:
        worker.printer.close()
    worker.printer = Printer(chromium) if chromium else None  # started on its first report
    worker.chromium = chromium


def stop_worker() -> None:
    """Stop this process's Chromium and kernel."""
    global _WORKER
    if _WORKER is not None:
        if _WORKER.printer is not None:  # first: while Playwright's event loop runs, jupyter_client's calls
            _WORKER.printer.close()  # go through a helper thread, which hangs once the interpreter is exiting
        _WORKER.kernel.stop()
        _WORKER = None


def _watch_parent(parent: int) -> None:
    """Leave when the batch process is gone (killed), instead of working for nobody."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            if _WORKER is not None:  # Chromium and Playwright's driver end with this process's pipes
                _WORKER.kernel.kill()
            os._exit(1)


def run_job(job: Job, out: str) -> Result:
    """Run one notebook into a staging folder, add its HTML and PDF copies, and move it into place whole."""
    init_worker()  # at once where this process's worker is running with the current settings
    worker = _WORKER
    start = time.perf_counter()
    target = Path(out) / job.folder
    staging = staging_folder(target)
    try:
        nb = worker.kernel.run(parameterise(NOTEBOOKS / job.template, job.parameters), staging)
        charts = worker.kernel.chart_seconds
        stages = {"notebook": time.perf_counter() - start - charts, "charts": charts}
        mark = time.perf_counter()
        write_file(staging / BUILD_FILE, record_text(job.record()))
        write_file(staging / "report.ipynb", write_notebook(nb))
        write_file(staging / "report.html", to_html(nb, title(job), byline(job)))
        stages["html"] = time.perf_counter() - mark
        mark = time.perf_counter()
        warning = _print_pdf(worker.printer, staging, job.name)
        stages["pdf"] = time.perf_counter() - mark
        publish_folder(staging, target)
        (Path(out) / FAILED_FOLDER / f"{job.folder}.ipynb").unlink(missing_ok=True)
        if worker.start_seconds:  # the worker's start, counted once
            stages["start"], worker.start_seconds = worker.start_seconds, 0.0
        return Result(job, True, seconds=time.perf_counter() - start, warning=warning, pdf=not warning, stages=stages)
    except NotebookFailed as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if exc.notebook is not None:  # kept with its traceback, outside the report folders
            write_file(Path(out) / FAILED_FOLDER / f"{job.folder}.ipynb", write_notebook(exc.notebook))
        return Result(job, False, f"the notebook failed: {exc}", time.perf_counter() - start)
    except Exception as exc:  # one city's failure must not stop the batch
        shutil.rmtree(staging, ignore_errors=True)
        return Result(job, False, f"{type(exc).__name__}: {exc}", time.perf_counter() - start)


def _print_pdf(printer: Printer | None, folder: Path, name: str) -> str:
    """Print the folder's report.html to report.pdf; the warning to give when it is not written ('' when it is)."""
    if printer is None:
        return MISSING
    try:
        printer.to_pdf(folder / "report.html", folder / "report.pdf")
        return ""
    except (PdfFailed, OSError, subprocess.SubprocessError) as exc:  # the rest of the report stands
        return f"{name}: report.pdf not written: {str(exc).splitlines()[0][:200]}"
