"""Every sentence a reader meets about a scenario, written once for the command line, report, index and app.

Reasons for a tier are in `reasons`; the words both are built from are in `phrases`.
"""

from __future__ import annotations

import pandas as pd

from ..rules import outcomes as om
from ..rules import status as st
from ..rules.tiers import tier_name
from .changes import Change
from .phrases import join, noun, percent, plural, sentence, tier_label, tier_range, verb, with_published
from .timeline import announced_text


def tier_text(score: dict) -> str:
    """'Gold (published)', or 'Silver (up to Gold while answers are unknown)'."""
    text = with_published(score["tier"], score.get("published_tier"))
    if tier_name(score["tier_high"]) != tier_name(score["tier"]):
        text += f" (up to {tier_label(score['tier_high'])} while answers are unknown)"
    return text


def headline(score: dict, standard) -> str:
    """The one-paragraph headline: tier, criteria met, outcome metrics, and the range while answers are unknown."""
    total, n_metrics, omet = standard.n_criteria, len(standard.metric_codes), int(score["outcomes_met"])
    tier = with_published(score["tier"], score.get("published_tier"))
    text = f"Tier: {tier}. {score['criteria_met']} of {total} criteria are met ({percent(score['share_met'])})"
    if score["criteria_unknown"]:
        text += f", {score['criteria_unknown']} unknown"
    text += f"; {omet} of {plural(n_metrics, 'resident outcome metric')} {verb(omet, 'is')} met."
    if tier_label(score["tier_low"]) != tier_label(score["tier_high"]):
        text += f" While answers are unknown, the tier could be {tier_range(score['tier_low'], score['tier_high'])}."
    return text


def known_share(share: object, known: int, total: int) -> str:
    """A practice's share with how much of it is known: '89%', or '100% of 4 known (of 9)'."""
    if pd.isna(share):
        return f"unknown (none of {total} known)"
    return percent(share) if known == total else f"{percent(share)} ({known} of {total} known)"


def nothing_to_compare(audited: bool) -> str:
    """Why an assessment has no audit comparison: no self-assessment beside the audit, or no audit at all."""
    if audited:
        return "No self-assessment was given, so there is nothing to compare the audit with."
    return "These answers are the city's own self-assessment; no audit is loaded to compare them with."


def position_sentence(city: str, criteria: pd.DataFrame) -> str:
    """Where the city leads and lags among its peers (criteria with a known answer only), naming the lags."""
    named = {w: criteria.loc[criteria["position"] == w, "criterion"].tolist() for w in ("leads", "lags", "unknown")}
    lags = named["lags"]
    text = (
        f"{city} leads on {plural(len(named['leads']), 'criterion')} most peers do not meet and lags on "
        f"{plural(len(lags), 'criterion')} that most peers meet" + (f" ({join(lags)})" if lags else "")
    )
    unknown = len(named["unknown"])
    if unknown:
        text += f"; {plural(unknown, 'criterion')} with no known answer {verb(unknown, 'is')} not placed"
    return sentence(text)


# The city's story --------------------------------------------------------------------------------


def timeline_sentences(table: pd.DataFrame) -> list[str]:
    """Each year of the city's timeline: what the program announced, what is loaded, what changed."""
    out = []
    for row in table.itertuples():
        parts = []
        if row.published_tier:
            edition = f"{row.edition} edition of the standard" if row.edition else ""
            detail = ", ".join(p for p in (row.event, edition) if p)
            parts.append(f"{row.published_tier}, announced {row.announced}" + (f" ({detail})" if detail else ""))
        if row.loaded:
            parts.append(f"answers loaded: {plural(int(row.criteria_met), 'criterion')} met, {tier_label(row.tier)}")
        text = f"{row.year} assessment: " + "; ".join(parts)
        out.append(sentence(text + (f"; {row.change}" if row.change else "")))
    return out


def since_sentence(since: dict | None, year: int) -> str:
    """What the program announced after the assessment a report is on ('' when nothing newer is known)."""
    if not since:
        return ""
    when = announced_text(since["announced"])
    announced = f"The program announced {since['tier']} in {when} for the {since['assessment_year']} assessment"
    return sentence(f"{announced}; this report is on the {year} assessment")


