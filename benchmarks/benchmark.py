"""Measure the workbench where people feel its speed, on this machine: `python benchmarks/benchmark.py --help`.

- a guard rail for large inputs: `wwc score` on 100,000 simulated assessments against a bare
  `pd.read_csv` of the same files (target: within 5x, under 800 MB peak), and for scale a read of the same
  files into text categories;
- the planning panel: one change, rescored and redrawn (target: within 150 ms);
- one report end to end, and `wwc batch` over N simulated cities against a sequential papermill loop
  (target: the batch without PDFs at least 8x the loop with 24 cities on 2 workers), with the time per stage;
- an unchanged rerun of the batch against its build (target: under 15%).

Timings are printed, never asserted (they depend on the machine). Only the package's public commands and
functions are used; nothing here is imported by the package.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEASURE = """
import resource, sys, time
{imports}
start = time.perf_counter()
{body}
seconds = time.perf_counter() - start
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(seconds, peak_kb, file=sys.stderr)
"""


def measure(imports: str, body: str) -> tuple[float, float]:
    """Wall seconds of `body` (its imports done first, outside the clock) and peak memory (MB) in a fresh "
    "interpreter."""
    code = MEASURE.format(imports=imports, body=body)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "WWC_MAX_INPUT_MB": "100000"},
    )
    seconds, peak_kb = done.stderr.strip().splitlines()[-1].split()
    return float(seconds), float(peak_kb) / 1024


