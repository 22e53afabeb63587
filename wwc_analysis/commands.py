"""What each `wwc` command does: load, ask the scenario, print what the reader needs (see `cli` for the flags).

Every sentence printed comes from `analysis.sentences` and `analysis.reasons`, so the terminal says
what the report and the app say.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

import pandas as pd

from .analysis.identity import city_key, city_keys
from .analysis.phrases import plural
from .analysis.reasons import add_reasons, notes_for
from .analysis.records import json_records, progress_table, score_record, score_table, timeline_rows
from .analysis.sentences import (
    change_phrases,
    nothing_to_compare,
    opportunity_sentences,
    plan_mismatch,
    progress_sentences,
    timeline_sentences,
)
from .analysis.timeline import timeline
from .errors import InputError, ParameterError, WWCError, printable
from .io.export import readable, to_csv_text, to_json
from .io.inputs import load_inputs, scenario
from .rules.standard import load_standard
from .settings import outputs_dir, processed_dir


def emit(args: argparse.Namespace, data: object, frame: pd.DataFrame | None = None, text: str = "") -> None:
    """Print a result in the format asked for: standard JSON, CSV with formulas neutralised, or text for people."""
    if args.format == "json":
        print(to_json(data))
    elif args.format == "csv":
        sys.stdout.write(to_csv_text(frame))
    else:
        print(printable(text.rstrip("\n")))


def people(frame: pd.DataFrame) -> str:
    return readable(frame).to_string(index=False)


def _inputs(args: argparse.Namespace):
    return load_inputs(args.files, args.outcomes, args.edition)


def _scenario(args: argparse.Namespace):
    return scenario(_inputs(args), args.city, args.year, getattr(args, "cohort", "published:all"))


def validate(args: argparse.Namespace) -> int:
    from .io.outcomes import check_duplicates as check_outcomes
    from .io.outcomes import outcomes_from_table
    from .io.responses import check_duplicates, responses_from_table
    from .io.tables import tables_to_validate

    standard = load_standard(args.edition)
    for path in args.files:
        for kind, table in tables_to_validate(path):
            if kind == "outcomes":
                frame, what = outcomes_from_table(table, standard), "outcome values"
                check_outcomes(frame)
            else:
                frame, what = responses_from_table(table, standard), "responses"
                check_duplicates(frame)
            cities = sorted(set(frame["city"].astype(str)))
            shown = ", ".join(cities[:5]) + (", ..." if len(cities) > 5 else "")
            print(printable(f"{table.label}: ok, {len(frame)} {what} for {plural(len(cities), 'city')} ({shown})"))
    return 0


def score(args: argparse.Namespace) -> int:
    inputs = _inputs(args)
    scored, statuses = inputs.scored, inputs.assessments.statuses
    if args.city:
        keys = inputs.assessments.keys["key"].to_numpy()
        for name in args.city:
            if city_key(name) not in set(keys):
                raise ParameterError("city", "no assessment of this city is loaded", name)
        keep = pd.Series(keys).isin([city_key(n) for n in args.city]).to_numpy()
        scored, statuses = scored[keep], statuses[keep]
    if args.format == "csv":
        emit(args, None, score_table(scored, inputs.standard, numeric=True))
    elif args.format == "json":
        with_reasons = add_reasons(scored, statuses, inputs.standard).to_dict("records")
        emit(args, [score_record(r, inputs.standard) for r in with_reasons])
    else:
        lines = [people(score_table(scored, inputs.standard))]
        records = scored.to_dict("records")
        lines += [f"\n{r['city']} {r['year']}: {note}" for r in records for note in notes_for(r, inputs.standard)]
        keys = city_keys(scored["city"])
        for name in scored["city"][pd.Series(keys).duplicated().to_numpy()].unique():
            lines += [f"\n{name}: {t}" for t in progress_sentences(scenario(inputs, name).progress())]
        emit(args, None, None, "\n".join(lines))
    return 0


def gaps(args: argparse.Namespace) -> int:
    ctx = _scenario(args)
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
    shown = {"practice": tables["practice"], "criterion": tables["criterion"].drop(columns=["text", "short_name"])}
    for level in [args.level] if args.level else ["practice", "criterion"]:
        text += [f"By {level}:", people(shown[level]), ""]
    if not args.level:
        shown_risk = (people(risk) if len(risk) else "none") if ctx.has_self else nothing_to_compare(ctx.audited)
        text += ["Audit risk (self-assessed Yes answers):", shown_risk, ""]
    emit(args, data, tables[args.level or "criterion"], "\n".join(text))
    return 0


def opportunities(args: argparse.Namespace) -> int:
    ctx = _scenario(args)
    opp = ctx.opportunities()
    rows = [dict(tier=s["tier"], rank=i + 1, **p) for s in opp["steps"] for i, p in enumerate(s["shortlist"])]
    table = pd.DataFrame(
        rows, columns=["tier", "rank", "criterion", "practice", "status", "peer_share", "mandatory", "reason"]
    )
    summary = opportunity_sentences(opp, ctx.standard)
    text = [f"{ctx.city} {ctx.year}, peers: {opp['cohort']}", *ctx.cohort.notes, "", *summary]
    if opp["shortlist"]:
        text += ["", f"Shortest path to {opp['next_tier']}:", people(pd.DataFrame(opp["shortlist"]))]
    emit(args, opp | {"summary": summary, "notes": list(ctx.cohort.notes)}, table, "\n".join(text))
    return 0


def whatif(args: argparse.Namespace) -> int:
    from .analysis.changes import parse_changes
    from .analysis.sentences import scenario_sentences
    from .io.plans import load_plan

    base = _scenario(args)
    changes = []
    if args.plan:
        plan = load_plan(args.plan, base.standard)
        if not plan.is_for(base.city, base.year):
            raise InputError(args.plan, None, plan_mismatch(plan.city, plan.year, base.city, base.year))
        changes += list(plan.changes)
    changes += parse_changes(args.changes or [], base.standard)
    if not changes:
        raise ParameterError("set", "give the changes with --set CODE=STATUS or --plan FILE")
    after = base.apply(changes)
    described = change_phrases(list(after.changes), base.recorded_statuses, base.recorded_outcomes, base.standard)
    records = [score_record(s.score, base.standard) | {"scenario": n} for s, n in ((base, "as is"), (after, "what if"))]
    records[1]["changes"] = described
    table = score_table(pd.DataFrame([base.score, after.score]), base.standard, numeric=True)
    table.insert(0, "scenario", ["as is", "what if"])
    text = ["Changes: " + "; ".join(described), *scenario_sentences(after), "", *after.reasons]
    emit(args, records, table, "\n".join(text))
    return 0


def progress(args: argparse.Namespace) -> int:
    inputs = _inputs(args)
    record = inputs.record[inputs.record["key"] == city_key(args.city)]
    loaded = city_key(args.city) in set(inputs.assessments.keys["key"])
    if not loaded and record.empty:
        raise ParameterError("city", "no loaded file and no published certification names this city", args.city)
    none = pd.DataFrame(columns=["year", "gained", "lost", "tier", "criteria_met"])
    prog = scenario(inputs, args.city).progress() if loaded else none
    story = timeline(record, prog, inputs.standard)
    sentences = timeline_sentences(story) + progress_sentences(prog)
    flat = timeline_rows(story)
    assessments = json_records(progress_table(prog, joined=False))
    data = {"city": args.city, "timeline": json_records(flat), "assessments": assessments}
    data["sentences"] = sentences
    emit(args, data, flat, people(timeline_rows(story, for_people=True)) + "\n\n" + "\n".join(sentences))
    return 0


def simulate(args: argparse.Namespace) -> int:
    from .analysis.simulate import simulate_cohort
    from .io.atomic import write_folder
    from .io.record import all_applicant_shares

    if args.cities < 1:
        raise ParameterError("cities", "must be at least 1", args.cities)
    standard = load_standard()
    folder = args.out or processed_dir() / f"simulated_{args.cities}_seed{args.seed}"
    responses, outcomes = simulate_cohort(args.cities, args.seed, standard, all_applicant_shares(standard.default_year))
    paths = write_folder(folder, {"responses.csv": to_csv_text(responses), "outcomes.csv": to_csv_text(outcomes)})
    print(f"{args.cities} simulated cities (seed {args.seed}): {paths[0]} and {paths[1]}")
    print("Every city is named 'Simulated city NNN'; tables and charts built on them say 'simulated'.")
    return 0


def _reports(args: argparse.Namespace, cities, overview: bool, workers: int, progress: bool, index: bool, year=None):
    from .reports.batch import plan_batch, run_batch

    out = (args.out or outputs_dir()).absolute()
    if out.exists() and not out.is_dir():
        raise ParameterError("out", "is a file; give a folder for the reports", out)
    batch = plan_batch(
        list(args.files), args.outcomes, cities, out, args.edition, args.cohort, overview, year, args.plan
    )
    return run_batch(batch, out, workers, progress, index, force=args.force), out


def report(args: argparse.Namespace) -> int:
    from .analysis.sentences import tier_text

    try:
        results, out = _reports(args, [args.city], False, workers=1, progress=False, index=False, year=args.year)
    except ParameterError as exc:  # one city asked for: its flag is --city
        raise ParameterError("city" if exc.parameter == "cities" else exc.parameter, exc.problem, exc.value) from None
    for r in results:
        if r.ok:
            done = "report up to date in" if r.skipped else "report written to"
            where = out / r.job.folder
            line = f"{r.job.name} {r.facts.get('year')}: {tier_text(r.facts)}; {done} {where}/"
            print(printable(f"{line} (open {where / 'report.html'})"))
        else:
            print(printable(f"wwc: error: {r.job.name}: {r.error}"), file=sys.stderr)
    return 0 if results and all(r.ok for r in results) else 1


def batch(args: argparse.Namespace) -> int:
    from .reports.batch import summary_lines

    if args.workers < 0:
        raise ParameterError("workers", "must be 0 (one per core) or more", args.workers)
    results, out = _reports(args, args.cities, True, workers=args.workers, progress=not args.no_progress, index=True)
    print(printable("\n".join(summary_lines(results, out))))
    return 0 if all(r.ok for r in results) else 1


def template(args: argparse.Namespace) -> int:
    from .io.template import write_template

    if args.out.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError(args.out, None, "the template is written as .xlsx or .csv", args.out.suffix)
    if args.city and printable(args.city) != args.city:  # the reader would refuse the file written
        raise ParameterError("city", "holds a control character (such as a terminal escape)", args.city)
    paths = write_template(args.out, load_standard(args.edition), args.city, args.year)
    print("Template written: " + ", ".join(map(str, paths)))
    return 0


def import_report(args: argparse.Namespace) -> int:
    from .io.certification_report import import_report as read
    from .io.certification_report import write_report_tables
    from .io.slugs import slugify

    standard = load_standard(args.edition)
    rep = read(args.file, args.city, standard)
    folder = args.out or processed_dir() / "imported" / f"{slugify(rep.city)}_{rep.year}"
    paths = write_report_tables(rep, folder)
    met = int((rep.responses["status"] == "Yes").sum())
    tier = f" and its tier ({rep.stated_tier})" if rep.stated_tier else ""
    matched = f"{met} of {standard.n_criteria} criteria met, matching the report's totals{tier}"
    print(printable(f"{rep.city} {rep.year}: {matched}."))
    print("Written: " + ", ".join(map(str, paths)))
    return 0


def benchmark(args: argparse.Namespace) -> int:
    """Run benchmarks/benchmark.py of the checkout (the package itself holds no benchmark code)."""
    from .settings import project_dir

    script = project_dir() / "benchmarks" / "benchmark.py"
    if not script.is_file():
        raise WWCError(f"the benchmarks live in a checkout of the project; {script} is not there")
    return subprocess.call([sys.executable, str(script), *args.args])
