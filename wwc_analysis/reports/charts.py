"""Charts for gap reports and cohort overviews, readable in grayscale and saved byte for byte.

Every chart is drawn on its own `matplotlib.figure.Figure` (no pyplot state, no backend
switch, so an analyst's JupyterLab backend is left alone) and saved as PNG and SVG without
timestamps or software versions, so reruns give the same bytes. Each chart is laid out once: the
PNG is cut from one raster, and the SVG (text kept as text) saved with the same box. The notebook
shows the very PNG bytes written to the file. matplotlib is imported here and only here.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import matplotlib
import matplotlib.colors
import matplotlib.markers
import matplotlib.ticker
import matplotlib.transforms
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox
from PIL import Image

from .. import status as st
from ..cohorts import is_simulated
from ..io.atomic import write_file
from ..phrases import NO_TIER, join, percent, plural, with_published
from ..phrases import tier_label as tier_text
from .city_report import CityReport, self_vs_audited

STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "wwc-analysis",
    "svg.fonttype": "none",  # text as text: no glyph outlines to write, and a tenth of the size
    # Unhinted glyphs measure the same at any resolution, so the box of the PNG's layout fits the SVG too.
    "text.hinting": "no_hinting",
    "hatch.linewidth": 0.6,
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "path.simplify": True,
    # Titles stay at the top edge (where the automatic placement puts them here, since no tick labels are above
    # the axes); saying so spares measuring every tick label again on each draw, the slowest part of a save.
    "axes.titley": 1.0,
}
METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}  # no versions, no dates
WHITE = np.frombuffer(b"\xff" * 4, np.uint32)[0]  # an opaque white RGBA pixel, read as one number
ROOM = 3.0  # inches of room around a figure while it is drawn, for the labels that reach past its edges
DARK, MID, LIGHT, PALE = "#222222", "#777777", "#bbbbbb", "#eeeeee"


def tier_shades(tiers: list[str]) -> dict[str, str]:
    """A gray per tier, darker as the tier rises, for any number of tiers."""
    levels = np.linspace(0.85, 0.35, len(tiers)) if len(tiers) > 1 else np.array([0.6])
    return {t: matplotlib.colors.to_hex((v, v, v)) for t, v in zip(tiers, levels)}


def tier_hatches(tiers: list[str]) -> dict[str, str]:
    """A hatch per tier (none for the first), so tiers read apart in grayscale print."""
    marks = ["", "///", "xx", "...", "\\\\", "++", "oo"]
    return {t: marks[i % len(marks)] for i, t in enumerate(tiers)}


def _figure(figsize: tuple[float, float]) -> tuple[Figure, object]:
    """A new figure with one axes, outside pyplot's global state."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def figure_bytes(fig: Figure) -> dict[str, bytes]:
    """The figure as PNG and SVG, cropped to what it draws, without timestamps or software versions.

    Drawing it resizes the figure (room is left around it for labels), so a figure is saved once.
    """
    with matplotlib.rc_context(STYLE):
        png, box = _png(fig)
        return {"png": png, "svg": _saved(fig, "svg", box)}


def _png(fig: Figure) -> tuple[bytes, Bbox]:
    """The figure as PNG, laid out and rasterised once, and the box (inches) it was cut along.

    The figure is drawn with room around it for the labels that reach past its edges, and the PNG cut
    from that raster around what was drawn (the non-white pixels), padded as savefig pads its "tight"
    box: that box would cost a layout pass of its own, and savefig draws the figure twice to find it.
    """
    canvas = _roomy_canvas(fig, ROOM)
    canvas.draw()
    dpi = fig.dpi
    rgba = np.asarray(canvas.buffer_rgba())
    cut = _ink(rgba, round(matplotlib.rcParams["savefig.pad_inches"] * dpi))
    if cut is None:  # something reaches past the room left around the figure: the usual tight box
        box = fig.get_tightbbox(canvas.get_renderer()).padded(matplotlib.rcParams["savefig.pad_inches"])
        return _saved(fig, "png", box), box
    top, bottom, left, right = cut
    rows = rgba.shape[0]
    box = Bbox.from_extents(left / dpi, (rows - bottom) / dpi, right / dpi, (rows - top) / dpi)
    return _png_bytes(rgba[top:bottom, left:right, :3], dpi), box


