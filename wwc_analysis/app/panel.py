"""The planning panel: change a city's answers and see at once what they do to its tier.

`PlanningPanel` is ipywidgets bound to one model, the city's scenario (`analysis.scenario`): each
control applies a change to it, and everything shown (headline, reasons, the tier gauge and practice
chart, drawn by the report's own chart functions, and the shortest path to each higher tier) is
rendered from the scenario, in the same sentences as the report and the command line. Plans go out
as downloads and come in as uploads only: no control takes a path on the server.
"""

from __future__ import annotations

import base64
import html
import tempfile
from pathlib import Path

import ipywidgets as w

from ..analysis.changes import Change, Plan
from ..analysis.cohorts import COHORTS
from ..analysis.sentences import opportunity_sentences, plan_mismatch, scenario_sentences, tier_text
from ..errors import WWCError
from ..io.inputs import load_inputs, scenario
from ..io.plans import load_plan, plan_bytes
from ..io.slugs import slugify
from ..reports import charts
from ..reports.city_report import CityReport
from ..rules import outcomes as om
from ..rules import status as st
from ..settings import MAX_PLAN_BYTES, in_app
from .style import CSS

STATUS_CHOICES = [(label, code) for code, label in st.CHOICES.items()]  # Yes, In Progress, No, unknown
METRIC_CHOICES = [(label, code) for code, label in om.CHOICES.items()]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PanelBox(w.VBox):
    """The panel's outer box; its plain-text form is a sentence, not a widget repr."""

    summary = "Planning panel"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = self.summary
        return bundle


def _image(png: bytes, alt: str) -> str:
    return (
        f"<img alt='{html.escape(alt, quote=True)}' "
        f"src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}'>"
    )


