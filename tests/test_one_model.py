"""One model, every surface: a city's scenario says the same facts in the same sentences through the app,
the command line, the report (its HTML) and summary.md."""

from __future__ import annotations

import html
import json
import re

import pytest

from wwc_analysis import city_context
from wwc_analysis.cli import main
from wwc_analysis.reports.city_report import CityReport
from wwc_analysis.reports.summary import opportunities_html, reasons_html, summary_markdown

ipywidgets = pytest.importorskip("ipywidgets", reason="the planning panel needs ipywidgets (pip install '.[app]')")

CHANGES = "DM8=Yes, SI1=Yes, RDC1=Yes"


def sentences(markup: str) -> list[str]:
    """The sentences of a piece of HTML or Markdown, tags and list marks removed."""
    text = html.unescape(re.sub(r"<[^>]+>", "\n", markup)).replace("\\", "")
    lines = (re.sub(r"^\s*[-*]\s+", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


@pytest.fixture(scope="module")
def panel():
    from wwc_analysis.app.panel import PlanningPanel

    return PlanningPanel("Scottsdale")


def test_the_recorded_scenario_reads_the_same_in_the_app_the_report_summary_md_and_the_command_line(panel, capsys):
    base = city_context("Scottsdale")
    report = CityReport(base)
    reasons = base.reasons
    assert any("the audit changed DM8, RDC5, RDC6 and SI1" in r for r in reasons)  # the app says it too, unchanged
    assert sentences(panel.reasons.value) == reasons
    assert sentences(reasons_html(report))[1:] == reasons  # after the headline
    summary = summary_markdown(report)
    assert all(r in summary for r in reasons)
    assert main(["score", "--city", "Scottsdale", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["reasons"] == reasons
    paths = sentences(opportunities_html(report))
    assert sentences(panel.paths_html.value) == paths and all(p in summary for p in paths)
    assert main(["opportunities", "--city", "Scottsdale", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"] == paths


def test_a_changed_scenario_reads_the_same_in_the_app_and_wwc_whatif(panel, capsys):
    changed = city_context("Scottsdale").apply(CHANGES)
    for code in ("DM8", "SI1", "RDC1"):
        panel.set_status(code, "Yes")
    assert panel.scenario.changed == changed.changed == ["DM8", "RDC1", "SI1"]
    assert main(["whatif", "--city", "Scottsdale", "--set", CHANGES]) == 0
    printed = capsys.readouterr().out
    for sentence in [*changed.reasons, *sentences(panel.summary.value)[0:1]]:
        assert sentence.split(" Peers:")[0] in printed, sentence
    assert sentences(panel.reasons.value) == changed.reasons
    panel.reset()
