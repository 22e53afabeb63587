"""Plain-sentence reasons for a score, and the score as JSON records and flat tables.

Every sentence is built from `phrases`, and every requirement comes from `tiers`, so the
reasons say exactly what scoring checked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import status as st
from .distinct import categorical, distinct, first_rows
from .io.export import json_value as _clean
from .phrases import is_missing, join, noun, percent, plural, sentence, tier_label, tier_range, verb, with_published
from .scoring import build_assessments, score_assessments
from .standard import Standard, load_standard
from .tiers import shortfalls, tier_name


def _with_status(code: str, code_status: int) -> str:
    label = st.label(code_status)
    return f"{code} ({label})" if label else f"{code} (status unknown)"


def next_tier_needs(row: dict, statuses: np.ndarray, standard: Standard) -> tuple[str | None, list[str]]:
    """The tier above the city's and what the known answers still lack for it, as phrases."""
    names = standard.tier_names
    tier = tier_name(row["tier"])
    higher = names[names.index(tier) + 1 :] if tier else names
    if not higher:
        return None, []
    index = standard.criterion_index()
    yes = statuses == st.YES
    phrases = []
    for need in shortfalls(yes, int(row["outcomes_met"]), higher[0], standard):
        if need.kind in ("core", "criterion"):
            what = join(_with_status(c, statuses[index[c]]) for c in need.criteria)
            phrases.append(f"the core {noun(len(need.criteria), 'criterion')} {what}" if need.kind == "core" else what)
        else:
            phrases.append(need.text)
    return higher[0], phrases


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
    if row["missing_core"]:
        missing = [_with_status(c, statuses[index[c]]) for c in row["missing_core"]]
        out.append(
            sentence(
                f"Not every core criterion is met: {join(missing)}; no tier is possible without "
                f"all {n_core} ({join(standard.core_codes)})"
            )
        )
    else:
        out.append(
            sentence(f"All {plural(n_core, 'core criterion')} ({join(standard.core_codes)}) {verb(n_core, 'is')} met")
        )
    n_metrics = len(standard.outcome_metrics)
    omet, ounk = int(row["outcomes_met"]), int(row["outcomes_unknown"])
    out.append(
        sentence(
            f"{omet} of {plural(n_metrics, 'resident outcome metric')} {verb(omet, 'is')} met"
            + (f" ({ounk} unknown)" if ounk else "")
        )
    )
    out += published_notes(row)
    nxt, needs = next_tier_needs(row, statuses, standard)
    if nxt is None:
        out.append(sentence(f"{tier} is the highest tier"))
    elif needs:
        out.append(sentence(f"Not {nxt}: it needs {'; '.join(needs)}"))
    out += unknown_notes(row) + band_notes(row, standard)
    if row.get("has_self", False):
        changes = list(row["audit_changes"])
        self_text = (
            f"As self-assessed, {row['self_criteria_met']} of {total} were met "
            f"({percent(row['self_share_met'])}, {tier_label(row['self_tier'])})"
        )
        out.append(
            sentence(
                self_text + (f"; the audit changed {join(changes)}" if changes else "; the audit changed none of them")
            )
        )
    return out


def published_notes(row: dict) -> list[str]:
    """What the published tier says next to the answers: settles the tier, or conflicts with them."""
    published = tier_name(row.get("published_tier"))
    if not published:
        return []
    low, high = tier_name(row.get("answers_low")), tier_name(row.get("answers_high"))
    if row.get("published_conflict"):
        return [
            sentence(
                f"The program published {published} for {_year(row)}, but the answers as loaded give "
                f"{tier_range(low, high)}: check the answers; the tier shown is the one the answers give"
            )
        ]
    if low == high == published:
        return [sentence(f"The program published {published} for {_year(row)}, as the answers give")]
    return [
        sentence(
            f"The program published {published} for {_year(row)}; the answers as loaded allow "
            f"{tier_range(low, high)}, so the tier is {published}"
        )
    ]


def unknown_notes(row: dict) -> list[str]:
    """What unknown answers leave open (nothing where a published tier settles it)."""
    n_crit, n_out = int(row["criteria_unknown"]), int(row["outcomes_unknown"])
    if not (n_crit or n_out) or tier_name(row.get("published_tier")):
        return []
    parts = [p for p, n in ((plural(n_crit, "criterion"), n_crit), (plural(n_out, "outcome metric"), n_out)) if n]
    unknown = f"The status of {join(parts)} is unknown"
    floor = tier_name(row.get("published_floor"))
    if floor:
        return [
            sentence(
                f"{unknown}; the published {floor} stays as a floor, since the changes only raise "
                f"answers, so the tier could be {tier_range(row['tier_low'], row['tier_high'])}"
            )
        ]
    low, high = tier_name(row.get("answers_low")), tier_name(row.get("answers_high"))
    if low == high:
        outcome = f"the tier is {low}" if low else "no tier is possible"
        return [sentence(f"{unknown}, but {outcome} whatever the answers turn out to be")]
    return [
        sentence(
            f"{unknown}, so the answers allow {tier_range(low, high)}; the tier shown counts unknown answers as not met"
        )
    ]


