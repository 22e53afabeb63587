"""The `wwc` command line: validate, score, and the rest of the workbench's jobs.

Bad input ends in one line on stderr (file, row and value, or flag and value) and exit status 2;
`--debug` shows the traceback. Control characters are escaped: a name is data, never a command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .analysis.cohorts import COHORT_HELP
from .errors import InputError, ParameterError, WWCError, printable

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def _inputs(p: argparse.ArgumentParser) -> None:
    files = "responses files (CSV, .xlsx or a validated store); none: the bundled data"
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help=files)
    outcomes = "resident outcome metric values (repeatable)"
    p.add_argument("--outcomes", action="append", type=Path, default=None, metavar="FILE", help=outcomes)
    p.add_argument("--edition", default=None, help="edition of the standard (default: 2022)")


def _city(p: argparse.ArgumentParser, cohort: bool = True, year: bool = True) -> None:
    p.add_argument("--city", required=True, metavar="NAME", help="the city")
    if year:
        p.add_argument("--year", type=int, default=None, help="assessment year (default: the latest)")
    if cohort:
        p.add_argument("--cohort", default="published:all", help=COHORT_HELP)


def _format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")


def _plan(p: argparse.ArgumentParser) -> None:
    plan = "a plan (CSV or Excel: criterion, status, owner, due, note)"
    p.add_argument("--plan", type=Path, default=None, metavar="FILE", help=plan)


def build_parser() -> argparse.ArgumentParser:
    from . import commands as c

    parser = argparse.ArgumentParser(prog="wwc", description="What Works Cities Certification analysis workbench")
    parser.add_argument("--version", action="version", version=f"wwc-analysis {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check responses or outcomes files and say what is wrong")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--edition", default=None)
    p.set_defaults(func=c.validate)

    p = sub.add_parser("score", help="score cities: criteria met, practices, tier and reasons")
    _inputs(p)
    p.add_argument("--city", action="append", default=None, metavar="NAME", help="only this city (repeatable)")
    _format(p)
    p.set_defaults(func=c.score)

    p = sub.add_parser("gaps", help="a city against a peer cohort, by criterion and by practice, with audit risks")
    _inputs(p)
    _city(p)
    p.add_argument("--level", choices=["practice", "criterion"], default=None, help="only this table (csv needs one)")
    _format(p)
    p.set_defaults(func=c.gaps)

    p = sub.add_parser("opportunities", help="what the next tier needs and the shortest path to it")
    _inputs(p)
    _city(p)
    _format(p)
    p.set_defaults(func=c.opportunities)

    p = sub.add_parser("whatif", help="score a city with changes applied (no file is changed)")
    _inputs(p)
    _city(p)
    changes = 'e.g. "RDC1=Yes, EVAL1=Yes" or "nominated=yes" (repeatable; applied after --plan)'
    p.add_argument("--set", dest="changes", action="append", default=None, metavar="CODE=STATUS", help=changes)
    _plan(p)
    _format(p)
    p.set_defaults(func=c.whatif)

    p = sub.add_parser("progress", help="a city's story: its certifications and assessments year by year")
    _inputs(p)
    _city(p, cohort=False, year=False)
    _format(p)
    p.set_defaults(func=c.progress)

    p = sub.add_parser("simulate", help="write a simulated cohort (labelled simulated) to data/processed/")
    p.add_argument("--cities", type=int, default=50, help="how many cities (default 50)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=None, help="folder (default: data/processed/simulated_N_seedS/)")
    p.set_defaults(func=c.simulate)

    p = sub.add_parser("report", help="one city's report: notebook, HTML, PDF, charts, summary.md and tables")
    _inputs(p)
    _city(p)
    _plan(p)
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="parent folder (default: outputs/)")
    p.add_argument("--force", action="store_true", help="rebuild even if the report is up to date")
    p.set_defaults(func=c.report)

    p = sub.add_parser("batch", help="reports for many cities in parallel, with an index")
    _inputs(p)
    which = p.add_mutually_exclusive_group()
    which.add_argument("--cities", nargs="+", metavar="NAME", help="only these cities")
    which.add_argument("--all", action="store_true", help="every city loaded (the default)")
    p.add_argument("--workers", type=int, default=0, help="worker processes (default: one per core)")
    p.add_argument("--cohort", default="published:all", help="peer cohort (see `wwc gaps --help`)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default: outputs/)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help="rebuild every report, even those up to date")
    _plan(p)
    p.set_defaults(func=c.batch)

    p = sub.add_parser("template", help="write a self-assessment template to fill in (Excel, or CSV)")
    p.add_argument("--city", default="Your city", help="city name to fill in")
    p.add_argument("--year", type=int, default=None, help="assessment year (default: the edition's first)")
    p.add_argument("--edition", default=None)
    p.add_argument(
        "--out", type=Path, default=Path("wwc_self_assessment.xlsx"), metavar="FILE", help="FILE.xlsx or FILE.csv"
    )
    p.set_defaults(func=c.template)

    p = sub.add_parser("import-report", help="read a certification report (text or PDF) into the workbench's formats")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--city", default=None, help="city name (default: as the report gives it)")
    p.add_argument("--edition", default=None)
    p.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="folder (default: data/processed/imported/<city>_<year>/)"
    )
    p.set_defaults(func=c.import_report)

    p = sub.add_parser("benchmark", help="measure scoring, the app and report speed on this machine (needs a checkout)")
    p.add_argument("args", nargs=argparse.REMAINDER, help="passed on to benchmarks/benchmark.py (see its --help)")
    p.set_defaults(func=c.benchmark)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (InputError, ParameterError, MemoryError) as exc:
        if args.debug:
            raise
        print(f"wwc: error: {printable(message(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("wwc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if args.debug:
            raise
        kind = "" if isinstance(exc, WWCError) else f"{type(exc).__name__}: "
        print(f"wwc: error: {printable(kind + str(exc))} (run with --debug for details)", file=sys.stderr)
        return EXIT_FAILED


def message(exc: BaseException) -> str:
    """An error's one line for the terminal: a parameter named by its flag, memory exhaustion said plainly."""
    if isinstance(exc, ParameterError):
        return exc.message(f"--{exc.parameter}")
    if isinstance(exc, MemoryError):
        return "the input needs more memory than this machine has; split it into smaller files"
    return str(exc)


def main_exit() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    main_exit()
