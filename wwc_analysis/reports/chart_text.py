"""Alt text for a city report's charts: what each chart shows, in words written from the same data.

The report, its HTML and PDF copies and the app all read it from here: a reader who cannot see the image
is told the same figures.
"""

from __future__ import annotations

import numpy as np

from ..analysis.phrases import NO_TIER, join, percent, tier_label
from ..analysis.sentences import position_sentence, tier_text
from .city_report import CityReport, self_vs_audited


def _band(rep: CityReport) -> str:
    """The tier band the city's count of criteria met falls in, as counts of the total."""
    std, met = rep.standard, int(rep.score["criteria_met"])
    starts = [(NO_TIER, 0)] + [(t, std.min_criteria(t)) for t in std.tier_names]
    for k, (name, lo) in enumerate(starts):
        hi = starts[k + 1][1] - 1 if k + 1 < len(starts) else std.n_criteria
        if lo <= met <= hi:
            return f"the {name} band ({lo} to {hi} criteria)"
    return "no band"


def alt_text(name: str, rep: CityReport) -> str:
    """What one of CITY_CHARTS shows, in words written from the data (the chart's alt text)."""
    s, total = rep.score, rep.standard.n_criteria
    city = rep.city + (" (simulated city)" if rep.simulated else "")
    if name == "tier_gauge":
        own = s["self_criteria_met"]
        extra = f"; self-assessed, it met {own}" if rep.has_self and own != s["criteria_met"] else ""
        if rep.scenario.changed:
            extra = f"; as recorded, {rep.scenario.recorded_score['criteria_met']}"
        return (
            f"Tier gauge: {city} meets {s['criteria_met']} of {total} criteria, in {_band(rep)}; tier: "
            f"{tier_text(s)}{extra}."
        )
    if name == "practices":
        parts = "; ".join(
            f"{p.name} {'no answer known' if np.isnan(p.share_met) else percent(p.share_met)}"
            + (f" ({p.compared} of {p.criteria} known)" if 0 < p.compared < p.criteria else "")
            + ("" if np.isnan(p.peer_share) else f" against {percent(p.peer_share)}")
            + ("" if p.enough_known or not p.compared else " (not compared: too few answers known)")
            for p in rep.practices.itertuples()
        )
        return f"Bar chart of criteria met per practice, {city} against a typical peer ({rep.peers_label}): {parts}."
    if name == "criteria":
        counts = rep.criteria["status"].value_counts()
        status = ", ".join(
            f"{counts.get(k, 0)} {w}"
            for k, w in (("Yes", "met"), ("In Progress", "in progress"), ("No", "not met"), ("Unknown", "unknown"))
        )
        return (
            f"Status of each of {total} criteria against the share of peers meeting it ({rep.peers_label}): {status}. "
            + position_sentence(city, rep.criteria)
        )
    if name == "self_vs_audited":
        d = self_vs_audited(rep)
        parts = "; ".join(
            f"{r.practice} {percent(r.self_assessed)} self-assessed, {percent(r.audited)} audited"
            for r in d.itertuples()
        )
        changed = list(s.get("audit_changes") or [])
        return f"Bar chart of share met per practice, self-assessed and audited, for {city}: {parts}. " + (
            f"The audit changed {join(changed)}." if changed else "The audit changed no answer."
        )
    if name == "progress":
        parts = "; ".join(f"{r.year}: {r.criteria_met} met, {tier_label(r.tier)}" for r in rep.progress.itertuples())
        return f"Bar chart of criteria met at each assessment of {city}, with the tier band edges: {parts}."
    raise KeyError(name)
