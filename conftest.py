"""Tests never write into the repository, however pytest is started (`pytest`, `make test`, one file, nbval).

Before anything is collected, reports go to a temporary folder (WWC_OUTPUT_DIR, unless already set), and
derived data (the validated store, simulated cohorts) to another (WWC_PROCESSED_DIR):
the package (`wwc_analysis.paths.outputs_dir`) and the notebooks that nbval runs, whose kernels inherit
this environment, write there instead of the committed outputs/. At the end the session fails if any
file under outputs/ or data/ was added, removed or rewritten.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from wwc_analysis.reports.notebook_libs import load_jsonschema

# nbval imports nbformat, and so jsonschema, which costs 3 s in every pytest process unless loaded lighter
# first; so the plugin is registered here (pyproject's addopts turn off its automatic loading).
load_jsonschema()
pytest_plugins = ["nbval.plugin"]

ROOT = Path(__file__).resolve().parent
WATCHED = (ROOT / "outputs", ROOT / "data")
_state: dict = {}


def _snapshot() -> dict[str, tuple[int, int, int]]:
    files = {}
    for folder in WATCHED:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                files[path.relative_to(ROOT).as_posix()] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    return files


def pytest_configure(config):
    if not os.environ.get("WWC_OUTPUT_DIR"):
        _state["tmp"] = tempfile.mkdtemp(prefix="wwc-test-outputs-")
        os.environ["WWC_OUTPUT_DIR"] = _state["tmp"]
    if not os.environ.get("WWC_PROCESSED_DIR"):  # the validated store and simulated cohorts, likewise
        _state["processed"] = tempfile.mkdtemp(prefix="wwc-test-processed-")
        os.environ["WWC_PROCESSED_DIR"] = _state["processed"]
    _state["before"] = _snapshot()


# The slowest test files first: with --no-loadscope-reorder (Makefile) pytest-xdist hands out files in
# collection order, so the long ones start at once on separate workers and the short ones fill in around
# them (its default order, by number of tests, left the two-test kill file for the end).
SLOW_FIRST = ("tests/test_faults.py", "tests/test_batch.py", "tests/test_app_browser.py", "tests/test_sentences.py")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        path = item.nodeid.split("::")[0]
        return SLOW_FIRST.index(path) if path in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: each file keeps its own order


def pytest_sessionfinish(session, exitstatus):
    if "wwc_analysis.reports.worker" in sys.modules:  # a warm report worker: its kernel and Chromium end here
        sys.modules["wwc_analysis.reports.worker"].stop_worker()
    before, after = _state.pop("before", None), _snapshot()
    if before is not None and after != before:
        changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = f"the tests wrote into the repository: {', '.join(changed[:20])}"
        if reporter:
            reporter.write_line(f"ERROR: {message}", red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if "tmp" in _state:
        shutil.rmtree(_state.pop("tmp"), ignore_errors=True)
        os.environ.pop("WWC_OUTPUT_DIR", None)
    if "processed" in _state:
        shutil.rmtree(_state.pop("processed"), ignore_errors=True)
        os.environ.pop("WWC_PROCESSED_DIR", None)
