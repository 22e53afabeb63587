"""A city report's words laid out for readers: summary.md for a council memo, and the HTML blocks of report.html.

Every sentence comes from `analysis.sentences` and `analysis.reasons`; this module arranges them, and
escapes them for their medium (a city's name is data, not markup).
"""

from __future__ import annotations

import html

from ..analysis.phrases import join, md, percent, percent_points, plural, tier_label
from ..analysis.sentences import (
    headline,
    known_share,
    nothing_to_compare,
    opportunity_sentences,
    plan_sentences,
    position_sentence,
    progress_sentences,
    since_sentence,
    tier_text,
    timeline_sentences,
)
from .city_report import CityReport

SIMULATED = "This city is simulated: its figures are not real."
NO_RISK = "No self-assessed Yes was changed by the audit or is rare among peers."


def key_facts(rep: CityReport) -> list[tuple[str, str]]:
    """The executive summary's facts, label and text: what a council member reads in a minute."""
    s, total, opp = rep.score, rep.standard.n_criteria, rep.opportunities
    facts = [("Tier", tier_text(s))]
    if s.get("published_conflict"):
        facts.append(("Published tier", tier_label(s["published_tier"])))
    unknown = f"; {s['criteria_unknown']} not known" if s["criteria_unknown"] else ""
    facts.append(("Criteria met", f"{s['criteria_met']} of {total} ({percent(s['share_met'])}){unknown}"))
    metrics = len(rep.standard.metric_codes)
    unknown = f"; {s['outcomes_unknown']} not known" if s["outcomes_unknown"] else ""
    facts.append(("Resident outcome metrics", f"{int(s['outcomes_met'])} of {metrics} met{unknown}"))
    story = [f"{r.published_tier} {r.year}" for r in rep.timeline.itertuples() if r.published_tier]
    if story:
        facts.append(("Published certifications", ", then ".join(story)))
    since = since_sentence(rep.scenario.announced_since(), rep.year)
    if since:
        facts.append(("Since this assessment", since))
    if rep.previous_year:
        facts.append((f"Since {rep.previous_year}", progress_sentences(rep.progress)[-1]))
    else:
        facts += _published_change(rep)
    if opp["steps"]:
        step = opp["steps"][0]
        path = join(step["criteria"]) or "no more criteria"
        need = f"{plural(step['criteria_needed'], 'more criterion')}: {path}"
        if step["outcomes_needed"]:
            need += f"; and {plural(step['outcomes_needed'], 'more resident outcome metric')}"
        facts.append((f"Shortest path to {step['tier']}", need))
    else:
        facts.append(("Next tier", f"{tier_label(opp['tier'])} is the highest tier"))
    return facts


def _published_change(rep: CityReport) -> list[tuple[str, str]]:
    """What changed since the city's previous published certification, as the timeline says (none if unknown)."""
    years = rep.timeline["year"].tolist()
    if rep.year not in years or years.index(rep.year) == 0:
        return []
    change = rep.timeline["change"].iloc[years.index(rep.year)]
    return [(f"Since {years[years.index(rep.year) - 1]}", change)] if change else []