def _roomy_canvas(fig: Figure, room: float) -> FigureCanvasAgg:
    """An Agg canvas at the PNG's resolution with `room` inches added on every side; the axes keep their place."""
    width, height = fig.get_size_inches()
    boxes = [ax.get_position(original=True) for ax in fig.axes]
    wide, high = width + 2 * room, height + 2 * room
    fig.set_size_inches(wide, high)
    fig.set_dpi(matplotlib.rcParams["savefig.dpi"])
    for ax, b in zip(fig.axes, boxes):
        ax.set_position(
            Bbox.from_bounds(
                (b.x0 * width + room) / wide,
                (b.y0 * height + room) / high,
                b.width * width / wide,
                b.height * height / high,
            )
        )
    return FigureCanvasAgg(fig)


def _ink(rgba: np.ndarray, pad: int) -> tuple[int, int, int, int] | None:
    """The rows and columns (top, bottom, left, right) around the raster's non-white pixels, `pad` pixels wider.

    None when that reaches the raster's edge (something may lie beyond it) or nothing was drawn.
    """
    ink = rgba.view(np.uint32)[..., 0] != WHITE
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    top, bottom, left, right = rows[0] - pad, rows[-1] + 1 + pad, cols[0] - pad, cols[-1] + 1 + pad
    if top < 0 or left < 0 or bottom > ink.shape[0] or right > ink.shape[1]:
        return None
    return int(top), int(bottom), int(left), int(right)


