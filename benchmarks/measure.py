"""Measure the workbench's speed on this machine; run by `wwc benchmark` or benchmarks/benchmark.py.

Timings are printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .explain import add_reasons
from .io.outcomes import outcomes_from_table
from .io.responses import check_duplicates, responses_from_table
from .io.tables import table_from_frame
from .reports.kernel import NOTEBOOKS
from .scoring import build_assessments, score_assessments
from .simulate import simulate_cohort, simulated_names, write_cohort
from .standard import load_standard


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench_scoring(n_cities: int = 100_000, seed: int = 1, repeat: int = 3) -> dict[str, float]:
    """Score `n_cities` simulated assessments (n x 43 rows) from their raw string statuses."""
    standard = load_standard()
    responses_raw, outcomes_raw = simulate_cohort(n_cities, seed, standard)
    responses_raw = responses_raw.astype({"year": str})
    outcomes_raw = outcomes_raw.astype({"year": str})
    as_table = lambda frame: table_from_frame(frame, "<simulated>")  # noqa: E731

    def load():
        responses = responses_from_table(as_table(responses_raw), standard)
        check_duplicates(responses)
        return responses, outcomes_from_table(as_table(outcomes_raw), standard)

    t_load, (responses, outcomes) = timed(load, repeat)
    t_score, scored = timed(
        lambda: score_assessments(build_assessments(responses, outcomes, standard), standard), repeat
    )
    a = build_assessments(responses, outcomes, standard)
    t_reasons, _ = timed(lambda: add_reasons(scored, a.audited, standard), 1)
    return {
        "rows": float(len(responses_raw)),
        "cities": float(n_cities),
        "validate_s": t_load,
        "score_s": t_score,
        "reasons_s": t_reasons,
        "total_s": t_load + t_score + t_reasons,
    }


def report_scoring(n_cities: int, repeat: int = 3) -> None:
    """Print the in-process time of each scoring stage, the best of `repeat` runs."""
    r = bench_scoring(n_cities, repeat=repeat)
    print(f"scoring {int(r['cities']):,} simulated assessments ({int(r['rows']):,} response rows)")
    print(f"  validate and normalise: {r['validate_s']:6.2f} s")
    print(f"  score (vectorised):     {r['score_s']:6.2f} s")
    print(f"  plain-language reasons: {r['reasons_s']:6.2f} s")
    print(f"  total:                  {r['total_s']:6.2f} s")


_MEASURE = """
import resource, sys, time
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start, start_cpu = time.perf_counter(), cpu()
{body}
seconds, cpu_seconds = time.perf_counter() - start, cpu() - start_cpu
try:  # this program's own peak: ru_maxrss also counts the parent's memory, inherited through fork
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, cpu_seconds, peak_kb, file=sys.stderr)
"""


def _measure(body: str) -> tuple[float, float, float]:
    """Wall time, CPU time and peak resident memory (MB) of `body` in a fresh interpreter.

    `body` does its imports, then restarts the clocks (`start`, `start_cpu`): imports count in
    neither measurement. The peak is the interpreter's own high-water mark (VmHWM, Linux):
    `ru_maxrss` would also count the memory of the process that started it, which a fork hands down.
    """

    env = {**os.environ, "WWC_MAX_INPUT_MB": "100000"}
    done = subprocess.run([sys.executable, "-c", _MEASURE.format(body=body)], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1:])
    seconds, cpu_seconds, peak_kb = done.stderr.strip().splitlines()[-1].split()
    return float(seconds), float(cpu_seconds), float(peak_kb) / 1024


_RESTART = "start, start_cpu = time.perf_counter(), cpu()\n"


def bench_score_file(n_cities: int, work: Path, seed: int = 1, repeat: int = 3) -> dict[str, float]:
    """`wwc score` on a CSV of `n_cities` simulated assessments, against a bare `pd.read_csv` of the same files.

    Each runs `repeat` times, alternately, in a fresh interpreter with its imports done before the
    clocks start: the best wall and CPU times count (a shared machine only ever slows a run down),
    and the highest peak memory. The files are written by another interpreter too, so that this one
    stays small and holds no memory the measured ones might want. The scores are written to the null
    device, as a person's `wwc score ... > scores.csv` writes them to a file. Each side is also timed as a whole
    command, best of `repeat` (interpreter start and imports included, as a person running it meets it);
    the ratio that counts stays the one above.
    """

    folder = work / "score"
    write = "import sys; from pathlib import Path; from wwc_analysis.simulate import write_cohort; "
    write += "write_cohort(int(sys.argv[1]), seed=int(sys.argv[2]), folder=Path(sys.argv[3]))"
    subprocess.run([sys.executable, "-c", write, str(n_cities), str(seed), str(folder)], check=True)
    responses, outcomes = folder / "responses.csv", folder / "outcomes.csv"
    read = f"import pandas as pd\n{_RESTART}pd.read_csv({str(responses)!r}); pd.read_csv({str(outcomes)!r})"
    score = (
        "import contextlib, os\nfrom wwc_analysis.cli import main\nimport wwc_analysis.explain, wwc_analysis.scoring\n"
        f"{_RESTART}with open(os.devnull, 'w') as sink, contextlib.redirect_stdout(sink):  # as `> scores.csv`\n"
        f"    main(['score', {str(responses)!r}, '--outcomes', {str(outcomes)!r}, '--format', 'csv'])"
    )
    runs = [(_measure(read), _measure(score)) for _ in range(repeat)]
    best = lambda side, i: (max if i == 2 else min)(run[side][i] for run in runs)  # noqa: E731
    read_command = [
        sys.executable,
        "-c",
        f"import pandas as pd; pd.read_csv({str(responses)!r}); pd.read_csv({str(outcomes)!r})",
    ]
    score_command = [*_wwc_command(), "score", str(responses), "--outcomes", str(outcomes), "--format", "csv"]
    commands = [(_command_seconds(read_command), _command_seconds(score_command)) for _ in range(repeat)]
    return {
        "read_command_s": min(read for read, _ in commands),
        "score_command_s": min(score for _, score in commands),
        "cities": float(n_cities),
        "rows": float(sum(1 for _ in responses.open()) - 1),
        "bytes": float(responses.stat().st_size),
        "repeat": float(repeat),
        "read_s": best(0, 0),
        "read_cpu_s": best(0, 1),
        "read_mb": best(0, 2),
        "score_s": best(1, 0),
        "score_cpu_s": best(1, 1),
        "score_mb": best(1, 2),
    }


def _wwc_command() -> list[str]:
    """The `wwc` command as installed beside this interpreter (as a person runs it), else through `-m`."""
    script = Path(sys.executable).with_name("wwc")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "wwc_analysis"]


def _command_seconds(command: list[str]) -> float:
    """Wall time of a whole command, from the interpreter's start to its exit, its output discarded."""

    env = {**os.environ, "WWC_MAX_INPUT_MB": "100000"}
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    return time.perf_counter() - start


