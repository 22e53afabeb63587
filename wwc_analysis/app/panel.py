"""The planning panel: change a city's answers and see at once what they do to its tier.

Every control applies a change to one scenario (`analysis.scenario`) and everything shown is rendered
from it, in the report's sentences and charts. Plans leave as downloads and arrive as uploads only.
Words render at once; the two SVG charts follow once the event loop is free (in a kernel), so quick
clicks draw them once, and charts already drawn for the same answers are reused.
"""

from __future__ import annotations

import asyncio
import html
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

from ..analysis.changes import Change, Plan, parse_change, parse_due
from ..analysis.sentences import opportunity_sentences, plan_mismatch, scenario_sentences, tier_text
from ..errors import WWCError
from ..io.inputs import load_inputs, scenario
from ..io.plans import load_plan
from ..reports import charts
from ..reports.city_report import CityReport
from ..rules import outcomes as om
from ..rules import status as st
from ..settings import in_app
from . import plans
from .controls import PanelBox, PlanRows, Rows, choice, cohort_label, cohort_options, image, wide_button
from .style import CSS

CHARTS = ("tier_gauge", "practices")
_CACHED = 24  # chart pairs kept per panel (a few hundred KB)


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
        self.meta: dict[str, dict] = {}  # code -> owner, due, note (and a metric's value)
        self._hold = False
        self._pending: Plan | None = None
        self._chart_cache: OrderedDict[tuple, dict[str, str]] = OrderedDict()
        self._drawn: tuple | None = None
        keys = self.inputs.assessments.keys
        self.city_choice = choice(sorted(set(keys["city"]), key=str.casefold), None, "City")
        self.year_choice = choice([], None, "Year")
        self.cohort_choice = choice(cohort_options(cohort), cohort, "Peers")
        self.rows = Rows(self.standard, self._on_status, self._on_metric, self._on_value)
        self.status_controls, self.metric_controls, self.metric_values = (
            self.rows.status,
            self.rows.metric,
            self.rows.value,
        )
        self.plan_rows = PlanRows(self._on_edit)
        html_parts = [w.HTML() for _ in range(8)]
        self.headline, self.summary, self.gauge, self.practices, self.paths_html, self.reasons = html_parts[:6]
        self.message, self.downloads = html_parts[6:]
        self.headline.add_class("wwc-headline")
        self.path_buttons = {
            t: wide_button(f"Apply the path to {t}", f"wwc-apply-{t.lower()}") for t in self.standard.tier_names
        }
        for tier, button in self.path_buttons.items():
            button.on_click(lambda _, tier=tier: self._guard(lambda: self.apply_path(tier)))
        self.reset_button = wide_button("Reset to recorded answers", "wwc-reset")
        self.reset_button.on_click(lambda _: self._guard(self.reset))
        self.save_button = wide_button("Download the plan (CSV and Excel)", "wwc-save")
        self.save_button.on_click(lambda _: self._guard(self.offer_download))
        self.upload = w.FileUpload(accept=".csv,.xlsx", multiple=False, description="Upload a plan")
        self.upload.observe(lambda change: self._guard(lambda: self._on_upload(change["new"])), "value")
        self.confirm = wide_button("Apply it anyway", "wwc-confirm")
        self.confirm.layout.display = "none"
        self.confirm.on_click(lambda _: self._guard(self._apply_pending))
        self.widget = self._layout()
        self.load(city, year, cohort)
        self.city_choice.observe(lambda ch: self._context(city=ch["new"]), "value")
        self.year_choice.observe(lambda ch: self._context(year=ch["new"]), "value")
        self.cohort_choice.observe(lambda ch: self._context(cohort=ch["new"]), "value")
        if plan:
            self.use_plan(load_plan(plan, self.standard))

    def _layout(self) -> PanelBox:
        wrap = w.Layout(flex_flow="row wrap")
        intro = w.HTML("<h3>The plan</h3><p>An owner, a due date (YYYY-MM-DD) and a note for each change.</p>")
        plan = [intro, self.plan_rows.widget, w.Box([self.save_button, self.upload], layout=wrap)]
        tools = w.VBox([*plan, self.downloads, self.confirm])
        paths = [w.HTML("<h3>Shortest path to each higher tier</h3>"), self.paths_html, *self.path_buttons.values()]
        results = w.VBox([self.gauge, self.practices, *paths, w.HTML("<h3>Why this tier</h3>"), self.reasons, tools])
        results.add_class("wwc-results")
        menus = w.Box([self.city_choice, self.year_choice, self.cohort_choice], layout=wrap)
        self.message.add_class("wwc-message")
        columns = w.Box([self.rows.widget, results], layout=wrap)
        box = PanelBox([w.HTML(CSS), menus, self.headline, self.summary, self.reset_button, self.message, columns])
        box.add_class("wwc-panel")
        return box

    # The scenario ---------------------------------------------------------------------------------

    def load(self, city: str, year: int | None = None, cohort: str | None = None) -> None:
        """A city's recorded answers and its cohort; any changes are dropped."""
        cohort = cohort or self.cohort_choice.value
        self.base = scenario(self.inputs, city, year, cohort)
        keys = self.inputs.assessments.keys
        years = sorted(int(y) for y in keys.loc[keys["key"] == keys["key"].iloc[self.base.row], "year"])
        self._hold = True
        try:
            self.city_choice.value = self.base.city
            self.year_choice.options = [(str(y), y) for y in years]
            self.year_choice.value = self.base.year
            self.cohort_choice.value = cohort
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
                if "value" not in self.meta.get(metric, {}) and self.metric_values[metric].value:
                    self.metric_values[metric].value = ""
        finally:
            self._hold = False
        self.refresh()

    def refresh(self) -> None:
        """Render the scenario: headline, paths, reasons, marks and the plan's rows now, the charts next."""
        s = self.scenario
        self.report = CityReport(s)
        met, total = s.score["criteria_met"], self.standard.n_criteria
        tier = html.escape(tier_text(s.score))
        self.headline.value = (
            f"<p class='wwc-big'>{html.escape(s.city)} {s.year}: <b>{tier}</b>, {met} of {total} criteria met</p>"
        )
        summary = f"{' '.join(scenario_sentences(s))} Peers: {s.cohort.description}. {' '.join(s.cohort.notes)}"
        self.summary.value = f"<p>{html.escape(summary.strip())}</p>"
        self.reasons.value = "<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in s.reasons) + "</ul>"
        opp = self.report.opportunities
        self.paths_html.value = "".join(f"<p>{html.escape(t)}</p>" for t in opportunity_sentences(opp, self.standard))
        open_tiers = {step["tier"]: step for step in opp["steps"]}
        for tier, button in self.path_buttons.items():
            step = open_tiers.get(tier)
            button.layout.display = None if step else "none"
            button.disabled = not step or not (step["criteria"] or step["metrics"])
        self._mark(opp["steps"][0] if opp["steps"] else None)
        self.plan_rows.show(s.changed, self.meta)
        now = f"{tier_text(s.score)}, {met} of {total} criteria met"
        self.widget.summary = f"Planning panel: {s.city} {s.year}, {now} ({len(s.changed)} changes)"
        self._soon(self.draw_charts)

    def draw_charts(self) -> None:
        """Draw the tier gauge and the practice chart of the current scenario (reused when drawn before)."""
        s = self.scenario
        key = (s.city, s.year, s.cohort.label, s.statuses.tobytes(), s.outcomes.tobytes())
        if key == self._drawn:
            return
        drawn = self._chart_cache.pop(key, None) or {
            name: image(charts.svg(name, self.report), charts.alt_text(name, self.report)) for name in CHARTS
        }
        self._chart_cache[key] = drawn
        while len(self._chart_cache) > _CACHED:
            self._chart_cache.popitem(last=False)
        self.gauge.value, self.practices.value = drawn["tier_gauge"], drawn["practices"]
        self._drawn = key

    def _soon(self, action: Callable[[], None]) -> None:
        """Run `action` once the event loop is free (in a kernel), or now (no loop runs)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._guard(action)
            return
        loop.call_soon(self._guard, action)

    def highlighted(self, tier: str | None = None) -> list[str]:
        """Codes on the shortest path to `tier` (default: the next tier)."""
        steps = self.report.opportunities["steps"]
        step = next((s for s in steps if s["tier"] == tier), None) if tier else (steps[0] if steps else None)
        return [*step["criteria"], *step["metrics"]] if step else []

    def _mark(self, step: dict | None) -> None:
        on_path = set(step["criteria"]) | set(step["metrics"]) if step else set()
        changed = set(self.scenario.changed)
        for code in self.rows.box:
            notes = [f"changed (recorded: {self.base.answer_text(code)})"] if code in changed else []
            notes += [f"on the path to {step['tier']}"] if code in on_path else []
            self.rows.mark(code, code in changed, code in on_path, "; ".join(notes))

    # Changes ----------------------------------------------------------------------------------------

    def _on_status(self, code: str, value: int) -> None:
        if not self._hold:
            self._guard(lambda: self.change(Change(code, "criterion", value)))

    def _on_metric(self, code: str, value: int) -> None:
        if not self._hold:
            self.meta.get(code, {}).pop("value", None)  # chosen by hand: a typed value no longer stands
            self._guard(lambda: self.change(Change(code, "metric", value)))

    def change(self, change: Change) -> None:
        """Apply one change to the scenario (a change back to the recorded answer undoes it)."""
        kept = [c for c in self.scenario.changes if c.code != change.code]
        self.show(self.base.apply([*kept, change]))

    def set_status(self, code: str, choice_: str) -> None:
        """Set a criterion as a person would: Yes, In Progress, No or unknown."""
        self.status_controls[code.upper()].value = {v: k for k, v in st.CHOICES.items()}[choice_]

    def set_metric(self, metric: str, choice_: str) -> None:
        """Set an outcome metric: met, not met or unknown."""
        self.metric_controls[metric].value = {v: k for k, v in om.CHOICES.items()}[choice_]

    def _on_value(self, metric: str, text: str) -> None:
        if self._hold or not str(text).strip():
            return
        met = om.judge_value(self.standard, metric, text)
        if met is None:
            self._say(f"{metric}: {text!r} is not a value the standard can judge", error=True)
            return
        self._hold = True
        try:
            self.metric_controls[metric].value = met
        finally:
            self._hold = False
        self.meta.setdefault(metric, {})["value"] = str(text).strip()
        self._guard(lambda: self.change(Change(metric, "metric", met)))

    def _on_edit(self, code: str, key: str, text: str) -> None:
        self.meta.setdefault(code, {})[key] = text
        if key == "due":
            try:
                parse_due(text)
            except ValueError:
                self._say(f"{code}: the due date is written YYYY-MM-DD, not {text!r}", error=True)

    def apply_path(self, tier: str) -> None:
        """Meet every criterion of the shortest path to `tier`, and the outcome metrics it needs."""
        step = next(s for s in self.report.opportunities["steps"] if s["tier"] == tier)
        path = [Change(c, "criterion", st.YES) for c in step["criteria"]]
        path += [Change(m, "metric", om.MET) for m in step["metrics"]]
        self.show(self.scenario.apply(path))

    def reset(self) -> None:
        """Back to the city's recorded answers."""
        self.meta.clear()
        self._say("")
        self.show(self.base)

    def _context(self, city=None, year=None, cohort=None) -> None:
        if not self._hold:
            self._guard(lambda: self.load(city or self.base.city, year if city is None else None, cohort))

    def _say(self, text: str, error: bool = False) -> None:
        css = " class='wwc-error' role='alert'" if error else " role='status'"
        self.message.value = f"<p{css}>{html.escape(text)}</p>" if text else ""

    def _guard(self, action: Callable[[], None]) -> None:
        """Run a control's action; a problem is said in the message line (never a traceback or a server path)."""
        try:
            action()
        except WWCError as exc:
            self._say(str(exc), error=True)
        except Exception:  # noqa: BLE001 - a visitor sees a sentence, the details stay on the server
            self._say("That could not be done; nothing was changed.", error=True)

    # Plans ------------------------------------------------------------------------------------------

    def current_plan(self) -> Plan:
        """The changes as a plan for this city and year, with the owners, due dates and notes typed in."""
        changes = []
        for i, code in enumerate(self.scenario.changed):
            meta = self.meta.get(code, {})
            value = meta.get("value") or self.scenario.answer_text(code)
            extra = {k: meta.get(k, "") for k in ("owner", "due", "note")}
            value = "" if value == "unknown" else value
            changes.append(parse_change(code, value, self.standard, "the plan", i + 2, **extra))
        return Plan(tuple(changes), self.base.city, self.base.year, "the app")

    def plan_files(self) -> dict[str, bytes]:
        """The plan as the bytes of a CSV file and of an Excel workbook, named for the city and year."""
        return plans.plan_files(self.current_plan(), self.base.city, self.base.year)

    def offer_download(self) -> None:
        """Links that download the plan from the browser; nothing is written on the server."""
        self.downloads.value = plans.download_links(self.plan_files())
        self._say("")

    def _on_upload(self, value) -> None:
        if not value:
            return
        try:
            files = plans.uploaded(value)
        finally:
            self.upload.value = ()  # read once; the same file may be chosen again
        self.upload_plan(*files[0])

    def upload_plan(self, name: str, content: bytes) -> None:
        """Read a plan uploaded from the browser; a plan made for another city or year waits for a confirmation."""
        shown = plans.shown_name(name)
        plan = plans.read_upload(shown, content, self.standard)
        if not plan.is_for(self.base.city, self.base.year):
            self._pending = plan
            self.confirm.layout.display = None
            self._say(f"{shown}: {plan_mismatch(plan.city, plan.year, self.base.city, self.base.year)}.", error=True)
            return
        self.use_plan(plan, shown)

    def _apply_pending(self) -> None:
        if self._pending is not None:
            self.use_plan(self._pending, self._pending.source)

    def use_plan(self, plan: Plan, shown: str = "the plan") -> None:
        """Start from the recorded answers and apply a plan's changes, owners, due dates and notes."""
        self._pending, self.confirm.layout.display = None, "none"
        self.meta = {
            c.code: {"owner": c.owner, "due": c.due.isoformat() if c.due else "", "note": c.note}
            | ({"value": f"{c.number:g}"} if c.number is not None else {})
            for c in plan.changes
        }
        self.show(self.base.apply(plan.changes))
        self._say(f"Loaded {len(plan)} changes from {shown}.")

    # A static copy ----------------------------------------------------------------------------------

    def static_html(self) -> str:
        """The current scenario as plain HTML, for readers without a live kernel."""
        self.draw_charts()
        return (
            f"<h3>The starting scenario</h3>{self.headline.value}{self.summary.value}{self.gauge.value}"
            f"{self.practices.value}<h4>Shortest path to each higher tier</h4>{self.paths_html.value}"
            f"<h4>Why this tier</h4>{self.reasons.value}"
        )

    @property
    def peers(self) -> str:
        """The peers menu's current choice, by its plain name."""
        return cohort_label(self.cohort_choice.value)


def show(panel: PlanningPanel) -> None:
    """Display the panel, and (outside the app) a static copy of the starting scenario."""
    from IPython.display import HTML, display

    display(panel.widget)
    if not in_app():
        display(HTML(panel.static_html()))