def _png_bytes(pixels: np.ndarray, dpi: float) -> bytes:
    """RGB pixels as PNG: grayscale when every pixel is gray (a third of the data to compress)."""
    gray = (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all()
    image = Image.fromarray(np.ascontiguousarray(pixels[..., 0] if gray else pixels))
    buffer = BytesIO()
    image.save(buffer, format="png", dpi=(dpi, dpi))
    return buffer.getvalue()


def _saved(fig: Figure, ext: str, box: Bbox) -> bytes:
    """The figure saved as `ext`, cut to `box` (inches), without dates or software versions."""
    buffer = BytesIO()
    fig.savefig(buffer, format=ext, metadata=METADATA[ext], bbox_inches=box)
    return buffer.getvalue()


def write_figure(fig: Figure, out_dir: str | Path, name: str) -> dict[str, bytes]:
    """Write `name`.png and `name`.svg into `out_dir`; return their bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = figure_bytes(fig)
    for ext, data in files.items():
        write_file(out / f"{name}.{ext}", data)
    return files


def save(fig: Figure, out_dir: str | Path, name: str) -> Path:
    """Write `name`.png and `name`.svg into `out_dir` (deterministically); the PNG's path."""
    write_figure(fig, out_dir, name)
    return Path(out_dir) / f"{name}.png"


class Chart:
    """A chart's PNG shown in a notebook with its alt text (the HTML and PDF copies read the text from there).

    The alt text is also the plain-text form of the output, so a reader without images gets the facts.
    """

    def __init__(self, png: bytes, alt: str):
        self.png, self.alt = png, alt

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": self.alt}
        return data, {"image/png": {"alt": self.alt}}

    def __repr__(self) -> str:
        return self.alt


_seconds = 0.0  # spent in `drawn` since `take_seconds` last ran


def drawn(figure: Callable[[], Figure], out_dir: str | Path, name: str, alt: str) -> Chart:
    """Draw a chart once, write its PNG and SVG, and return the same PNG bytes for display with `alt`."""
    global _seconds
    start = time.perf_counter()
    chart = Chart(write_figure(figure(), out_dir, name)["png"], alt)
    _seconds += time.perf_counter() - start
    return chart


def take_seconds() -> float:
    """Seconds spent drawing and saving charts since the last call (the batch reports it as a stage)."""
    global _seconds
    taken, _seconds = _seconds, 0.0
    return taken


def _pct_axis(ax, axis: str = "x") -> None:
    fmt = matplotlib.ticker.PercentFormatter(1.0, decimals=0)
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def _title(rep: CityReport, what: str) -> str:
    sim = " (simulated city)" if rep.simulated else ""
    year = f" {rep.year}" if rep.year else ""
    return f"{rep.city}{sim}{year}: {what}"


def _short(text: str, n: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def practice_chart(rep: CityReport) -> Figure:
    """Share of each practice's criteria met: the city against a typical peer of its cohort."""
    p = rep.practices.iloc[::-1]
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(figsize=(7.5, 4.2))
        y = np.arange(len(p))
        city_share = p["share_met"].to_numpy(dtype=float)
        peer_share = p["peer_share"].to_numpy(dtype=float)
        ax.barh(y + 0.2, np.nan_to_num(city_share), 0.4, color=DARK, label=_short(rep.city, 30))
        ax.barh(
            y - 0.2,
            np.nan_to_num(peer_share),
            0.4,
            color="white",
            edgecolor=DARK,
            hatch="////",
            label="typical peer: " + _short(rep.peers_label, 50),
        )
        for yi, city, peer, unknown in zip(y, city_share, peer_share, p["unknown"]):
            if np.isnan(city):  # no known answer: a distinct mark, never a 0% bar
                ax.text(0.01, yi + 0.2, "unknown (no answer known)", va="center", fontsize=8, style="italic")
            else:
                ax.text(
                    city + 0.01,
                    yi + 0.2,
                    f"{round(city * 100)}%" + (f" ({unknown} unknown)" if unknown else ""),
                    va="center",
                    fontsize=8,
                )
            if not np.isnan(peer):
                ax.text(peer + 0.01, yi - 0.2, f"{round(peer * 100)}%", va="center", fontsize=8, color=MID)
        ax.set_yticks(y, [f"{n} ({c})" for n, c in zip(p["name"], p["practice"])])
        ax.set_xlim(0, 1.12)
        _pct_axis(ax)
        ax.set_xlabel("share of the practice's known criteria met")
        ax.set_title(_short(_title(rep, "criteria met per practice"), 90), loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.14), ncol=2, frameon=False, fontsize=8)
    return fig


_MARKERS = {  # status -> (marker, fillstyle, label); shapes, not colours, carry the meaning
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
        fig, ax = _figure(figsize=(7.5, 0.2 * n + 1.6))
        y = n - 1 - np.arange(n)
        shares = c["peer_share"].fillna(0).to_numpy()
        ax.hlines(y, 0, shares, color=PALE, linewidth=3, zorder=1)
        for code, (marker, fill, label) in _MARKERS.items():
            sel = rep.statuses == code
            if sel.any():
                ax.plot(
                    shares[sel],
                    y[sel],
                    linestyle="none",
                    marker=marker,
                    fillstyle=fill,
                    color=DARK,
                    markersize=7,
                    markeredgewidth=1.2,
                    zorder=3,
                    label=label,
                )
        ax.axvline(0.5, color=MID, linestyle=":", linewidth=1)
        ax.text(0.5, n - 0.2, "half of peers", color=MID, fontsize=7, ha="center", va="bottom")
        core = set(rep.standard.core_codes)
        row_labels(ax, y, [f"{code}{' (core)' if code in core else ''}" for code in c["criterion"]], fontsize=7)
        practices = c["practice"].to_numpy()
        for i in range(1, n):
            if practices[i] != practices[i - 1]:
                ax.axhline(y[i] + 0.5, color=LIGHT, linewidth=0.6)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.8, n - 0.2 + 0.8)
        _pct_axis(ax)
        ax.set_xlabel("share of peers meeting the criterion (" + _short(rep.peers_label, 60) + ")")
        ax.set_title(_short(_title(rep, "status of each criterion against peers"), 90), loc="left")
        ax.legend(loc="lower right", frameon=True, fontsize=8, title="city's status", title_fontsize=8)
    return fig


def row_labels(ax, y: np.ndarray, labels: list[str], fontsize: float) -> None:
    """Labels and tick marks left of the axes at heights `y`, as y tick labels look, drawn as plain artists.

    Each tick is a handful of artists whose label is measured again and again on every draw: a chart
    with a row per criterion spent more time on its ticks than on anything else.
    """
    size, pad = matplotlib.rcParams["ytick.major.size"], matplotlib.rcParams["ytick.major.pad"]
    axis = ax.get_yaxis_transform()  # x in axes units, y in data units
    ax.set_yticks([])
    ax.plot(
        np.zeros(len(y)),
        y,
        linestyle="none",
        marker=matplotlib.markers.TICKLEFT,
        markersize=size,
        markeredgewidth=matplotlib.rcParams["ytick.major.width"],
        color=matplotlib.rcParams["ytick.color"],
        transform=axis,
        clip_on=False,
    )
    shift = matplotlib.transforms.ScaledTranslation(-(size + pad) / 72, 0, ax.figure.dpi_scale_trans)
    for yi, label in zip(y, labels):
        ax.text(
            0, yi, label, transform=axis + shift, ha="right", va="center_baseline", fontsize=fontsize, clip_on=False
        )


def tier_bands(ax, std) -> None:
    """The tier bands of an edition as shaded spans with their names and lower edges, on `ax`."""
    total = std.n_criteria
    starts = [0, *(std.min_criteria(t) for t in std.tier_names)]
    shades = tier_shades(std.tier_names)
    for k, name in enumerate([NO_TIER, *std.tier_names]):
        lo, hi = starts[k], (starts[k + 1] if k + 1 < len(starts) else total + 1)
        shade = shades.get(name, "#ffffff")
        ax.axvspan(lo - 0.5, hi - 0.5, ymin=0.25, ymax=0.75, color=shade, ec=DARK, lw=0.6)
        ax.text(
            (lo + hi - 1) / 2,
            0.5,
            f"{name}\n{lo}+" if lo else name,
            ha="center",
            va="center",
            fontsize=8,
            color="white" if matplotlib.colors.to_rgb(shade)[0] < 0.5 else DARK,
        )


def tier_gauge(rep: CityReport) -> Figure:
    """Criteria met (audited and self-assessed) against the band edges of each tier."""
    s, std = rep.score, rep.standard
    total = std.n_criteria
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(figsize=(7.5, 2.2))
        tier_bands(ax, std)
        unknown = int(s["criteria_unknown"])
        if unknown:  # the criteria that may still be met: a bracket from those known to be met
            ax.annotate(
                "",
                (s["criteria_met"] + unknown, 0.8),
                (s["criteria_met"], 0.8),
                arrowprops={"arrowstyle": "-", "color": MID, "linestyle": ":"},
            )
            ax.text(
                s["criteria_met"] + unknown / 2,
                0.82,
                f"+{unknown} unknown",
                ha="center",
                va="bottom",
                fontsize=7,
                color=MID,
            )
        label = "audited" if rep.has_self else ("known to be met" if unknown else "met")
        ax.annotate(
            f"{label}: {s['criteria_met']}",
            (s["criteria_met"], 0.76),
            (s["criteria_met"], 0.98),
            ha="center",
            fontsize=8,
            arrowprops={"arrowstyle": "-|>", "color": DARK},
        )
        if rep.has_self and s["self_criteria_met"] != s["criteria_met"]:
            ax.annotate(
                f"self-assessed: {s['self_criteria_met']}",
                (s["self_criteria_met"], 0.24),
                (s["self_criteria_met"], 0.02),
                ha="center",
                va="bottom",
                fontsize=8,
                arrowprops={"arrowstyle": "-|>", "color": MID, "linestyle": "--"},
            )
        ax.set_xlim(-0.5, total + 0.5)
        ax.set_ylim(0, 1.1)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(f"criteria met, of {total} (tiers also need all core criteria and resident outcome metrics)")
        ax.set_title(
            _short(
                _title(rep, f"{with_published(s['tier'], s['published_tier'])}, {s['criteria_met']} of {total} met"), 90
            ),
            loc="left",
        )
    return fig


def self_vs_audited_chart(rep: CityReport) -> Figure:
    """Share met per practice as the city assessed itself and as audited."""
    d = self_vs_audited(rep).iloc[::-1]
    changed = rep.score.get("audit_changes") or []
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(figsize=(7.5, 3.8))
        y = np.arange(len(d))
        ax.barh(y + 0.2, d["self_assessed"], 0.4, color="white", edgecolor=DARK, hatch="....", label="self-assessed")
        ax.barh(y - 0.2, d["audited"], 0.4, color=DARK, label="audited")
        ax.set_yticks(y, d["practice"])
        ax.set_xlim(0, 1.05)
        _pct_axis(ax)
        ax.set_xlabel("share of the practice's criteria met")
        what = ("the audit changed " + ", ".join(changed)) if changed else "the audit changed no answer"
        ax.set_title(_short(_title(rep, "self-assessed and audited; " + what), 95), loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.14), ncol=2, frameon=False, fontsize=8)
    return fig