def report_score_file(n_cities: int, repeat: int = 3) -> None:
    """Print the time and memory of `wwc score` on a large CSV against a bare `pd.read_csv`, and their ratios."""

    with tempfile.TemporaryDirectory(prefix="wwc-bench-") as tmp:
        r = bench_score_file(n_cities, Path(tmp), repeat=repeat)
    print(
        f"wwc score on a CSV of {int(r['cities']):,} simulated assessments ({int(r['rows']):,} rows, "
        f"{r['bytes'] / 2**20:.0f} MB), best of {int(r['repeat'])} runs each"
    )
    for name, key in (("pd.read_csv of the same files:", "read"), ("wwc score --format csv:       ", "score")):
        print(f"  {name} {r[f'{key}_s']:6.2f} s (CPU {r[f'{key}_cpu_s']:6.2f} s), peak {r[f'{key}_mb']:5.0f} MB")
    print(
        f"  time ratio: {r['score_s'] / r['read_s']:.2f}x pd.read_csv (target: at most 2.5x), "
        f"CPU time {r['score_cpu_s'] / r['read_cpu_s']:.2f}x"
    )
    ratio = r["score_mb"] / r["read_mb"]
    print(f"  peak memory: {r['score_mb']:.0f} MB, {ratio:.2f}x pd.read_csv's (target: under 800 MB)")
    print(
        f"  whole commands, interpreter start and imports included (not the measure above): "
        f"python -c 'pd.read_csv' of both {r['read_command_s']:.2f} s, "
        f"wwc score --format csv {r['score_command_s']:.2f} s ({r['score_command_s'] / r['read_command_s']:.2f}x)"
    )


def _wwc(*args: str) -> list[str]:

    return [sys.executable, "-m", "wwc_analysis.cli", *args]


def _run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> float:

    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed: {done.stderr.strip().splitlines()[-1:]}")
    _LAST_OUTPUT[:] = done.stdout.splitlines()
    return time.perf_counter() - start


_LAST_OUTPUT: list[str] = []


def bench_report(work: Path) -> float:
    """One city report end to end, as `wwc report` runs it (kernel start-up included)."""
    return _run(_wwc("report", "--city", "Scottsdale", "--out", str(work / "one")))