class PlanningPanel:
    """The panel's widgets, bound to the scenario in `self.scenario`; `widget` is what a notebook displays."""

    def __init__(
        self,
        city: str = "Scottsdale",
        year: int | None = None,
        cohort: str = "published:all",
        edition: str | None = None,
        responses=(),
        outcomes=(),
        plan: str | Path | None = None,
    ):
        self.inputs = load_inputs(responses, outcomes, edition)
        self.standard = self.inputs.standard
        self.meta: dict[str, dict] = {}  # code -> owner, due, note
        self._hold = False
        self._pending: Plan | None = None
        keys = self.inputs.assessments.keys
        self.city_choice = w.Dropdown(options=sorted(set(keys["city"]), key=str.casefold), description="City")
        self.year_choice = w.Dropdown(options=[], description="Year")
        cohorts = [(label, spec) for spec, label in COHORTS.items()]
        if cohort not in COHORTS:
            cohorts.append((cohort, cohort))
        self.cohort_choice = w.Dropdown(options=cohorts, value=cohort, description="Peers")
        for choice in (self.city_choice, self.year_choice, self.cohort_choice):
            choice.add_class("wwc-choice")
        self.headline, self.reasons, self.gauge, self.practices = w.HTML(), w.HTML(), w.HTML(), w.HTML()
        self.paths_html, self.message, self.downloads = w.HTML(), w.HTML(), w.HTML()
        self.headline.add_class("wwc-headline")
        self.path_buttons = {
            t: w.Button(description=f"Apply the path to {t}", layout=w.Layout(width="auto"))
            for t in self.standard.tier_names
        }
        for tier, button in self.path_buttons.items():
            button.add_class(f"wwc-apply-{tier.lower()}")
            button.on_click(lambda _, tier=tier: self._guard(lambda: self.apply_path(tier)))
        self.reset_button = w.Button(description="Reset to recorded answers", layout=w.Layout(width="auto"))
        self.reset_button.on_click(lambda _: self._guard(self.reset))
        self.save_button = w.Button(description="Download the plan (CSV and Excel)", layout=w.Layout(width="auto"))
        self.save_button.on_click(lambda _: self._guard(self.offer_download))
        self.upload = w.FileUpload(accept=".csv,.xlsx", multiple=False, description="Upload a plan")
        self.upload.observe(lambda ch: self._guard(lambda: self._on_upload(ch)), "value")
        self.confirm = w.Button(description="Apply it anyway", layout=w.Layout(width="auto", display="none"))
        self.confirm.on_click(lambda _: self._guard(self._apply_pending))
        self.plan_rows = w.VBox()
        self._build_controls()
        self.widget = PanelBox(
            [
                w.HTML(CSS),
                w.HBox([self.city_choice, self.year_choice, self.cohort_choice], layout=w.Layout(flex_flow="row wrap")),
                w.Box([self.criteria_box, self._results()], layout=w.Layout(flex_flow="row wrap")),
            ]
        )
        self.widget.add_class("wwc-panel")
        self.load(city, year, cohort)
        self.city_choice.observe(lambda ch: self._guard(lambda: self._changed_context(city=ch["new"])), "value")
        self.year_choice.observe(lambda ch: self._guard(lambda: self._changed_context(year=ch["new"])), "value")
        self.cohort_choice.observe(lambda ch: self._guard(lambda: self._changed_context(cohort=ch["new"])), "value")
        if plan:
            self.use_plan(load_plan(plan, self.standard))

    # Layout -----------------------------------------------------------------------------------------

    def _build_controls(self) -> None:
        std = self.standard
        self.status_controls: dict[str, w.ToggleButtons] = {}
        self.metric_controls: dict[str, w.ToggleButtons] = {}
        self.metric_values: dict[str, w.Text] = {}
        self.rows: dict[str, w.Box] = {}
        self.notes: dict[str, w.HTML] = {}
        groups = []
        for p in std.practices.itertuples():
            items = [w.HTML(f"<div class='wwc-practice'>{html.escape(p.name)} ({p.code})</div>")]
            for c in std.criteria[std.criteria["practice"] == p.code].itertuples():
                core = " · core" if c.core else ""
                label = w.HTML(
                    f"<details><summary><b>{c.code}</b> {html.escape(std.short_name(c.code))}{core}</summary>"
                    f"<p>{html.escape(' '.join(str(c.text).split()))}</p></details>"
                )
                label.add_class("wwc-label")
                control = w.ToggleButtons(options=STATUS_CHOICES, value=st.UNKNOWN, style={"button_width": "auto"})
                control.add_class("wwc-status")
                control.add_class(f"wwc-status-{c.code}")
                control.observe(lambda ch, code=c.code: self._on_control(code, "criterion", ch), "value")
                items.append(self._row(c.code, label, [control]))
                self.status_controls[c.code] = control
            groups.append(w.VBox(items))
        items = [w.HTML("<div class='wwc-practice'>Resident outcome metrics</div>")]
        for m in std.outcome_metrics.itertuples():
            judged = m.threshold == m.threshold
            rule = (
                f"standard: {m.direction} {m.threshold:g} {m.unit}"
                if judged
                else "the city nominates the metric and its target"
            )
            label = w.HTML(
                f"<details><summary><b>{m.code}</b> {html.escape(m.outcome)}</summary><p>{html.escape(m.indicator)} "
                f"({html.escape(rule)})</p></details>"
            )
            label.add_class("wwc-label")
            control = w.ToggleButtons(options=METRIC_CHOICES, value=om.UNKNOWN, style={"button_width": "auto"})
            control.add_class("wwc-status")
            control.add_class(f"wwc-metric-{m.code}")
            control.observe(lambda ch, code=m.code: self._on_control(code, "metric", ch), "value")
            value = w.Text(
                placeholder="value", layout=w.Layout(width="6em"), continuous_update=False, disabled=not judged
            )
            value.observe(lambda ch, code=m.code: self._guard(lambda: self._on_value(code, ch["new"])), "value")
            items.append(self._row(m.code, label, [control, value]))
            self.metric_controls[m.code], self.metric_values[m.code] = control, value
        groups.append(w.VBox(items))
        self.criteria_box = w.VBox(groups)
        self.criteria_box.add_class("wwc-criteria")

    def _row(self, code: str, label: w.HTML, controls: list) -> w.Box:
        note = w.HTML()
        note.add_class("wwc-note")
        row = w.VBox([label, w.HBox(controls, layout=w.Layout(flex_flow="row wrap")), note])
        row.add_class("wwc-row")
        self.rows[code], self.notes[code] = row, note
        return row

    def _results(self) -> w.VBox:
        tools = w.VBox(
            [
                w.HTML("<h3>The plan</h3><p>An owner, a due date (YYYY-MM-DD) and a note for each change.</p>"),
                self.plan_rows,
                w.Box([self.save_button, self.upload], layout=w.Layout(flex_flow="row wrap")),
                self.downloads,
                self.message,
                self.confirm,
            ]
        )
        paths = w.VBox([self.paths_html, *self.path_buttons.values()])
        box = w.VBox(
            [
                self.headline,
                self.reset_button,
                self.gauge,
                self.practices,
                w.HTML("<h3>Shortest path to each higher tier</h3>"),
                paths,
                w.HTML("<h3>Why this tier</h3>"),
                self.reasons,
                tools,
            ]
        )
        box.add_class("wwc-results")
        return box

    # The scenario ---------------------------------------------------------------------------------

    def load(self, city: str, year: int | None = None, cohort: str | None = None) -> None:
        """A city's recorded answers and its cohort; any changes are dropped."""
        self.base = scenario(self.inputs, city, year, cohort or self.cohort_choice.value)
        keys = self.inputs.assessments.keys
        years = sorted(int(y) for y in keys.loc[keys["key"] == keys["key"].iloc[self.base.row], "year"])
        self._hold = True
        try:
            self.city_choice.value = self.base.city
            self.year_choice.options = [(str(y), y) for y in years]
            self.year_choice.value = self.base.year
            self.cohort_choice.value = cohort or self.cohort_choice.value
        finally:
            self._hold = False
        self.meta.clear()
        self.show(self.base)

    def show(self, scenario_) -> None:
        """Bind the controls to a scenario and render everything from it."""
        self.scenario = scenario_
        statuses, outcomes = scenario_.answers
        self._hold = True
        try:
            for code, i in self.standard.criterion_index().items():
                self.status_controls[code].value = int(statuses[i])
            for j, metric in enumerate(self.standard.metric_codes):
                self.metric_controls[metric].value = int(outcomes[j])
        finally:
            self._hold = False
        self.refresh()

    def refresh(self) -> None:
        """Render the scenario: headline, charts, paths, reasons, marks and the plan's rows."""
        s, report = self.scenario, CityReport(self.scenario)
        self.report = report
        total = self.standard.n_criteria
        lines = " ".join(scenario_sentences(s))
        notes = " ".join(s.cohort.notes)
        self.headline.value = (
            f"<p class='wwc-big'>{html.escape(s.city)} {s.year}: <b>{html.escape(tier_text(s.score))}</b>, "
            f"{s.score['criteria_met']} of {total} criteria met</p><p>{html.escape(lines)} Peers: "
            f"{html.escape(s.cohort.description)}. {html.escape(notes)}</p>"
        )
        self.gauge.value = _image(charts.png("tier_gauge", report), charts.alt_text("tier_gauge", report))
        self.practices.value = _image(charts.png("practices", report), charts.alt_text("practices", report))
        self.reasons.value = "<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in s.reasons) + "</ul>"
        opp = report.opportunities
        self.paths_html.value = "".join(f"<p>{html.escape(t)}</p>" for t in opportunity_sentences(opp))
        open_tiers = {step["tier"]: step for step in opp["steps"]}
        for tier, button in self.path_buttons.items():
            step = open_tiers.get(tier)
            button.layout.display = None if step else "none"
            button.disabled = not step or not (step["criteria"] or step["metrics"])
        self._mark(opp["steps"][0] if opp["steps"] else None)
        self._plan_rows()
        self.widget.summary = (
            f"Planning panel: {s.city} {s.year}, {tier_text(s.score)}, {s.score['criteria_met']} "
            f"of {total} criteria met ({len(s.changed)} changes)"
        )

    def highlighted(self, tier: str | None = None) -> list[str]:
        """Codes on the shortest path to `tier` (default: the next tier)."""
        steps = {step["tier"]: step for step in self.report.opportunities["steps"]}
        if not steps:
            return []
        step = steps[tier] if tier else self.report.opportunities["steps"][0]
        return [*step["criteria"], *step["metrics"]]

    def _mark(self, step: dict | None) -> None:
        on_path = set(step["criteria"]) | set(step["metrics"]) if step else set()
        changed = set(self.scenario.changed)
        for code, row in self.rows.items():
            for cls, on in (("wwc-changed", code in changed), ("wwc-path", code in on_path)):
                (row.add_class if on else row.remove_class)(cls)
            notes = [f"changed (recorded: {self.base.answer_text(code)})"] if code in changed else []
            notes += [f"on the path to {step['tier']}"] if code in on_path else []
            text = "; ".join(notes)
            if self.notes[code].value != text:
                self.notes[code].value = text

    def _plan_rows(self) -> None:
        rows = []
        for code in self.scenario.changed:
            meta = self.meta.setdefault(code, {})
            fields = []
            for key, width in (("owner", "9em"), ("due", "7.5em"), ("note", "12em")):
                field = w.Text(value=meta.get(key, ""), placeholder=key, layout=w.Layout(width=width))
                field.observe(
                    lambda ch, code=code, key=key: self.meta.setdefault(code, {}).__setitem__(key, ch["new"]), "value"
                )
                fields.append(field)
            rows.append(
                w.Box(
                    [w.HTML(f"<b>{code}</b>", layout=w.Layout(width="5em")), *fields],
                    layout=w.Layout(flex_flow="row wrap"),
                )
            )
        self.plan_rows.children = rows

    # Changes ----------------------------------------------------------------------------------------

    def _on_control(self, code: str, kind: str, change) -> None:
        if not self._hold:
            self._guard(lambda: self.change(Change(code, kind, int(change["new"]))))

    def change(self, change: Change) -> None:
        """Apply one change to the scenario (a change back to the recorded answer undoes it)."""
        kept = [c for c in self.scenario.changes if c.code != change.code]
        self.show(self.base.apply([*kept, change]))

    def set_status(self, code: str, choice: str) -> None:
        """Set a criterion as a person would: Yes, In Progress, No or unknown."""
        self.status_controls[code.upper()].value = {v: k for k, v in st.CHOICES.items()}[choice]

    def set_metric(self, metric: str, choice: str) -> None:
        """Set an outcome metric: met, not met or unknown."""
        self.metric_controls[metric].value = {v: k for k, v in om.CHOICES.items()}[choice]

    def _on_value(self, metric: str, text: str) -> None:
        if self._hold or not text.strip():
            return
        met = om.judge_value(self.standard, metric, text)
        if met is None:
            raise WWCError(f"{metric}: {text!r} is not a value the standard can judge")
        self.meta.setdefault(metric, {})["value"] = text
        self.set_metric(metric, om.CHOICES[met])

    def apply_path(self, tier: str) -> None:
        """Meet every criterion of the shortest path to `tier`, and the outcome metrics it needs."""
        step = next(s for s in self.report.opportunities["steps"] if s["tier"] == tier)
        path = [Change(c, "criterion", st.YES) for c in step["criteria"]] + [
            Change(m, "metric", om.MET) for m in step["metrics"]
        ]
        self.show(self.scenario.apply(path))

    def reset(self) -> None:
        """Back to the city's recorded answers."""
        self.meta.clear()
        self.show(self.base)

    def _changed_context(self, city=None, year=None, cohort=None) -> None:
        if not self._hold:
            self.load(city or self.base.city, year if city is None else None, cohort)

    def _guard(self, action) -> None:
        """Run a control's action; a problem is said in the message line (never a traceback or a server path)."""
        try:
            action()
        except WWCError as exc:
            self.message.value = f"<p class='wwc-error'>{html.escape(str(exc))}</p>"
        except Exception:  # noqa: BLE001 - a visitor sees a sentence, the details stay on the server
            self.message.value = "<p class='wwc-error'>That could not be done; nothing was changed.</p>"

    # Plans ------------------------------------------------------------------------------------------

    def current_plan(self) -> Plan:
        """The changes as a plan for this city and year, with the owners, due dates and notes typed in."""
        from ..analysis.changes import parse_change

        changes = []
        for i, code in enumerate(self.scenario.changed):
            meta = self.meta.get(code, {})
            value = (
                meta.get("value")
                if code in self.metric_controls and "value" in meta
                else self.scenario.answer_text(code)
            )
            changes.append(
                parse_change(
                    code,
                    "" if value == "unknown" else value,
                    self.standard,
                    "the plan",
                    i + 2,
                    owner=meta.get("owner", ""),
                    due=meta.get("due", ""),
                    note=meta.get("note", ""),
                )
            )
        return Plan(tuple(changes), self.base.city, self.base.year, "the app")

    def plan_files(self) -> dict[str, bytes]:
        """The plan as the bytes of a CSV file and of an Excel workbook, named for the city and year."""
        plan, name = self.current_plan(), f"plan-{slugify(self.base.city)}-{self.base.year}"
        return {f"{name}.csv": plan_bytes(plan, ".csv"), f"{name}.xlsx": plan_bytes(plan, ".xlsx")}

    def offer_download(self) -> None:
        """Links that download the plan from the browser; nothing is written on the server."""
        kinds = {".csv": "text/csv", ".xlsx": XLSX}
        links = [
            f"<a download='{html.escape(n)}' "
            f"href='data:{kinds[Path(n).suffix]};base64,{base64.b64encode(d).decode('ascii')}'>{html.escape(n)}</a>"
            for n, d in self.plan_files().items()
        ]
        self.downloads.value = "<p>Download: " + " · ".join(links) + "</p>"
        self.message.value = ""

    def _on_upload(self, change) -> None:
        files = change["new"]
        if files:
            self.upload_plan(files[0]["name"], bytes(files[0]["content"]))

    def upload_plan(self, name: str, content: bytes) -> None:
        """Read a plan uploaded from the browser (in a private folder removed at once); messages name it by its
        file name only. A plan made for another city or year is held until the person confirms it."""
        shown = Path(str(name)).name or "plan"
        if len(content) > MAX_PLAN_BYTES:
            raise WWCError(f"{shown}: over the limit of {MAX_PLAN_BYTES // 1024} KB for a plan")
        suffix = ".xlsx" if shown.lower().endswith(".xlsx") else ".csv"
        with tempfile.TemporaryDirectory(prefix="wwc-upload-") as folder:
            path = Path(folder) / f"plan{suffix}"
            path.write_bytes(content)
            plan = load_plan(path, self.standard, shown=shown)
        if not plan.is_for(self.base.city, self.base.year):
            self._pending = plan
            self.confirm.layout.display = None
            self.message.value = (
                f"<p class='wwc-error'>{html.escape(shown)}: "
                f"{html.escape(plan_mismatch(plan.city, plan.year, self.base.city, self.base.year))}.</p>"
            )
            return
        self.use_plan(plan, shown)

    def _apply_pending(self) -> None:
        if self._pending is not None:
            self.use_plan(self._pending, self._pending.source)

    def use_plan(self, plan: Plan, shown: str = "the plan") -> None:
        """Start from the recorded answers and apply a plan's changes, owners, due dates and notes."""
        self._pending, self.confirm.layout.display = None, "none"
        self.meta = {
            c.code: {"owner": c.owner, "due": c.due.isoformat() if c.due else "", "note": c.note} for c in plan.changes
        }
        self.show(self.base.apply(plan.changes))
        self.message.value = f"<p>Loaded {len(plan)} changes from {html.escape(shown)}.</p>"

    # A static copy ----------------------------------------------------------------------------------

    def static_html(self) -> str:
        """The current scenario as plain HTML, for readers without a live kernel."""
        return (
            f"<h3>The starting scenario</h3>{self.headline.value}{self.gauge.value}{self.practices.value}"
            f"<h4>Shortest path to each higher tier</h4>{self.paths_html.value}<h4>Why this "
            f"tier</h4>{self.reasons.value}"
        )


def show(panel: PlanningPanel) -> None:
    """Display the panel, and (outside the app) a static copy of the starting scenario."""
    from IPython.display import HTML, display

    display(panel.widget)
    if not in_app():
        display(HTML(panel.static_html()))
