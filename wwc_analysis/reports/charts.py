"""Charts of one city's report (also drawn by the app), readable in grayscale and on a phone, saved byte for byte.

Each chart is its own `Figure` (no pyplot state), about 500 pixels wide at most with text of 9 points or
more, so a phone keeps it legible. PNG and SVG are saved without timestamps or software versions, with
alt text written from the data (`chart_text`). Only the chart modules import matplotlib.
"""

from __future__ import annotations

import base64
import textwrap
import time
from io import BytesIO
from pathlib import Path

import matplotlib
import matplotlib.colors
import matplotlib.ticker
import matplotlib.transforms
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..analysis.phrases import NO_TIER, percent, tier_label, with_published
from ..io.atomic import write_file
from ..rules import status as st
from .chart_text import alt_text
from .city_report import CityReport, self_vs_audited

__all__ = ["CITY_CHARTS", "Chart", "alt_text", "draw", "figure_bytes", "save", "svg"]

STYLE = {
    "font.size": 10,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "wwc-analysis",
    "svg.fonttype": "none",
    "hatch.linewidth": 0.6,
    "savefig.dpi": 100,
    "figure.dpi": 100,
}
WIDTH = 4.85  # inches: at most about 500 pixels once cut to the tight bounding box; never shown larger
METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
DARK, MID, LIGHT, PALE, MARK = "#222222", "#666666", "#bbbbbb", "#eeeeee", "#b35900"


def figure(height: float, width: float = WIDTH) -> tuple[Figure, object]:
    """A new figure with one axes, outside pyplot's global state."""
    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def tier_shades(tiers: list[str]) -> dict[str, str]:
    """A gray per tier, darker as the tier rises, for any number of tiers."""
    levels = np.linspace(0.85, 0.35, len(tiers)) if len(tiers) > 1 else np.array([0.6])
    return {t: matplotlib.colors.to_hex((v, v, v)) for t, v in zip(tiers, levels)}


def tier_hatches(tiers: list[str]) -> dict[str, str]:
    """A hatch per tier (none for the first), so tiers read apart in grayscale print."""
    marks = ["", "///", "xx", "...", "\\\\", "++", "oo"]
    return {t: marks[i % len(marks)] for i, t in enumerate(tiers)}


def figure_bytes(fig: Figure, formats: tuple[str, ...] = ("png", "svg"), dpi: float | None = None) -> dict[str, bytes]:
    """The figure in each format, cut to its tight bounding box, without timestamps or software versions."""
    with matplotlib.rc_context(STYLE):
        canvas = FigureCanvasAgg(fig)
        box = fig.get_tightbbox(canvas.get_renderer()).padded(0.05)
        out = {}
        for ext in formats:
            buffer = BytesIO()
            fig.savefig(buffer, format=ext, metadata=METADATA[ext], bbox_inches=box, dpi=dpi or STYLE["savefig.dpi"])
            out[ext] = buffer.getvalue()
        return out


class Chart:
    """A chart's PNG shown in a notebook with its alt text (the HTML and PDF copies read the text from there)."""

    def __init__(self, png: bytes, alt: str):
        self.png, self.alt = png, alt

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": self.alt}
        return data, {"image/png": {"alt": self.alt}}

    def __repr__(self) -> str:
        return self.alt


_seconds = 0.0  # spent drawing since `take_seconds` last ran


def save(fig: Figure, out_dir: str | Path, name: str, alt: str) -> Chart:
    """Write `name`.png and `name`.svg into `out_dir` and return the PNG for display with `alt`."""
    global _seconds
    start = time.perf_counter()
    files = figure_bytes(fig)
    for ext, data in files.items():
        write_file(Path(out_dir) / f"{name}.{ext}", data)
    _seconds += time.perf_counter() - start
    return Chart(files["png"], alt)


def take_seconds() -> float:
    """Seconds spent drawing and saving charts since the last call (the batch reports it as a stage)."""
    global _seconds
    taken, _seconds = _seconds, 0.0
    return taken


def legend_below(ax, ncol: int, points: float = 40, **kwargs) -> None:
    """The axes' legend under its x axis label, a fixed distance below the axes whatever the chart's height."""
    below = matplotlib.transforms.offset_copy(ax.transAxes, fig=ax.figure, y=-points, units="points")
    place = {"loc": "upper left", "bbox_to_anchor": (0, 0), "bbox_transform": below}
    ax.legend(ncol=ncol, frameon=False, borderaxespad=0, **place, **kwargs)


def _pct_axis(axis) -> None:
    axis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))


