"""Charts of the cohort overview: tiers, practices and criteria city by city, the field's spread, the landscape."""

from __future__ import annotations

import matplotlib
import matplotlib.colors
import matplotlib.ticker
import matplotlib.transforms
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..analysis.cohorts import is_simulated
from ..analysis.phrases import NO_TIER, tier_label
from ..rules import status as st
from .charts import DARK, LIGHT, MID, STYLE, _short, figure, legend_below, tier_hatches, tier_shades


def _sim_note(names: pd.Series) -> str:
    n_sim = int(is_simulated(names).sum())
    if n_sim == 0:
        return ""
    return " (all simulated)" if n_sim == len(names) else f" ({n_sim} of {len(names)} simulated)"


def tier_counts_chart(latest: pd.DataFrame, tiers: list[str]) -> Figure:
    """How many cities are at each tier (no tier included), at their latest assessment."""
    counts = latest["tier"].astype(object).map(tier_label).value_counts().reindex([NO_TIER, *tiers], fill_value=0)
    with matplotlib.rc_context(STYLE):
        fig, ax = figure(2.6)
        shades = tier_shades(tiers)
        colors = ["white", *(shades[t] for t in tiers)]  # no tier: white, hatched
        bars = ax.bar(counts.index, counts.to_numpy(), color=colors, edgecolor=DARK, hatch=["//", *[""] * len(tiers)])
        ax.bar_label(bars, fontsize=9)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_ylim(0, max(counts.max(), 1) * 1.2)
        ax.set_ylabel("cities")
        ax.set_title(f"Tiers of the cities loaded{_sim_note(latest['city'])}", loc="left")
    return fig


def practice_heatmap(scored: pd.DataFrame, practices: list[str]) -> Figure:
    """Cities x practices: the share of known criteria met; hatched where no answer is known."""
    import seaborn as sns

    data = pd.DataFrame(
        scored[[f"share_{p}" for p in practices]].to_numpy(dtype=float),
        columns=practices,
        index=[_short(c, 24) for c in scored["city"]],
    )
    n = len(scored)
    partial = scored[[f"unknown_{p}" for p in practices]].to_numpy() > 0  # a share of some answers only: starred
    shares = data.to_numpy()
    percents = np.nan_to_num(shares * 100).round().astype(int).astype(str)
    labels = np.where(np.isnan(shares), "", np.char.add(percents, np.where(partial, "*", "")))
    with matplotlib.rc_context(STYLE):
        fig, ax = figure(0.3 * n + 1.6)
        ax.patch.set_facecolor("white")
        ax.patch.set_hatch("xxx")
        ax.patch.set_edgecolor(LIGHT)
        sns.heatmap(
            data,
            ax=ax,
            cmap="Greys",
            vmin=0,
            vmax=1,
            annot=labels if n <= 40 else False,
            fmt="",
            annot_kws={"fontsize": 9},
            linewidths=0.3,
            linecolor="#dddddd",
            cbar_kws={"format": matplotlib.ticker.PercentFormatter(1.0, decimals=0), "shrink": 0.8},
        )
        ax.tick_params(axis="y", labelrotation=0)
        ax.set_title(f"Share of criteria met, % per practice{_sim_note(scored['city'])}", loc="left")
        if partial.any():
            ax.set_xlabel("* of the criteria whose answer is known only")
    return fig


