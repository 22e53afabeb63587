"""The planning panel: change a city's answers and see at once what they do to its tier.

`PlanningPanel` is an ipywidgets panel used by notebooks/plan.ipynb, in JupyterLab and in
the Voilà app (`make app`). Choose the city, the year and the peer cohort; every criterion,
grouped by practice, has its wording on hover and a Yes / In Progress / No / unknown
control; the outcome metrics are met, not met or a value. Each change rescores the
scenario on a single-row matrix (`wwc_analysis.scenario`), redraws the tier gauge and the
practice chart (matplotlib Figure objects, no pyplot) and the shortest path to each higher
tier, which one button applies. Changes are marked against the recorded answers; one
button resets them; the changes save as a plan file and load back.
"""

from __future__ import annotations

import base64
import html
import os
from io import BytesIO
from pathlib import Path

import ipywidgets as w
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import scenario as sc
from .errors import InputError
from .io.slugs import slugify
from .phrases import tier_label, tier_range
from .plan import Plan, apply_plan, load_plan, parse_step, plan_bytes
from .reports.charts import tier_bands
from .standard import DEFAULT_EDITION, load_standard

CSS = """<style>
.wwc-panel {font-family: sans-serif; font-size: 13px}
.wwc-row {border-left: 4px solid transparent; padding-left: 4px; margin: 0}
.wwc-row.wwc-changed {background: #fff4cc}
.wwc-row.wwc-path {border-left-color: #1f5fa8}
.wwc-note {color: #555; font-size: 12px}
.wwc-headline {font-size: 16px; margin: 4px 0}
.wwc-tier {font-weight: bold}
.wwc-criteria {max-height: 78vh; overflow-y: auto; padding-right: 6px}
.wwc-criteria .widget-vbox > *, .wwc-criteria > * {flex-shrink: 0}
.wwc-practice {font-weight: bold; margin-top: 8px; border-bottom: 1px solid #bbb}
</style>"""

_STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.6,
}
DARK, MID, LIGHT = "#222222", "#777777", "#bbbbbb"
DPI = 90


def in_app() -> bool:
    """Whether the kernel runs under Voilà (the app), where the static snapshot is left out."""
    return bool(os.environ.get("WWC_PANEL_APP")) or os.environ.get("SERVER_SOFTWARE", "").startswith("voila")


class _Blit:
    """A figure drawn once without its moving artists; each redraw paints only those onto the saved background."""

    def __init__(self, fig: Figure, moving: list):
        self.fig, self.moving = fig, moving
        for artist in moving:
            artist.set_animated(True)
        self.canvas = FigureCanvasAgg(fig)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(fig.bbox)

    def png(self) -> bytes:
        from PIL import Image

        self.canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        buffer = BytesIO()
        Image.fromarray(np.asarray(self.canvas.buffer_rgba())).convert("RGB").save(
            buffer, format="png", compress_level=1
        )
        return buffer.getvalue()