# Opportunities ---------------------------------------------------------------------------------


def metric_names(codes: list[str], standard) -> str:
    """Resident outcome metrics named for readers by the outcome each one measures ('the metric for a healthy
    environment'), from the edition's outcome_metrics.csv."""
    outcomes = standard.outcome_metrics.set_index("code")["outcome"]
    names = [str(outcomes.get(c, c)).lower() for c in codes]
    return ("the metric for " if len(names) == 1 else "the metrics for ") + join(names)


def step_sentence(step: dict, standard, criteria_met: int = 0, criteria_unknown: int = 0) -> str:
    """One higher tier's needs and shortest path, as one or two sentences (metrics named by `metric_names`)."""
    mandatory = [p["criterion"] for p in step["shortlist"] if p["mandatory"]]
    n, k = step["criteria_needed"], step["outcomes_needed"]
    parts = []
    if n:
        text = plural(n, "more criterion")
        if criteria_unknown:
            text += f" than the {criteria_met} known to be met"
        if mandatory:
            text += f" (including {join(mandatory)})"
        parts.append(text)
    if k:
        not_met = metric_names(step["outcome_metrics_not_met"], standard)
        parts.append(f"{plural(k, 'more resident outcome metric')} (not yet met or unknown: {not_met})")
    if not parts:
        return sentence(f"{step['tier']} needs nothing more that the answers can show")
    needs = f"no more criteria, only {parts[0]}" if not n else join(parts)
    out = sentence(f"{step['tier']} needs {needs}")
    if step["shortlist"]:
        out += " " + sentence(f"Shortest path: {join(p['criterion'] for p in step['shortlist'])}")
    if n and criteria_unknown:
        unknown = f"{plural(criteria_unknown, 'criterion')} {verb(criteria_unknown, 'is')} unknown"
        out += " " + sentence(f"{unknown} and may already be met")
    return out


def opportunity_sentences(opp: dict, standard) -> list[str]:
    """The opportunities in sentences: each higher tier's needs and shortest path, or the risks at the top
    (outcome metrics named for readers, by the outcome they measure)."""
    lead = []
    beyond = opp.get("beyond_announced")
    if beyond:
        since = f"The program has since announced {beyond} ({announced_text(opp['announced_since']['announced'])})"
        lead = [sentence(f"{since}, so the path starts above it; the answers here are those of {opp['year']}")]
    if opp["next_tier"] is None:
        top = beyond or opp["tier"]
        return lead + [
            sentence(f"{opp['city']} is at {top}: there is no higher tier"),
            sentence(f"Criteria whose loss alone would lower its tier: {join(opp['at_risk']) or 'none'}"),
        ]
    return lead + [step_sentence(step, standard, opp["criteria_met"], opp["criteria_unknown"]) for step in opp["steps"]]


# Progress ---------------------------------------------------------------------------------------


def progress_sentences(table: pd.DataFrame) -> list[str]:
    """Each assessment against the one before, in sentences."""
    out = []
    for i in range(1, len(table)):
        prev, row = table.iloc[i - 1], table.iloc[i]
        parts = [f"{row['criteria_met']} criteria met against {prev['criteria_met']} in {prev['year']}"]
        if row["gained"]:
            parts.append(f"gained {join(row['gained'])}")
        if row["lost"]:
            parts.append(f"lost {join(row['lost'])}")
        if row["newly_known_met"]:
            parts.append(f"newly known to be met (unknown before): {join(row['newly_known_met'])}")
        if row["no_longer_known"]:
            parts.append(f"met before, unknown now: {join(row['no_longer_known'])}")
        if not (row["gained"] or row["lost"] or row["newly_known_met"] or row["no_longer_known"]):
            parts.append("no criterion known to be gained or lost")
        out.append(sentence(f"{row['year']}: {'; '.join(parts)}; tier {row['tier_change']}"))
    return out


def change_text(table: pd.DataFrame) -> str:
    """A short index cell: '+3 criteria since 2023; tier up from Silver to Gold', or '' with one assessment."""
    if len(table) < 2:
        return ""
    prev, row = table.iloc[-2], table.iloc[-1]
    n = int(row["met_change"])
    return f"{n:+d} {noun(abs(n), 'criterion')} since {prev['year']}; tier {row['tier_change']}"