def progress_chart(rep: CityReport) -> Figure:
    """Criteria met at each assessment, with the tier band edges and each year's tier."""
    prog = rep.progress
    std = rep.standard
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure((7.5, 3.2))
        x = np.arange(len(prog))
        bars = ax.bar(x, prog["criteria_met"], 0.55, color=LIGHT, edgecolor=DARK)
        ax.bar_label(bars, [f"{m} met\n{tier_text(t)}" for m, t in zip(prog["criteria_met"], prog["tier"])], fontsize=8)
        for tier in std.tier_names:
            edge = std.min_criteria(tier)
            ax.axhline(edge, color=MID, linestyle="--", linewidth=0.8)
            ax.text(len(prog) - 0.45, edge, f"{tier} {edge}+", fontsize=7, va="bottom", ha="right", color=MID)
        ax.set_xticks(x, [str(y) for y in prog["year"]])
        ax.set_ylim(0, std.n_criteria + 4)
        ax.set_ylabel(f"criteria met, of {std.n_criteria}")
        ax.set_title(_short(_title(rep, "criteria met at each assessment"), 90), loc="left")
    return fig


CITY_CHARTS = {
    "tier_gauge": tier_gauge,
    "practices": practice_chart,
    "criteria": criterion_chart,
    "self_vs_audited": self_vs_audited_chart,
    "progress": progress_chart,
}


