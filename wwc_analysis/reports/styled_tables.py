"""Tables for people: the report's and the overview's tables as styled HTML (pandas' Styler).

Percentages read as percentages, headers use the package's words, there is no index
column, statuses are marks with words and a legend, long text wraps instead of being cut,
and numbers are right-aligned in tabular figures. Each table gets a fixed id, so the
rendered HTML is the same bytes on every run (Styler would otherwise draw a random uuid).
The CSV files keep the raw columns; these tables are for reading only.
"""

from __future__ import annotations

import html

import pandas as pd

from ..phrases import NO_TIER, percent, percent_points
from .city_report import CityReport, shortlist_table, tier_text
from .overview import Overview, field_summary, moves_up, table

STATUS_MARKS = {"Yes": "● met", "In Progress": "◐ in progress", "No": "○ not met", "Unknown": "? unknown"}
STATUS_LEGEND = "● met · ◐ in progress · ○ not met · ? unknown"
EM_DASH = "—"

_CSS = [
    {"selector": "", "props": "border-collapse: collapse; table-layout: auto; margin: 0.5em 0 1em; font-size: 0.92em;"},
    {
        "selector": "caption",
        "props": "caption-side: bottom; text-align: left; font-size: 0.85em; color: #555; padding-top: 0.4em;",
    },
    {
        "selector": "th",
        "props": "text-align: left; vertical-align: bottom; font-weight: 600;"
        " border-bottom: 1px solid #333; padding: 0.3em 0.6em;",
    },
    {
        "selector": "td",
        "props": "vertical-align: top; padding: 0.3em 0.6em; border-bottom: 1px solid #ddd;"
        " white-space: normal; text-align: left;",
    },
    {
        "selector": "td.num, th.num",
        "props": "text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;",
    },
    {"selector": "td.text", "props": "min-width: 14em; max-width: 36em; overflow-wrap: anywhere;"},
    {"selector": "td.mark", "props": "white-space: nowrap;"},
    {"selector": "tr", "props": "break-inside: avoid;"},
]


class Table:
    """A table for display: styled HTML in notebooks and reports, aligned plain text elsewhere."""

    def __init__(
        self,
        frame: pd.DataFrame,
        table_id: str,
        numeric: list[str] = (),
        text: list[str] = (),
        caption: str = "",
        formats: dict | None = None,
        marks: list[str] = (),
    ):
        self.frame = frame.reset_index(drop=True)
        self.table_id = table_id
        self.numeric, self.text, self.caption = list(numeric), list(text), caption
        self.formats = formats or {}
        self.marks = list(marks)

    def styler(self):
        styler = self.frame.style.set_uuid(self.table_id).hide(axis="index")
        # every cell is data (city names, audit notes): escaped, never markup
        styler = styler.format(na_rep=EM_DASH, escape="html").format_index(escape="html", axis="columns")
        if self.formats:
            styler = styler.format(self.formats, na_rep="unknown", escape="html")
        classes = pd.DataFrame("", index=self.frame.index, columns=self.frame.columns)
        for col in self.numeric:
            classes[col] = "num"
        for col in self.text:
            classes[col] = "text"
        for col in self.marks:
            classes[col] = "mark"
        styler = styler.set_td_classes(classes).set_table_styles(_CSS, overwrite=True)
        numeric_headers = [
            {"selector": f"th.col_heading.col{self.frame.columns.get_loc(c)}", "props": "text-align: right;"}
            for c in self.numeric
        ]
        styler = styler.set_table_styles(numeric_headers, overwrite=False)
        if self.caption:
            styler = styler.set_caption(html.escape(self.caption))
        return styler

    def to_html(self) -> str:
        return self.styler().to_html()

    def to_text(self) -> str:
        plain = self.frame.copy()
        for col, fmt in self.formats.items():
            plain[col] = [EM_DASH if pd.isna(v) else (fmt(v) if callable(fmt) else fmt.format(v)) for v in plain[col]]
        text = plain.fillna(EM_DASH).to_string(index=False)
        return text + (f"\n{self.caption}" if self.caption else "")

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.to_text()


def _pct(value: float) -> str:
    return percent(value)


def _status(value: object) -> str:
    return STATUS_MARKS.get(str(value), str(value) if value not in ("", None) else EM_DASH)


def practices_table(rep: CityReport) -> Table:
    """Each practice: criteria met and share met, against a typical peer of the cohort."""
    p = rep.practices
    frame = pd.DataFrame(
        {
            "Practice": [f"{n} ({c})" for n, c in zip(p["name"], p["practice"])],
            "Criteria": p["criteria"],
            "Unknown": p["unknown"],
            "Met": p["met"],
            "Share met": p["share_met"],
            "Typical peer": p["peer_share"],
            "Difference": [percent_points(a, b) for a, b in zip(p["share_met"], p["peer_share"])],
            "Leads on": p["leads"],
            "Lags on": p["lags"],
        }
    )
    return Table(
        frame,
        "practices",
        numeric=list(frame.columns[1:]),
        formats={"Share met": _pct, "Typical peer": _pct},
        caption=f"Typical peer: {rep.peers_label}. Shares count the criteria whose status is known "
        "(unknown: no answer loaded). Leads on: criteria met that most peers do not meet; "
        "lags on: criteria missed that most peers meet.",
    )


