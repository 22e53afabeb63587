"""Tables for people, as the report and a notebook show them (the overview's are in `cohort_tables`).

Headers are plain words, statuses marks with a legend, numbers right-aligned. Every cell carries its
column's name (`data-label`), so on a phone a row reflows into a card of labelled lines. Cells are
escaped (a city's name is data, never markup), and each table has a fixed id.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd

from ..analysis.phrases import percent, percent_points, tier_label
from ..analysis.sentences import known_share
from ..errors import without_controls
from .city_report import CityReport, shortlist_table

STATUS_MARKS = {"Yes": "● met", "In Progress": "◐ in progress", "No": "○ not met", "Unknown": "? unknown"}
STATUS_LEGEND = "● met · ◐ in progress · ○ not met · ? unknown"
EM_DASH = "—"
SHORT_ROWS = 12  # a table this short is kept on one printed page


class ReaderTable:
    """A table for display: HTML in notebooks and reports, aligned plain text elsewhere."""

    def __init__(
        self,
        frame: pd.DataFrame,
        table_id: str,
        numeric: tuple[str, ...] = (),
        text: tuple[str, ...] = (),
        caption: str = "",
        formats: dict[str, Callable[[object], str]] | None = None,
        key: str | None = None,
        span: str | None = None,
        compact: bool = False,
    ):
        self.frame, self.table_id, self.caption = frame.reset_index(drop=True), table_id, caption
        self.numeric, self.text, self.formats = set(numeric), set(text), formats or {}
        self.key = key or (frame.columns[0] if len(frame.columns) else None)  # the card's title on a phone
        self.span = span  # a long text column that prints on a line of its own, under the row's other cells
        self.compact = compact  # a long list of short rows: on a phone, each row's cells run on in a line

    def cell(self, column: str, value: object) -> str:
        if column in self.formats:
            return self.formats[column](value)
        if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
            return EM_DASH
        return str(value)

    def to_html(self) -> str:
        marks = {"num": self.numeric, "text": self.text, "key": {self.key}, "wwc-span": {self.span}}
        classes = {c: " ".join(k for k, columns in marks.items() if c in columns) for c in self.frame.columns}
        head = "".join(f"<th scope='col' class='{classes[c]}'>{_escape(c)}</th>" for c in self.frame.columns)
        rows = "".join(
            "<tr>" + "".join(_td(c, classes[c], self.cell(c, v)) for c, v in row.items()) + "</tr>"
            for _, row in self.frame.iterrows()
        )
        caption = f"<caption>{_escape(self.caption)}</caption>" if self.caption else ""
        kinds = {"wwc-short": len(self.frame) <= SHORT_ROWS, "wwc-notes": bool(self.span), "wwc-compact": self.compact}
        kind = "".join(f" {name}" for name, on in kinds.items() if on)
        return (
            f"<table id='{self.table_id}' class='wwc-table{kind}'>{caption}<thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )

    def to_text(self) -> str:
        plain = pd.DataFrame({c: [self.cell(c, v) for v in self.frame[c]] for c in self.frame.columns})
        return plain.to_string(index=False) + (f"\n{self.caption}" if self.caption else "")

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.to_text()


def _escape(text: object) -> str:
    return html.escape(without_controls(str(text)), quote=True)


def _td(column: str, classes: str, text: str) -> str:
    """One cell, named by its column (`data-label`); an empty one is marked so print can leave it out."""
    empty = " wwc-empty" if text == EM_DASH else ""
    return f"<td class='{(classes + empty).strip()}' data-label='{_escape(column)}'>{_escape(text)}</td>"


def _status(value: object) -> str:
    return STATUS_MARKS.get(str(value), str(value) if value not in ("", None) else EM_DASH)


def practices_table(rep: CityReport) -> ReaderTable:
    """Each practice: share met (with how much is known) against a typical peer, leads and lags."""
    p = rep.practices
    frame = pd.DataFrame(
        {
            "Practice": [f"{n} ({c})" for n, c in zip(p["name"], p["practice"])],
            "Share met": [known_share(s, k, n) for s, k, n in zip(p["share_met"], p["compared"], p["criteria"])],
            "Typical peer": p["peer_share"].map(percent),
            "Difference": [
                percent_points(a, b) if ok else ("not compared" if k else EM_DASH)
                for a, b, ok, k in zip(p["share_met"], p["peer_share"], p["enough_known"], p["compared"])
            ],
            "Leads on": [int(n) if k else EM_DASH for n, k in zip(p["leads"], p["compared"])],
            "Lags on": [int(n) if k else EM_DASH for n, k in zip(p["lags"], p["compared"])],
        }
    )
    return ReaderTable(
        frame,
        "practices",
        numeric=("Typical peer", "Difference", "Leads on", "Lags on"),
        caption=f"Typical peer: {rep.peers_label}. Shares count the criteria whose answer is known, the typical peer's "
        "the same criteria; a practice with "
        "fewer than half its answers known is not compared. Leads on: criteria met that most peers do not meet; "
        "lags on: criteria missed that most peers meet; both count only criteria whose answer is known.",
    )


def criteria_table(rep: CityReport) -> ReaderTable:
    """Every criterion: its short name, status, the share of peers meeting it, and the full wording."""
    c = rep.criteria
    frame = pd.DataFrame(
        {
            "Criterion": [
                f"{code}{' (core)' if core else ''}: {name}"
                for code, core, name in zip(c["criterion"], c["core"], c["short_name"])
            ],
            "Status": c["status"].map(_status),
            "Peers meeting it": c["peer_share"].map(percent),
            "Position": c["position"],
            "Wording": c["text"],
        }
    )
    return ReaderTable(
        frame,
        "criteria",
        numeric=("Peers meeting it",),
        text=("Wording",),
        span="Wording",
        caption=f"Status: {STATUS_LEGEND}. Peers: {rep.peers_label}.",
    )


def audit_risk_table(rep: CityReport) -> ReaderTable:
    """The answers most at risk in an audit, with why and the auditor's note in full."""
    r = rep.audit_risk
    frame = pd.DataFrame(
        {
            "Criterion": r["criterion"],
            "Self-assessed": r["self_assessed"].map(_status),
            "After audit": r["status"].map(_status),
            "Peers meeting it": r["peer_share"].map(percent),
            "Why": r["risk"],
            "Audit note": r["audit_note"].replace("", EM_DASH),
        }
    )
    return ReaderTable(
        frame,
        "audit_risk",
        numeric=("Peers meeting it",),
        text=("Why", "Audit note"),
        span="Audit note",
        caption=f"Status: {STATUS_LEGEND}. Peers: {rep.peers_label}.",
    )