class _Charts:
    """The tier gauge and the practice chart, drawn once per city and updated in place."""

    def __init__(self, data: sc.CityData):
        import matplotlib

        self.data = data
        std = data.standard
        total = std.n_criteria
        with matplotlib.rc_context(_STYLE):
            self.gauge = Figure(figsize=(7.5, 1.9), dpi=DPI)
            self.gauge.subplots_adjust(left=0.02, right=0.98, top=0.78, bottom=0.28)
            ax = self.gauge.add_subplot()
            tier_bands(ax, std)
            met0 = int((data.statuses == 2).sum())
            self.recorded = ax.annotate(
                f"recorded: {met0}",
                (met0, 0.24),
                (met0, 0.02),
                ha="center",
                va="bottom",
                fontsize=8,
                color=MID,
                arrowprops={"arrowstyle": "-|>", "color": MID, "linestyle": "--"},
            )
            self.now = ax.annotate(
                "", (met0, 0.76), (met0, 0.98), ha="center", fontsize=8, arrowprops={"arrowstyle": "-|>", "color": DARK}
            )
            ax.set_xlim(-0.5, total + 0.5)
            ax.set_ylim(0, 1.1)
            ax.set_yticks([])
            ax.spines["left"].set_visible(False)
            ax.set_xlabel(f"criteria met, of {total}")
            self.gauge_title = ax.set_title("", loc="left")

            n = len(std.practice_codes)
            self.practices = Figure(figsize=(7.5, 3.6), dpi=DPI)
            self.practices.subplots_adjust(left=0.36, right=0.97, top=0.9, bottom=0.2)
            ax = self.practices.add_subplot()
            y = np.arange(n)[::-1]
            self.bars = ax.barh(y + 0.2, np.zeros(n), 0.4, color=DARK, label="this plan")
            peer = np.nan_to_num(data.practice_peer)
            ax.barh(
                y - 0.2,
                peer,
                0.4,
                color="white",
                edgecolor=DARK,
                hatch="////",
                label="typical peer: " + _short(data.cohort_label, 45),
            )
            member = std.practice_of()
            recorded = np.bincount(member, weights=data.statuses == 2, minlength=n) / np.bincount(member, minlength=n)
            (self.recorded_marks,) = ax.plot(
                recorded,
                y + 0.2,
                linestyle="none",
                marker="|",
                markersize=14,
                markeredgewidth=2,
                color="#d08000",
                label="recorded",
            )
            self.labels = [ax.text(0, yi + 0.2, "", va="center", fontsize=8) for yi in y]
            for yi, p in zip(y, peer):
                ax.text(p + 0.01, yi - 0.2, f"{p:.0%}", va="center", fontsize=8, color=MID)
            names = std.practices.set_index("code")["name"]
            ax.set_yticks(y, [f"{_short(names[c], 30)} ({c})" for c in std.practice_codes])
            ax.set_xlim(0, 1.15)
            ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
            ax.legend(loc="upper left", bbox_to_anchor=(-0.45, -0.1), ncol=3, frameon=False, fontsize=8)
            self.practices_title = ax.set_title("", loc="left")
        self._gauge = _Blit(self.gauge, [self.now, self.gauge_title])
        self._practices = _Blit(self.practices, [*self.bars, self.recorded_marks, *self.labels, self.practices_title])

    def draw(self, r: sc.Result) -> tuple[bytes, bytes]:
        city = f"{self.data.city} {self.data.year or ''}".strip()
        self.now.xy = (r.criteria_met, 0.76)
        self.now.set_position((r.criteria_met, 0.98))
        self.now.set_text(f"this plan: {r.criteria_met}")
        self.gauge_title.set_text(_short(f"{city}: {r.tier_text()}, {r.criteria_met} of {r.criteria_total} met", 90))
        for bar, label, share in zip(self.bars, self.labels, r.practice_share):
            bar.set_width(share)
            label.set_x(share + 0.01)
            label.set_text(f"{share:.0%}")
        self.practices_title.set_text(_short(f"{city}: criteria met per practice", 90))
        return self._gauge.png(), self._practices.png()