def _short(text: str, n: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _title(rep: CityReport, what: str) -> str:
    """The chart's title: the city, the year and what the chart shows, on two lines where it is long."""
    text = _short(f"{rep.city}{' (simulated)' if rep.simulated else ''} {rep.year}: {what}", 110)
    return "\n".join(textwrap.wrap(text, 46))


def tier_bands(ax, std) -> None:
    """The tier bands of an edition as shaded spans with their names and lower edges."""
    total = std.n_criteria
    starts = [0, *(std.min_criteria(t) for t in std.tier_names)]
    shades = tier_shades(std.tier_names)
    for k, name in enumerate([NO_TIER, *std.tier_names]):
        lo, hi = starts[k], (starts[k + 1] if k + 1 < len(starts) else total + 1)
        shade = shades.get(name, "#ffffff")
        ax.axvspan(lo - 0.5, hi - 0.5, ymin=0.25, ymax=0.75, color=shade, ec=DARK, lw=0.6)
        label = f"{name}\n{lo}+" if lo else name
        color = "white" if matplotlib.colors.to_rgb(shade)[0] < 0.5 else DARK
        ax.text((lo + hi - 1) / 2, 0.5, label, ha="center", va="center", fontsize=9, color=color)


def tier_gauge(rep: CityReport) -> Figure:
    """Criteria met (audited and self-assessed, or as recorded in the app) against the band edges of each tier."""
    s, std = rep.score, rep.standard
    total, met = std.n_criteria, int(s["criteria_met"])
    with matplotlib.rc_context(STYLE):
        fig, ax = figure(1.9, WIDTH * 1.2)
        tier_bands(ax, std)
        unknown = int(s["criteria_unknown"])
        if unknown:
            ax.annotate(
                "", (met + unknown, 0.82), (met, 0.82), arrowprops={"arrowstyle": "-", "color": MID, "linestyle": ":"}
            )
            ax.text(met + unknown / 2, 0.84, f"+{unknown} unknown", ha="center", va="bottom", fontsize=9, color=MID)
        label = "audited" if rep.has_self else ("known to be met" if unknown else "met")
        if rep.scenario.changed:
            label = "with the changes"
        ax.annotate(
            f"{label}: {met}",
            (met, 0.76),
            (met, 0.99),
            ha="center",
            fontsize=9,
            arrowprops={"arrowstyle": "-|>", "color": DARK},
        )
        other = None
        if rep.scenario.changed:
            other = ("recorded", int(rep.scenario.recorded_score["criteria_met"]))
        elif rep.has_self and s["self_criteria_met"] != met:
            other = ("self-assessed", int(s["self_criteria_met"]))
        if other and other[1] != met:
            ax.annotate(
                f"{other[0]}: {other[1]}",
                (other[1], 0.24),
                (other[1], 0.01),
                ha="center",
                va="bottom",
                fontsize=9,
                color=MARK,
                arrowprops={"arrowstyle": "-|>", "color": MARK, "linestyle": "--"},
            )
        ax.set_xlim(-0.5, total + 0.5)
        ax.set_ylim(0, 1.12)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(f"criteria met, of {total}")
        settled = tier_label(s.get("answers_low")) != tier_label(s["tier"])  # the published tier, not the answers
        tier = with_published(s["tier"], s.get("published_tier")) if settled else tier_label(s["tier"])
        ax.set_title(_title(rep, f"{tier}, {met} of {total} met"), loc="left")
    return fig


def practice_chart(rep: CityReport) -> Figure:
    """Share of each practice's known criteria met, against a typical peer; unknown practices marked as such."""
    p = rep.practices.iloc[::-1]
    recorded = rep.recorded_practices.iloc[::-1] if rep.recorded_practices is not None else None
    with matplotlib.rc_context(STYLE):
        fig, ax = figure(0.42 * len(p) + 1.2)
        y = np.arange(len(p))
        city, peer = p["share_met"].to_numpy(dtype=float), p["peer_share"].to_numpy(dtype=float)
        ax.barh(y + 0.2, np.nan_to_num(city), 0.4, color=DARK, label=_short(rep.city, 24))
        if not np.isnan(peer).all():
            ax.barh(
                y - 0.2, np.nan_to_num(peer), 0.4, color="white", edgecolor=DARK, hatch="////", label="typical peer"
            )
        for yi, share, other, row in zip(y, city, peer, p.itertuples()):
            _share_label(ax, yi + 0.2, share, row.compared, row.criteria, row.enough_known)
            if not np.isnan(other):
                ax.text(other + 0.01, yi - 0.2, percent(other), va="center", fontsize=9, color=MID)
        if recorded is not None:
            before = recorded["share_met"].to_numpy(dtype=float)
            shown = ~np.isnan(before)
            ax.plot(
                before[shown], (y + 0.2)[shown], "|", markersize=14, markeredgewidth=2.5, color=MARK, label="recorded"
            )
        ax.set_yticks(y, list(p["practice"]))
        ax.set_xlim(0, 1.18)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
        _pct_axis(ax.xaxis)
        ax.set_xlabel("share of the practice's known criteria met")
        ax.set_title(_title(rep, "criteria met per practice"), loc="left")
        legend_below(ax, 3)
    return fig


def _share_label(ax, y: float, share: float, known: int, n: int, enough: bool) -> None:
    """A practice's share beside its bar (inside its end where the bar is long), with how much of it is known."""
    if np.isnan(share):
        text = "no answer known"
    else:
        text = percent(share) + ("" if known == n else f" ({known} of {n} known)")
        text += "" if enough else ", not compared"
    inside = not np.isnan(share) and share >= 0.6
    x = share - 0.015 if inside else (0 if np.isnan(share) else share) + 0.01
    ha, color = ("right", "white") if inside else ("left", DARK)
    style = "italic" if np.isnan(share) or known < n else "normal"
    ax.text(x, y, text, va="center", ha=ha, fontsize=9, color=color, style=style)


_MARKERS = {
    st.YES: ("o", "full", "met"),
    st.IN_PROGRESS: ("o", "left", "in progress"),
    st.NO: ("o", "none", "not met"),
    st.UNKNOWN: ("x", "full", "unknown"),
}


def criterion_chart(rep: CityReport) -> Figure:
    """Each criterion's status (marker) against the share of peers that meet it (position)."""
    c = rep.criteria
    n = len(c)
    with matplotlib.rc_context(STYLE):
        fig, ax = figure(0.165 * n + 1.5)
        y = n - 1 - np.arange(n)
        shares = c["peer_share"].fillna(0).to_numpy()
        ax.hlines(y, 0, shares, color=PALE, linewidth=3, zorder=1)
        points = {"linestyle": "none", "color": DARK, "markersize": 6.5, "markeredgewidth": 1.2, "zorder": 3}
        for code, (marker, fill, label) in _MARKERS.items():
            sel = rep.statuses == code
            if sel.any():
                ax.plot(shares[sel], y[sel], marker=marker, fillstyle=fill, label=label, **points)
        ax.axvline(0.5, color=MID, linestyle=":", linewidth=1)
        core = set(rep.standard.core_codes)
        ax.set_yticks(y, [f"{code}{' (core)' if code in core else ''}" for code in c["criterion"]], fontsize=9)
        practices = c["practice"].to_numpy()
        for i in range(1, n):
            if practices[i] != practices[i - 1]:
                ax.axhline(y[i] + 0.5, color=LIGHT, linewidth=0.6)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.8, n - 0.2)
        _pct_axis(ax.xaxis)
        ax.set_xlabel("share of peers meeting the criterion (dotted: half)")
        ax.set_title(_title(rep, "each criterion against peers"), loc="left")
        legend_below(ax, 4, title="the city's status", title_fontsize=9, alignment="left", columnspacing=1.2)
    return fig


