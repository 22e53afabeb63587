"""One city's gap report as data: its score, gaps against the cohort, opportunities and audit risks.

The notebooks and the batch runner call `build_city_report` and then draw and write from
it; nothing here imports matplotlib. Text meant for HTML is escaped here, since a city's
name is data, not markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..cohorts import Cohort
from ..context import CityContext, Inputs, as_paths, city_context, load_inputs
from ..explain import score_table as flat_score_table
from ..io.atomic import write_file
from ..io.bundled import input_files
from ..io.export import to_csv_text
from ..io.slugs import slugify
from ..paths import outputs_dir
from ..phrases import join, md, percent, percent_points, plural, tier_label, tier_range, verb, with_published
from ..plan import load_plan, plan_html, plan_markdown, plan_section
from ..progress import progress_sentences
from ..scenario import city_data
from ..scoring import practice_shares
from ..standard import Standard
from ..tiers import tier_name


@dataclass
class CityReport:
    """Everything a gap report shows for one city's assessment."""

    city: str
    year: int
    standard: Standard
    cohort: Cohort
    score: dict  # the city's row of `explain`, reasons included
    statuses: np.ndarray  # audited status codes, standard order
    self_statuses: np.ndarray
    practices: pd.DataFrame  # practice_gaps
    criteria: pd.DataFrame  # criterion_gaps
    opportunities: dict
    audit_risk: pd.DataFrame
    simulated: bool  # the city itself is simulated
    progress: pd.DataFrame  # progress over the city's assessments up to this one (one row: no earlier one)
    plan: dict | None = None  # plan.plan_section, when a plan file is given

    @property
    def slug(self) -> str:
        return slugify(self.city)

    @property
    def peers_label(self) -> str:
        return self.cohort.description

    @property
    def has_self(self) -> bool:
        """Whether the city gave a self-assessment beside the audited answers."""
        return bool(self.score["has_self"])

    @property
    def previous_year(self) -> int | None:
        return int(self.progress["year"].iloc[-2]) if len(self.progress) > 1 else None


def report_from_context(ctx: CityContext, plan: str | Path | None = None) -> CityReport:
    """A city's report computed from its context (with a "With the plan" section when a plan file is given)."""
    return CityReport(
        city=ctx.city,
        year=ctx.year,
        standard=ctx.standard,
        cohort=ctx.cohort,
        score=ctx.score,
        statuses=ctx.statuses,
        self_statuses=ctx.self_statuses,
        practices=ctx.practice_gaps(),
        criteria=ctx.criterion_gaps(),
        opportunities=ctx.opportunities(),
        audit_risk=ctx.audit_risk(),
        simulated=ctx.simulated,
        progress=ctx.progress(),
        plan=_plan_section(plan, ctx),
    )


def _plan_section(plan: str | Path | None, ctx: CityContext) -> dict | None:
    if not plan:
        return None
    return plan_section(city_data(ctx.assessments, ctx.row, ctx.cohort, ctx.standard), load_plan(plan, ctx.standard))


def build_city_report(
    city: str,
    year: int | None = None,
    edition: str | None = None,
    cohort: str = "published:all",
    responses: str | Path | Sequence[str | Path] = (),
    outcomes: str | Path | Sequence[str | Path] = (),
    plan: str | Path | None = None,
) -> CityReport:
    """Load the inputs (the bundled data when none are given) and compute one city's report."""
    inputs = cached_inputs(responses, outcomes, edition)
    return report_from_context(city_context(city, year, cohort, inputs=inputs), plan)


_INPUTS: dict[tuple, Inputs] = {}  # the last inputs loaded, by what they were read from


def cached_inputs(
    responses: str | Path | Sequence[str | Path] = (),
    outcomes: str | Path | Sequence[str | Path] = (),
    edition: str | None = None,
) -> Inputs:
    """The validated inputs, read and scored once while their files are unchanged.

    A warm kernel builds report after report from the same files: each reuses them (and every city's
    score) instead of reading and scoring all the cities again.
    """
    key = (edition, *(_file_state(p) for group in input_files(as_paths(responses), as_paths(outcomes)) for p in group))
    if key not in _INPUTS:
        _INPUTS.clear()
        _INPUTS[key] = load_inputs(responses, outcomes, edition)
    return _INPUTS[key]


def _file_state(path: Path) -> tuple:
    """A file's (or a folder's files') path, size and modification time: what changes when it is rewritten."""
    if not path.exists():  # left for load_inputs to report
        return ((str(path),),)
    files = [path] if not path.is_dir() else sorted(p for p in path.rglob("*") if p.is_file())
    return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)