def _pct(share: float) -> str:
    return percent(share)


def _band(rep: CityReport) -> str:
    """The tier band the city's count of criteria met falls in, as counts and shares of the total."""
    std, met = rep.standard, int(rep.score["criteria_met"])
    total = std.n_criteria
    starts = [(NO_TIER, 0)] + [(t, std.min_criteria(t)) for t in std.tier_names]
    for k, (name, lo) in enumerate(starts):
        hi = starts[k + 1][1] - 1 if k + 1 < len(starts) else total
        if lo <= met <= hi:
            return f"the {name} band ({lo / total:.0%}-{hi / total:.0%}, {lo}-{hi} criteria)".replace("%-", "-", 1)
    return "no band"


def alt_text(name: str, rep: CityReport) -> str:
    """What one of CITY_CHARTS shows, in words written from the data (the chart's alt text)."""
    s, total = rep.score, rep.standard.n_criteria
    city = rep.city + (" (simulated city)" if rep.simulated else "")
    if name == "tier_gauge":
        own = s["self_criteria_met"]
        self_part = f"; self-assessed, it met {own}" if rep.has_self and own != s["criteria_met"] else ""
        return (
            f"Tier gauge: {city} meets {s['criteria_met']} of {total} criteria, in {_band(rep)}; "
            f"tier: {with_published(s['tier'], s['published_tier'])}{self_part}."
        )
    if name == "practices":
        parts = "; ".join(
            f"{p.name} {_pct(p.share_met)} against {_pct(p.peer_share)}" for p in rep.practices.itertuples()
        )
        return f"Bar chart of criteria met per practice, {city} against a typical peer ({rep.peers_label}): {parts}."
    if name == "criteria":
        c = rep.criteria
        counts = c["status"].value_counts()
        status = ", ".join(
            f"{counts.get(k, 0)} {w}"
            for k, w in (("Yes", "met"), ("In Progress", "in progress"), ("No", "not met"), ("Unknown", "unknown"))
        )
        leads = c.loc[c["position"] == "leads", "criterion"].tolist()
        lags = c.loc[c["position"] == "lags", "criterion"].tolist()
        return (
            f"Status of each of {total} criteria against the share of peers meeting it ({rep.peers_label}): "
            f"{status}; {city} leads on {plural(len(leads), 'criterion')} most peers do not meet"
            + (f" ({join(leads)})" if leads else "")
            + f" and lags on {len(lags)} that most peers meet"
            + (f" ({join(lags)})." if lags else ".")
        )
    if name == "self_vs_audited":
        d = self_vs_audited(rep)
        parts = "; ".join(
            f"{r.practice} {_pct(r.self_assessed)} self-assessed, {_pct(r.audited)} audited" for r in d.itertuples()
        )
        changed = s.get("audit_changes") or []
        what = ("The audit changed " + join(changed)) if changed else "The audit changed no answer"
        return f"Bar chart of share met per practice, self-assessed and audited, for {city}: {parts}. {what}."
    if name == "progress":
        parts = "; ".join(f"{r.year}: {r.criteria_met} met, {tier_text(r.tier)}" for r in rep.progress.itertuples())
        return f"Bar chart of criteria met at each assessment of {city}, with the tier band edges: {parts}."
    raise KeyError(name)