def self_vs_audited_chart(rep: CityReport) -> Figure:
    """Share met per practice as the city assessed itself and as audited."""
    d = self_vs_audited(rep).iloc[::-1]
    changed = list(rep.score.get("audit_changes") or [])
    with matplotlib.rc_context(STYLE):
        fig, ax = figure(0.34 * len(d) + 1.25)
        y = np.arange(len(d))
        ax.barh(y + 0.2, d["self_assessed"], 0.4, color="white", edgecolor=DARK, hatch="....", label="self-assessed")
        ax.barh(y - 0.2, d["audited"], 0.4, color=DARK, label="audited")
        ax.set_yticks(y, d["practice"])
        ax.set_xlim(0, 1.05)
        _pct_axis(ax.xaxis)
        ax.set_xlabel("share of the practice's known criteria met")
        what = "audit changed " + ", ".join(changed) if changed else "the audit changed no answer"
        ax.set_title(_title(rep, what), loc="left")
        legend_below(ax, 2)
    return fig


def progress_chart(rep: CityReport) -> Figure:
    """Criteria met at each loaded assessment, with the tier band edges and each year's tier."""
    prog, std = rep.progress, rep.standard
    with matplotlib.rc_context(STYLE):
        fig, ax = figure(2.8)
        x = np.arange(len(prog))
        bars = ax.bar(x, prog["criteria_met"], 0.55, color=LIGHT, edgecolor=DARK)
        ax.bar_label(
            bars, [f"{m} met\n{tier_label(t)}" for m, t in zip(prog["criteria_met"], prog["tier"])], fontsize=9
        )
        for tier in std.tier_names:
            edge = std.min_criteria(tier)
            ax.axhline(edge, color=MID, linestyle="--", linewidth=0.8)
            ax.text(len(prog) - 0.45, edge, f"{tier} {edge}+", fontsize=9, va="bottom", ha="right", color=MID)
        ax.set_xticks(x, [str(y) for y in prog["year"]])
        ax.set_ylim(0, std.n_criteria + 6)
        ax.set_ylabel(f"criteria met, of {std.n_criteria}")
        ax.set_title(_title(rep, "criteria met at each assessment"), loc="left")
    return fig


CITY_CHARTS = {
    "tier_gauge": tier_gauge,
    "practices": practice_chart,
    "criteria": criterion_chart,
    "self_vs_audited": self_vs_audited_chart,
    "progress": progress_chart,
}


def draw(name: str, rep: CityReport, out_dir: str | Path) -> Chart:
    """Draw one of CITY_CHARTS, save it, and return it for display with alt text that says what it shows."""
    return save(CITY_CHARTS[name](rep), out_dir, name, alt_text(name, rep))


def svg(name: str, rep: CityReport) -> bytes:
    """One of CITY_CHARTS as SVG bytes only (the app shows it: sharp at any screen density; nothing is written)."""
    return figure_bytes(CITY_CHARTS[name](rep), ("svg",))["svg"]