def wwc(*args: str, env: dict | None = None) -> tuple[float, str]:
    """Run a `wwc` command; its wall time and its standard output."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "wwc_analysis", *args], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr.strip()[-300:])
    return time.perf_counter() - start, done.stdout


def simulate(cities: int, folder: Path, seed: int = 1) -> tuple[Path, Path]:
    wwc("simulate", "--cities", str(cities), "--seed", str(seed), "--out", str(folder))
    return folder / "responses.csv", folder / "outcomes.csv"


def large_inputs(cities: int, work: Path, repeat: int) -> None:
    """`wwc score --format csv` on a large CSV against a bare read of the same files, best of `repeat`."""
    responses, outcomes = simulate(cities, work / "large")
    read = f"pd.read_csv({str(responses)!r}); pd.read_csv({str(outcomes)!r})"
    score = (
        "with open(os.devnull, 'w') as sink, contextlib.redirect_stdout(sink):\n"
        f"    main(['score', {str(responses)!r}, '--outcomes', {str(outcomes)!r}, '--format', 'csv'])"
    )
    text = "dtype='category', keep_default_na=False"  # cells as text, the way validation reads them
    as_text = f"pd.read_csv({str(responses)!r}, {text}); pd.read_csv({str(outcomes)!r}, {text})"
    reads = [measure("import pandas as pd", read) for _ in range(repeat)]
    text_reads = [measure("import pandas as pd", as_text) for _ in range(repeat)]
    scores = [
        measure("import contextlib, os\nfrom wwc_analysis.cli import main\nimport wwc_analysis.commands", score)
        for _ in range(repeat)
    ]
    best_read, best_score = min(r[0] for r in reads), min(s[0] for s in scores)
    peak = max(s[1] for s in scores)
    print(
        f"wwc score on {cities:,} simulated assessments ({responses.stat().st_size / 2**20:.0f} MB of CSV), "
        f"best of {repeat}:"
    )
    print(
        f"  pd.read_csv of both files {best_read:.2f} s; wwc score --format csv {best_score:.2f} s: "
        f"{best_score / best_read:.1f}x (guard rail: within 5x); peak memory {peak:.0f} MB (under 800 MB)"
    )
    best_text = min(r[0] for r in text_reads)
    print(
        f"  for scale: pd.read_csv of both files into text categories {best_text:.2f} s "
        f"({best_text / best_read:.1f}x the bare read); wwc score is {best_score / best_text:.1f}x that"
    )


def panel(changes: int) -> None:
    """The planning panel: one status click for Scottsdale, rescored and redrawn, median and worst."""
    try:
        from wwc_analysis.app.panel import PlanningPanel
    except ImportError as exc:
        print(f"planning panel: skipped ({exc.name} is not installed)")
        return
    view = PlanningPanel("Scottsdale")
    unmet = [code for code in view.standard.codes if view.base.answer_text(code) != "Yes"]
    times = []
    for k in range(changes):  # each click leaves answers not seen before, so no chart is reused
        code, choice = unmet[k % len(unmet)], ("Yes", "In Progress", "No")[k // len(unmet) % 3]
        start = time.perf_counter()
        view.set_status(code, choice)
        times.append(time.perf_counter() - start)
    times.sort()
    print(
        "planning panel, one change (rescored, words and both charts redrawn): median "
        f"{times[len(times) // 2] * 1000:.0f} ms, worst {times[-1] * 1000:.0f} ms over {changes} changes with new "
        "answers (target: within 150 ms)"
    )


def stage_line(output: str) -> str:
    return next((line.strip() for line in output.splitlines() if line.startswith("time per stage")), "")


def batches(cities: int, workers: int, work: Path, loop: bool) -> None:
    """One report, the batch with and without PDFs, an unchanged rerun, and a sequential papermill loop."""
    seconds, _ = wwc("report", "--city", "Scottsdale", "--out", str(work / "one"))
    print(f"one city report end to end (wwc report, kernel start included): {seconds:.1f} s")
    responses, outcomes = simulate(cities, work / "cohort", seed=11)
    args = [str(responses), "--outcomes", str(outcomes), "--all", "--no-progress", "--workers", str(workers)]
    no_pdf, out = wwc("batch", *args, "--out", str(work / "no_pdf"), env={"WWC_CHROMIUM": ""})
    print(f"wwc batch, {cities} cities, {workers} workers, without PDF: {no_pdf:.1f} s\n  {stage_line(out)}")
    full, out = wwc("batch", *args, "--out", str(work / "full"))
    print(f"wwc batch, {cities} cities, {workers} workers, with PDF: {full:.1f} s\n  {stage_line(out)}")
    rerun, _ = wwc("batch", *args, "--out", str(work / "full"))
    print(f"unchanged rerun: {rerun:.1f} s, {rerun / full:.0%} of the build (target: under 15%)")
    if not loop:
        return
    total = 0.0
    papermill = str(Path(sys.executable).with_name("papermill"))
    inputs = f"responses: [{responses}]\noutcomes: [{outcomes}]"
    for i in range(cities):
        folder = work / "loop" / f"{i:03d}"
        folder.mkdir(parents=True)
        start = time.perf_counter()
        subprocess.run(
            [
                papermill,
                str(ROOT / "notebooks" / "city_report.ipynb"),
                str(folder / "report.ipynb"),
                "-k",
                "python3",
                "--cwd",
                str(folder),
                "-p",
                "city",
                f"Simulated city {i + 1:03d}",
                "-p",
                "out_dir",
                ".",
                "-y",
                inputs,
                "--no-progress-bar",
            ],
            capture_output=True,
            check=True,
        )
        total += time.perf_counter() - start
    print(f"sequential papermill loop, same {cities} cities: {total:.1f} s ({total / cities:.1f} s per report)")
    print(f"batch speed-up over the loop: {total / no_pdf:.1f}x without PDF (target: 8x), {total / full:.1f}x with PDF")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="benchmarks/benchmark.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cities", type=int, default=100_000, help="assessments for the large-input guard rail (0: skip)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of the guard rail's measurements; the best counts")
    parser.add_argument("--changes", type=int, default=24, help="planning panel changes to time (0: skip)")
    parser.add_argument("--reports", type=int, default=24, help="cities in the batch comparison (0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="batch workers")
    parser.add_argument("--no-loop", action="store_true", help="skip the sequential papermill loop (slow)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wwc-bench-") as tmp:
        work = Path(tmp)
        if args.cities:
            large_inputs(args.cities, work, args.repeat)
        if args.changes:
            panel(args.changes)
        if args.reports:
            batches(args.reports, args.workers, work, loop=not args.no_loop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
