"""Scores as machines and tables read them: JSON-ready records and flat tables.

JSON never holds NaN or Infinity: what cannot be computed is null. Tables for people give
shares as percentages and what cannot be computed as '?'; tables for machines keep numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..rules.standard import Standard
from ..rules.tiers import tier_name
from .phrases import percent, tier_label, with_published

DECIMALS = 4  # every CSV and JSON number: shares to a hundredth of a percent


def json_value(value: object) -> object:
    """A cell as plain JSON: numpy scalars unwrapped, NaN and NA as null, floats to 4 places."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, DECIMALS)
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_value(v) for v in value]
    if isinstance(value, str):
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):  # NaT and the like
        return None
    return value


def json_records(frame: pd.DataFrame) -> list[dict]:
    """Rows of a table as JSON-ready dicts."""
    return [{k: json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def score_record(row: dict, standard: Standard) -> dict:
    """One scored assessment as JSON-ready data, in the shape `wwc score --format json` prints."""
    answers = [tier_name(row["answers_low"]), tier_name(row["answers_high"])]
    others = {r: tier_name(row[f"tier_{r}"]) for r in standard.readings[1:]}
    record = {
        "city": row["city"],
        "year": json_value(row["year"]),
        "edition": standard.edition,
        **{
            k: json_value(row[k])
            for k in ("criteria_met", "criteria_in_progress", "criteria_unknown", "criteria_total")
        },
        "share_met": json_value(row["share_met"]),
        "practices": {p: json_value(row[f"share_{p}"]) for p in standard.practice_codes},
        "practices_unknown": {p: json_value(row[f"unknown_{p}"]) for p in standard.practice_codes},
        "core_met": bool(row["core_met"]),
        "missing_core": list(row["missing_core"]),
        "outcomes_met": json_value(row["outcomes_met"]),
        "outcomes_unknown": json_value(row["outcomes_unknown"]),
        "tier": tier_name(row["tier"]),
        "tier_range": [tier_name(row["tier_low"]), tier_name(row["tier_high"])],
        "published_tier": tier_name(row["published_tier"]),
        "published_conflict": bool(row["published_conflict"]),
        "audited": bool(row["audited"]),
        "answers_range": answers,
        "tiers_by_reading": {standard.official_reading: answers[0], **others},
        "bands_disagree": any(t != answers[0] for t in others.values()),
        "self_assessed": None,
    }
    if row["has_self"]:
        record["self_assessed"] = {
            "criteria_met": json_value(row["self_criteria_met"]),
            "share_met": json_value(row["self_share_met"]),
            "tier": tier_name(row["self_tier"]),
            "changed_by_audit": list(row["audit_changes"]),
        }
    if "reasons" in row:
        record["reasons"] = list(row["reasons"])
    return record


def core_cell(missing: tuple[str, ...], high: object) -> str:
    """'all', or the core criteria not met; 'unknown' ones where the answers still allow a tier."""
    if not missing:
        return "all"
    return ("missing " if tier_name(high) is None else "unknown ") + ",".join(missing)


def practice_cell(share: object, unknown: int) -> str:
    """A practice's share for a table: '89%', '100% (5?)' with unknowns, '?' with none known."""
    if pd.isna(share):
        return "?"
    return percent(share) + (f" ({int(unknown)}?)" if unknown else "")


def tier_cell(tier: object) -> str:
    """A tier in a machine's table: its name, or 'none' for no tier (never blank: blank is unknown)."""
    return tier_name(tier) or "none"


def progress_table(progress: pd.DataFrame, joined: bool = True) -> pd.DataFrame:
    """A city's assessments for CSV (code lists joined) or JSON (`joined=False`: lists kept), no tier as 'none'."""
    table = progress.copy()
    for col in ("gained", "lost", "newly_known_met", "no_longer_known"):
        if col in table and joined:
            table[col] = table[col].map(";".join)
    table["tier"] = table["tier"].astype(object).map(tier_cell)
    if "published_tier" in table:
        table["published_tier"] = table["published_tier"].astype(object).map(tier_name)
    return table


def timeline_rows(timeline: pd.DataFrame, for_people: bool = False) -> pd.DataFrame:
    """A city's timeline flat for CSV and JSON (a loaded assessment without a tier says 'none', a year without
    answers is blank), or for people ('no tier', and a dash where nothing was published or loaded)."""
    table = timeline.copy()
    if for_people:
        table["tier"] = [tier_label(t) if loaded else "—" for t, loaded in zip(table["tier"], table["loaded"])]
        table["loaded"] = table["loaded"].map({True: "yes", False: "no"})
        for col in ("published_tier", "announced", "event", "edition", "criteria_met"):
            table[col] = table[col].astype(object).where(table[col].notna(), "—")
    else:
        table["tier"] = [tier_cell(t) if loaded else None for t, loaded in zip(table["tier"], table["loaded"])]
    return table


def score_table(scored: pd.DataFrame, standard: Standard, numeric: bool = False) -> pd.DataFrame:
    """A flat table of scores: percentages as text for people, or numbers for machines."""
    total = standard.n_criteria
    if numeric:
        cols = {c: scored[c] for c in ("city", "year", "criteria_met", "criteria_unknown")}
        cols["criteria_total"] = total
        cols["share_met"] = scored["share_met"].round(DECIMALS)
        cols |= {p: scored[f"share_{p}"].round(DECIMALS) for p in standard.practice_codes}
        cols["core_met"] = scored["core_met"]
        cols["missing_core"] = scored["missing_core"].map(";".join)
        cols["outcomes_met"], cols["outcomes_unknown"] = scored["outcomes_met"], scored["outcomes_unknown"]
        cols |= {c: scored[c].astype(object).map(tier_cell) for c in ("tier", "tier_low", "tier_high")}
        cols["published_tier"] = scored["published_tier"].astype(object).map(tier_name)
        cols["published_conflict"] = scored["published_conflict"]
        cols["self_criteria_met"] = scored["self_criteria_met"]
        cols["self_tier"] = [tier_cell(t) if has else None for t, has in zip(scored["self_tier"], scored["has_self"])]
        cols["changed_by_audit"] = scored["audit_changes"].map(";".join)
        return pd.DataFrame(cols).reset_index(drop=True)
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
    out["core"] = [core_cell(m, hi) for m, hi in zip(scored["missing_core"], scored["answers_high"])]
    n_metrics = len(standard.metric_codes)
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
    return out.reset_index(drop=True)


def to_records(scored: pd.DataFrame, standard: Standard) -> list[dict]:
    """Every row of a score table as JSON-ready data (`score_record`)."""
    return [score_record(row, standard) for row in scored.to_dict("records")]