def band_notes(row: dict, standard: Standard) -> list[str]:
    """Where the published readings of the tier bands give different tiers for the same answers."""
    out = []
    low = tier_name(row.get("answers_low"))
    official = standard.official_reading.replace("_", " ")
    for reading in standard.readings[1:]:
        other = tier_name(row.get(f"tier_{reading}"))
        if other != low:
            out.append(
                sentence(
                    f"At {row['criteria_met']} of {standard.n_criteria} met ({row['share_met'] * 100:.1f}%), "
                    f"the published readings of the bands disagree: {tier_label(low)} under the {official} bands, "
                    f"{tier_label(other)} under the {reading.replace('_', ' ')} bands. "
                    f"The {official} bands are the official ones"
                )
            )
    return out


def notes_for(row: dict, standard: Standard) -> list[str]:
    """The notes a score table prints under itself: missing core criteria, published tiers, unknowns, bands."""
    core = []
    if row["missing_core"] and tier_name(row.get("answers_high")) is None:
        core = [
            sentence(
                f"No tier: the core {noun(len(row['missing_core']), 'criterion')} "
                f"{join(row['missing_core'])} {verb(len(row['missing_core']), 'is')} not met"
            )
        ]
    return core + published_notes(row) + unknown_notes(row) + band_notes(row, standard)


def rows_with_notes(scored: pd.DataFrame, standard: Standard) -> np.ndarray:
    """Which rows of a score table have notes (`notes_for` says nothing about the others), found at once."""
    published = scored["published_tier"].notna().to_numpy()
    no_tier = scored["missing_core"].map(len).to_numpy() > 0
    no_tier &= scored["answers_high"].isna().to_numpy()
    unknown = ((scored["criteria_unknown"] > 0) | (scored["outcomes_unknown"] > 0)).to_numpy() & ~published
    out = no_tier | published | unknown
    low = scored["answers_low"]
    for reading in standard.readings[1:]:
        other = scored[f"tier_{reading}"]
        out |= ((other != low) & ~(other.isna() & low.isna())).to_numpy()
    return out


def _year(row: dict) -> str:
    return "its assessment" if is_missing(row.get("year")) else str(int(row["year"]))


def add_reasons(scored: pd.DataFrame, statuses: np.ndarray, standard: Standard) -> pd.DataFrame:
    scored = scored.copy()
    records = scored.to_dict("records")
    scored["reasons"] = [reasons_for(row, statuses[i], standard) for i, row in enumerate(records)]
    return scored


def explain(
    responses: pd.DataFrame, outcomes: pd.DataFrame | None = None, standard: Standard | None = None
) -> pd.DataFrame:
    """`score` plus a `reasons` column of plain sentences."""

    standard = standard or load_standard()
    a = build_assessments(responses, outcomes, standard)
    return add_reasons(score_assessments(a, standard), a.audited, standard)


def to_records(scored: pd.DataFrame, standard: Standard | None = None) -> list[dict]:
    """JSON-ready dicts, one per assessment, in the shape `wwc score --format json` prints."""
    standard = standard or load_standard()
    records = []
    for row in scored.to_dict("records"):
        answers = [tier_name(row["answers_low"]), tier_name(row["answers_high"])]
        rec = {
            "city": row["city"],
            "year": _clean(row["year"]),
            "edition": standard.edition,
            "criteria_met": _clean(row["criteria_met"]),
            "criteria_in_progress": _clean(row["criteria_in_progress"]),
            "criteria_unknown": _clean(row["criteria_unknown"]),
            "criteria_total": _clean(row["criteria_total"]),
            "share_met": _clean(row["share_met"]),
            "practices": {p: _clean(row[f"share_{p}"]) for p in standard.practice_codes},
            "practices_unknown": {p: _clean(row[f"unknown_{p}"]) for p in standard.practice_codes},
            "core_met": bool(row["core_met"]),
            "missing_core": list(row["missing_core"]),
            "outcomes_met": _clean(row["outcomes_met"]),
            "outcomes_unknown": _clean(row["outcomes_unknown"]),
            "tier": tier_name(row["tier"]),
            "tier_range": [tier_name(row["tier_low"]), tier_name(row["tier_high"])],
            "published_tier": tier_name(row["published_tier"]),
            "published_conflict": bool(row["published_conflict"]),
            "answers_range": answers,
            "tiers_by_reading": {
                standard.official_reading: answers[0],
                **{r: tier_name(row[f"tier_{r}"]) for r in standard.readings[1:]},
            },
            "bands_disagree": any(tier_name(row[f"tier_{r}"]) != answers[0] for r in standard.readings[1:]),
            "self_assessed": None,
        }
        if row["has_self"]:
            rec["self_assessed"] = {
                "criteria_met": _clean(row["self_criteria_met"]),
                "share_met": _clean(row["self_share_met"]),
                "tier": tier_name(row["self_tier"]),
                "changed_by_audit": list(row["audit_changes"]),
            }
        if "reasons" in row:
            rec["reasons"] = list(row["reasons"])
        records.append(rec)
    return records


