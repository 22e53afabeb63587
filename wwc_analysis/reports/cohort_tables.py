"""The cohort overview's tables for people: each city's standing and practices, the field, the published record.

Cells say what they mean in the city reports' words ('17 of 43, 26 unknown', 'no tier to Platinum').
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis.phrases import percent, tier_label, with_published
from ..analysis.sentences import known_share
from .overview import MIN_FOR_QUARTILES, Overview, certified_cities, field_summary, landscape_counts
from .reader_tables import EM_DASH, ReaderTable


def _of(met: int, total: int, unknown: int) -> str:
    """'31 of 43', or '17 of 43, 26 unknown'."""
    return f"{int(met)} of {total}" + (f", {int(unknown)} unknown" if unknown else "")


def _tiers_allowed(low: object, high: object) -> str:
    """The tiers the answers allow: 'Gold', or 'no tier to Platinum' while answers are unknown."""
    low_text, high_text = tier_label(low), tier_label(high)
    return low_text if low_text == high_text else f"{low_text} to {high_text}"


def _core(missing: tuple, high: object) -> str:
    """'all met', or which core criteria are missing (or unknown, where the answers still allow a tier)."""
    if not missing:
        return "all met"
    return ("unknown: " if tier_label(high) != tier_label(None) else "not met: ") + ", ".join(missing)


def cohort_table(ov: Overview) -> ReaderTable:
    """Every loaded assessment's standing: criteria met, tiers, core criteria, outcome metrics, self-assessment."""
    s, total, n_metrics = ov.scored, ov.standard.n_criteria, len(ov.standard.metric_codes)
    frame = pd.DataFrame(
        {
            "City": ov.labels,
            "Assessment": s["year"].to_numpy(),
            "Criteria met": [_of(m, total, u) for m, u in zip(s["criteria_met"], s["criteria_unknown"])],
            "Share met": s["share_met"].map(percent).to_numpy(),
            "Tier": [
                with_published(t, p) + (f"; published: {tier_label(p)}" if c else "")
                for t, p, c in zip(s["tier"], s["published_tier"], s["published_conflict"])
            ],
            "Tiers the answers allow": [_tiers_allowed(lo, hi) for lo, hi in zip(s["answers_low"], s["answers_high"])],
            "Core criteria": [_core(m, hi) for m, hi in zip(s["missing_core"], s["answers_high"])],
            "Resident outcome metrics": [
                _of(m, n_metrics, u) + " met" * (not u) for m, u in zip(s["outcomes_met"], s["outcomes_unknown"])
            ],
            "Self-assessed": [
                f"{int(m)} of {total}, {tier_label(t)}" if has else EM_DASH
                for m, t, has in zip(s["self_criteria_met"], s["self_tier"], s["has_self"])
            ],
        }
    )
    return ReaderTable(
        frame,
        "cohort",
        numeric=("Assessment", "Share met"),
        caption=f"Share met: criteria met of all {total}, an unknown answer counted as not met. Tiers the answers "
        "allow: from the lowest to the highest tier the answers permit while some are unknown, before the published "
        "tier is taken into account.",
    )


def cohort_practice_table(ov: Overview) -> ReaderTable:
    """Each loaded assessment's share met of each practice, with how much is known (the heatmap's numbers)."""
    std, s = ov.standard, ov.scored
    sizes = pd.Series(std.practice_of).value_counts()
    frame = pd.DataFrame({"City": ov.labels, "Assessment": s["year"].to_numpy()})
    for k, code in enumerate(std.practice_codes):
        n = int(sizes.get(k, 0))
        frame[code] = [
            known_share(share, n - int(unknown), n) for share, unknown in zip(s[f"share_{code}"], s[f"unknown_{code}"])
        ]
    legend = "; ".join(f"{c}: {std.practice_name(c)}" for c in std.practice_codes)
    return ReaderTable(
        frame,
        "cohort_practices",
        numeric=("Assessment",),
        caption=f"Share of each practice's criteria met, of those whose answer is known. {legend}.",
    )


def field_summary_table(ov: Overview) -> ReaderTable | None:
    """Quartiles of criteria met and of each practice's share met; None for a cohort too small for them."""
    s = field_summary(ov)
    if s is None:
        return None
    labels = {"min": "Lowest", "25%": "Lower quartile", "50%": "Median", "75%": "Upper quartile", "max": "Highest"}
    n = int(s.loc["count", "criteria_met"])
    s = s.drop(index="count")
    frame = pd.DataFrame(
        {"Statistic": [labels[i] for i in s.index], "Criteria met": s["criteria_met"].map(lambda v: f"{v:g}")}
    )
    for code in ov.standard.practice_codes:
        frame[code] = s[f"share_{code}"].map(percent).to_numpy()
    return ReaderTable(
        frame,
        "field_summary",
        numeric=tuple(frame.columns[1:]),
        caption=f"Over the {n} cities' latest assessments (at least {MIN_FOR_QUARTILES} are needed).",
    )


def certified_table(ov: Overview) -> ReaderTable:
    """Every city the published record names, with its latest published tier."""
    return ReaderTable(
        certified_cities(ov),
        "certified",
        numeric=("For the assessment of", "First certified"),
        compact=True,
        caption="From the published record of certifications (announcements found in public sources).",
    )


def landscape_table(ov: Overview) -> ReaderTable:
    """Announcements by year and tier, as the record holds them."""
    counts = landscape_counts(ov).rename(columns={"tier not published": "Tier not published", "moved up": "Moved up"})
    counts["Announced"] = counts["Announced"].astype(np.int64)
    return ReaderTable(
        counts, "landscape", numeric=tuple(counts.columns[1:]), caption="Announcements by year and tier.", compact=True
    )