def tier_text(tier: object) -> str:
    return tier_label(tier)


def self_vs_audited(rep: CityReport) -> pd.DataFrame:
    """Per practice: share met as the city assessed itself and as audited (known answers only)."""
    return pd.DataFrame(
        {
            "practice": rep.standard.practice_codes,
            "self_assessed": practice_shares(rep.self_statuses, rep.standard)[0],
            "audited": practice_shares(rep.statuses, rep.standard)[0],
        }
    )


def shortlist_table(rep: CityReport) -> pd.DataFrame:
    """The shortlist for each higher tier, one row per criterion, with reasons."""
    rows = [
        {"tier": step["tier"], "rank": i + 1, **pick}
        for step in rep.opportunities["steps"]
        for i, pick in enumerate(step["shortlist"])
    ]
    return pd.DataFrame(
        rows, columns=["tier", "rank", "criterion", "practice", "status", "peer_share", "mandatory", "reason"]
    )


def score_table(rep: CityReport) -> pd.DataFrame:
    """The city's score as one flat row (the score.csv table)."""
    return flat_score_table(pd.DataFrame([rep.score]), rep.standard, numeric=True)


def tables(rep: CityReport) -> dict[str, pd.DataFrame]:
    """The tables behind the report, by file name."""
    out = {
        "score.csv": score_table(rep),
        "practices.csv": rep.practices,
        "criteria.csv": rep.criteria,
        "opportunities.csv": shortlist_table(rep),
        "audit_risk.csv": rep.audit_risk,
    }
    if rep.has_self:
        out["self_vs_audited.csv"] = self_vs_audited(rep)
    if len(rep.progress) > 1:
        out["progress.csv"] = progress_table(rep)
    return out


def progress_table(rep: CityReport) -> pd.DataFrame:
    """The city's assessments with criteria gained and lost, as a flat table."""
    table = rep.progress.copy()
    for col in ("gained", "lost", "newly_known_met", "no_longer_known"):
        table[col] = table[col].map(";".join)
    for col in ("tier", "published_tier"):
        table[col] = table[col].map(tier_name)
    return table


def write_tables(rep: CityReport, out_dir: str | Path) -> list[Path]:
    """The report's tables as CSV files in `out_dir`."""
    out = Path(out_dir)
    return [write_file(out / name, to_csv_text(frame)) for name, frame in tables(rep).items()]


def headline(rep: CityReport) -> str:
    """The one-sentence headline: tier, criteria met, outcome metrics."""
    s = rep.score
    total = rep.standard.n_criteria
    n_metrics = len(rep.standard.outcome_metrics)
    omet = int(s["outcomes_met"])
    text = (
        f"Tier: {with_published(s['tier'], s['published_tier'])}. {s['criteria_met']} of {total} criteria are met "
        f"({percent(s['share_met'])})"
    )
    if s["criteria_unknown"]:
        text += f", {s['criteria_unknown']} unknown"
    text += f"; {omet} of {plural(n_metrics, 'resident outcome metric')} {verb(omet, 'is')} met."
    if tier_label(s["tier_low"]) != tier_label(s["tier_high"]):
        text += f" While answers are unknown, the tier could be {tier_range(s['tier_low'], s['tier_high'])}."
    return text


def practice_line(p) -> str:
    """One practice against the typical peer, with the difference computed from the rounded shares."""
    return (
        f"| {md(p.name)} | {percent(p.share_met)} | {percent(p.peer_share)} | "
        f"{percent_points(p.share_met, p.peer_share)} | {p.unknown} |"
    )


