"""Why a score is what it is, in plain sentences: the reasons, the notes under a score table.

Every sentence is built from `phrases`, and every requirement comes from `rules.tiers`, so the
reasons say exactly what scoring checked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..rules import status as st
from ..rules.standard import Standard
from ..rules.tiers import Shortfall, shortfalls, tier_name
from .phrases import is_missing, join, noun, percent, plural, sentence, tier_label, tier_range, verb

_MISSING = {st.IN_PROGRESS: "in progress", st.NO: "not met", st.UNKNOWN: "status unknown"}  # a criterion not met yet


def _with_status(code: str, code_status: int) -> str:
    return f"{code} ({_MISSING.get(int(code_status), 'met')})"


def next_tier_needs(row: dict, statuses: np.ndarray, standard: Standard) -> tuple[str | None, list[str]]:
    """The tier above the city's and what the known answers still lack for it, as phrases."""
    names = standard.tier_names
    tier = tier_name(row["tier"])
    higher = names[names.index(tier) + 1 :] if tier else names
    if not higher:
        return None, []
    index = standard.criterion_index()
    status_of = {c: statuses[i] for c, i in index.items()}
    needs = shortfalls(statuses == st.YES, int(row["outcomes_met"]), higher[0], standard)
    return higher[0], [shortfall_text(need, status_of) for need in needs]


def shortfall_text(need: Shortfall, status_of: dict[str, int] | None = None) -> str:
    """'29 criteria met (67-84% of criteria met), 3 more'; '2 resident outcome metrics met, 1 more'; with
    `status_of`, each missing criterion's status beside its code."""
    if need.kind == "band":
        return f"{plural(need.needed, 'criterion')} met ({need.label}), {need.count} more"
    if need.kind == "outcomes":
        return f"{plural(need.needed, 'resident outcome metric')} met, {need.count} more"
    what = join(_with_status(c, status_of[c]) if status_of else c for c in need.criteria)
    return f"the core {noun(len(need.criteria), 'criterion')} {what}" if need.kind == "core" else what


def reasons_for(row: dict, statuses: np.ndarray, standard: Standard) -> list[str]:
    """Why this tier and not the next, in sentences a council memo could use."""
    total = standard.n_criteria
    tier = tier_name(row["tier"])
    answers_low = tier_name(row.get("answers_low", row["tier_low"]))
    out = []
    met_text = f"{row['criteria_met']} of {total} criteria are met ({percent(row['share_met'])})"
    n_unknown = int(row["criteria_unknown"])
    if n_unknown:
        met_text += f" and {plural(n_unknown, 'criterion')} {verb(n_unknown, 'is')} unknown"
    if tier and tier == answers_low:
        met_text += f", within the {tier} band ({standard.band_label(tier)})"
    out.append(sentence(met_text))
    n_core = len(standard.core_codes)
    index = standard.criterion_index()
    core = join(standard.core_codes)
    if row["missing_core"]:
        missing = join(_with_status(c, statuses[index[c]]) for c in row["missing_core"])
        out.append(f"Not every core criterion is met: {missing}; no tier is possible without all {n_core} ({core})")
    else:
        out.append(f"All {plural(n_core, 'core criterion')} ({core}) {verb(n_core, 'is')} met")
    n_metrics = len(standard.outcome_metrics)
    omet, ounk = int(row["outcomes_met"]), int(row["outcomes_unknown"])
    unknown = f" ({ounk} unknown)" if ounk else ""
    out.append(f"{omet} of {plural(n_metrics, 'resident outcome metric')} {verb(omet, 'is')} met{unknown}")
    if not row.get("audited", True):
        out.append(sentence("These answers are self-assessed: no audited answers are loaded for this assessment"))
    out += published_notes(row)
    nxt, needs = next_tier_needs(row, statuses, standard)
    if nxt is None:
        out.append(sentence(f"{tier} is the highest tier"))
    elif needs:
        out.append(sentence(f"Not {nxt}: it needs {'; '.join(needs)}"))
    out += unknown_notes(row) + band_notes(row, standard)
    if row.get("has_self", False):
        changes = list(row["audit_changes"])
        share, self_tier = percent(row["self_share_met"]), tier_label(row["self_tier"])
        was = f"{row['self_criteria_met']} of {total} were met ({share}, {self_tier})"
        audit = f"the audit changed {join(changes)}" if changes else "the audit changed none of them"
        out.append(f"As self-assessed, {was}; {audit}")
    return [sentence(t) for t in out]