def bench_batch(n_reports: int, work: Path, loop: bool = True, workers: int = 0) -> dict:
    """`wwc batch` over `n_reports` simulated cities, with and without PDFs, and a sequential papermill loop.

    The loop runs the report notebook with the papermill CLI, one process (and kernel) per city: it
    writes the executed notebook, the tables and the chart files. The batch without PDFs does that and
    more (an HTML copy of each report, the cohort overview and the index): the like-for-like figure.
    The full batch also prints each report to PDF. Each run starts from an empty output folder.
    """

    responses, outcomes = write_cohort(n_reports, seed=11, folder=work / "cohort")
    result: dict = {"reports": float(n_reports)}
    runs = {"batch": None, "batch_no_pdf": {**os.environ, "WWC_CHROMIUM": ""}}  # no Chromium: no PDF
    for name, env in runs.items():
        args = [str(responses), "--outcomes", str(outcomes), "--all", "--no-progress", "--workers", str(workers)]
        result[f"{name}_s"] = _run(_wwc("batch", *args, "--out", str(work / name)), env=env)
        result[f"{name}_stages"] = next((line for line in _LAST_OUTPUT if line.startswith("time per stage")), "")
    if loop:
        papermill = str(Path(sys.executable).with_name("papermill"))
        total = 0.0
        for i, city in enumerate(simulated_names(n_reports)):
            folder = work / "loop" / f"{i:03d}"
            folder.mkdir(parents=True)
            total += _run(
                [
                    papermill,
                    str(NOTEBOOKS / "city_report.ipynb"),
                    str(folder / "report.ipynb"),
                    "-k",
                    "python3",
                    "--cwd",
                    str(folder),
                    "-p",
                    "city",
                    city,
                    "-p",
                    "out_dir",
                    ".",
                    "-y",
                    f"responses: [{responses}]\noutcomes: [{outcomes}]",
                    "--no-progress-bar",
                ]
            )
        result["loop_s"] = total
    return result


def report_batch(n_reports: int, workers: int, loop: bool) -> None:
    """Print the batch comparison: both batches with their time per stage, the loop, and the speed-ups."""

    with tempfile.TemporaryDirectory(prefix="wwc-bench-") as tmp:
        work = Path(tmp)
        print(f"one city report end to end (wwc report): {bench_report(work):6.2f} s")
        r = bench_batch(n_reports, work, loop=loop, workers=workers)
    n, workers = int(r["reports"]), workers or os.cpu_count()
    for name, what in (
        ("batch_no_pdf", "without PDF (notebook, tables, charts, HTML, index, cohort overview)"),
        ("batch", "with PDF (all of the above and a PDF per report)"),
    ):
        print(f"wwc batch, {n} reports, {workers} workers, {what}: {r[f'{name}_s']:6.1f} s")
        if r[f"{name}_stages"]:
            print(f"  {r[f'{name}_stages']}")
    if "loop_s" in r:
        print(
            f"sequential papermill loop, same {n} cities, one process each (notebook, tables, charts): "
            f"{r['loop_s']:6.1f} s ({r['loop_s'] / n:.2f} s per report)"
        )
        print(
            f"batch speed-up over the loop: {r['loop_s'] / r['batch_no_pdf_s']:.1f}x like for like "
            f"(the batch without PDF, which still writes more than the loop), "
            f"{r['loop_s'] / r['batch_s']:.1f}x with PDF (target: 8x)"
        )


def bench_panel(changes: int = 20) -> dict[str, float]:
    """Per-change latency of the planning panel for one city: rescore, reasons, paths and both charts redrawn."""
    from .panel import PlanningPanel  # the app extra (ipywidgets), which `wwc` itself does not need

    panel = PlanningPanel("Scottsdale")
    codes = ["DM8", "SI1", "RDC1", "BF3", "RDC3", "RDC7"]
    times = []
    for k in range(changes):
        code = codes[k % len(codes)]
        value = "Yes" if panel.status_controls[code].value != "Yes" else "In Progress"
        start = time.perf_counter()
        panel.set_status(code, value)
        times.append(time.perf_counter() - start)
    times.sort()
    return {"changes": float(changes), "median_ms": times[len(times) // 2] * 1000, "max_ms": times[-1] * 1000}


def report_panel(changes: int = 20) -> None:
    """Print the planning panel's latency per change (`changes` of them, rescore and redraw each)."""
    try:
        r = bench_panel(changes)
    except ImportError as exc:  # the app extra is not installed
        print(f"planning panel: skipped ({exc.name} is not installed)")
        return
    print(
        f"planning panel, one change for one city (rescore and redraw): median {r['median_ms']:.0f} ms, "
        f"worst {r['max_ms']:.0f} ms over {int(r['changes'])} changes (target: under 150 ms)"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options, shared by `wwc benchmark` and benchmarks/benchmark.py."""
    parser.add_argument("--cities", type=int, default=100_000, help="simulated assessments to score (0: skip)")
    parser.add_argument("--reports", type=int, default=50, help="city reports in the batch comparison (0: skip)")
    parser.add_argument("--workers", type=int, default=0, help="batch workers (default: one per core)")
    parser.add_argument("--no-loop", action="store_true", help="skip the sequential papermill loop (slow)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each scoring measurement; the best counts")
    parser.add_argument("--changes", type=int, default=20, help="planning panel changes to time (0: skip)")


def run(args: argparse.Namespace) -> int:
    if args.cities:
        report_scoring(args.cities, args.repeat)
        report_score_file(args.cities, args.repeat)
    if args.changes:
        report_panel(args.changes)
    if args.reports:
        report_batch(args.reports, args.workers, loop=not args.no_loop)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmark.py", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))