def story_change(table: pd.DataFrame, year: int) -> str:
    """The change an index shows from the city's timeline where no earlier assessment is loaded: 'tier up from
    Silver to Gold since 2020' ('' where the timeline has nothing before `year`)."""
    rows = table[table["year"] <= year]
    if len(rows) < 2 or not rows["change"].iloc[-1]:
        return ""
    return f"tier {rows['change'].iloc[-1].split(' (')[0]} since {rows['year'].iloc[-2]}"


# Changes and plans ------------------------------------------------------------------------------


def change_phrases(changes: list[Change], recorded_statuses, recorded_outcomes, standard) -> list[str]:
    """Each change from the recorded answer: 'DM8: In Progress → Yes', 'nominated: not met → met'."""
    index, metrics = standard.criterion_index(), standard.metric_codes
    out = []
    for c in changes:
        if c.kind == "criterion":
            was = st.CHOICES[int(recorded_statuses[index[c.code]])]
        else:
            was = om.CHOICES[int(recorded_outcomes[metrics.index(c.code)])]
        out.append(f"{c.code}: {was} → {c.value_text}")
    return out


def scenario_sentences(scenario) -> list[str]:
    """What a scenario's changes do: how many, the tier and criteria met against the recorded ones."""
    rec, now = scenario.recorded_score, scenario.score
    total = scenario.standard.n_criteria
    n = len(scenario.changed)
    if not n:
        return [sentence(f"As recorded: {tier_text(rec)}, {rec['criteria_met']} of {total} criteria met")]
    recorded = f"recorded: {tier_label(rec['tier'])}, {rec['criteria_met']} of {total}"
    with_changes = f"With {plural(n, 'change')} from the recorded answers"
    out = [sentence(f"{with_changes}: {tier_text(now)}, {now['criteria_met']} of {total} criteria met ({recorded})")]
    published = tier_name(rec["published_tier"])
    if published and scenario.lowers:
        out.append(sentence(f"The published {published} is set aside: a change lowers a recorded answer"))
    return out


def plan_lacks(step: dict, standard) -> list[str]:
    """What a plan still lacks for the next tier: more criteria (the shortest path) and outcome metrics."""
    lacks = []
    if step["criteria"]:
        lacks.append(f"{plural(len(step['criteria']), 'more criterion')} (shortest path: {join(step['criteria'])})")
    if step["outcomes_needed"]:
        not_met = metric_names(step["outcome_metrics_not_met"], standard)
        lacks.append(
            f"{plural(step['outcomes_needed'], 'more resident outcome metric')} met (not yet met or unknown: {not_met})"
        )
    return lacks


def plan_sentences(section: dict, standard) -> list[str]:
    """A plan's effect: the tier it reaches (or keeps), and what it still lacks for the next tier."""
    b, a, total = section["before"], section["after"], section["total"]
    changing = [s for s in section["steps"] if s["from"] != s["to"]]
    same = [s for s in section["steps"] if s["from"] == s["to"]]
    moves = "reach" if a["tier"] != b["tier"] else "stay at"
    steps = plural(len(changing), "change") + (f", {len(same)} already as planned" if same else "")
    now = f"now {tier_label(b['tier'])}, {b['criteria_met']} of {total}"
    would = f"{section['city']} would {moves} {tier_label(a['tier'])}, {a['criteria_met']} of {total} criteria met"
    lines = [sentence(f"With the plan ({steps}), {would} ({now})")]
    if section["next_tier"]:
        lacks = " and ".join(plan_lacks(section["next_step"], standard))
        lines.append(sentence(f"For {section['next_tier']} the plan still lacks {lacks}"))
    else:
        lines.append(sentence(f"{tier_label(a['tier'])} is the highest tier: the plan lacks nothing more"))
    lines += section["band_notes"]
    if same:
        lines.append(sentence(f"Already as planned, so not listed: {join([s['criterion'] for s in same])}"))
    return lines


def plan_mismatch(plan_city: str, plan_year: int | None, city: str, year: int) -> str:
    """Why a plan is not applied to this city: it was made for another."""
    made = f"{plan_city} {plan_year}" if plan_year else plan_city
    return f"this plan was made for {made}, not {city} {year}"