def published_notes(row: dict) -> list[str]:
    """What the published tier says next to the answers: settles the tier, or conflicts with them."""
    published = tier_name(row.get("published_tier"))
    if not published:
        return []
    low, high = tier_name(row.get("answers_low")), tier_name(row.get("answers_high"))
    said = f"The program published {published} for {_year(row)}"
    if row.get("published_conflict"):
        check = "check the answers; the tier shown is the one the answers give"
        return [sentence(f"{said}, but the answers as loaded give {tier_range(low, high)}: {check}")]
    if low == high == published:
        return [sentence(f"{said}, the tier the answers give")]
    return [sentence(f"{said}; the answers as loaded allow {tier_range(low, high)}, so the tier is {published}")]


def unknown_notes(row: dict) -> list[str]:
    """What unknown answers leave open (nothing where a published tier settles it)."""
    n_crit, n_out = int(row["criteria_unknown"]), int(row["outcomes_unknown"])
    if not (n_crit or n_out) or tier_name(row.get("published_tier")):
        return []
    parts = [p for p, n in ((plural(n_crit, "criterion"), n_crit), (plural(n_out, "outcome metric"), n_out)) if n]
    unknown = f"The status of {join(parts)} is unknown"
    floor = tier_name(row.get("published_floor"))
    if floor:
        could = tier_range(row["tier_low"], row["tier_high"])
        floor_text = f"the published {floor} stays as a floor, since the changes only raise answers"
        return [sentence(f"{unknown}; {floor_text}, so the tier could be {could}")]
    low, high = tier_name(row.get("answers_low")), tier_name(row.get("answers_high"))
    if low == high:
        outcome = f"the tier is {low}" if low else "no tier is possible"
        return [sentence(f"{unknown}, but {outcome} whatever the answers turn out to be")]
    allowed = f"the answers allow {tier_range(low, high)}"
    return [sentence(f"{unknown}, so {allowed}; the tier shown counts unknown answers as not met")]


def band_notes(row: dict, standard: Standard) -> list[str]:
    """Where the published readings of the tier bands give different tiers for the same answers."""
    out = []
    low = tier_name(row.get("answers_low"))
    official = standard.official_reading.replace("_", " ")
    for reading in standard.readings[1:]:
        other = tier_name(row.get(f"tier_{reading}"))
        if other != low:
            at = f"At {row['criteria_met']} of {standard.n_criteria} met ({row['share_met'] * 100:.1f}%)"
            readings = f"{tier_label(low)} under the {official} bands, {tier_label(other)} under the {reading} bands"
            disagree = f"the published readings of the bands disagree: {readings.replace('_', ' ')}"
            out.append(sentence(f"{at}, {disagree}. The {official} bands are the official ones"))
    return out


def notes_for(row: dict, standard: Standard) -> list[str]:
    """The notes a score table prints under itself: missing core criteria, published tiers, unknowns, bands."""
    core, n = row["missing_core"], len(row["missing_core"])
    if core and tier_name(row.get("answers_high")) is None:
        core = [sentence(f"No tier: the core {noun(n, 'criterion')} {join(core)} {verb(n, 'is')} not met")]
    else:
        core = []
    return core + published_notes(row) + unknown_notes(row) + band_notes(row, standard)


def _year(row: dict) -> str:
    return "its assessment" if is_missing(row.get("year")) else f"the {int(row['year'])} assessment"


def add_reasons(scored: pd.DataFrame, statuses: np.ndarray, standard: Standard) -> pd.DataFrame:
    scored = scored.copy()
    records = scored.to_dict("records")
    scored["reasons"] = [reasons_for(row, statuses[i], standard) for i, row in enumerate(records)]
    return scored


def explain(
    responses: pd.DataFrame, outcomes: pd.DataFrame | None, standard: Standard, record: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Validated responses (and outcomes) scored, one row per assessment, with a `reasons` column of sentences."""
    from .scoring import build_assessments, score_assessments

    a = build_assessments(responses, outcomes, standard, record)
    return add_reasons(score_assessments(a, standard), a.statuses, standard)
