"""One city's gap report as data: its score, gaps against the cohort, opportunities and audit risks.

The notebooks and the batch runner call `build_city_report` and then draw and write from
it; nothing here imports matplotlib. Text meant for HTML is escaped here, since a city's
name is data, not markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import status as st
from .cohorts import Cohort, build_cohort
from .standard import Standard, load_standard


@dataclass
class CityReport:
    """Everything a gap report shows for one city's assessment."""

    city: str
    year: int | None
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

    @property
    def slug(self) -> str:
        from .slugs import slugify

        return slugify(self.city)

    @property
    def peers_label(self) -> str:
        return self.cohort.description


def build_city_report(city: str, year: int | None = None, edition: str = "2022", cohort: str = "published:all",
                      responses: Sequence[str | Path] = (), outcomes: Sequence[str | Path] = ()) -> CityReport:
    """Load the inputs (the bundled data when none are given) and compute one city's report."""
    from .bundled import input_files
    from .cohorts import is_simulated
    from .explain import add_reasons
    from .gaps import audit_risk, criterion_gaps, practice_gaps
    from .opportunities import opportunities
    from .outcomes import load_outcomes
    from .responses import load_responses
    from .scoring import assessment_index, build_assessments, score_assessments

    standard = load_standard(edition)
    response_files, outcome_files = input_files(responses, outcomes)
    frame = load_responses(response_files, standard)
    a = build_assessments(frame, load_outcomes(outcome_files, standard), standard)
    row = assessment_index(a, city, year)
    chosen = build_cohort(cohort, a, row, standard)
    one = a.keys.iloc[[row]].reset_index(drop=True)
    from dataclasses import replace

    single = replace(a, keys=one, audited=a.audited[[row]], self_assessed=a.self_assessed[[row]],
                     outcomes=a.outcomes[[row]])
    scored = add_reasons(score_assessments(single, standard), single.audited, standard).iloc[0].to_dict()
    name = str(a.keys["city"].iloc[row])
    return CityReport(
        city=name, year=None if pd.isna(a.keys["year"].iloc[row]) else int(a.keys["year"].iloc[row]),
        standard=standard, cohort=chosen, score=scored, statuses=a.audited[row], self_statuses=a.self_assessed[row],
        practices=practice_gaps(a, row, chosen, standard), criteria=criterion_gaps(a, row, chosen, standard),
        opportunities=opportunities(a, row, chosen, standard),
        audit_risk=audit_risk(frame, a, row, chosen, standard),
        simulated=bool(is_simulated(pd.Series([name]))[0]),
    )


def tier_text(tier: object) -> str:
    return tier if isinstance(tier, str) else "no tier"


def self_vs_audited(rep: CityReport) -> pd.DataFrame:
    """Per practice: share met as the city assessed itself and as audited."""
    practice_of = rep.standard.practice_of()
    n = np.bincount(practice_of, minlength=len(rep.standard.practice_codes))
    own = np.bincount(practice_of, weights=rep.self_statuses == st.YES, minlength=len(n)) / n
    audited = np.bincount(practice_of, weights=rep.statuses == st.YES, minlength=len(n)) / n
    return pd.DataFrame({"practice": rep.standard.practice_codes, "self_assessed": own, "audited": audited})


def shortlist_table(rep: CityReport) -> pd.DataFrame:
    """The shortlist for each higher tier, one row per criterion, with reasons."""
    rows = [{"tier": step["tier"], "rank": i + 1, **pick} for step in rep.opportunities["steps"]
            for i, pick in enumerate(step["shortlist"])]
    return pd.DataFrame(rows, columns=["tier", "rank", "criterion", "practice", "status", "peer_share", "mandatory",
                                       "reason"])


def score_table(rep: CityReport) -> pd.DataFrame:
    from .explain import score_table as flat

    return flat(pd.DataFrame([rep.score]), rep.standard, numeric=True)


def tables(rep: CityReport) -> dict[str, pd.DataFrame]:
    """The tables behind the report, by file name."""
    return {"score.csv": score_table(rep), "practices.csv": rep.practices,
            "criteria.csv": rep.criteria, "opportunities.csv": shortlist_table(rep),
            "audit_risk.csv": rep.audit_risk, "self_vs_audited.csv": self_vs_audited(rep)}


def write_tables(rep: CityReport, out_dir: str | Path) -> list[Path]:
    from .export import to_csv_text
    from .safe_io import write_file

    out = Path(out_dir)
    return [write_file(out / name, to_csv_text(frame)) for name, frame in tables(rep).items()]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")  # marks that act anywhere in a line


