"""The `wwc` command line: validate, score, and the rest of the workbench's jobs.

Bad input ends in one line on stderr naming the file, row and value, and exit status 2;
`--debug` shows the full traceback instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .benchmark import add_arguments, run
from .cohorts import COHORT_HELP
from .context import city_context
from .context import load_inputs as load
from .errors import InputError
from .explain import add_reasons, notes_for, rows_with_notes, score_table, to_records
from .identity import city_key, city_keys
from .io.certification_report import import_report, write_report_tables
from .io.export import json_records, readable, to_csv_bytes, to_json
from .io.outcomes import check_duplicates as check_outcome_duplicates
from .io.outcomes import outcomes_from_table
from .io.responses import check_duplicates, responses_from_table
from .io.slugs import slugify
from .io.tables import tables_to_validate
from .io.template import write_template
from .memory import keep_freed_memory, ordinary_pages
from .paths import outputs_dir, processed_dir
from .phrases import plural, tier_label, tier_range, with_published
from .plan import as_changes, load_plan
from .progress import progress, progress_records, progress_sentences
from .reports.batch import plan_batch, run_batch, summary_lines
from .scoring import score_assessments
from .simulate import write_cohort
from .standard import DEFAULT_EDITION, load_standard

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def _add_inputs(p: argparse.ArgumentParser, outcomes: bool = True) -> None:
    p.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="responses files (CSV or .xlsx); none: the bundled data in data/raw/",
    )
    if outcomes:
        p.add_argument(
            "--outcomes",
            action="append",
            type=Path,
            default=None,
            metavar="FILE",
            help="resident outcome metric values (repeatable)",
        )
    p.add_argument("--edition", default=None, help=f"edition of the standard (default: {DEFAULT_EDITION})")


def _add_city(p: argparse.ArgumentParser, cohort: bool = True) -> None:
    p.add_argument("--city", default="Scottsdale", metavar="NAME", help="the city (default: Scottsdale)")
    p.add_argument("--year", type=int, default=None, help="assessment year (default: the latest)")
    if cohort:
        p.add_argument("--cohort", default="published:all", help=COHORT_HELP)


def _add_plan(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--plan",
        type=Path,
        default=None,
        metavar="FILE",
        help="a plan (CSV or Excel: criterion, status, owner, due, note) to apply",
    )


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

    p = sub.add_parser("gaps", help="a city against a peer cohort, by criterion and by practice, with audit risks")
    _add_inputs(p)
    _add_city(p)
    p.add_argument(
        "--level",
        choices=["practice", "criterion"],
        default=None,
        help="only this table (csv needs one; default: criterion)",
    )
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
    p.add_argument(
        "--set",
        dest="changes",
        action="append",
        default=None,
        metavar="CODE=STATUS",
        help='e.g. "RDC1=Yes, EVAL1=Yes" or "nominated=yes" (repeatable; applied after --plan)',
    )
    _add_plan(p)
    _add_format(p)
    p.set_defaults(func=cmd_whatif)

    p = sub.add_parser("progress", help="a city's assessments year by year: criteria gained and lost, tier changes")
    _add_inputs(p)
    p.add_argument("--city", default="Scottsdale", metavar="NAME", help="the city (default: Scottsdale)")
    _add_format(p)
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("simulate", help="write a simulated cohort (labelled simulated) to data/processed/")
    p.add_argument("--cities", type=int, default=50, help="how many cities (default 50)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=None, help="folder (default: data/processed/simulated_N_seedS/)")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("report", help="one city's gap report: notebook, HTML, charts, summary.md and tables")
    _add_inputs(p)
    _add_city(p)
    _add_plan(p)
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="parent folder (default: outputs/)")
    p.add_argument("--force", action="store_true", help="rebuild even if the report is up to date")
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
    p.add_argument("--force", action="store_true", help="rebuild every report, even those up to date")
    _add_plan(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("template", help="write a self-assessment template to fill in (Excel, or CSV)")
    p.add_argument("--city", default="Your city", help="city name to fill in")
    p.add_argument("--year", type=int, default=None, help="assessment year (default: the edition's first)")
    p.add_argument("--edition", default=None)
    p.add_argument(
        "--out",
        type=Path,
        default=Path("wwc_self_assessment.xlsx"),
        metavar="FILE",
        help="FILE.xlsx (default wwc_self_assessment.xlsx) or FILE.csv",
    )
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("import-report", help="read a certification report (text or PDF) into the workbench's formats")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--city", default=None, help="city name (default: as the report gives it)")
    p.add_argument("--edition", default=None)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder for the tables (default: data/processed/imported/<city>_<year>/)",
    )
    p.set_defaults(func=cmd_import_report)

    p = sub.add_parser("benchmark", help="measure scoring and report speed on this machine")

    add_arguments(p)
    p.set_defaults(func=cmd_benchmark)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    ordinary_pages()
    keep_freed_memory()
    parser = build_parser()
    args = parser.parse_args(argv)

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
    """The validated inputs of a command: the files given, or the bundled data."""
    return load(args.files, getattr(args, "outcomes", None), args.edition)


def select_cities(frame, names: list[str] | None, column: str = "city"):
    """Rows of the named cities (one identity for names); an unknown name is an error listing the known ones."""
    if not names:
        return frame

    keys = city_keys(frame[column])
    for name in names:
        if not (keys == city_key(name)).any():
            known = ", ".join(sorted(set(frame[column]))[:20])
            raise InputError("--city", None, f"no such city in the data (known: {known})", name)
    return frame[keys.isin([city_key(n) for n in names]).to_numpy()]


def emit(args: argparse.Namespace, data: object, csv_frame=None, text: str = "") -> None:
    """Print a result in the format asked for: standard JSON, CSV with formulas neutralised, or text."""
    if args.format == "json":
        print(to_json(data))
    elif args.format == "csv":
        write_bytes(to_csv_bytes(csv_frame))
    else:
        print(text.rstrip("\n"))


def write_bytes(data: bytes) -> None:
    """UTF-8 output on stdout, handed to its binary stream where it has one (no text round trip)."""
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a text-only stream (captured output)
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    binary.write(data)
    binary.flush()


def people(frame) -> str:
    """A table for the terminal: shares as percentages, what cannot be computed as '?'."""
    return readable(frame).to_string(index=False)


def cmd_validate(args: argparse.Namespace) -> int:
    standard = load_standard(args.edition or DEFAULT_EDITION)
    for path in args.files:
        for kind, table in tables_to_validate(path):
            if kind == "outcomes":
                frame = outcomes_from_table(table, standard)
                check_outcome_duplicates(frame)
                what = "outcome values"
            else:
                frame = responses_from_table(table, standard)
                check_duplicates(frame)
                what = "responses"
            cities = sorted(set(frame["city"]))
            shown = ", ".join(cities[:5]) + (", ..." if len(cities) > 5 else "")
            noun = "city" if len(cities) == 1 else "cities"
            print(f"{table.label}: ok, {len(frame)} {what} for {len(cities)} {noun} ({shown})")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    inputs = load_inputs(args)
    # Only what is printed (they dominate at scale): one format, reasons in JSON only, notes where there are some.
    scored = select_cities(score_assessments(inputs.assessments, inputs.standard), args.city)
    if args.format == "csv":
        emit(args, None, score_table(scored, inputs.standard, numeric=True))
        return 0
    if args.format == "json":
        scored = add_reasons(scored, inputs.assessments.audited[scored.index.to_numpy()], inputs.standard)
        emit(args, to_records(scored, inputs.standard))
        return 0
    lines = [people(score_table(scored, inputs.standard))]
    for row in scored[rows_with_notes(scored, inputs.standard)].to_dict("records"):
        lines += [f"\n{row['city']} {row['year']}: {note}" for note in notes_for(row, inputs.standard)]
    for key in city_keys(scored["city"])[city_keys(scored["city"]).duplicated()].unique():
        name = scored["city"][city_keys(scored["city"]) == key].iloc[0]
        lines += [f"\n{name}: {t}" for t in progress_sentences(progress(inputs.assessments, name, inputs.standard))]
    emit(args, None, None, "\n".join(lines))
    return 0


def _city_context(args: argparse.Namespace):
    """The chosen city's context: its assessment among the loaded ones and its peer cohort."""
    return city_context(args.city, args.year, getattr(args, "cohort", "published:all"), inputs=load_inputs(args))