def criteria_heatmap(statuses: np.ndarray, cities: pd.Series, codes: list[str]) -> Figure:
    """Cities x criteria: met, in progress, not met, unknown as four grays."""
    n = len(cities)
    cmap = matplotlib.colors.ListedColormap(["#ffffff", "#e4e4e4", "#9a9a9a", DARK])
    norm = matplotlib.colors.BoundaryNorm([-1.5, -0.5, 0.5, 1.5, 2.5], cmap.N)
    with matplotlib.rc_context(STYLE):
        fig, ax = figure(0.3 * n + 2.2)
        ax.imshow(statuses, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
        unknown = np.argwhere(statuses == st.UNKNOWN)
        if len(unknown):
            ax.plot(unknown[:, 1], unknown[:, 0], "x", color=MID, markersize=3, linestyle="none")
        practices = [c.rstrip("0123456789") for c in codes]
        starts = [i for i in range(len(codes)) if i == 0 or practices[i] != practices[i - 1]]
        ax.set_xticks(starts, [practices[i] for i in starts], rotation=90)
        for i in starts[1:]:
            ax.axvline(i - 0.5, color="white", linewidth=1.5)
        ax.set_yticks(range(n), [_short(c, 24) for c in cities])
        handles = [
            Patch(facecolor=DARK, label="met"),
            Patch(facecolor="#9a9a9a", label="in progress"),
            Patch(facecolor="#e4e4e4", edgecolor=LIGHT, label="not met"),
            Line2D([], [], marker="x", color=MID, linestyle="none", label="unknown"),
        ]
        legend_below(ax, 4, points=34, handles=handles, columnspacing=1.0, handlelength=1.5)
        ax.set_title(f"Every criterion, city by city{_sim_note(cities)}", loc="left")
    return fig


def spread_chart(latest: pd.DataFrame, edges: dict[str, int], total: int) -> Figure:
    """How many criteria each city meets, over the tier bands (named above the plot, where no bar covers them)."""
    met = latest["criteria_met"].to_numpy()
    with matplotlib.rc_context(STYLE):
        fig, ax = figure(2.9)
        bands = [(NO_TIER, 0), *edges.items()]
        shades = tier_shades(list(edges))
        above = matplotlib.transforms.blended_transform_factory(ax.transData, ax.transAxes)
        for k, (tier, lo) in enumerate(bands):
            hi = bands[k + 1][1] if k + 1 < len(bands) else total + 1
            if k:
                ax.axvspan(lo - 0.5, hi - 0.5, color=shades[tier], alpha=0.35, lw=0, zorder=0)
                ax.axvline(lo - 0.5, color=DARK, linestyle="--", linewidth=1, zorder=1)
            label = f"{tier}\n{lo}+" if k else tier
            ax.text((lo + hi - 1) / 2, 1.02, label, transform=above, ha="center", va="bottom", fontsize=9)
        counts, _, _ = ax.hist(met, bins=np.arange(-0.5, total + 1.5), color=LIGHT, edgecolor=DARK, zorder=2)
        ax.set_ylim(0, max(counts.max(), 1) * 1.1)
        ax.set_xlim(-0.5, total + 0.5)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_xlabel(f"criteria met, of {total}")
        ax.set_ylabel("cities")
        ax.set_title(f"Spread of the field{_sim_note(latest['city'])}", loc="left", pad=30)
    return fig


def history_chart(counts: pd.DataFrame, tiers: list[str]) -> Figure:
    """Certifications announced each year by tier (the published record), and cities moving up."""
    years = counts["Announced"].to_numpy()
    hatches, shades = tier_hatches(tiers), tier_shades(tiers)
    with matplotlib.rc_context(STYLE):
        fig, ax = figure(3.2)
        bottom = np.zeros(len(years))
        for tier in tiers:
            ax.bar(
                years, counts[tier], bottom=bottom, color=shades[tier], edgecolor=DARK, hatch=hatches[tier], label=tier
            )
            bottom += counts[tier].to_numpy()
        unknown = counts["tier not published"].to_numpy()
        ax.bar(years, unknown, bottom=bottom, color="white", edgecolor=MID, linestyle="--", label="tier not published")
        for x, m, top in zip(years, counts["moved up"], bottom + unknown):
            if m:
                ax.text(x, top + 0.4, f"{m} up", ha="center", fontsize=9)
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_ylim(0, (bottom + unknown).max() * 1.2 + 1)
        ax.set_ylabel("cities announced")
        ax.set_xlabel("year announced; “3 up”: three cities moved up a tier")
        ax.set_title("Certifications announced, by year and tier", loc="left")
        legend_below(ax, 2)
    return fig