def criteria_table(rep: CityReport) -> Table:
    """Each criterion: its status, the share of peers meeting it, and whether the city leads or lags."""
    c = rep.criteria
    frame = pd.DataFrame(
        {
            "Criterion": [f"{code} (core)" if core else code for code, core in zip(c["criterion"], c["core"])],
            "Status": c["status"].map(_status),
            "Peers meeting it": c["peer_share"],
            "Position": c["position"],
            "Criterion text": c["text"],
        }
    )
    return Table(
        frame,
        "criteria",
        numeric=["Peers meeting it"],
        text=["Criterion text"],
        marks=["Status"],
        formats={"Peers meeting it": _pct},
        caption=f"Status: {STATUS_LEGEND}. Peers: {rep.peers_label}.",
    )


def audit_risk_table(rep: CityReport) -> Table:
    """The answers most at risk in an audit, with why and the auditor's note in full."""
    r = rep.audit_risk
    frame = pd.DataFrame(
        {
            "Criterion": r["criterion"],
            "Self-assessed": r["self_assessed"].map(_status),
            "After audit": r["status"].map(_status),
            "Peers meeting it": r["peer_share"],
            "Why": r["risk"],
            "Audit note": r["audit_note"].replace("", EM_DASH),
        }
    )
    return Table(
        frame,
        "audit_risk",
        numeric=["Peers meeting it"],
        text=["Why", "Audit note"],
        marks=["Self-assessed", "After audit"],
        formats={"Peers meeting it": _pct},
        caption=f"Status: {STATUS_LEGEND}. Peers: {rep.peers_label}.",
    )


def opportunities_table(rep: CityReport) -> Table:
    """The shortest path to each higher tier, one row per criterion, with the reasons."""
    s = shortlist_table(rep)
    frame = pd.DataFrame(
        {
            "Tier": s["tier"],
            "Step": s["rank"],
            "Criterion": s["criterion"],
            "Practice": s["practice"],
            "Status": s["status"].map(_status),
            "Peers meeting it": s["peer_share"],
            "Required": ["✓ required" if m else "" for m in s["mandatory"].astype(bool)],
            "Why": s["reason"],
        }
    )
    return Table(
        frame,
        "opportunities",
        numeric=["Step", "Peers meeting it"],
        text=["Why"],
        marks=["Status", "Required"],
        formats={"Peers meeting it": _pct},
        caption=f"Status: {STATUS_LEGEND}. ✓ required: the tier cannot be reached without it.",
    )


_SCORE_HEADERS = {
    "city": "City",
    "year": "Year",
    "met": "Criteria met",
    "share": "Share met",
    "tier": "Tier",
    "range": "Tier range",
    "core": "Core criteria",
    "outcomes": "Outcome metrics",
    "self-assessed": "Self-assessed",
}


def cohort_table(ov: Overview) -> Table:
    """Every loaded city's standing: criteria met, tier, core criteria, outcome metrics, self-assessment.

    Each practice's share is in `cohort_practice_table`: sixteen columns in one table do not fit a
    page, on screen or in the PDF.
    """
    frame = table(ov).rename(columns=_SCORE_HEADERS).drop(columns=list(ov.standard.practice_codes))
    if "Tier" in frame:
        frame["Tier"] = frame["Tier"].replace({"none": NO_TIER})
    return Table(frame, "cohort", numeric=["Criteria met", "Share met"])


def cohort_practice_table(ov: Overview) -> Table:
    """Every loaded city's share of each practice's criteria met: the numbers behind the practice heatmap."""
    codes = list(ov.standard.practice_codes)
    frame = table(ov).rename(columns=_SCORE_HEADERS)[["City", "Year", *codes]]
    legend = "; ".join(f"{c}: {ov.standard.practice_name(c)}" for c in codes)
    caption = f"Share of each practice's criteria met (of those with a known answer). {legend}."
    return Table(frame, "cohort_practices", numeric=codes, caption=caption)


def field_summary_table(ov: Overview) -> Table:
    """The spread of the field: quartiles of criteria met and of each practice's share met."""
    s = field_summary(ov)
    n = int(s.loc["count", "criteria_met"])
    s = s.drop(index="count")
    labels = {"min": "Lowest", "25%": "Lower quartile", "50%": "Median", "75%": "Upper quartile", "max": "Highest"}
    frame = pd.DataFrame({"": [labels.get(i, i) for i in s.index], "Criteria met": s["criteria_met"]})
    for code in ov.standard.practice_codes:
        frame[code] = s[f"share_{code}"].to_numpy()
    formats = {code: _pct for code in ov.standard.practice_codes}
    formats["Criteria met"] = lambda v: f"{v:g}"
    return Table(
        frame,
        "field_summary",
        numeric=list(frame.columns[1:]),
        formats=formats,
        caption=f"Over {n} assessments: criteria met, and the share of each practice's known criteria met "
        "(a practice with no known answer is left out of its column).",
    )


def moves_up_table(ov: Overview) -> Table:
    """Cities the published history records moving up a tier."""
    m = moves_up(ov)
    frame = pd.DataFrame(
        {
            "City": m["city"],
            "Region": m["region"].replace("", EM_DASH),
            "Year": m["year"],
            "New tier": m["tier"].map(tier_text),
        }
    )
    return Table(frame, "moves_up", numeric=["Year"], caption="From the published certification history.")
