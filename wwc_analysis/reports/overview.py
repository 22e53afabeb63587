"""All loaded cities side by side, and the certification landscape from the published history."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..cohorts import is_simulated
from ..context import load_inputs
from ..explain import score_table
from ..identity import city_keys
from ..io.bundled import certification_history
from ..phrases import NO_TIER, plural
from ..phrases import tier_label as tier_text
from ..standard import Standard
from . import charts


@dataclass
class Overview:
    standard: Standard
    scored: pd.DataFrame  # explain() of every loaded assessment, sorted by criteria met
    statuses: np.ndarray  # audited status codes, rows as in `scored`
    history: pd.DataFrame  # published certification history

    @property
    def n_simulated(self) -> int:
        """Simulated cities (not assessments)."""
        cities = self.scored.drop_duplicates("city_key")
        return int(is_simulated(cities["city"]).sum())

    @property
    def n_cities(self) -> int:
        """Distinct cities loaded; a city assessed in several years counts once."""
        return int(self.scored["city_key"].nunique())

    @property
    def labels(self) -> pd.Series:
        """Row labels: the city, with its year where the city has more than one assessment."""
        several = self.scored["city_key"].duplicated(keep=False)
        return pd.Series(
            np.where(several, self.scored["city"] + " " + self.scored["year"].astype(str), self.scored["city"]),
            index=self.scored.index,
        )


def build_overview(responses=(), outcomes=(), edition: str | None = None) -> Overview:
    """Score every loaded assessment (the bundled data when no files are given)."""
    inputs = load_inputs(responses, outcomes, edition)
    scored = inputs.scored.assign(city_key=city_keys(inputs.scored["city"]))
    order = np.lexsort(
        (
            -scored["year"].to_numpy(dtype=np.int64),
            scored["city"].to_numpy(dtype=str),
            -scored["criteria_met"].to_numpy(),
        )
    )
    return Overview(
        inputs.standard,
        scored.iloc[order].reset_index(drop=True),
        inputs.assessments.audited[order],
        certification_history(),
    )


def counts_line(ov: Overview) -> str:
    """How many cities (and assessments) are loaded, and how many are simulated."""
    text = f"{plural(ov.n_cities, 'city')} loaded"
    if len(ov.scored) != ov.n_cities:
        text += f" ({plural(len(ov.scored), 'assessment')})"
    return text + (f", {ov.n_simulated} of them simulated" if ov.n_simulated else ", none simulated")


def table(ov: Overview) -> pd.DataFrame:
    """Every loaded assessment's score, one row each, as the cohort table shows it."""
    return score_table(ov.scored, ov.standard)


def field_summary(ov: Overview) -> pd.DataFrame:
    """The spread of the field: quartiles of criteria met and of each practice's share."""
    cols = ["criteria_met", *[f"share_{p}" for p in ov.standard.practice_codes]]
    return ov.scored[cols].describe().loc[["count", "min", "25%", "50%", "75%", "max"]].round(2)


def moves_up(ov: Overview) -> pd.DataFrame:
    """Cities the published history records moving up a tier."""
    h = ov.history
    return h[h["event"] == "moved up"][["city", "region", "year", "tier"]].reset_index(drop=True)


def draw(name: str, ov: Overview, out_dir: str | Path):
    """Draw, save and return for display one overview chart."""
    s = ov.standard
    figures = {
        "tiers": lambda: charts.tier_counts_chart(ov.scored.drop_duplicates("city_key"), s.tier_names),
        "practice_heatmap": lambda: charts.practice_heatmap(ov.scored.assign(city=ov.labels), s.practice_codes),
        "criteria_heatmap": lambda: charts.criteria_heatmap(ov.statuses, ov.labels, s.codes),
        "spread": lambda: charts.spread_chart(ov.scored, {t: s.min_criteria(t) for t in s.tier_names}, s.n_criteria),
        "history": lambda: charts.history_chart(ov.history, s.tier_names),
    }
    return charts.drawn(figures[name], out_dir, name, alt_text(name, ov))


def alt_text(name: str, ov: Overview) -> str:
    """What one overview chart shows, in words written from the data (the chart's alt text)."""
    s, scored = ov.standard, ov.scored
    n = len(scored)
    sim = f" ({ov.n_simulated} simulated)" if ov.n_simulated else ""
    if name == "tiers":
        counts = scored["tier"].map(tier_text).value_counts()
        parts = ", ".join(f"{counts.get(t, 0)} {t}" for t in [NO_TIER, *s.tier_names])
        return f"Bar chart of the tiers of the {n} cities loaded{sim}: {parts}."
    if name == "practice_heatmap":
        return (
            f"Heatmap of the share of each practice's criteria met, {n} cities{sim} by "
            f"{len(s.practice_codes)} practices ({', '.join(s.practice_codes)}), darker for more met."
        )
    if name == "criteria_heatmap":
        return (
            f"Heatmap of the status of all {s.n_criteria} criteria for each of the {n} cities{sim}: "
            "met, in progress, not met, unknown (crossed)."
        )
    if name == "spread":
        met = scored["criteria_met"]
        return (
            f"Histogram of criteria met per city, {n} cities{sim}: from {met.min()} to {met.max()} of "
            f"{s.n_criteria}, median {met.median():g}, with the tier band edges "
            + ", ".join(f"{t} {s.min_criteria(t)}" for t in s.tier_names)
            + "."
        )
    if name == "history":
        h = ov.history
        return (
            f"Stacked bar chart of certification announcements by year and tier, {int(h['year'].min())} to "
            f"{int(h['year'].max())}, {len(h)} announcements in all, "
            f"{int((h['event'] == 'moved up').sum())} of them cities moving up a tier."
        )
    raise KeyError(name)