def summary_markdown(rep: CityReport) -> str:
    """A short summary a council memo could quote."""
    s = rep.score
    lines = [f"# {md(rep.city)} {rep.year}: What Works Cities Certification gap report", ""]
    if rep.simulated:
        lines += ["*This city is simulated: its figures are not real.*", ""]
    lines += [f"**{md(headline(rep))}** (edition {rep.standard.edition} of the standard)", ""]
    lines += ["## Why this tier", ""] + [f"- {md(r)}" for r in s["reasons"]] + [""]
    if rep.previous_year:
        lines += [f"## Progress since {rep.previous_year}", ""]
        lines += [f"- {md(t)}" for t in progress_sentences(rep.progress)] + [""]
    lines += [f"## Practices against {md(rep.peers_label)}", ""]
    lines += [f"*{md(n)}*" for n in rep.cohort.notes] + ([""] if rep.cohort.notes else [])
    lines += ["| practice | met | typical peer | difference | unknown |", "| --- | ---: | ---: | ---: | ---: |"]
    lines += [practice_line(p) for p in rep.practices.itertuples()]
    leads = rep.criteria[rep.criteria["position"] == "leads"]
    lags = rep.criteria[rep.criteria["position"] == "lags"]
    lines += [
        "",
        md(
            f"{rep.city} leads on {plural(len(leads), 'criterion')} most peers do not meet and lags on "
            f"{plural(len(lags), 'criterion')} that most peers meet"
            + (f" ({join(lags['criterion'])})." if len(lags) else ".")
        ),
        "",
    ]
    lines += ["## Opportunities", ""] + [f"- {md(t)}" for t in rep.opportunities["summary"]] + [""]
    if rep.opportunities["at_risk"] and rep.opportunities["next_tier"]:
        lines += [
            md(f"Criteria whose loss alone would lower the current tier: {join(rep.opportunities['at_risk'])}."),
            "",
        ]
    lines += ["## Audit risk", ""]
    if not rep.has_self:
        lines += ["No self-assessment was given, so there is nothing to compare the audit with.", ""]
    elif len(rep.audit_risk):
        lines += ["| criterion | status after audit | peers meeting it | why |", "| --- | --- | ---: | --- |"]
        for r in rep.audit_risk.itertuples():
            lines.append(f"| {r.criterion} | {r.status} | {percent(r.peer_share)} | {md(r.risk)} |")
        lines.append("")
    else:
        lines += ["No self-assessed Yes was changed by the audit or is rare among peers.", ""]
    if rep.plan:
        lines += [plan_markdown(rep.plan)]
    lines += [
        md(
            "Sources: the city's responses and outcome metrics as loaded; peer shares from "
            f"{rep.peers_label}. Produced with the WWC analysis workbench."
        ),
        "",
    ]
    return "\n".join(lines)


def headline_html(rep: CityReport) -> str:
    """Where the city stands, as escaped HTML for the notebook."""
    items = "".join(f"<li>{html.escape(r)}</li>" for r in rep.score["reasons"])
    sim = "<p><em>This city is simulated: its figures are not real.</em></p>" if rep.simulated else ""
    notes = "".join(f"<p><em>{html.escape(n)}</em></p>" for n in rep.cohort.notes)
    tier = with_published(rep.score["tier"], rep.score["published_tier"])
    return (
        f"<h3>{html.escape(rep.city)} {rep.year}: {html.escape(tier)}</h3>"
        f"{sim}<p>{html.escape(headline(rep))}</p><ul>{items}</ul>{notes}"
    )


def progress_html(rep: CityReport) -> str:
    """Progress since the previous assessment, escaped for the notebook ('' with no earlier one)."""
    if not rep.previous_year:
        return "<p>No earlier assessment of this city is loaded.</p>"
    return "".join(f"<p>{html.escape(t)}</p>" for t in progress_sentences(rep.progress))


def audit_risk_html(rep: CityReport) -> str:
    """What the audit section says when there is no table to show."""
    if not rep.has_self:
        return "<p>No self-assessment was given, so there is nothing to compare the audit with.</p>"
    return "" if len(rep.audit_risk) else "<p>No self-assessed Yes was changed by the audit or is rare among peers.</p>"


def resolve_out_dir(out_dir: str | Path | None, city: str) -> Path:
    """The folder a report writes to: `out_dir`, or outputs/<city-slug>/ when it is empty."""
    return Path(out_dir) if out_dir else outputs_dir() / slugify(city)


def write_summary(rep: CityReport, out_dir: str | Path) -> Path:
    """The report's summary.md in `out_dir`."""
    return write_file(Path(out_dir) / "summary.md", summary_markdown(rep))


def write_outputs(rep: CityReport, out_dir: str | Path) -> Path:
    """The tables and summary.md of a report (the charts are written as they are drawn)."""
    write_tables(rep, out_dir)
    return write_summary(rep, out_dir)


def opportunities_html(rep: CityReport) -> str:
    """The opportunities in sentences, escaped for the notebook."""
    return "".join(f"<p>{html.escape(t)}</p>" for t in rep.opportunities["summary"])


def plan_display(rep: CityReport):
    """The "With the plan" section for the notebook, or None (no output) without a plan."""
    if not rep.plan:
        return None
    from IPython.display import HTML

    return HTML(plan_html(rep.plan))
