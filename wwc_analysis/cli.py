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


def _add_city(p: argparse.ArgumentParser, cohort: bool = True) -> None:
    p.add_argument("--city", default="Scottsdale", metavar="NAME", help="the city (default: Scottsdale)")
    p.add_argument("--year", type=int, default=None, help="assessment year (default: the latest)")
    if cohort:
        from .cohorts import COHORT_HELP

        p.add_argument("--cohort", default="published:all", help=COHORT_HELP)


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")


def _add_plan(p: argparse.ArgumentParser) -> None:
    p.add_argument("--plan", type=Path, default=None, metavar="FILE",
                   help="a plan (CSV or Excel: criterion, status, owner, due, note) to apply")


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

    p = sub.add_parser("gaps", help="a city against a peer cohort, by criterion and by practice, with audit risks")
    _add_inputs(p)
    _add_city(p)
    p.add_argument("--level", choices=["practice", "criterion"], default=None,
                   help="only this table (csv needs one; default: criterion)")
    _add_format(p)
    p.set_defaults(func=cmd_gaps)

    p = sub.add_parser("opportunities", help="what the next tier needs and the shortest path to it")
    _add_inputs(p)
    _add_city(p)
    _add_format(p)
    p.set_defaults(func=cmd_opportunities)

    p = sub.add_parser("whatif", help="score a city with status changes applied (no file is changed)")
    _add_inputs(p)
    _add_city(p, cohort=False)
    p.add_argument("--set", dest="changes", action="append", default=None, metavar="CODE=STATUS",
                   help='e.g. "RDC1=Yes, EVAL1=Yes" or "nominated=yes" (repeatable; applied after --plan)')
    _add_plan(p)
    _add_format(p)
    p.set_defaults(func=cmd_whatif)

    p = sub.add_parser("simulate", help="write a simulated cohort (labelled simulated) to data/processed/")
    p.add_argument("--cities", type=int, default=50, help="how many cities (default 50)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=None, help="folder (default: data/processed/simulated_N_seedS/)")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("report", help="one city's gap report: notebook, HTML, charts, summary.md and tables")
    _add_inputs(p)
    p.add_argument("--city", default="Scottsdale", metavar="NAME", help="the city (default: Scottsdale)")
    p.add_argument("--cohort", default="published:all", help="peer cohort (see `wwc gaps --help`)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="parent folder (default: outputs/)")
    _add_plan(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("batch", help="gap reports for many cities in parallel, with an index")
    _add_inputs(p)
    which = p.add_mutually_exclusive_group()
    which.add_argument("--cities", nargs="+", metavar="NAME", help="only these cities")
    which.add_argument("--all", action="store_true", help="every city loaded (the default)")
    p.add_argument("--workers", type=int, default=0, help="worker processes (default: one per core)")
    p.add_argument("--cohort", default="published:all", help="peer cohort (see `wwc gaps --help`)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default: outputs/)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_plan(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("template", help="write a self-assessment template to fill in (Excel, or CSV)")
    p.add_argument("--city", default="Your city", help="city name to fill in")
    p.add_argument("--year", type=int, default=None, help="assessment year (default: the edition's first)")
    p.add_argument("--edition", default=None)
    p.add_argument("--out", type=Path, default=Path("wwc_self_assessment.xlsx"), metavar="FILE",
                   help="FILE.xlsx (default wwc_self_assessment.xlsx) or FILE.csv")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("import-report", help="read a certification report (text or PDF) into the workbench's formats")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--city", default=None, help="city name (default: as the report gives it)")
    p.add_argument("--edition", default=None)
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="folder for the tables (default: data/processed/imported/<city>_<year>/)")
    p.set_defaults(func=cmd_import_report)

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
    from .bundled import input_files
    from .outcomes import load_outcomes
    from .responses import load_responses
    from .standard import DEFAULT_EDITION, load_standard

    standard = load_standard(args.edition or DEFAULT_EDITION)
    files, outcome_files = input_files(args.files, getattr(args, "outcomes", None))
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
    from .outcomes import check_duplicates as check_outcome_duplicates
    from .outcomes import outcomes_from_table
    from .responses import REQUIRED, check_duplicates, responses_from_table
    from .standard import DEFAULT_EDITION, load_standard
    from .tables import normalise_header, read_table

    standard = load_standard(args.edition or DEFAULT_EDITION)
    for path in args.files:
        table = read_table(path, ("city",))
        if "metric" in [normalise_header(c) for c in table.frame.columns]:
            frame = outcomes_from_table(read_table(path, OUTCOME_COLUMNS), standard)
            check_outcome_duplicates(frame)
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


def _city_context(args: argparse.Namespace):
    """Standard, responses, assessments and the row of the chosen city (and its cohort)."""
    from .scoring import assessment_index, build_assessments

    standard, responses, outcomes = load_inputs(args)
    a = build_assessments(responses, outcomes, standard)
    row = assessment_index(a, args.city, args.year)
    cohort = None
    if hasattr(args, "cohort"):
        from .cohorts import build_cohort

        cohort = build_cohort(args.cohort, a, row, standard)
    return standard, responses, a, row, cohort


def _print_table(title: str, frame) -> None:
    print(f"{title}\n{frame.to_string(index=False)}\n")


def cmd_gaps(args: argparse.Namespace) -> int:
    from .export import json_records, to_csv_text
    from .gaps import audit_risk, criterion_gaps, practice_gaps

    standard, responses, a, row, cohort = _city_context(args)
    city = a.keys["city"].iloc[row]
    tables = {"practice": practice_gaps(a, row, cohort, standard),
              "criterion": criterion_gaps(a, row, cohort, standard)}
    risk = audit_risk(responses, a, row, cohort, standard)
    if args.format == "json":
        out = {"city": city, "year": _json_year(a.keys["year"].iloc[row]), "cohort": cohort.description,
               "practices": json_records(tables["practice"]), "criteria": json_records(tables["criterion"]),
               "audit_risk": json_records(risk)}
        print(json.dumps(out, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        sys.stdout.write(to_csv_text(tables[args.level or "criterion"]))
    else:
        print(f"{city} against {cohort.description}\n")
        shown = {"practice": tables["practice"].round(3),
                 "criterion": tables["criterion"].drop(columns="text").round(3)}
        for level in [args.level] if args.level else ["practice", "criterion"]:
            _print_table(f"By {level}:", shown[level])
        if not args.level:
            _print_table("Audit risk (self-assessed Yes answers):",
                         risk.assign(audit_note=risk["audit_note"].str.slice(0, 60)))
    return 0


def _json_year(year):
    import pandas as pd

    return None if pd.isna(year) else int(year)


def cmd_opportunities(args: argparse.Namespace) -> int:
    import pandas as pd

    from .export import to_csv_text
    from .opportunities import opportunities

    standard, _, a, row, cohort = _city_context(args)
    opp = opportunities(a, row, cohort, standard)
    if args.format == "json":
        print(json.dumps(opp, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        rows = [dict(tier=step["tier"], rank=i + 1, **pick) for step in opp["steps"]
                for i, pick in enumerate(step["shortlist"])]
        sys.stdout.write(to_csv_text(pd.DataFrame(rows, columns=["tier", "rank", "criterion", "practice", "status",
                                                                 "peer_share", "mandatory", "reason"])))
    else:
        print(f"{opp['city']} ({opp['tier'] or 'no tier'}), peers: {opp['cohort']}\n")
        print("\n".join(opp["summary"]))
        if opp["shortlist"]:
            print()
            _print_table(f"Shortlist for {opp['next_tier']}:", pd.DataFrame(opp["shortlist"]))
    return 0


def cmd_whatif(args: argparse.Namespace) -> int:
    from .explain import to_records
    from .export import to_csv_text
    from .whatif import what_if

    standard, _, a, row, _ = _city_context(args)
    changes = list(args.changes or [])
    if args.plan:
        from .plan import as_changes, load_plan

        changes = as_changes(load_plan(args.plan, standard)) + changes
    if not changes:
        from .errors import InputError

        raise InputError("whatif", None, "give the changes with --set CODE=STATUS or --plan FILE")
    result = what_if(a, row, changes, standard)
    if args.format == "json":
        records = to_records(result, standard)
        for rec, scenario, changes in zip(records, result["scenario"], result["changes"]):
            rec.update(scenario=scenario, changes=list(changes))
        print(json.dumps(records, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        from .explain import score_table

        table = score_table(result, standard, numeric=True)
        table.insert(0, "scenario", result["scenario"].to_numpy())
        sys.stdout.write(to_csv_text(table))
    else:
        before, after = result.iloc[0], result.iloc[1]
        print("Changes: " + "; ".join(after["changes"]))
        for label, r in (("As is", before), ("What if", after)):
            print(f"{label:8}: {r['criteria_met']}/{standard.n_criteria} met, {r['outcomes_met']} outcome metrics, "
                  f"{r['tier'] or 'no tier'}")
        print("\n" + "\n".join(after["reasons"]))
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from .errors import InputError
    from .paths import processed_dir
    from .simulate import write_cohort

    if args.cities < 1:
        raise InputError("--cities", None, "must be at least 1", args.cities)
    folder = args.out or processed_dir() / f"simulated_{args.cities}_seed{args.seed}"
    responses, outcomes = write_cohort(args.cities, args.seed, folder)
    print(f"{args.cities} simulated cities (seed {args.seed}): {responses} and {outcomes}")
    print("Every city is named 'Simulated city NNN'; tables and charts built on them say 'simulated'.")
    return 0


def _run_reports(args: argparse.Namespace, cities: list[str] | None, overview: bool, workers: int,
                 progress: bool, index: bool = True) -> tuple[list, Path]:
    from .batch import plan_batch, run_batch
    from .paths import outputs_dir
    from .standard import DEFAULT_EDITION

    out = (args.out or outputs_dir()).absolute()
    plan = plan_batch(list(args.files), args.outcomes, cities, out, args.edition or DEFAULT_EDITION, args.cohort,
                      overview, getattr(args, "plan", None))
    return run_batch(plan, out, workers, progress, index), out


def cmd_report(args: argparse.Namespace) -> int:
    results, out = _run_reports(args, [args.city], overview=False, workers=1, progress=False, index=False)
    for r in results:
        if r.ok:
            print(f"{r.job.name}: {r.job.tier or 'no tier'}; report written to {out / r.job.folder}/ "
                  f"(open {out / r.job.folder / 'report.html'})")
        else:
            print(f"wwc: error: {r.job.name}: {r.error}", file=sys.stderr)
    return 0 if results and all(r.ok for r in results) else EXIT_FAILED


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import summary_lines

    if args.workers < 0:
        from .errors import InputError

        raise InputError("--workers", None, "must be 0 (one per core) or more", args.workers)
    results, out = _run_reports(args, args.cities, overview=True, workers=args.workers,
                                progress=not args.no_progress)
    lines = summary_lines(results, out)
    print("\n".join(lines))
    return 0 if all(r.ok for r in results) else EXIT_FAILED


def cmd_template(args: argparse.Namespace) -> int:
    from .errors import InputError
    from .standard import DEFAULT_EDITION, load_standard
    from .template import write_template

    if args.out.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError(args.out, None, "the template is written as .xlsx or .csv", args.out.suffix)
    paths = write_template(args.out, load_standard(args.edition or DEFAULT_EDITION), args.city, args.year)
    print("Template written: " + ", ".join(map(str, paths)))
    return 0


def cmd_import_report(args: argparse.Namespace) -> int:
    from .paths import processed_dir
    from .report_import import import_report, write_report_tables
    from .slugs import slugify
    from .standard import DEFAULT_EDITION, load_standard

    standard = load_standard(args.edition or DEFAULT_EDITION)
    report = import_report(args.file, args.city, standard)
    folder = args.out or processed_dir() / "imported" / f"{slugify(report.city)}_{report.year}"
    paths = write_report_tables(report, folder)
    met = int((report.responses["status"] == "Yes").sum())
    print(f"{report.city} {report.year}: {met} of {standard.n_criteria} criteria met, matching the report's totals"
          f"{f' and its tier ({report.stated_tier})' if report.stated_tier else ''}.")
    print("Written: " + ", ".join(map(str, paths)))
    return 0


def cmd_benchmark(args: argparse.Namespace) -> int:
    from .benchmark import run

    return run(args)


def main_exit() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    main_exit()