def md(text: object) -> str:
    """Text safe inside a Markdown line (not at its start): tags escaped, inline marks backslashed."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def summary_markdown(rep: CityReport) -> str:
    """A short summary a council memo could quote."""
    s = rep.score
    total = rep.standard.n_criteria
    year = f" {rep.year}" if rep.year else ""
    lines = [f"# {md(rep.city)}{year}: What Works Cities Certification gap report", ""]
    if rep.simulated:
        lines += ["*This city is simulated: its figures are not real.*", ""]
    lines += [f"**Tier: {tier_text(s['tier'])}** (edition {rep.standard.edition} of the standard). "
              f"{s['criteria_met']} of {total} criteria are met ({s['share_met']:.0%}); "
              f"{s['outcomes_met']} of {len(rep.standard.outcome_metrics)} resident outcome metrics are met.", ""]
    lines += ["## Why this tier", ""] + [f"- {md(r)}" for r in s["reasons"]] + [""]
    lines += [f"## Practices against {md(rep.peers_label)}", "", "| practice | met | typical peer | difference |",
              "| --- | ---: | ---: | ---: |"]
    for p in rep.practices.itertuples():
        lines.append(f"| {md(p.name)} | {p.share_met:.0%} | {p.peer_share:.0%} | {p.difference * 100:+.0f} points |")
    leads = rep.criteria[rep.criteria["position"] == "leads"]
    lags = rep.criteria[rep.criteria["position"] == "lags"]
    lines += ["", f"{md(rep.city)} leads on {len(leads)} criteria most peers do not meet and lags on {len(lags)} "
              "that most peers meet" + (f" ({', '.join(lags['criterion'])})." if len(lags) else "."), ""]
    lines += ["## Opportunities", ""] + [f"- {md(t)}" for t in rep.opportunities["summary"]] + [""]
    if rep.opportunities["at_risk"]:
        lines += [f"Criteria whose loss alone would drop the current tier: {', '.join(rep.opportunities['at_risk'])}.",
                  ""]
    if len(rep.audit_risk):
        lines += ["## Audit risk", "", "| criterion | status after audit | peers meeting it | why |",
                  "| --- | --- | ---: | --- |"]
        for r in rep.audit_risk.itertuples():
            share = "" if pd.isna(r.peer_share) else f"{r.peer_share:.0%}"
            lines.append(f"| {r.criterion} | {r.status} | {share} | {md(r.risk)} |")
        lines.append("")
    lines += ["Sources: the city's responses and outcome metrics as loaded; peer shares from "
              f"{md(rep.peers_label)}. Produced with the WWC analysis workbench.", ""]
    return "\n".join(lines)


def headline_html(rep: CityReport) -> str:
    """Where the city stands, as escaped HTML for the notebook."""
    s = rep.score
    items = "".join(f"<li>{html.escape(r)}</li>" for r in s["reasons"])
    low, high = tier_text(s["tier_low"]), tier_text(s["tier_high"])
    rng = "" if low == high else f"<p>Tier range while statuses are unknown: {low} to {high}.</p>"
    sim = "<p><em>This city is simulated: its figures are not real.</em></p>" if rep.simulated else ""
    return (f"<h3>{html.escape(rep.city)} {rep.year or ''}: {tier_text(s['tier'])}</h3>{sim}"
            f"<p>{s['criteria_met']} of {rep.standard.n_criteria} criteria met ({s['share_met']:.0%}), "
            f"{s['outcomes_met']} resident outcome metrics met.</p>{rng}<ul>{items}</ul>")


def resolve_out_dir(out_dir: str | Path | None, city: str) -> Path:
    """The folder a report writes to: `out_dir`, or outputs/<city-slug>/ when it is empty."""
    from .paths import outputs_dir
    from .slugs import slugify

    return Path(out_dir) if out_dir else outputs_dir() / slugify(city)


def write_summary(rep: CityReport, out_dir: str | Path) -> Path:
    from .safe_io import write_file

    return write_file(Path(out_dir) / "summary.md", summary_markdown(rep))


def write_outputs(rep: CityReport, out_dir: str | Path) -> Path:
    """The tables and summary.md of a report (the charts are written as they are drawn)."""
    write_tables(rep, out_dir)
    return write_summary(rep, out_dir)


def opportunities_html(rep: CityReport) -> str:
    """The opportunities in sentences, escaped for the notebook."""
    return "".join(f"<p>{html.escape(t)}</p>" for t in rep.opportunities["summary"])