def summary_html(rep: CityReport) -> str:
    """Page one of the report: the city, its tier and the facts that matter, in a table."""
    e = html.escape
    rows = "".join(f"<tr><th scope='row'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in key_facts(rep))
    sim = f"<p><em>{SIMULATED}</em></p>" if rep.simulated else ""
    edition = f"Edition {rep.standard.edition} of the standard; peers: {rep.peers_label}."
    return (
        f"<h2 class='wwc-city'>{e(rep.city)}, {rep.year} assessment</h2>{sim}"
        f"<table class='wwc-facts'><tbody>{rows}</tbody></table><p class='wwc-note'>{e(edition)}</p>"
    )


def _paragraphs(lines: list[str]) -> str:
    return "".join(f"<p>{html.escape(t)}</p>" for t in lines)


def reasons_html(rep: CityReport) -> str:
    """Where the city stands and why, as escaped HTML."""
    items = "".join(f"<li>{html.escape(r)}</li>" for r in rep.score["reasons"])
    notes = "".join(f"<p><em>{html.escape(n)}</em></p>" for n in rep.cohort.notes)
    return f"<p>{html.escape(headline(rep.score, rep.standard))}</p><ul>{items}</ul>{notes}"


def story_html(rep: CityReport) -> str:
    """The city's story: its certifications and assessments year by year, and what changed."""
    lines = timeline_sentences(rep.timeline) + progress_sentences(rep.progress)
    return _paragraphs(lines or ["No earlier certification or assessment of this city is known."])


def opportunities_html(rep: CityReport) -> str:
    return _paragraphs(opportunity_sentences(rep.opportunities, rep.standard))


def audit_html(rep: CityReport) -> str:
    """What the audit section says when there is no table to show ('' when there is one)."""
    if not rep.has_self:
        return _paragraphs([nothing_to_compare(rep.scenario.audited)])
    return "" if len(rep.audit_risk) else _paragraphs([NO_RISK])


def step_label(rep: CityReport, code: str) -> str:
    """A plan step's name for readers: a criterion's code, or the outcome a resident outcome metric measures."""
    if code in rep.standard.metric_codes:
        return f"Outcome metric: {rep.standard.metric(code)['outcome']}"
    return code


def _plan_rows(rep: CityReport) -> list[tuple]:
    """The cells of the plan's table: one row per step that changes an answer."""
    return [
        (
            step_label(rep, s["criterion"]),
            f"{s['from']} → {s['to']}",
            s["criteria_met"],
            tier_label(s["tier"]),
            s["owner"],
            s["due"],
            s["note"],
        )
        for s in rep.plan_section["steps"]
        if s["from"] != s["to"]
    ]


def _owners(rep: CityReport) -> dict[str, str]:
    """Each owner's steps of the plan, with their due dates."""
    items = rep.plan_section["owners"].items()
    return {o: ", ".join(step_label(rep, c) + (f" (due {d})" if d else "") for c, d in steps) for o, steps in items}


def plan_html(rep: CityReport) -> str:
    """The "With the plan" section, as escaped HTML ('' without a plan)."""
    sec = rep.plan_section
    if not sec:
        return ""
    e = html.escape
    heads = ("Step", "Change", "Criteria met", "Tier", "Owner", "Due", "Note")
    classes = ("key", "", "num", "", "", "", "text")
    rows = "".join(
        "<tr>"
        + "".join(f"<td class='{c}' data-label='{h}'>{e(str(v))}</td>" for h, c, v in zip(heads, classes, row))
        + "</tr>"
        for row in _plan_rows(rep)
    )
    owners = "".join(f"<li>{e(o)}: {e(steps)}</li>" for o, steps in _owners(rep).items())
    head = "".join(f"<th scope='col' class='{c}'>{h}</th>" for h, c in zip(heads, classes))
    return (
        f"<h2>With the plan</h2>{_paragraphs(plan_sentences(sec, rep.standard))}<table "
        f"id='plan' class='wwc-table wwc-plan'><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table><p>By owner:</p><ul>{owners}</ul>"
    )


def summary_markdown(rep: CityReport) -> str:
    """A short summary a council memo could quote."""
    s, opp = rep.score, rep.opportunities
    lines = [f"# {md(rep.city)} {rep.year}: What Works Cities Certification gap report", ""]
    lines += [f"*{SIMULATED}*", ""] if rep.simulated else []
    lines += [f"**{md(headline(s, rep.standard))}** (edition {rep.standard.edition} of the standard)", ""]
    lines += [f"- **{md(k)}**: {md(v)}" for k, v in key_facts(rep)] + [""]
    lines += ["## Why this tier", ""] + [f"- {md(r)}" for r in s["reasons"]] + [""]
    story = timeline_sentences(rep.timeline) + progress_sentences(rep.progress)
    lines += ["## The city's story", ""] + ([f"- {md(t)}" for t in story] or ["- none known"])
    lines += ["", f"## Practices against {md(rep.peers_label)}", ""]
    lines += [f"*{md(n)}*" for n in rep.cohort.notes] + ([""] if rep.cohort.notes else [])
    lines += ["| practice | met | typical peer | difference |", "| --- | ---: | ---: | ---: |"]
    for p in rep.practices.itertuples():
        met = md(known_share(p.share_met, p.compared, p.criteria))
        lines.append(f"| {md(p.name)} | {met} | {percent(p.peer_share)} | {_difference(p)} |")
    lines += ["", md(position_sentence(rep.city, rep.criteria)), "", "## Opportunities", ""]
    lines += [f"- {md(t)}" for t in opportunity_sentences(opp, rep.standard)] + [""]
    if opp["at_risk"] and opp["next_tier"]:
        lines += [md(f"Criteria whose loss alone would lower the current tier: {join(opp['at_risk'])}."), ""]
    lines += ["## Audit risk", ""]
    if not rep.has_self:
        lines += [nothing_to_compare(rep.scenario.audited), ""]
    elif len(rep.audit_risk):
        lines += ["| criterion | status after audit | peers meeting it | why |", "| --- | --- | ---: | --- |"]
        lines += [
            f"| {r.criterion} | {r.status} | {percent(r.peer_share)} | {md(r.risk)} |"
            for r in rep.audit_risk.itertuples()
        ]
        lines.append("")
    else:
        lines += [NO_RISK, ""]
    sec = rep.plan_section
    if sec:
        lines += ["## With the plan", ""] + [md(t) for t in plan_sentences(sec, rep.standard)] + [""]
        lines += [
            "| step | change | criteria met | tier | owner | due | note |",
            "| --- | --- | ---: | --- | --- | --- | --- |",
        ]
        lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in _plan_rows(rep)]
        lines += ["", "By owner:", ""] + [f"- {md(o)}: {md(steps)}" for o, steps in _owners(rep).items()] + [""]
    sources = f"Sources: the city's answers and outcome metrics as loaded; peer shares: {rep.peers_label}; "
    lines += [md(sources + "certifications: the program's announcements."), ""]
    return "\n".join(lines)


def _difference(p) -> str:
    """A practice's difference from the typical peer in points, or why it is not compared."""
    if not p.enough_known:
        return "not compared: too few answers known" if p.compared else "—"
    return percent_points(p.share_met, p.peer_share)
