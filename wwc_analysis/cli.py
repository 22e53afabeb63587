"""The `wwc` command line: validate, score, and the rest of the workbench's jobs.

Bad input ends in one line on stderr naming the file, row and value, and exit status 2;
`--debug` shows the full traceback instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def _add_inputs(p: argparse.ArgumentParser, outcomes: bool = True) -> None:
    p.add_argument("files", nargs="*", type=Path, metavar="FILE",
                   help="responses files (CSV or .xlsx); none: the bundled data in data/raw/")
    if outcomes:
        p.add_argument("--outcomes", action="append", type=Path, default=None, metavar="FILE",
                       help="resident outcome metric values (repeatable)")
    p.add_argument("--edition", default=None, help="edition of the standard (default: 2022)")


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wwc", description="What Works Cities Certification analysis workbench")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check responses or outcomes files and say what is wrong")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--edition", default=None)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("score", help="score cities: criteria met, practices, tier and reasons")
    _add_inputs(p)
    p.add_argument("--city", action="append", default=None, metavar="NAME", help="only this city (repeatable)")
    _add_format(p)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("benchmark", help="measure scoring and report speed on this machine")
    from .benchmark import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_benchmark)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .errors import InputError

    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        if args.debug:
            raise
        print(f"wwc: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("wwc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if args.debug:
            raise
        print(f"wwc: error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return EXIT_FAILED


def load_inputs(args: argparse.Namespace):
    """Standard, responses and outcomes for a command: the files given, or the bundled data."""
    from .bundled import bundled_outcome_files, bundled_response_files
    from .outcomes import load_outcomes
    from .responses import load_responses
    from .standard import DEFAULT_EDITION, load_standard

    standard = load_standard(args.edition or DEFAULT_EDITION)
    files = args.files or bundled_response_files()
    outcome_files = getattr(args, "outcomes", None)
    if outcome_files is None:
        outcome_files = [] if args.files else bundled_outcome_files()
    return standard, load_responses(files, standard), load_outcomes(outcome_files, standard)


def select_cities(frame, names: list[str] | None, column: str = "city"):
    """Rows of the named cities (case-insensitive); an unknown name is an error listing the known ones."""
    if not names:
        return frame
    from .errors import InputError
    from .scoring import city_key

    keys = city_key(frame[column])
    for name in names:
        if not (keys == name.strip().casefold()).any():
            known = ", ".join(sorted(set(frame[column]))[:20])
            raise InputError("--city", None, f"no such city in the data (known: {known})", name)
    return frame[keys.isin([n.strip().casefold() for n in names])]


def cmd_validate(args: argparse.Namespace) -> int:
    from .outcomes import REQUIRED as OUTCOME_COLUMNS
    from .outcomes import outcomes_from_table
    from .responses import REQUIRED, check_duplicates, responses_from_table
    from .standard import DEFAULT_EDITION, load_standard
    from .tables import normalise_header, read_table

    standard = load_standard(args.edition or DEFAULT_EDITION)
    for path in args.files:
        table = read_table(path, ("city",))
        if "metric" in [normalise_header(c) for c in table.frame.columns]:
            frame = outcomes_from_table(read_table(path, OUTCOME_COLUMNS), standard)
            kind = "outcome values"
        else:
            frame = responses_from_table(read_table(path, REQUIRED), standard)
            check_duplicates(frame)
            kind = "responses"
        cities = sorted(set(frame["city"]))
        shown = ", ".join(cities[:5]) + (", ..." if len(cities) > 5 else "")
        noun = "city" if len(cities) == 1 else "cities"
        print(f"{path}: ok, {len(frame)} {kind} for {len(cities)} {noun} ({shown})")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from .explain import explain, score_table, to_records
    from .export import to_csv_text

    standard, responses, outcomes = load_inputs(args)
    responses = select_cities(responses, args.city)
    scored = explain(responses, outcomes, standard)
    if args.format == "json":
        print(json.dumps(to_records(scored, standard), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        sys.stdout.write(to_csv_text(score_table(scored, standard, numeric=True)))
    else:
        print(score_table(scored, standard).to_string(index=False))
        notes = [(r["city"], s) for _, r in scored.iterrows() for s in r["reasons"]
                 if "readings of the bands disagree" in s or "is unknown" in s]
        for city, sentence in notes:
            print(f"\n{city}: {sentence}")
    return 0


def cmd_benchmark(args: argparse.Namespace) -> int:
    from .benchmark import run

    return run(args)


def main_exit() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    main_exit()
