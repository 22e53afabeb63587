"""All loaded cities side by side, and the certification landscape from the whole published record."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.cohorts import is_simulated
from ..analysis.phrases import NO_TIER, plural, tier_label
from ..analysis.timeline import announced_text
from ..io.inputs import Paths, load_inputs
from ..rules.standard import Standard
from . import cohort_charts as charts

MIN_FOR_QUARTILES = 10  # fewer cities than this: no quartiles (they would describe two or three cities)


@dataclass
class Overview:
    standard: Standard
    scored: pd.DataFrame  # every loaded assessment scored, most criteria met first
    statuses: np.ndarray  # the statuses scored, rows as in `scored`
    record: pd.DataFrame  # the published record, every city

    @property
    def n_cities(self) -> int:
        """Distinct cities loaded; a city assessed in several years counts once."""
        return int(self.scored["key"].nunique())

    @property
    def n_simulated(self) -> int:
        return int(is_simulated(self.scored.drop_duplicates("key")["city"]).sum())

    @property
    def labels(self) -> pd.Series:
        """Row labels: the city, with its year where the city has more than one assessment."""
        several = self.scored["key"].duplicated(keep=False)
        return pd.Series(
            np.where(several, self.scored["city"] + " " + self.scored["year"].astype(str), self.scored["city"])
        )

    @property
    def latest(self) -> pd.DataFrame:
        """Each loaded city's latest assessment."""
        return self.scored.sort_values("year").drop_duplicates("key", keep="last").sort_index()


def build_overview(responses: Paths = (), outcomes: Paths = (), edition: str | None = None) -> Overview:
    """Score every loaded assessment (the bundled data when no files are given)."""
    inputs = load_inputs(responses, outcomes, edition)
    scored = inputs.scored.assign(key=inputs.assessments.keys["key"].to_numpy())
    order = np.lexsort(
        (
            -scored["year"].to_numpy(dtype=np.int64),
            scored["city"].to_numpy(dtype=str),
            -scored["criteria_met"].to_numpy(),
        )
    )
    return Overview(
        inputs.standard, scored.iloc[order].reset_index(drop=True), inputs.assessments.statuses[order], inputs.record
    )


def counts_html(ov: Overview) -> str:
    """How many cities (and assessments) are loaded, and how many are simulated, as a paragraph."""
    text = f"{plural(ov.n_cities, 'city')} loaded"
    if len(ov.scored) != ov.n_cities:
        text += f" ({plural(len(ov.scored), 'assessment')})"
    text += f", {ov.n_simulated} of them simulated." if ov.n_simulated else ", none of them simulated."
    return f"<p>{html.escape(text)}</p>"


def field_summary(ov: Overview) -> pd.DataFrame | None:
    """Quartiles of criteria met and of each practice's share over the latest assessments (None for too few)."""
    latest = ov.latest
    if len(latest) < MIN_FOR_QUARTILES:
        return None
    cols = ["criteria_met", *[f"share_{p}" for p in ov.standard.practice_codes]]
    return latest[cols].describe().loc[["count", "min", "25%", "50%", "75%", "max"]].round(2)


def field_note(ov: Overview) -> str:
    """Why the spread has no quartiles, where it has none ('' where it has)."""
    n = len(ov.latest)
    if n >= MIN_FOR_QUARTILES:
        return ""
    return html.escape(
        f"Quartiles are left out: {plural(n, 'city')} loaded, fewer than the {MIN_FOR_QUARTILES} they would need to "
        "describe the field."
    ).join(("<p>", "</p>"))


def certified_cities(ov: Overview) -> pd.DataFrame:
    """Every city the published record names, with its latest published tier and when it was announced."""
    rec = ov.record[ov.record["tier"] != ""].sort_values(["assessment_year", "announced"], kind="stable")
    latest = rec.drop_duplicates("key", keep="last")
    first = rec.drop_duplicates("key", keep="first").set_index("key")["announced_year"]
    rank = {t: i for i, t in enumerate(ov.standard.tier_names)}
    frame = pd.DataFrame(
        {
            "City": latest["city"],
            "Region": [", ".join(p for p in (r, c) if p) for r, c in zip(latest["region"], latest["country"])],
            "Latest tier": latest["tier"],
            "Announced": latest["announced"].map(announced_text),
            "For the assessment of": latest["assessment_year"],
            "First certified": latest["key"].map(first),
            "_rank": latest["tier"].map(rank),
        }
    )
    return frame.sort_values(["_rank", "City"], ascending=[False, True]).drop(columns="_rank").reset_index(drop=True)