def draw(name: str, rep: CityReport, out_dir: str | Path) -> Chart:
    """Draw one of CITY_CHARTS, save it, and return it for display with alt text that says what it shows."""
    return drawn(lambda: CITY_CHARTS[name](rep), out_dir, name, alt_text(name, rep))


# Cohort charts -------------------------------------------------------------------------------


def _sim_note(names: pd.Series) -> str:
    n_sim = int(is_simulated(names).sum())
    if n_sim == 0:
        return ""
    return " (all simulated)" if n_sim == len(names) else f" ({n_sim} of {len(names)} simulated)"


def tier_counts_chart(scored: pd.DataFrame, tiers: list[str]) -> Figure:
    counts = scored["tier"].map(tier_text).value_counts().reindex([NO_TIER, *tiers], fill_value=0)
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(figsize=(6, 3))
        shades = tier_shades(tiers)
        bars = ax.bar(
            counts.index,
            counts.to_numpy(),
            color=["white", *[shades[t] for t in tiers]],
            edgecolor=DARK,
            hatch=["//", *[""] * len(tiers)],
        )
        ax.bar_label(bars, fontsize=8)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_ylabel("cities")
        ax.set_title(f"Tiers of the {len(scored)} cities loaded{_sim_note(scored['city'])}", loc="left")
    return fig


def practice_heatmap(scored: pd.DataFrame, practices: list[str]) -> Figure:
    """Cities x practices: the share of known criteria met; hatched '?' where no answer is known."""
    import seaborn as sns

    data = pd.DataFrame(
        scored[[f"share_{p}" for p in practices]].to_numpy(dtype=float),
        columns=practices,
        index=[_short(c, 28) for c in scored["city"]],
    )
    n = len(scored)
    labels = data.apply(lambda col: col.map(lambda v: "" if np.isnan(v) else f"{round(v * 100)}%"))
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(figsize=(7, 0.22 * n + 1.8))
        ax.patch.set_facecolor("white")
        ax.patch.set_hatch("xxx")
        ax.patch.set_edgecolor(LIGHT)
        sns.heatmap(
            data,
            ax=ax,
            cmap="Greys",
            vmin=0,
            vmax=1,
            annot=labels.to_numpy() if n <= 60 else False,
            fmt="",
            annot_kws={"fontsize": 6},
            linewidths=0.3,
            linecolor="#dddddd",
            cbar_kws={
                "format": matplotlib.ticker.PercentFormatter(1.0, decimals=0),
                "shrink": 0.6,
                "label": "share of known criteria met",
            },
        )
        ax.tick_params(axis="y", labelsize=7, labelrotation=0)
        ax.set_title(
            f"Share of criteria met per practice{_sim_note(scored['city'])} (hatched: no answer known)", loc="left"
        )
    return fig