def opportunities_table(rep: CityReport) -> ReaderTable:
    """The shortest path to each higher tier, one row per criterion, with the reasons."""
    s = shortlist_table(rep)
    names = {c: rep.standard.short_name(c) for c in rep.standard.codes}
    frame = pd.DataFrame(
        {
            "Tier": s["tier"],
            "Step": s["rank"],
            "Criterion": [f"{c}: {names[c]}" for c in s["criterion"]],
            "Status": s["status"].map(_status),
            "Peers meeting it": s["peer_share"].map(percent),
            "Why": s["reason"],
        }
    )
    return ReaderTable(
        frame,
        "opportunities",
        numeric=("Step", "Peers meeting it"),
        text=("Why",),
        span="Why",
        key="Criterion",
        caption=f"Status: {STATUS_LEGEND}. Required criteria come first: the tier cannot be reached without them.",
    )


def timeline_table(rep: CityReport) -> ReaderTable:
    """The city's certifications and assessments, year by year."""
    t = rep.timeline
    frame = pd.DataFrame(
        {
            "Assessment": t["year"],
            "Published tier": [
                f"{tier} ({when})" if tier else EM_DASH for tier, when in zip(t["published_tier"], t["announced"])
            ],
            "Answers loaded": [
                f"{m} met, {tier_label(tier)}" if loaded else EM_DASH
                for m, tier, loaded in zip(t["criteria_met"], t["tier"], t["loaded"])
            ],
            "Change": [c or EM_DASH for c in t["change"]],
        }
    )
    return ReaderTable(
        frame,
        "timeline",
        caption="Published tiers with when they were announced (the month, where a source gives it); answers as "
        "loaded here.",
    )