def cmd_gaps(args: argparse.Namespace) -> int:
    ctx = _city_context(args)
    tables = {"practice": ctx.practice_gaps(), "criterion": ctx.criterion_gaps()}
    risk = ctx.audit_risk()
    data = {
        "city": ctx.city,
        "year": ctx.year,
        "cohort": ctx.cohort.description,
        "notes": list(ctx.cohort.notes),
        "practices": json_records(tables["practice"]),
        "criteria": json_records(tables["criterion"]),
        "audit_risk": json_records(risk) if ctx.has_self else None,
    }
    text = [f"{ctx.city} {ctx.year} against {ctx.cohort.description}", *ctx.cohort.notes, ""]
    shown = {"practice": tables["practice"], "criterion": tables["criterion"].drop(columns="text")}
    for level in [args.level] if args.level else ["practice", "criterion"]:
        text += [f"By {level}:", people(shown[level]), ""]
    if not args.level:
        text += ["Audit risk (self-assessed Yes answers):"]
        text += [
            people(risk)
            if ctx.has_self and len(risk)
            else ("none" if ctx.has_self else "no self-assessment was given"),
            "",
        ]
    emit(args, data, tables[args.level or "criterion"], "\n".join(text))
    return 0


def cmd_opportunities(args: argparse.Namespace) -> int:
    import pandas as pd

    ctx = _city_context(args)
    opp = ctx.opportunities()
    rows = [
        dict(tier=step["tier"], rank=i + 1, **pick) for step in opp["steps"] for i, pick in enumerate(step["shortlist"])
    ]
    table = pd.DataFrame(
        rows, columns=["tier", "rank", "criterion", "practice", "status", "peer_share", "mandatory", "reason"]
    )
    text = [
        f"{opp['city']} {opp['year']} ({tier_label(opp['tier'])}), peers: {opp['cohort']}",
        *ctx.cohort.notes,
        "",
        *opp["summary"],
    ]
    if opp["shortlist"]:
        text += ["", f"Shortlist for {opp['next_tier']}:", people(pd.DataFrame(opp["shortlist"]))]
    emit(args, opp | {"notes": list(ctx.cohort.notes)}, table, "\n".join(text))
    return 0