def _short(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


class PanelBox(w.VBox):
    """The panel's outer box; its plain-text form is a stable sentence, not a widget repr."""

    summary = "Planning panel"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = self.summary
        return bundle


class PlanningPanel:
    """The panel's widgets and state; `widget` is what a notebook displays."""

    def __init__(
        self,
        city: str = "Scottsdale",
        year: int | None = None,
        cohort: str = "published:all",
        edition: str = DEFAULT_EDITION,
        responses=(),
        outcomes=(),
        plan: str | Path | None = None,
    ):
        self.edition, self.responses, self.outcomes = str(edition), responses, outcomes
        self._hold = False
        self.meta: dict[str, dict] = {}  # code -> owner, due, note (and value for a metric)
        self.meta_rows: dict[str, w.HBox] = {}
        loaded = sc.assessments_loaded(self.edition, responses, outcomes)
        self.city_choice = w.Dropdown(options=sorted({c for c, _ in loaded}, key=str.casefold), description="City")
        self.year_choice = w.Dropdown(options=[], description="Year")
        cohorts = list(sc.COHORT_CHOICES) + ([cohort] if cohort not in sc.COHORT_CHOICES else [])
        self.cohort_choice = w.Dropdown(options=cohorts, value=cohort, description="Peers")
        self.headline = w.HTML()
        self.reasons = w.HTML()
        self.gauge = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.practices = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.message = w.HTML()
        self.reset_button = w.Button(
            description="Reset to recorded answers", icon="undo", layout=w.Layout(width="auto")
        )
        self.reset_button.on_click(lambda _: self.reset())
        self.path_html = {t: w.HTML() for t in self._tiers()}
        self.path_buttons = {
            t: w.Button(description=f"Apply the path to {t}", layout=w.Layout(width="auto")) for t in self._tiers()
        }
        for tier, button in self.path_buttons.items():
            button.add_class(f"wwc-apply-{tier.lower()}")
            button.on_click(lambda _, tier=tier: self.apply_path(tier))
        self.paths_box = w.VBox([w.VBox([self.path_html[t], self.path_buttons[t]]) for t in self._tiers()])
        self.plan_rows = w.VBox()
        self.save_button = w.Button(description="Download plan (CSV + Excel)", layout=w.Layout(width="auto"))
        self.save_button.on_click(lambda _: self._guard(self.offer_download))
        self.downloads = w.HTML()
        self.upload = w.FileUpload(accept=".csv,.xlsx", multiple=False, description="Upload plan")
        self.upload.observe(self._on_upload, "value")
        self._build_controls()
        self.widget = PanelBox(
            [
                w.HTML(CSS),
                w.HBox([self.city_choice, self.year_choice, self.cohort_choice]),
                w.HBox([self._criteria_column(), self._results_column()]),
            ]
        )
        self.widget.add_class("wwc-panel")
        self.load(city, year, cohort)
        self.city_choice.observe(self._on_city, "value")
        self.year_choice.observe(self._on_context, "value")
        self.cohort_choice.observe(self._on_context, "value")
        if plan:
            self.load_plan(plan)

    # Layout -------------------------------------------------------------------------------------

    def _tiers(self) -> list[str]:
        return load_standard(self.edition).tier_names

    def _build_controls(self) -> None:
        std = load_standard(self.edition)
        self.standard = std
        self.status_controls: dict[str, w.ToggleButtons] = {}
        self.rows: dict[str, w.HBox] = {}
        self.notes: dict[str, w.HTML] = {}
        self._classes: dict[str, set[str]] = {}
        groups = []
        for p in std.practices.itertuples():
            items = [w.HTML(f"<div class='wwc-practice'>{html.escape(p.name)} ({p.code})</div>")]
            for c in std.criteria[std.criteria["practice"] == p.code].itertuples():
                text = " ".join(str(c.text).split())
                core = " (core)" if c.core else ""
                label = w.HTML(
                    f'<span title="{html.escape(text)}"><b>{c.code}</b>{core} {html.escape(_short(text, 70))}</span>',
                    layout=w.Layout(width="40%"),
                )
                control = w.ToggleButtons(
                    options=sc.STATUS_CHOICES,
                    value="unknown",
                    tooltips=[f"{c.code}: {s}" for s in sc.STATUS_CHOICES],
                    style={"button_width": "90px"},
                    layout=w.Layout(width="390px", flex="0 0 390px"),
                )
                control.add_class(f"wwc-status-{c.code}")
                control.observe(lambda change, code=c.code: self._on_status(code, change), "value")
                note = w.HTML(layout=w.Layout(width="18%"))
                note.add_class("wwc-note")
                row = w.HBox([label, control, note], layout=w.Layout(align_items="center"))
                row.add_class("wwc-row")
                self.status_controls[c.code], self.rows[c.code], self.notes[c.code] = control, row, note
                self._classes[c.code] = set()
                items.append(row)
            groups.append(w.VBox(items))
        self.metric_controls: dict[str, w.ToggleButtons] = {}
        self.metric_values: dict[str, w.Text] = {}
        metric_items = [w.HTML("<div class='wwc-practice'>Resident outcome metrics</div>")]
        for m in std.outcome_metrics.itertuples():
            threshold = "" if m.threshold != m.threshold else f" (standard: {m.direction} {m.threshold:g} {m.unit})"
            label = w.HTML(
                f'<span title="{html.escape(m.indicator)}{html.escape(threshold)}"><b>{m.code}</b> '
                f"{html.escape(_short(m.indicator, 60))}</span>",
                layout=w.Layout(width="40%"),
            )
            control = w.ToggleButtons(
                options=sc.METRIC_CHOICES,
                value="unknown",
                style={"button_width": "82px"},
                layout=w.Layout(width="280px", flex="0 0 280px"),
            )
            control.add_class(f"wwc-metric-{m.code}")
            control.observe(lambda change, code=m.code: self._on_metric(code, change), "value")
            value = w.Text(
                placeholder="value" if threshold else "(met / not met)",
                layout=w.Layout(width="7em"),
                continuous_update=False,
                disabled=not threshold,
            )
            value.observe(lambda change, code=m.code: self._on_metric_value(code, change), "value")
            note = w.HTML(layout=w.Layout(width="12%"))
            row = w.HBox([label, control, value, note], layout=w.Layout(align_items="center"))
            row.add_class("wwc-row")
            self.metric_controls[m.code], self.metric_values[m.code] = control, value
            self.rows[m.code], self.notes[m.code], self._classes[m.code] = row, note, set()
            metric_items.append(row)
        groups.append(w.VBox(metric_items))
        self.criteria_box = w.VBox(groups)
        self.criteria_box.add_class("wwc-criteria")

    def _criteria_column(self) -> w.VBox:
        return w.VBox([self.criteria_box], layout=w.Layout(width="58%"))

    def _results_column(self) -> w.VBox:
        plan_tools = w.VBox(
            [
                w.HTML("<b>The plan</b> (owner, due date YYYY-MM-DD and note for each change)"),
                self.plan_rows,
                w.HBox([self.save_button, self.upload]),
                self.downloads,
                self.message,
            ]
        )
        return w.VBox(
            [
                self.headline,
                self.reset_button,
                self.gauge,
                self.practices,
                w.HTML("<b>Shortest path to each higher tier</b>"),
                self.paths_box,
                w.HTML("<b>Why this tier</b>"),
                self.reasons,
                plan_tools,
            ],
            layout=w.Layout(width="42%", padding="0 0 0 10px"),
        )

    # State --------------------------------------------------------------------------------------

    def load(self, city: str, year: int | None = None, cohort: str | None = None) -> None:
        """Load a city's recorded answers and cohort; any changes are dropped."""
        cohort = cohort or self.cohort_choice.value
        self.data = sc.load_city(city, year, cohort, self.edition, self.responses, self.outcomes)
        self.charts = _Charts(self.data)
        years = [
            y
            for c, y in sc.assessments_loaded(self.edition, self.responses, self.outcomes)
            if c.casefold() == self.data.city.casefold()
        ]
        self._hold = True
        try:
            self.city_choice.value = self.data.city
            self.year_choice.options = [(str(y) if y else "(none)", y) for y in years]
            self.year_choice.value = self.data.year
            self.cohort_choice.value = cohort
        finally:
            self._hold = False
        self.meta.clear()
        self.reset()

    def _set_controls(self, statuses: np.ndarray, outcomes: np.ndarray) -> None:
        self._hold = True
        try:
            for code, i in self.standard.criterion_index().items():
                self.status_controls[code].value = sc.status_choice(statuses[i])
            for j, metric in enumerate(self.data.metrics):
                self.metric_controls[metric].value = sc.metric_choice(outcomes[j])
        finally:
            self._hold = False
        self.statuses, self.outcomes_now = statuses.copy(), outcomes.copy()

    def reset(self) -> None:
        """Back to the city's recorded answers."""
        self._set_controls(self.data.statuses, self.data.outcomes)
        for value in self.metric_values.values():
            self._hold = True
            value.value = ""
            self._hold = False
        self.refresh()

    def set_status(self, code: str, choice: str) -> None:
        """Set a criterion as a person would: Yes, In Progress, No or unknown."""
        self.status_controls[code.upper()].value = choice

    def set_metric(self, metric: str, choice: str) -> None:
        """Set an outcome metric: met, not met or unknown."""
        self.metric_controls[metric.lower()].value = choice

    def apply_path(self, tier: str) -> None:
        """Meet every criterion of the shortest path to `tier`, and the outcome metrics it needs."""
        step = next(p for p in self.result.paths if p["tier"] == tier)
        statuses, outcomes = self.statuses.copy(), self.outcomes_now.copy()
        index = self.standard.criterion_index()
        for code in step["criteria"]:
            statuses[index[code]] = sc.STATUS_CODES["Yes"]
        for metric in step["metrics"]:
            outcomes[self.data.metrics.index(metric)] = 1
        self._set_controls(statuses, outcomes)
        self.refresh()

    def _on_status(self, code: str, change) -> None:
        if self._hold:
            return
        self.statuses[self.standard.criterion_index()[code]] = sc.STATUS_CODES[change["new"]]
        self.refresh()

    def _on_metric(self, metric: str, change) -> None:
        if self._hold:
            return
        self.outcomes_now[self.data.metrics.index(metric)] = sc.METRIC_CODES[change["new"]]
        self.refresh()

    def _on_metric_value(self, metric: str, change) -> None:
        if self._hold or not change["new"].strip():
            return
        try:
            number = float(change["new"].replace(",", "").rstrip("%"))
        except ValueError:
            self.message.value = f"<span style='color:#a00'>{metric}: not a number: {html.escape(change['new'])}</span>"
            return
        met = sc.judge_metric(self.standard, metric, number)
        self.meta.setdefault(metric, {})["value"] = number
        if met is not None:
            self.set_metric(metric, sc.metric_choice(met))

    def _on_city(self, change) -> None:
        if not self._hold:
            self._guard(lambda: self.load(change["new"], None, self.cohort_choice.value))

    def _on_context(self, change) -> None:
        if not self._hold:
            self._guard(lambda: self.load(self.data.city, self.year_choice.value, self.cohort_choice.value))

    def _guard(self, action) -> None:
        try:
            action()
        except InputError as exc:
            self.message.value = f"<span style='color:#a00'>{html.escape(str(exc))}</span>"

    # Drawing ------------------------------------------------------------------------------------

    def refresh(self) -> sc.Result:
        """Rescore the scenario and redraw everything that depends on it."""
        r = sc.evaluate_scenario(self.data, self.statuses, self.outcomes_now)
        self.result = r
        self.headline.value = self.headline_html(r)
        self.reasons.value = (
            "<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in [*r.reasons, *r.band_notes]) + "</ul>"
        )
        gauge, practices = self.charts.draw(r)
        self.gauge.value, self.practices.value = gauge, practices
        self._draw_paths(r)
        self._mark(r)
        self._plan_rows(r)
        self.widget.summary = self.text_summary()
        return r

    def headline_html(self, r: sc.Result) -> str:
        d = self.data
        rng = (
            ""
            if r.tier_low == r.tier_high
            else (f" While statuses are unknown, the tier could be {tier_range(r.tier_low, r.tier_high)}.")
        )
        rec = sc.score_row(d.statuses, d.outcomes, d)
        n = len(r.changed)
        changed = (
            f"{n} change{'s' if n != 1 else ''} from the recorded answers (recorded: "
            f"{tier_label(rec['tier'])}, {int(rec['criteria_met'])} of {r.criteria_total})."
            if n
            else "As recorded."
        )
        return (
            f"<div class='wwc-headline'>{html.escape(d.city)} {d.year or ''}: "
            f"<span class='wwc-tier'>{r.tier_text()}</span>, <span class='wwc-met'>{r.criteria_met} of "
            f"{r.criteria_total}</span> criteria met, {r.outcomes_met} of {len(d.metrics)} outcome metrics met."
            f"</div><div>{changed}{rng} Peers: {html.escape(d.cohort_label)}.</div>"
        )

    def text_summary(self) -> str:
        r = self.result
        return (
            f"Planning panel: {self.data.city} {self.data.year or ''}, {r.tier_text()}, {r.criteria_met} of "
            f"{r.criteria_total} criteria met ({len(r.changed)} changes)"
        )

    def _draw_paths(self, r: sc.Result) -> None:
        open_tiers = {p["tier"]: p for p in r.paths}
        for tier in self._tiers():
            box_visible = tier in open_tiers
            self.path_buttons[tier].layout.display = None if box_visible else "none"
            if not box_visible:
                self.path_html[tier].value = ""
                continue
            p = open_tiers[tier]
            metrics = (
                f" and outcome metric{'s' if len(p['metrics']) > 1 else ''} {', '.join(p['metrics'])} met"
                if p["metrics"]
                else ""
            )
            crit = ", ".join(p["criteria"]) or "no more criteria"
            self.path_html[tier].value = (
                f"<div class='wwc-path-{tier.lower()}'><b>{tier}</b>: {len(p['criteria'])}"
                f" criteria ({html.escape(crit)}){html.escape(metrics)}</div>"
            )
            self.path_buttons[tier].disabled = not (p["criteria"] or p["metrics"])
        if not r.paths:
            self.path_html[self._tiers()[-1]].value = f"<div>{r.tier_text()} is the highest tier.</div>"

    def highlighted(self, tier: str | None = None) -> list[str]:
        """Codes highlighted as the path to `tier` (default: the next tier)."""
        paths = {p["tier"]: p for p in self.result.paths}
        if not paths:
            return []
        p = paths[tier] if tier else self.result.paths[0]
        return [c for c in [*p["criteria"], *p["metrics"]] if "wwc-path" in self.rows[c]._dom_classes]

    def _mark(self, r: sc.Result) -> None:
        d = self.data
        next_path = r.paths[0] if r.paths else {"tier": "", "criteria": [], "metrics": []}
        on_path = set(next_path["criteria"]) | set(next_path["metrics"])
        changed = set(r.changed)
        index = self.standard.criterion_index()
        for code, row in self.rows.items():
            want = set()
            notes = []
            if code in changed:
                want.add("wwc-changed")
                recorded = (
                    sc.status_choice(d.statuses[index[code]])
                    if code in index
                    else sc.metric_choice(d.outcomes[d.metrics.index(code)])
                )
                notes.append(f"changed (recorded: {recorded})")
            if code in on_path:
                want.add("wwc-path")
                notes.append(f"path to {next_path['tier']}")
            have = self._classes[code]
            for cls in have - want:
                row.remove_class(cls)
            for cls in want - have:
                row.add_class(cls)
            self._classes[code] = want
            text = "; ".join(notes)
            if self.notes[code].value != text:
                self.notes[code].value = text

    def _plan_rows(self, r: sc.Result) -> None:
        rows = []
        for code in r.changed:
            if code not in self.meta_rows:
                meta = self.meta.setdefault(code, {})
                fields = [
                    w.Text(value=meta.get(k, ""), placeholder=k, layout=w.Layout(width=width))
                    for k, width in (("owner", "9em"), ("due", "7.5em"), ("note", "12em"))
                ]
                for key, field in zip(("owner", "due", "note"), fields):
                    field.observe(
                        lambda ch, code=code, key=key: self.meta.setdefault(code, {}).__setitem__(key, ch["new"]),
                        "value",
                    )
                self.meta_rows[code] = w.HBox([w.HTML(f"<b>{code}</b>", layout=w.Layout(width="6em")), *fields])
            rows.append(self.meta_rows[code])
        if tuple(rows) != tuple(self.plan_rows.children):
            self.plan_rows.children = rows

    # Plans --------------------------------------------------------------------------------------

    def current_plan(self):
        """The changes as a plan (checked like a plan file: a bad due date is refused)."""
        plan = Plan(source="panel")
        index = self.standard.criterion_index()
        for k, code in enumerate(self.result.changed):
            meta = self.meta.get(code, {})
            if code in index:
                status = sc.status_choice(self.statuses[index[code]])
                status = "" if status == "unknown" else status
            else:
                met = int(self.outcomes_now[self.data.metrics.index(code)])
                value = meta.get("value")
                judged = sc.judge_metric(self.standard, code, value) if value is not None else None
                status = f"{value:g}" if judged is not None and judged == met else sc.metric_choice(met)
                status = "" if status == "unknown" else status
            plan.steps.append(
                parse_step(
                    code,
                    status,
                    self.standard,
                    meta.get("owner", ""),
                    meta.get("due", ""),
                    meta.get("note", ""),
                    "the panel's plan",
                    k + 2,
                )
            )
        return plan

    def plan_files(self) -> dict[str, bytes]:
        """The changes as a plan, as the bytes of a CSV file and of an Excel workbook, named for the city."""
        plan = self.current_plan()
        name = f"plan-{slugify(self.data.city)}-{self.data.year}"
        return {f"{name}.csv": plan_bytes(plan, ".csv"), f"{name}.xlsx": plan_bytes(plan, ".xlsx")}

    def offer_download(self) -> None:
        """Links that download the plan from the browser; nothing is written on the server."""
        types = {".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        links = [
            f'<a download="{html.escape(name)}" href="data:{types[Path(name).suffix]};base64,'
            f'{base64.b64encode(data).decode("ascii")}">{html.escape(name)}</a>'
            for name, data in self.plan_files().items()
        ]
        self.downloads.value = "Download: " + " · ".join(links)
        self.message.value = ""

    def load_plan(self, path: str | Path) -> None:
        """Start from the recorded answers and apply a plan file's changes, owners, due dates and notes."""
        plan = load_plan(path, self.standard)
        statuses, outcomes = apply_plan(plan, self.data.statuses, self.data.outcomes, self.standard)
        self.meta.clear()
        for row in self.meta_rows.values():
            for field in row.children[1:]:
                field.value = ""
        self.meta_rows.clear()
        for s in plan.steps:
            self.meta[s.code] = {"owner": s.owner, "due": s.due.isoformat() if s.due else "", "note": s.note}
            if s.number is not None:
                self.meta[s.code]["value"] = s.number
        self._set_controls(statuses, outcomes)
        self.refresh()
        self.message.value = f"Loaded {len(plan)} changes from {html.escape(str(path))}"

    def _on_upload(self, change) -> None:
        files = change["new"]
        if files:
            self.upload_plan(files[0]["name"], bytes(files[0]["content"]))

    def upload_plan(self, name: str, content: bytes) -> None:
        """Load a plan uploaded from the browser; messages name it by its file name only."""
        import tempfile

        shown = Path(str(name)).name or "plan"
        suffix = Path(shown).suffix.lower() if Path(shown).suffix.lower() in (".csv", ".xlsx") else ".csv"
        with tempfile.TemporaryDirectory(prefix="wwc-plan-") as tmp:
            path = Path(tmp) / f"plan{suffix}"
            path.write_bytes(content)
            self._guard(lambda: self.load_plan(path))
        self.message.value = self.message.value.replace(html.escape(str(path)), html.escape(shown))

    # Static rendering ---------------------------------------------------------------------------

    def static_html(self) -> str:
        """The current scenario as plain HTML (for readers without a live kernel)."""
        r = self.result
        paths = (
            "".join(
                f"<li><b>{p['tier']}</b>: {', '.join(p['criteria']) or 'no more criteria'}"
                + (f"; outcome metrics {', '.join(p['metrics'])} met" if p["metrics"] else "")
                + "</li>"
                for p in r.paths
            )
            or f"<li>{r.tier_text()} is the highest tier.</li>"
        )
        reasons = "".join(f"<li>{html.escape(t)}</li>" for t in [*r.reasons, *r.band_notes])
        return (
            f"<h3>Snapshot of the starting scenario</h3>{self.headline_html(r)}"
            f"<p><b>Shortest path to each higher tier</b></p><ul>{paths}</ul>"
            f"<p><b>Why this tier</b></p><ul>{reasons}</ul>"
        )


def show(panel: PlanningPanel) -> None:
    """Display the panel, and (outside the app) a static snapshot: HTML and the two charts as images."""
    from IPython.display import HTML, Image, display

    display(panel.widget)
    if in_app():
        return
    display(HTML(panel.static_html()))
    display(Image(data=panel.gauge.value, format="png"))
    display(Image(data=panel.practices.value, format="png"))
