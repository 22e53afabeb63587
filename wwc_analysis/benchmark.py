"""Measure the workbench's speed on this machine; run by `wwc benchmark` or benchmarks/benchmark.py.

Timings are printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any


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
    from .explain import add_reasons
    from .outcomes import outcomes_from_table
    from .responses import check_duplicates, responses_from_table
    from .scoring import build_assessments, score_assessments
    from .simulate import simulate_cohort
    from .standard import load_standard
    from .tables import table_from_frame

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
    t_score, scored = timed(lambda: score_assessments(build_assessments(responses, outcomes, standard), standard),
                            repeat)
    a = build_assessments(responses, outcomes, standard)
    t_reasons, _ = timed(lambda: add_reasons(scored, a.audited, standard), 1)
    return {"rows": float(len(responses_raw)), "cities": float(n_cities), "validate_s": t_load,
            "score_s": t_score, "reasons_s": t_reasons, "total_s": t_load + t_score + t_reasons}


def report_scoring(n_cities: int) -> None:
    r = bench_scoring(n_cities)
    print(f"scoring {int(r['cities']):,} simulated assessments ({int(r['rows']):,} response rows)")
    print(f"  validate and normalise: {r['validate_s']:6.2f} s")
    print(f"  score (vectorised):     {r['score_s']:6.2f} s")
    print(f"  plain-language reasons: {r['reasons_s']:6.2f} s")
    print(f"  total:                  {r['total_s']:6.2f} s")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options, shared by `wwc benchmark` and benchmarks/benchmark.py."""
    parser.add_argument("--cities", type=int, default=100_000, help="simulated assessments to score")


def run(args: argparse.Namespace) -> int:
    report_scoring(args.cities)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmark.py", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))
