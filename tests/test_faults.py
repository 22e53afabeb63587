"""Faults: an interrupted batch leaves reports complete or absent; a batch outlives a dead worker or kernel,
refuses a second batch in its folder and keeps the last good report when a write fails; nothing writes under
data/raw/."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import RAW, ROOT
from test_reports import FILES_WITHOUT_SELF

from wwc_analysis.cli import main
from wwc_analysis.reports.pdf import find_chromium


def write_cohort(cities: int, seed: int, folder: Path) -> tuple[Path, Path]:
    assert main(["simulate", "--cities", str(cities), "--seed", str(seed), "--out", str(folder)]) == 0
    return folder / "responses.csv", folder / "outcomes.csv"


def raw_checksums() -> dict[str, str]:
    return {
        p.relative_to(RAW).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(RAW.rglob("*"))
        if p.is_file()
    }


def _batch_args(responses, outcomes, out) -> list[str]:
    files = [str(responses), "--outcomes", str(outcomes)]
    return ["batch", *files, "--workers", "2", "--no-progress", "--out", str(out)]


def _city_folders(out):
    return [p for p in out.iterdir() if p.is_dir() and not p.name.startswith((".", "_")) and p.name != "cohort"]


def _wait_for(condition, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.1)
    assert condition(), f"{what} before the deadline"


def _descendants(pid: int) -> set[int]:
    """Every living process below `pid` (workers, their kernels, Chromium), from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        children = {p for p, parent in parents.items() if parent == current}
        todo += children - found
        found |= children
    return found