def cmd_whatif(args: argparse.Namespace) -> int:
    ctx = _city_context(args)
    changes = list(args.changes or [])
    if args.plan:
        changes = as_changes(load_plan(args.plan, ctx.standard)) + changes
    if not changes:
        raise InputError("whatif", None, "give the changes with --set CODE=STATUS or --plan FILE")
    result = ctx.what_if(changes)
    records = to_records(result, ctx.standard)
    for rec, scenario, changes in zip(records, result["scenario"], result["changes"]):
        rec.update(scenario=scenario, changes=list(changes))
    table = score_table(result, ctx.standard, numeric=True)
    table.insert(0, "scenario", result["scenario"].to_numpy())
    text = ["Changes: " + "; ".join(result["changes"].iloc[1])]
    for label, r in zip(("As is", "What if"), result.to_dict("records")):
        tier = with_published(r["tier"], r["published_tier"])
        rng = tier_range(r["tier_low"], r["tier_high"])
        text.append(
            f"{label:8}: {r['criteria_met']}/{ctx.standard.n_criteria} met, "
            f"{plural(int(r['outcomes_met']), 'outcome metric')} met, {tier}"
            + (f" (could be {rng})" if rng != tier.replace(" (published)", "") else "")
        )
    text += ["", *result["reasons"].iloc[1]]
    emit(args, records, table, "\n".join(text))
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    inputs = load_inputs(args)
    table = progress(inputs.assessments, args.city, inputs.standard)
    if table.empty:
        known = ", ".join(sorted(set(inputs.assessments.keys["city"]))[:20])
        raise InputError("--city", None, f"no assessment for this city (known: {known})", args.city)
    lists = ("gained", "lost", "newly_known_met", "no_longer_known")
    flat = table.assign(**{c: table[c].map(";".join) for c in lists})
    sentences = progress_sentences(table) or [f"Only one assessment of {table['city'].iloc[0]} is loaded."]
    emit(args, progress_records(table), flat, people(flat) + "\n\n" + "\n".join(sentences))
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    if args.cities < 1:
        raise InputError("--cities", None, "must be at least 1", args.cities)
    folder = args.out or processed_dir() / f"simulated_{args.cities}_seed{args.seed}"
    responses, outcomes = write_cohort(args.cities, args.seed, folder)
    print(f"{args.cities} simulated cities (seed {args.seed}): {responses} and {outcomes}")
    print("Every city is named 'Simulated city NNN'; tables and charts built on them say 'simulated'.")
    return 0