def landscape_counts(ov: Overview) -> pd.DataFrame:
    """Announcements by year and tier, as the record holds them (the numbers behind the history chart)."""
    rec = ov.record
    tiers = [*ov.standard.tier_names, ""]
    table = rec.groupby(["announced_year", "tier"]).size().unstack(fill_value=0).reindex(columns=tiers, fill_value=0)
    table.columns = [*ov.standard.tier_names, "tier not published"]
    table["moved up"] = (
        rec[rec["event"] == "moved up"].groupby("announced_year").size().reindex(table.index, fill_value=0)
    )
    return table.rename_axis("Announced").reset_index()


def draw(name: str, ov: Overview, out_dir: str | Path):
    """Draw, save and return for display one overview chart."""
    s = ov.standard
    figures = {
        "tiers": lambda: charts.tier_counts_chart(ov.latest, s.tier_names),
        "practice_heatmap": lambda: charts.practice_heatmap(ov.scored.assign(city=ov.labels), s.practice_codes),
        "criteria_heatmap": lambda: charts.criteria_heatmap(ov.statuses, ov.labels, s.codes),
        "spread": lambda: charts.spread_chart(ov.latest, {t: s.min_criteria(t) for t in s.tier_names}, s.n_criteria),
        "history": lambda: charts.history_chart(landscape_counts(ov), s.tier_names),
    }
    from .charts import save

    return save(figures[name](), out_dir, name, alt_text(name, ov))


def alt_text(name: str, ov: Overview) -> str:
    """What one overview chart shows, in words written from the data (the chart's alt text)."""
    s, latest = ov.standard, ov.latest
    n = len(latest)
    sim = f" ({ov.n_simulated} simulated)" if ov.n_simulated else ""
    if name == "tiers":
        counts = latest["tier"].astype(object).map(tier_label).value_counts()
        parts = ", ".join(f"{counts.get(t, 0)} {t}" for t in [NO_TIER, *s.tier_names])
        return f"Bar chart of the tiers of the {plural(n, 'city')} loaded{sim}, at their latest assessment: {parts}."
    if name == "practice_heatmap":
        return (
            f"Heatmap of the share of each practice's criteria met, {len(ov.scored)} assessments{sim} by "
            f"{len(s.practice_codes)} practices ({', '.join(s.practice_codes)}), darker for more met; starred where "
            "some answers are unknown (the share is of the known ones), hatched where none is known."
        )
    if name == "criteria_heatmap":
        return (
            f"Heatmap of the status of all {s.n_criteria} criteria for each of the {len(ov.scored)} assessments{sim}: "
            "met, in progress, not met, unknown (crossed)."
        )
    if name == "spread":
        met = latest["criteria_met"]
        edges = ", ".join(f"{t} {s.min_criteria(t)}" for t in s.tier_names)
        return (
            f"Histogram of criteria met per city, {plural(n, 'city')}{sim}: from {met.min()} to {met.max()} of "
            f"{s.n_criteria}, with the tier band edges {edges}."
        )
    if name == "history":
        counts = landscape_counts(ov)
        parts = "; ".join(
            f"{row['Announced']}: " + ", ".join(f"{int(row[t])} {t}" for t in s.tier_names)
            for _, row in counts.iterrows()
        )
        return (
            f"Stacked bar chart of certification announcements by year and tier: {parts}; {len(ov.record)} "
            f"announcements in all, {int(counts['tier not published'].sum())} of them without a published tier and "
            f"{int(counts['moved up'].sum())} of cities moving up a tier."
        )
    raise KeyError(name)