def _state(pid: int) -> str | None:
    """A process's state letter (Z for a zombie), or None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _alive(pids: set[int]) -> set[int]:
    return {p for p in pids if _state(p) not in (None, "Z")}


def _interrupt(proc: subprocess.Popen, sig: signal.Signals, out) -> list:
    """Send `sig` to a batch still running; return its report folders, each of which must be whole."""
    assert proc.poll() is None, "the batch finished before it could be interrupted"
    helpers = _descendants(proc.pid)
    os.kill(proc.pid, sig)
    assert proc.wait(timeout=60) != 0
    _wait_for(lambda: not _alive(helpers), "the workers, kernels and browsers did not leave with the batch", 30)
    done = _city_folders(out)
    for folder in done:
        assert {p.name for p in folder.iterdir()} == FILES_WITHOUT_SELF, (sig, folder)
    return done


def test_killed_batch_leaves_reports_complete_or_absent_and_a_rerun_finishes(tmp_path):
    """Ctrl-C (SIGINT, cleanup runs) and then SIGKILL (no cleanup) mid-batch, then a rerun on the same folder."""
    # Three cities and the cohort overview on two workers: when the first city's report is in place, two
    # city reports are still to finish and one worker cannot finish both at once, so Ctrl-C always lands
    # mid-batch (with two cities, both could finish within the moment it takes to send it).
    cities = 3
    responses, outcomes = write_cohort(cities, seed=3, folder=tmp_path / "sim")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "wwc_analysis.cli", *_batch_args(responses, outcomes, out)]
    # 1. SIGINT once the first report is in place
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _wait_for(lambda: out.is_dir() and _city_folders(out), "no report was finished")
    done = _interrupt(proc, signal.SIGINT, out)
    assert 1 <= len(done) < cities
    # 2. SIGKILL a rerun while a report is being written (its staging folder exists): nothing cleans up.
    # Without Chromium: step 1 saw browsers leave with their worker, and here no report gets to its PDF.
    stale = set(out.glob(".tmp-*"))
    env = {**os.environ, "WWC_CHROMIUM": ""}
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
    _wait_for(lambda: set(out.glob(".tmp-*")) - stale, "the second run started no report")
    _interrupt(proc, signal.SIGKILL, out)
    # 3. a rerun finishes every report on its two workers (the pool run through to the end: tests/test_batch.py
    # builds on one) and leaves no staging folder behind
    assert main(_batch_args(responses, outcomes, out)) == 0
    assert len(_city_folders(out)) == cities
    for folder in _city_folders(out):
        assert {p.name for p in folder.iterdir()} == FILES_WITHOUT_SELF, folder
    assert not list(out.glob(".tmp-*"))
    assert (out / "index.md").read_text().count("Simulated city") == cities


def test_whole_pipeline_never_writes_under_data_raw(tmp_path, capsys, no_pdf):
    before = raw_checksums()
    report = ROOT / "tests" / "data" / "scottsdale_2023_report.txt"
    commands = [
        ["validate", *map(str, sorted((RAW / "responses").glob("*.csv")))],
        ["score", "--format", "json"],
        ["gaps", "--city", "Scottsdale", "--format", "csv"],
        ["opportunities", "--city", "Scottsdale", "--format", "json"],
        ["whatif", "--city", "Scottsdale", "--set", "DM8=Yes"],
        ["simulate", "--cities", "3", "--out", str(tmp_path / "sim")],
        ["template", "--out", str(tmp_path / "t.xlsx")],
        ["import-report", str(report), "--out", str(tmp_path / "i")],
    ]  # reports: every test that builds one runs under the session's check that data/ is unchanged (conftest.py)
    for command in commands:
        assert main(command) == 0, command
    for refused in (
        ["simulate", "--out", str(RAW / "sim")],
        ["report", "--city", "Scottsdale", "--out", str(RAW)],
        ["template", "--out", str(RAW / "t.xlsx")],
        ["import-report", str(report), "--out", str(RAW)],
    ):
        assert main(refused) == 2, refused
    assert "data/raw/ holds published inputs and is never written" in capsys.readouterr().err
    assert raw_checksums() == before


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _mid_notebook(out) -> Path | None:
    """The staging folder of a city report whose notebook is still running (a chart written, the notebook not)."""
    return next(
        (s for s in out.glob(".tmp-*") if (s / "tier_gauge.png").exists() and not (s / "report.ipynb").exists()), None
    )


def _kernel_in(folder: Path, pids: set[int]) -> int | None:
    """The kernel running a notebook in `folder` (its working folder)."""
    for pid in pids:
        try:
            if "ipykernel_launcher" in _cmdline(pid) and Path(os.readlink(f"/proc/{pid}/cwd")) == folder:
                return pid
        except OSError:
            continue
    return None


def _kill_mid_batch(tmp_path, which: str):
    """Run a batch of three cities on two workers and SIGKILL one `which` ("worker" or "kernel") mid-notebook."""
    responses, outcomes = write_cohort(3, seed=4, folder=tmp_path / "sim")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "wwc_analysis.cli", *_batch_args(responses, outcomes, out)]
    env = {**os.environ, "WWC_CHROMIUM": ""}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT, env=env, text=True)
    found: list = []

    def running() -> bool:  # a city's notebook running, and the kernel that runs it
        folder = out.is_dir() and _mid_notebook(out)
        found[:] = [_kernel_in(folder, _descendants(proc.pid))] if folder else []
        return bool(found and found[0])

    _wait_for(running, "no notebook was seen running", 180)
    kernel = found[0]
    victim = kernel if which == "kernel" else int(Path(f"/proc/{kernel}/stat").read_text().rsplit(")", 1)[1].split()[1])
    os.kill(victim, signal.SIGKILL)
    started = time.monotonic()
    stdout, _ = proc.communicate(timeout=300)
    return proc.returncode, stdout, out, time.monotonic() - started


@pytest.mark.parametrize(
    ("which", "message"), [("worker", "the report's worker process died"), ("kernel", "the notebook's kernel died")]
)
def test_a_killed_worker_or_kernel_fails_one_city_and_the_batch_goes_on(tmp_path, which, message):
    code, stdout, out, seconds = _kill_mid_batch(tmp_path, which)
    assert code == 1 and seconds < 120
    assert "1 failed:" in stdout and message in stdout, stdout
    index = (out / "index.md").read_text()
    assert "## Failed" in index and message in index
    assert index.count("](simulated-city-") >= 2 * 2  # the two other cities: report and summary links
    assert (out / "cohort" / "report.html").is_file() and not list(out.glob(".tmp-*"))


def test_a_second_batch_in_the_same_folder_is_refused_and_the_first_finishes(tmp_path, capsys):
    responses, outcomes = write_cohort(2, seed=6, folder=tmp_path / "sim")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "wwc_analysis.cli", *_batch_args(responses, outcomes, out)]
    env = {**os.environ, "WWC_CHROMIUM": ""}
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env, text=True)
    _wait_for(lambda: (out / ".wwc-batch-running").is_file(), "the first batch did not start", 60)
    assert main(_batch_args(responses, outcomes, out)) == 2
    assert f"--out: another batch is writing to this folder (process {first.pid})" in capsys.readouterr().err
    assert first.wait(timeout=300) == 0, first.stderr.read()
    assert len(_city_folders(out)) == 2 and not (out / ".wwc-batch-running").exists()


def test_a_failed_write_or_pdf_keeps_the_last_good_report(tmp_path, monkeypatch, capsys):
    from wwc_analysis.reports import pdf, worker

    responses, outcomes = write_cohort(1, seed=8, folder=tmp_path / "sim")
    out = tmp_path / "out"
    args = [
        *_batch_args(responses, outcomes, out)[:-5],
        "--workers",
        "1",
        "--no-progress",
        "--out",
        str(out),
        "--force",
    ]
    monkeypatch.setenv("WWC_CHROMIUM", "")
    assert main(args) == 0
    good = {p.name: p.read_bytes() for p in (out / "simulated-city-001").iterdir()}
    real_write = worker.write_file

    def full_disk(path, content):
        if path.name == "report.html":
            raise OSError(28, "No space left on device")
        return real_write(path, content)

    monkeypatch.setattr(worker, "write_file", full_disk)
    assert main(args) == 1
    assert "the report could not be written: No space left on device" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in (out / "simulated-city-001").iterdir()} == good
    monkeypatch.setattr(worker, "write_file", real_write)
    if find_chromium():  # a PDF that cannot be printed fails the report, and the last good one stays
        monkeypatch.delenv("WWC_CHROMIUM")
        assert main(args) == 0 and (out / "simulated-city-001" / "report.pdf").is_file()
        good = {p.name: p.read_bytes() for p in (out / "simulated-city-001").iterdir()}

        def no_pdf(self, html, target):
            raise pdf.PdfFailed("Chromium could not print the page")

        monkeypatch.setattr(pdf.Printer, "to_pdf", no_pdf)
        assert main(args) == 1
        assert "report.pdf not written: Chromium could not print the page" in capsys.readouterr().out
        assert {p.name: p.read_bytes() for p in (out / "simulated-city-001").iterdir()} == good


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium (apt-get install chromium)")
def test_a_report_without_its_pdf_is_rebuilt_once_chromium_is_there(tmp_path, monkeypatch, capsys):
    responses, outcomes = write_cohort(1, seed=9, folder=tmp_path / "sim")
    out = tmp_path / "out"
    args = [*_batch_args(responses, outcomes, out)[:-5], "--workers", "1", "--no-progress", "--out", str(out)]
    monkeypatch.setenv("WWC_CHROMIUM", "")
    assert main(args) == 0 and not (out / "simulated-city-001" / "report.pdf").exists()
    monkeypatch.delenv("WWC_CHROMIUM")
    assert main(args) == 0
    assert "up to date" not in capsys.readouterr().out and (out / "simulated-city-001" / "report.pdf").is_file()