def core_cell(missing: list[str], low: object, high: object) -> str:
    """'all', or the core criteria not met; 'unknown' ones where the answers still allow a tier."""
    if not missing:
        return "all"
    word = "missing" if tier_name(high) is None else "unknown"
    return f"{word} " + ",".join(missing)


def practice_cell(share: object, unknown: int) -> str:
    """A practice's share for a table: '89%', '100% (5?)' with unknowns, '?' with none known."""
    if is_missing(share):
        return "?"
    return percent(share) + (f" ({int(unknown)}?)" if unknown else "")


def _joined_codes(lists: pd.Series) -> pd.Series:
    """Each row's codes joined by ';' (a categorical), each list joined once however many rows share it (scoring
    shares them)."""
    values = lists.to_numpy(dtype=object)
    which, _ = pd.factorize(np.fromiter(map(id, values), dtype=np.int64, count=len(values)))
    texts = [";".join(codes) for codes in values[first_rows(which)]]
    return pd.Series(categorical(which, texts), index=lists.index, name=lists.name)


def _tier_names(tiers: pd.Series, shown: np.ndarray | None = None) -> pd.Series:
    """Each row's tier as `tier_name` gives it (a categorical, no tier missing), and missing where not `shown`;
    each distinct tier named once."""
    codes, values = distinct(tiers)
    names = [tier_name(value) for value in values]
    if shown is not None:
        codes = np.where(shown, codes, len(names))
        names.append(None)
    return pd.Series(categorical(codes, names), index=tiers.index, name=tiers.name)


def score_table(scored: pd.DataFrame, standard: Standard, numeric: bool = False) -> pd.DataFrame:
    """A flat table of scores: percentages as text for people, or numbers for machines."""
    total = standard.n_criteria
    if numeric:  # columns gathered, then joined once (inserting them one by one is slow)
        cols = {c: scored[c] for c in ("city", "year", "criteria_met", "criteria_unknown")}
        cols["criteria_total"] = pd.Series(np.full(len(scored), total), index=scored.index)
        cols["share_met"] = scored["share_met"].round(4)
        for p in standard.practice_codes:
            cols[p] = scored[f"share_{p}"].round(4)
        cols["core_met"] = scored["core_met"]
        cols["missing_core"] = _joined_codes(scored["missing_core"])
        cols["outcomes_met"] = scored["outcomes_met"]
        cols["outcomes_unknown"] = scored["outcomes_unknown"]
        for col in ("tier", "tier_low", "tier_high", "published_tier"):
            cols[col] = _tier_names(scored[col])
        cols["published_conflict"] = scored["published_conflict"]
        cols["self_criteria_met"] = scored["self_criteria_met"]
        cols["self_tier"] = _tier_names(scored["self_tier"], scored["has_self"].to_numpy(dtype=bool))
        cols["changed_by_audit"] = _joined_codes(scored["audit_changes"])
        return pd.DataFrame({name: column.array for name, column in cols.items()}, index=scored.index, copy=False)
    out = pd.DataFrame({"city": scored["city"], "year": scored["year"]})
    out["met"] = [
        f"{m}/{total}" + (f" ({u}?)" if u else "") for m, u in zip(scored["criteria_met"], scored["criteria_unknown"])
    ]
    out["share"] = scored["share_met"].map(percent)
    out["tier"] = [
        with_published(t, p) + (" (conflicts)" if c else "")
        for t, p, c in zip(scored["tier"], scored["published_tier"], scored["published_conflict"])
    ]
    out["range"] = [
        "" if tier_name(lo) == tier_name(hi) else f"{tier_label(lo)}..{tier_label(hi)}"
        for lo, hi in zip(scored["tier_low"], scored["tier_high"])
    ]
    out["core"] = [
        core_cell(m, lo, hi) for m, lo, hi in zip(scored["missing_core"], scored["answers_low"], scored["answers_high"])
    ]
    n_metrics = len(standard.outcome_metrics)
    out["outcomes"] = [
        f"{m}/{n_metrics}" + (f" ({u}?)" if u else "")
        for m, u in zip(scored["outcomes_met"], scored["outcomes_unknown"])
    ]
    for p in standard.practice_codes:
        out[p] = [practice_cell(s, u) for s, u in zip(scored[f"share_{p}"], scored[f"unknown_{p}"])]
    out["self-assessed"] = [
        f"{m}/{total} {tier_label(t)}" if has else ""
        for m, t, has in zip(scored["self_criteria_met"], scored["self_tier"], scored["has_self"])
    ]
    return out
