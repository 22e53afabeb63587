"""One city's gap report as data: a scenario (see `analysis.scenario`) and everything a report shows of it.

The notebooks, the app and the batch draw and write from a `CityReport`, whose parts are computed on first
use (the app pays only for those it shows). Nothing here imports matplotlib.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from ..analysis.changes import Plan
from ..analysis.records import json_value, progress_table, score_table, timeline_rows
from ..analysis.scenario import Scenario
from ..analysis.scoring import practice_shares
from ..analysis.sentences import change_text, plan_mismatch, story_change
from ..analysis.timeline import latest_published
from ..errors import InputError
from ..io.atomic import write_file
from ..io.export import to_csv_text
from ..io.inputs import Paths, load_inputs, scenario
from ..io.plans import load_plan
from ..io.slugs import slugify
from ..rules.tiers import tier_name
from ..settings import outputs_dir

FACTS_FILE = "facts.json"  # what the index and the command line say about a report, written with it


@dataclass(eq=False)
class CityReport:
    """Everything a gap report shows for one city's scenario (with a plan, the scenario it leads to)."""

    scenario: Scenario
    plan: Plan | None = None

    @property
    def city(self) -> str:
        return self.scenario.city

    @property
    def year(self) -> int:
        return self.scenario.year

    @property
    def standard(self):
        return self.scenario.standard

    @property
    def cohort(self):
        return self.scenario.cohort

    @property
    def score(self) -> dict:
        return self.scenario.score

    @property
    def statuses(self):
        return self.scenario.statuses

    @property
    def simulated(self) -> bool:
        return self.scenario.simulated

    @property
    def has_self(self) -> bool:
        return self.scenario.has_self

    @property
    def peers_label(self) -> str:
        return self.cohort.description

    @cached_property
    def practices(self) -> pd.DataFrame:
        return self.scenario.practice_gaps()

    @cached_property
    def recorded_practices(self) -> pd.DataFrame | None:
        """The recorded answers' practice shares, where the scenario has changed them (the app marks them)."""
        return self.scenario.recorded().practice_gaps() if self.scenario.changed else None

    @cached_property
    def criteria(self) -> pd.DataFrame:
        return self.scenario.criterion_gaps()

    @cached_property
    def opportunities(self) -> dict:
        return self.scenario.opportunities()

    @cached_property
    def audit_risk(self) -> pd.DataFrame:
        return self.scenario.audit_risk()

    @cached_property
    def progress(self) -> pd.DataFrame:
        return self.scenario.progress()

    @cached_property
    def timeline(self) -> pd.DataFrame:
        return self.scenario.timeline()

    @property
    def previous_year(self) -> int | None:
        return int(self.progress["year"].iloc[-2]) if len(self.progress) > 1 else None

    @cached_property
    def plan_section(self) -> dict | None:
        return self.scenario.plan_section(self.plan) if self.plan is not None else None


def build_city_report(
    city: str,
    year: int | None = None,
    edition: str | None = None,
    cohort: str = "published:all",
    responses: Paths = (),
    outcomes: Paths = (),
    plan: str | Path | None = None,
) -> CityReport:
    """Load the inputs (the bundled data when none are given) and the plan (refused if made for another city or
    year), and build one city's report."""
    base = scenario(load_inputs(responses, outcomes, edition), city, year, cohort)
    loaded = load_plan(plan, base.standard) if plan else None
    if loaded is not None and not loaded.is_for(base.city, base.year):
        raise InputError(plan, None, plan_mismatch(loaded.city, loaded.year, base.city, base.year))
    return CityReport(base, loaded)


def self_vs_audited(rep: CityReport) -> pd.DataFrame:
    """Per practice: share met as the city assessed itself and as audited (known answers only)."""
    return pd.DataFrame(
        {
            "practice": rep.standard.practice_codes,
            "self_assessed": practice_shares(rep.scenario.self_statuses, rep.standard)[0],
            "audited": practice_shares(rep.scenario.recorded_statuses, rep.standard)[0],
        }
    )


def shortlist_table(rep: CityReport) -> pd.DataFrame:
    """The shortest path to each higher tier, one row per criterion, with reasons."""
    rows = [
        {"tier": s["tier"], "rank": i + 1, **p}
        for s in rep.opportunities["steps"]
        for i, p in enumerate(s["shortlist"])
    ]
    columns = ["tier", "rank", "criterion", "practice", "status", "peer_share", "mandatory", "reason"]
    return pd.DataFrame(rows, columns=columns)


def tables(rep: CityReport) -> dict[str, pd.DataFrame]:
    """The tables behind the report, by file name."""
    out = {
        "score.csv": score_table(pd.DataFrame([rep.score]), rep.standard, numeric=True),
        "practices.csv": rep.practices,
        "criteria.csv": rep.criteria,
        "opportunities.csv": shortlist_table(rep),
        "audit_risk.csv": rep.audit_risk,
        "timeline.csv": timeline_rows(rep.timeline),
    }
    if rep.has_self:
        out["self_vs_audited.csv"] = self_vs_audited(rep)
    if len(rep.progress) > 1:
        out["progress.csv"] = progress_table(rep.progress)
    return out


def facts(rep: CityReport) -> dict:
    """What the index and the command line say about the report: figures from the report itself."""
    s, opp = rep.score, rep.opportunities
    step = opp["steps"][0] if opp["steps"] else None
    latest = latest_published(rep.scenario.record, rep.standard)
    return {
        "city": rep.city,
        "year": rep.year,
        "simulated": rep.simulated,
        "tier": tier_name(s["tier"]),
        "tier_high": tier_name(s["tier_high"]),
        "published_tier": tier_name(s["published_tier"]),
        "criteria_met": int(s["criteria_met"]),
        "criteria_unknown": int(s["criteria_unknown"]),
        "criteria_total": rep.standard.n_criteria,
        "change": change_text(rep.progress) or story_change(rep.timeline, rep.year),
        "next_tier": step["tier"] if step else None,
        "criteria_needed": int(step["criteria_needed"]) if step else None,
        "path": step["criteria"] if step else [],
        "latest_published": latest,
        "timeline": [
            {k: row[k] for k in ("year", "published_tier", "announced", "loaded", "tier")}
            for row in rep.timeline.to_dict("records")
        ],
    }


def resolve_out_dir(out_dir: str | Path | None, city: str) -> Path:
    """The folder a report writes to: `out_dir`, or outputs/<city-slug>/ when it is empty."""
    return Path(out_dir) if out_dir else outputs_dir() / slugify(city)


def write_outputs(rep: CityReport, out_dir: str | Path) -> Path:
    """The report's tables, summary.md and facts.json in `out_dir` (the charts are written as they are drawn)."""
    from .summary import summary_markdown

    out = Path(out_dir)
    for name, frame in tables(rep).items():
        write_file(out / name, to_csv_text(frame))
    text = json.dumps(json_value(facts(rep)), indent=1, sort_keys=True, ensure_ascii=False)
    write_file(out / FACTS_FILE, text + "\n")
    return write_file(out / "summary.md", summary_markdown(rep))