def _run_reports(
    args: argparse.Namespace,
    cities: list[str] | None,
    overview: bool,
    workers: int,
    progress: bool,
    index: bool = True,
    year: int | None = None,
) -> tuple[list, Path]:

    out = (args.out or outputs_dir()).absolute()
    plan = plan_batch(
        list(args.files),
        args.outcomes,
        cities,
        out,
        args.edition or DEFAULT_EDITION,
        args.cohort,
        overview,
        year,
        getattr(args, "plan", None),
    )
    return run_batch(plan, out, workers, progress, index, force=getattr(args, "force", False)), out


def cmd_report(args: argparse.Namespace) -> int:
    results, out = _run_reports(
        args, [args.city], overview=False, workers=1, progress=False, index=False, year=args.year
    )
    for r in results:
        if r.ok:
            done = "report up to date in" if r.skipped else "report written to"
            print(
                f"{r.job.name} {r.job.year}: {with_published(r.job.tier, r.job.published_tier)}; {done} "
                f"{out / r.job.folder}/ "
                f"(open {out / r.job.folder / 'report.html'})"
            )
        else:
            print(f"wwc: error: {r.job.name}: {r.error}", file=sys.stderr)
    return 0 if results and all(r.ok for r in results) else EXIT_FAILED


def cmd_batch(args: argparse.Namespace) -> int:
    if args.workers < 0:
        raise InputError("--workers", None, "must be 0 (one per core) or more", args.workers)
    results, out = _run_reports(args, args.cities, overview=True, workers=args.workers, progress=not args.no_progress)
    lines = summary_lines(results, out)
    print("\n".join(lines))
    return 0 if all(r.ok for r in results) else EXIT_FAILED


def cmd_template(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError(args.out, None, "the template is written as .xlsx or .csv", args.out.suffix)
    paths = write_template(args.out, load_standard(args.edition or DEFAULT_EDITION), args.city, args.year)
    print("Template written: " + ", ".join(map(str, paths)))
    return 0


def cmd_import_report(args: argparse.Namespace) -> int:
    standard = load_standard(args.edition or DEFAULT_EDITION)
    report = import_report(args.file, args.city, standard)
    folder = args.out or processed_dir() / "imported" / f"{slugify(report.city)}_{report.year}"
    paths = write_report_tables(report, folder)
    met = int((report.responses["status"] == "Yes").sum())
    print(
        f"{report.city} {report.year}: {met} of {standard.n_criteria} criteria met, matching the report's totals"
        f"{f' and its tier ({report.stated_tier})' if report.stated_tier else ''}."
    )
    print("Written: " + ", ".join(map(str, paths)))
    return 0


def cmd_benchmark(args: argparse.Namespace) -> int:
    return run(args)


def main_exit() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    main_exit()
