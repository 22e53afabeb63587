"""The batch's index: every city with its tier, its story and links to its report, as HTML and Markdown.

It shows the facts each report recorded in build.json, computing nothing of its own. Its CSS and
JavaScript are inline: it works from a file share or an e-mail attachment with no network.
"""

from __future__ import annotations

from pathlib import Path

from ..analysis.phrases import NO_TIER, md, tier_label
from ..analysis.sentences import tier_text
from ..analysis.timeline import announced_text
from ..io.atomic import write_file
from ..settings import PACKAGE
from .build import Result

COHORT_FOLDER = "cohort"
TEMPLATES = PACKAGE / "reports" / "templates"
COLUMNS = [
    ("City", False),
    ("Tier", False),
    ("Criteria met", True),
    ("Certifications", False),
    ("Change since previous assessment", False),
    ("Next tier", False),
    ("Criteria needed", True),
]


def _order(results: list[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (not r.job.is_city, r.job.name.casefold(), r.job.folder))


def story(facts: dict) -> str:
    """A city's certifications and the year of its data, in a line: 'Silver 2019, Gold 2023; data: 2023'."""
    published = [f"{e['published_tier']} {e['year']}" for e in facts.get("timeline", []) if e.get("published_tier")]
    return ", ".join(published) or "none published"


def index_rows(results: list[Result], tier_names: list[str]) -> dict:
    """What the index shows, as data: one entry per city report, the failures, the tiers to filter by."""
    rank = {NO_TIER: 0, **{t: i + 1 for i, t in enumerate(tier_names)}}
    cities = []
    for r in _order(results):
        if not (r.ok or r.stale) or not r.job.is_city or not r.facts:
            continue
        f = r.facts
        tier = tier_label(f.get("tier"))
        latest = f.get("latest_published") or {}
        newer = latest and latest.get("assessment_year", 0) > (f.get("year") or 0)
        cities.append(
            {
                "name": r.job.name,
                "folder": r.job.folder,
                "simulated": f.get("simulated", False),
                "year": f.get("year"),
                "tier": tier_text(f),
                "tier_filter": tier,
                "tier_rank": rank.get(tier, 0),
                "criteria_met": f.get("criteria_met"),
                "total": f.get("criteria_total"),
                "unknown": f.get("criteria_unknown") or 0,
                "story": story(f),
                "newer": f"{latest['tier']} announced {announced_text(latest['announced'])}" if newer else "",
                "change": f.get("change") or None,
                "next_tier": f.get("next_tier"),
                "next_rank": rank.get(f.get("next_tier") or "", ""),
                "criteria_needed": f.get("criteria_needed"),
                "pdf": r.pdf,
                "stale": r.error if r.stale else None,
            }
        )
    present = {c["tier_filter"] for c in cities}
    return {
        "cities": cities,
        "tiers": [t for t in [NO_TIER, *tier_names] if t in present],
        "cohort": COHORT_FOLDER if any((r.ok or r.stale) and r.job.folder == COHORT_FOLDER for r in results) else None,
        "failed": [
            {"name": r.job.name, "error": r.error + ("; the last good report is kept, marked stale" if r.stale else "")}
            for r in _order(results)
            if not r.ok
        ],
    }


def index_html(results: list[Result], tier_names: list[str]) -> str:
    """The index page, from the Jinja2 template in reports/templates/ (autoescaped: every value is data)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    columns = [{"label": label, "numeric": numeric} for label, numeric in COLUMNS]
    return env.get_template("index/index.html.j2").render(
        title="What Works Cities reports", columns=columns, **index_rows(results, tier_names)
    )


def index_markdown(results: list[Result], tier_names: list[str]) -> str:
    """The index as Markdown: each city's tier, criteria met, certifications and links, then the failures."""
    data = index_rows(results, tier_names)
    lines = [
        "# What Works Cities reports",
        "",
        "| city | tier | criteria met | certifications | report |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for c in data["cities"]:
        note = (" (simulated)" if c["simulated"] else "") + (f" **stale**: {md(c['stale'])}" if c["stale"] else "")
        links = f"[report]({c['folder']}/report.html)" + (f" · [PDF]({c['folder']}/report.pdf)" if c["pdf"] else "")
        met = "—" if c["criteria_met"] is None else f"{c['criteria_met']} of {c['total']}"
        met += f", {c['unknown']} unknown" if c["unknown"] else ""
        lines.append(
            f"| {md(c['name'])}{note} | {md(c['tier'])} | {met} | {md(c['story'])} | {links} · "
            f"[summary]({c['folder']}/summary.md) |"
        )
    if data["cohort"]:
        lines += ["", f"[Cohort overview]({COHORT_FOLDER}/report.html)"]
    if data["failed"]:
        lines += ["", "## Failed", "", "| city | why |", "| --- | --- |"]
        lines += [f"| {md(f['name'])} | {md(f['error'])} |" for f in data["failed"]]
    return "\n".join(lines) + "\n"


def write_index(results: list[Result], out: Path) -> None:
    """index.html and index.md in `out` (an unchanged page is not rewritten)."""
    from ..rules.standard import load_standard

    editions = [r.job.parameters.get("edition") for r in results if r.job.parameters.get("edition")]
    tiers = load_standard(editions[0] if editions else None).tier_names
    for name, text in (("index.md", index_markdown(results, tiers)), ("index.html", index_html(results, tiers))):
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_file(path, text)