def criteria_heatmap(statuses: np.ndarray, cities: pd.Series, codes: list[str]) -> Figure:
    """Cities x criteria: met, in progress, not met, unknown as four grays."""
    n = len(cities)
    cmap = matplotlib.colors.ListedColormap(["#ffffff", "#e4e4e4", "#9a9a9a", DARK])  # unknown, no, in progress, yes
    norm = matplotlib.colors.BoundaryNorm([-1.5, -0.5, 0.5, 1.5, 2.5], cmap.N)
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(figsize=(10, 0.22 * n + 2))
        ax.imshow(statuses, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
        unknown = np.argwhere(statuses == st.UNKNOWN)
        if len(unknown):
            ax.plot(unknown[:, 1], unknown[:, 0], "x", color=MID, markersize=3, linestyle="none")
        ax.set_xticks(range(len(codes)), codes, rotation=90, fontsize=6)
        ax.set_yticks(range(n), [_short(c, 28) for c in cities], fontsize=7)
        ax.set_xticks(np.arange(-0.5, len(codes)), minor=True)
        ax.set_yticks(np.arange(-0.5, n), minor=True)
        ax.grid(which="minor", color="#dddddd", linewidth=0.3)
        ax.tick_params(which="minor", length=0)
        handles = [
            Patch(facecolor=DARK, label="met"),
            Patch(facecolor="#9a9a9a", label="in progress"),
            Patch(facecolor="#e4e4e4", edgecolor=LIGHT, label="not met"),
            Line2D([], [], marker="x", color=MID, linestyle="none", label="unknown"),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
        ax.set_title(f"Status of every criterion, city by city{_sim_note(cities)}", loc="left")
    return fig


def spread_chart(scored: pd.DataFrame, edges: dict[str, int], total: int) -> Figure:
    """How many criteria each city meets, with the tier band edges."""
    met = scored["criteria_met"].to_numpy()
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(figsize=(7.5, 3))
        ax.hist(met, bins=np.arange(-0.5, total + 1.5), color=LIGHT, edgecolor=DARK)
        for tier, edge in edges.items():
            ax.axvline(edge - 0.5, color=DARK, linestyle="--", linewidth=1)
            ax.text(edge - 0.3, ax.get_ylim()[1] * 0.95, tier, fontsize=8, va="top")
        ax.set_xlim(-0.5, total + 0.5)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))  # counts of cities
        ax.set_xlabel(f"criteria met, of {total}")
        ax.set_ylabel("cities")
        ax.set_title(f"Spread of the field: criteria met per city{_sim_note(scored['city'])}", loc="left")
    return fig


def history_chart(history: pd.DataFrame, tiers: list[str]) -> Figure:
    """Cities certified each year by tier (published announcements), and cities moving up."""
    known = history[history["tier"].isin(tiers)]
    table = known.groupby(["year", "tier"]).size().unstack(fill_value=0).reindex(columns=tiers, fill_value=0)
    years = list(range(int(history["year"].min()), int(history["year"].max()) + 1))
    table = table.reindex(years, fill_value=0)
    unknown = history[~history["tier"].isin(tiers)].groupby("year").size().reindex(years, fill_value=0)
    moves = history[history["event"] == "moved up"].groupby("year").size().reindex(years, fill_value=0)
    hatches, shades = tier_hatches(tiers), tier_shades(tiers)
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(figsize=(7.5, 3.6))
        bottom = np.zeros(len(years))
        for tier in tiers:
            ax.bar(
                years, table[tier], bottom=bottom, color=shades[tier], edgecolor=DARK, hatch=hatches[tier], label=tier
            )
            bottom += table[tier].to_numpy()
        ax.bar(years, unknown, bottom=bottom, color="white", edgecolor=MID, linestyle="--", label="tier not published")
        for x, m, top in zip(years, moves, bottom + unknown.to_numpy()):
            if m:
                ax.text(x, top + 0.3, f"{m} moved up", ha="center", fontsize=7)
        ax.set_xticks(years)
        ax.set_ylabel("cities announced")
        ax.set_title("Certification announcements by year and tier (published history)", loc="left")
        ax.legend(frameon=False, fontsize=8)
    return fig
