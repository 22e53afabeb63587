"""Plans as files: the changes a city means to make, with an owner, a due date and a note each.

A plan is a table (CSV, or a sheet named `plan` in an Excel workbook) with the columns
`criterion` (a criterion code, or an outcome metric code), `status` (Yes / In Progress /
No / blank for a criterion; met / not met / a value for an outcome metric), `owner`,
`due` (YYYY-MM-DD) and `note`. A plan naming an unknown code, a bad status or a bad date
is refused with the file, row and value.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import status as st
from .errors import InputError
from .io.atomic import write_file
from .io.export import safe_frame, to_csv_text
from .io.tables import EXCEL_SUFFIXES, read_table
from .phrases import join, md, plural, tier_label
from .scenario import evaluate_scenario, judge_metric, score_row, status_choice
from .standard import Standard
from .tiers import tier_name

COLUMNS = ("criterion", "status", "owner", "due", "note")
REQUIRED = ("criterion", "status")
SHEET = "plan"
_METRIC_WORDS = {
    "met": 1,
    "yes": 1,
    "y": 1,
    "true": 1,
    "not met": 0,
    "no": 0,
    "n": 0,
    "false": 0,
    "": -1,
    "unknown": -1,
}
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00)?)?$")


@dataclass
class Step:
    """One row of a plan: set `code` to `status` (a criterion) or `met` (an outcome metric)."""

    code: str
    kind: str  # "criterion" or "metric"
    value: int  # status code for a criterion; 1 / 0 / -1 for a metric
    number: float | None = None  # a metric's value, where the plan gives one
    owner: str = ""
    due: dt.date | None = None
    note: str = ""
    row: int | None = None

    @property
    def status_text(self) -> str:
        if self.kind == "criterion":
            return st.label(self.value) or "unknown"
        if self.number is not None:
            return f"{self.number:g}"
        return {1: "met", 0: "not met", -1: "unknown"}[self.value]


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    source: str = ""

    def __len__(self) -> int:
        return len(self.steps)


def _parse_due(text: str) -> dt.date | None:
    if not text:
        return None
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(text)
    return dt.date.fromisoformat(match.group(1))


def parse_step(
    code: str,
    status: str,
    standard: Standard,
    owner: str = "",
    due: str = "",
    note: str = "",
    where: str = "plan",
    row: int | None = None,
) -> Step:
    """One plan row, checked against the standard (InputError naming `where`, `row` and the value)."""

    metrics = standard.outcome_metrics["code"].tolist()
    key = code.strip()
    try:
        when = _parse_due(due.strip())
    except ValueError:
        raise InputError(where, row, "'due' must be a date written YYYY-MM-DD", due) from None
    if standard.criterion_code(key):
        key = standard.criterion_code(key)
        value = st.parse_status(status)
        if value is None:
            raise InputError(where, row, "unknown status (expected Yes, In Progress, No or blank)", status)
        return Step(key.upper(), "criterion", value, None, owner, when, note, row)
    if key.lower() in metrics:
        metric = key.lower()
        word = status.strip().lower()
        if word in _METRIC_WORDS:
            return Step(metric, "metric", _METRIC_WORDS[word], None, owner, when, note, row)
        try:
            number = float(word.replace(",", "").rstrip("%"))
        except ValueError:
            raise InputError(
                where, row, f"an outcome metric is met, not met or a value, not {status!r}", status
            ) from None
        met = judge_metric(standard, metric, number)
        if met is None:
            raise InputError(where, row, f"{metric} has no threshold in the standard: write met or not met", status)
        return Step(metric, "metric", met, number, owner, when, note, row)
    raise InputError(where, row, f"neither a criterion nor an outcome metric of edition {standard.edition}", code)


def load_plan(path: str | Path, standard: Standard) -> Plan:
    """Read and check a plan file (CSV, or the `plan` sheet of an Excel workbook)."""
    path = Path(path)
    sheet = None
    if path.suffix.lower() in EXCEL_SUFFIXES and path.is_file():
        try:
            from openpyxl import load_workbook

            names = load_workbook(path, read_only=True).sheetnames
            sheet = SHEET if SHEET in names else (names[0] if len(names) == 1 else None)
        except Exception:  # read_table reports a broken workbook
            sheet = None
    table = read_table(path, REQUIRED, sheet)
    frame = table.frame
    blank = [""] * len(frame)
    cols = {c: (frame[c].tolist() if c in frame else blank) for c in COLUMNS}
    plan = Plan(source=str(path))
    seen: dict[str, int] = {}
    for i, (code, status, owner, due, note) in enumerate(zip(*cols.values())):
        line = int(table.lines[i])
        if not code:
            raise InputError(table.label, line, "criterion is blank", "")
        step = parse_step(code, status, standard, owner, due, note, table.label, line)
        if step.code in seen:
            raise InputError(table.label, line, f"listed twice in the plan (first on row {seen[step.code]})", code)
        seen[step.code] = line
        plan.steps.append(step)
    return plan


def plan_frame(plan: Plan):
    """The plan as a table with the file's columns."""
    import pandas as pd

    rows = [
        {
            "criterion": s.code,
            "status": s.status_text if s.value != -1 or s.number is not None else "",
            "owner": s.owner,
            "due": s.due.isoformat() if s.due else "",
            "note": s.note,
        }
        for s in plan.steps
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def plan_bytes(plan: Plan, suffix: str) -> bytes:
    """A plan as the bytes of a CSV file, or of an Excel workbook with one `plan` sheet (suffix .xlsx)."""
    frame = plan_frame(plan)
    if suffix.lower() in (".xlsx", ".xlsm"):
        from io import BytesIO

        buffer = BytesIO()
        with __import__("pandas").ExcelWriter(buffer, engine="openpyxl") as writer:
            safe_frame(frame).to_excel(writer, sheet_name=SHEET, index=False)
        return buffer.getvalue()
    return to_csv_text(frame).encode("utf-8")


def write_plan(plan: Plan, path: str | Path) -> Path:
    """Write a plan as CSV, or as an Excel workbook with one `plan` sheet (by the file's suffix)."""
    path = Path(path)
    return write_file(path, plan_bytes(plan, path.suffix))


def apply_plan(plan: Plan, statuses: np.ndarray, outcomes: np.ndarray, standard: Standard):
    """Copies of `statuses` and `outcomes` with the plan's steps applied."""
    statuses, outcomes = statuses.copy(), outcomes.copy()
    index = standard.criterion_index()
    metrics = {m: j for j, m in enumerate(standard.outcome_metrics["code"])}
    for s in plan.steps:
        if s.kind == "criterion":
            statuses[index[s.code]] = s.value
        else:
            outcomes[metrics[s.code]] = s.value
    return statuses, outcomes


def as_changes(plan: Plan) -> list[str]:
    """The plan as `wwc whatif --set` items ("DM8=Yes", "nominated=yes")."""
    words = {1: "yes", 0: "no", -1: ""}
    return [
        f"{s.code}={st.label(s.value)}" if s.kind == "criterion" else f"{s.code}={words[s.value]}" for s in plan.steps
    ]


# The "With the plan" section -------------------------------------------------------------------


def plan_section(data, plan: Plan) -> dict:
    """What a plan does for a city (a `scenario.CityData`): the tier it reaches, step by step, and what it lacks."""
    standard = data.standard
    before = score_row(data.statuses, data.outcomes, data)
    statuses, outcomes = data.statuses.copy(), data.outcomes.copy()
    index = standard.criterion_index()
    metric_pos = {m: j for j, m in enumerate(data.metrics)}
    steps = []
    for s in plan.steps:
        if s.kind == "criterion":
            was = status_choice(statuses[index[s.code]])
        else:
            was = {1: "met", 0: "not met", -1: "unknown"}[int(outcomes[metric_pos[s.code]])]
        one = Plan([s])
        statuses, outcomes = apply_plan(one, statuses, outcomes, standard)
        after = score_row(statuses, outcomes, data)
        steps.append(
            {
                "criterion": s.code,
                "from": was,
                "to": s.status_text,
                "owner": s.owner,
                "due": s.due.isoformat() if s.due else "",
                "note": s.note,
                "criteria_met": int(after["criteria_met"]),
                "tier": tier_name(after["tier"]),
                "text": (
                    standard.criterion_text(s.code)
                    if s.kind == "criterion"
                    else str(standard.outcome_metrics.set_index("code").loc[s.code, "indicator"])
                ),
            }
        )
    result = evaluate_scenario(data, statuses, outcomes)
    owners: dict[str, list[dict]] = {}
    for step in (s for s in steps if s["from"] != s["to"]):
        owners.setdefault(step["owner"] or "(no owner)", []).append(step)
    nxt = result.paths[0] if result.paths else None
    lacks = []
    if nxt:
        if nxt["criteria"]:
            lacks.append(f"{plural(len(nxt['criteria']), 'more criterion')} (shortest path: {join(nxt['criteria'])})")
        if nxt["outcomes_needed"]:
            lacks.append(
                f"{plural(nxt['outcomes_needed'], 'more resident outcome metric')} met (not yet met or "
                f"unknown: {join(nxt['metrics_not_met'])})"
            )
    return {
        "city": data.city,
        "year": data.year,
        "source": plan.source,
        "total": standard.n_criteria,
        "before": {"tier": tier_name(before["tier"]), "criteria_met": int(before["criteria_met"])},
        "after": {
            "tier": result.tier,
            "criteria_met": result.criteria_met,
            "outcomes_met": result.outcomes_met,
            "tier_low": result.tier_low,
            "tier_high": result.tier_high,
        },
        "steps": steps,
        "owners": {name: [(s["criterion"], s["due"]) for s in rows] for name, rows in sorted(owners.items())},
        "next_tier": nxt["tier"] if nxt else None,
        "lacks": lacks,
        "reasons": result.reasons,
        "band_notes": result.band_notes,
    }


def _tier(t: object) -> str:
    return tier_label(t)


def plan_sentences(sec: dict) -> list[str]:
    """The plan's effect in sentences: the tier it reaches (or keeps), and what it still lacks."""
    b, a = sec["before"], sec["after"]
    changing, same = changing_steps(sec), unchanged_steps(sec)
    moves = "reach" if a["tier"] != b["tier"] else "stay at"
    steps = plural(len(changing), "change") + (f", {len(same)} already as planned" if same else "")
    lines = [
        f"With the plan ({steps}), {sec['city']} would {moves} {_tier(a['tier'])}, "
        f"{a['criteria_met']} of {sec['total']} criteria met (now {_tier(b['tier'])}, {b['criteria_met']} of "
        f"{sec['total']})."
    ]
    if sec["next_tier"]:
        lines.append(f"For {sec['next_tier']} the plan still lacks {' and '.join(sec['lacks'])}.")
    else:
        lines.append(f"{_tier(a['tier'])} is the highest tier: the plan lacks nothing more.")
    lines += sec.get("band_notes", [])
    if same:
        lines.append(f"Already as planned, so not listed: {join([s['criterion'] for s in same])}.")
    return lines


def changing_steps(sec: dict) -> list[dict]:
    """The plan's steps that change an answer (the ones the tables list)."""
    return [s for s in sec["steps"] if s["from"] != s["to"]]


def unchanged_steps(sec: dict) -> list[dict]:
    """Steps that ask for what is already recorded."""
    return [s for s in sec["steps"] if s["from"] == s["to"]]


def plan_markdown(sec: dict) -> str:
    """The "With the plan" section of summary.md."""
    lines = ["## With the plan", ""] + [md(t) for t in plan_sentences(sec)] + [""]
    lines += [
        "| step | change | criteria met | tier | owner | due | note |",
        "| --- | --- | ---: | --- | --- | --- | --- |",
    ]
    for s in changing_steps(sec):
        lines.append(
            f"| {s['criterion']} | {md(s['from'])} → {md(s['to'])} | {s['criteria_met']} | {_tier(s['tier'])} "
            f"| {md(s['owner'])} | {s['due']} | {md(s['note'])} |"
        )
    lines += ["", "By owner:", ""]
    for owner, items in sec["owners"].items():
        lines.append(f"- {md(owner)}: " + ", ".join(f"{c}{f' (due {d})' if d else ''}" for c, d in items))
    return "\n".join(lines) + "\n"


def plan_html(sec: dict) -> str:
    """The same section as escaped HTML for the report notebook and the panel."""
    e = html.escape
    rows = "".join(
        f'<tr><td title="{e(s["text"])}">{e(s["criterion"])}</td><td>{e(s["from"])} → {e(s["to"])}</td>'
        f"<td>{s['criteria_met']}</td><td>{e(_tier(s['tier']))}</td><td>{e(s['owner'])}</td><td>{e(s['due'])}</td>"
        f"<td>{e(s['note'])}</td></tr>"
        for s in changing_steps(sec)
    )
    owners = "".join(
        f"<li>{e(o)}: {e(', '.join(c + (f' (due {d})' if d else '') for c, d in items))}</li>"
        for o, items in sec["owners"].items()
    )
    text = "".join(f"<p>{e(t)}</p>" for t in plan_sentences(sec))
    return (
        f"<h2>With the plan</h2>{text}<table><thead><tr><th>step</th><th>change</th><th>criteria met</th>"
        f"<th>tier</th><th>owner</th><th>due</th><th>note</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<p>By owner:</p><ul>{owners}</ul>"
    )
