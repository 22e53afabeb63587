"""The panel's controls, built from the standard: one row per criterion and per resident outcome metric.

A row is the short name (full wording in a `<details>`), status buttons and a line of notes. Nothing
here knows a rule: the rows only show what the panel's scenario says.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable

import ipywidgets as w

from ..analysis.cohorts import COHORTS
from ..rules import outcomes as om
from ..rules import status as st
from ..rules.standard import Standard

STATUS_CHOICES = [(label, code) for code, label in st.CHOICES.items()]  # Yes, In Progress, No, unknown
METRIC_CHOICES = [(label, code) for code, label in om.CHOICES.items()]  # met, not met, unknown


class PanelBox(w.VBox):
    """The panel's outer box; its plain-text form is a sentence, not a widget repr."""

    summary = "Planning panel"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = self.summary
        return bundle


def image(svg: bytes, alt: str) -> str:
    """A chart as an `<img>` with its alt text, the SVG inline (nothing is fetched; in an `<img>` it runs nothing)."""
    data = base64.b64encode(svg).decode("ascii")
    return f"<img alt='{html.escape(alt, quote=True)}' src='data:image/svg+xml;base64,{data}'>"


def cohort_label(spec: str) -> str:
    """A peer group's plain name for the menu: 'all applicant cities (published shares)', 'Tempe and Mesa'."""
    if spec in COHORTS:
        return COHORTS[spec]
    kind, _, names = spec.partition(":")
    cities = [n.strip() for n in names.split(";") if n.strip()]
    if kind == "cities" and cities:
        return "the cities " + (", ".join(cities[:-1]) + " and " + cities[-1] if len(cities) > 1 else cities[0])
    return spec


def cohort_options(current: str) -> list[tuple[str, str]]:
    """The peers menu: each cohort by its plain name (and the one given, if it is not among them)."""
    options = [(label, spec) for spec, label in COHORTS.items()]
    return options if current in COHORTS else [*options, (cohort_label(current), current)]


def choice(options, value, description: str) -> w.Dropdown:
    """A menu above the panel (city, year, peers)."""
    menu = w.Dropdown(options=options, value=value, description=description)
    menu.add_class("wwc-choice")
    return menu


def wide_button(text: str, css: str = "") -> w.Button:
    """A button as wide as its words (they wrap on a phone)."""
    button = w.Button(description=text, layout=w.Layout(width="auto"))
    if css:
        button.add_class(css)
    return button


def _details(code: str, name: str, text: str, extra: str = "") -> w.HTML:
    label = w.HTML(
        f"<details><summary><b>{html.escape(code)}</b> {html.escape(name)}{extra}</summary>"
        f"<p>{html.escape(' '.join(text.split()))}</p></details>"
    )
    label.add_class("wwc-label")
    return label


def _buttons(options, value: int, css: str, on_change: Callable[[int], None]) -> w.ToggleButtons:
    buttons = w.ToggleButtons(options=options, value=value, style={"button_width": "auto"})
    buttons.add_class("wwc-status")
    buttons.add_class(css)
    buttons.observe(lambda change: on_change(int(change["new"])), "value")
    return buttons


class Rows:
    """The rows of the criteria and metrics, by code: `status[code]`, `metric[code]`, `value[metric]`, `note[code]`."""

    def __init__(self, standard: Standard, on_status: Callable, on_metric: Callable, on_value: Callable):
        self.status: dict[str, w.ToggleButtons] = {}
        self.metric: dict[str, w.ToggleButtons] = {}
        self.value: dict[str, w.Text] = {}
        self.box: dict[str, w.Box] = {}
        self.note: dict[str, w.HTML] = {}
        groups = []
        for p in standard.practices.itertuples():
            items = [_heading(f"{p.name} ({p.code})")]
            for c in standard.criteria[standard.criteria["practice"] == p.code].itertuples():
                label = _details(c.code, standard.short_name(c.code), str(c.text), " · core" if c.core else "")
                buttons = _buttons(
                    STATUS_CHOICES, st.UNKNOWN, f"wwc-status-{c.code}", lambda v, code=c.code: on_status(code, v)
                )
                self.status[c.code] = buttons
                items.append(self._row(c.code, label, [buttons]))
            groups.append(w.VBox(items))
        items = [_heading("Resident outcome metrics")]
        for m in standard.outcome_metrics.itertuples():
            judged = m.threshold == m.threshold
            rule = (
                f"standard: {m.direction} {m.threshold:g} {m.unit}"
                if judged
                else "the city nominates it and its target"
            )
            label = _details(m.code, str(m.outcome), f"{m.indicator} ({rule})")
            buttons = _buttons(
                METRIC_CHOICES, om.UNKNOWN, f"wwc-metric-{m.code}", lambda v, code=m.code: on_metric(code, v)
            )
            value = w.Text(
                placeholder="value", layout=w.Layout(width="6em"), continuous_update=False, disabled=not judged
            )
            value.observe(lambda change, code=m.code: on_value(code, change["new"]), "value")
            self.metric[m.code], self.value[m.code] = buttons, value
            items.append(self._row(m.code, label, [buttons, value]))
        groups.append(w.VBox(items))
        self.widget = w.VBox(groups)
        self.widget.add_class("wwc-criteria")

    def _row(self, code: str, label: w.HTML, controls: list) -> w.Box:
        note = w.HTML()
        note.add_class("wwc-note")
        row = w.VBox([label, w.HBox(controls, layout=w.Layout(flex_flow="row wrap")), note])
        row.add_class("wwc-row")
        self.box[code], self.note[code] = row, note
        return row

    def mark(self, code: str, changed: bool, on_path: bool, note: str) -> None:
        """Mark a row changed and/or on the path, with its note (only what differs is sent to the page)."""
        row = self.box[code]
        for css, on in (("wwc-changed", changed), ("wwc-path", on_path)):
            if on != (css in row._dom_classes):
                (row.add_class if on else row.remove_class)(css)
        if self.note[code].value != note:
            self.note[code].value = note


def _heading(text: str) -> w.HTML:
    return w.HTML(f"<div class='wwc-practice'>{html.escape(text)}</div>")


class PlanRows:
    """One row per change in the plan: its code, and an owner, a due date and a note typed in (kept in `meta`)."""

    FIELDS = (("owner", "9em"), ("due", "7.5em"), ("note", "12em"))

    def __init__(self, on_edit: Callable[[str, str, str], None]):
        self.on_edit = on_edit
        self.rows: dict[str, tuple[w.Box, dict[str, w.Text]]] = {}
        self.widget = w.VBox()

    def show(self, codes: list[str], meta: dict[str, dict]) -> None:
        """The rows of `codes`, their fields filled from `meta` (rows are kept and reused, not rebuilt)."""
        for code in codes:
            if code not in self.rows:
                self.rows[code] = self._row(code)
            for key, field in self.rows[code][1].items():
                value = meta.get(code, {}).get(key, "")
                if field.value != value:
                    field.value = value
        children = tuple(self.rows[c][0] for c in codes)
        if children != self.widget.children:
            self.widget.children = children

    def _row(self, code: str) -> tuple[w.Box, dict[str, w.Text]]:
        fields = {}
        for key, width in self.FIELDS:
            field = w.Text(placeholder=key, layout=w.Layout(width=width))
            field.observe(lambda change, key=key: self.on_edit(code, key, change["new"]), "value")
            fields[key] = field
        box = w.Box([w.HTML(f"<b>{html.escape(code)}</b>", layout=w.Layout(width="5em")), *fields.values()])
        box.layout.flex_flow = "row wrap"
        return box, fields
