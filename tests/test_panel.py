"""The planning panel driven as a person would, in Python: set controls, read the tier, the marks and the charts.

Browser checks of the same panel served by Voilà are in test_app_browser.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html

import pytest

pytest.importorskip("ipywidgets", reason="the planning panel needs ipywidgets: pip install -e '.[app]'")

import ipywidgets as w  # noqa: E402

from wwc_analysis.app.panel import PlanningPanel  # noqa: E402
from wwc_analysis.reports import charts  # noqa: E402
from wwc_analysis.rules import outcomes as om  # noqa: E402
from wwc_analysis.rules import status as st  # noqa: E402

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
SHORTLIST = ["DM8", "SI1", "RDC1", "BF3", "RDC3", "RDC7"]


@pytest.fixture(scope="module")
def panel():
    return PlanningPanel("Scottsdale")


@pytest.fixture
def scottsdale(panel):
    if panel.base.city != "Scottsdale":
        panel.city_choice.value = "Scottsdale"
    panel.reset()
    return panel


def said(panel) -> str:
    """The panel's message line as the page shows it."""
    return html.unescape(panel.message.value)


def upload(panel, name: str, content: bytes) -> None:
    """Choose a file in the upload button, as the browser sends it."""
    panel.upload.value = (
        {"name": name, "type": "text/csv", "size": len(content), "content": memoryview(content), "last_modified": NOW},
    )


def widgets(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from widgets(child)


def test_starts_at_the_recorded_answers_with_the_path_highlighted(scottsdale):
    p = scottsdale
    assert (p.scenario.tier, p.scenario.score["criteria_met"], p.scenario.changed) == ("Gold", 31, [])
    assert "Gold (published)" in p.headline.value and "31 of 43" in p.headline.value
    assert p.status_controls["DM8"].value == st.IN_PROGRESS and p.status_controls["DM1"].value == st.YES
    assert p.highlighted("Platinum") == [*SHORTLIST, "nominated"] == p.highlighted()
    on_path = [code for code, row in p.rows.box.items() if "wwc-path" in row._dom_classes]
    assert on_path == [*SHORTLIST[:1], "BF3", "RDC1", "RDC3", "RDC7", "SI1", "nominated"]
    assert p.rows.note["DM8"].value == "on the path to Platinum"
    assert p.path_buttons["Platinum"].layout.display is None and p.path_buttons["Silver"].layout.display == "none"


def test_scottsdale_unchanged_names_the_audits_changes(scottsdale):
    reasons = " ".join(scottsdale.scenario.reasons)
    assert "the audit changed DM8, RDC5, RDC6 and SI1" in reasons
    assert "the audit changed DM8, RDC5, RDC6 and SI1" in scottsdale.reasons.value


def test_carlsbad_draws_unknown_practices_as_unknown_and_marks_recorded_shares_only_when_changed():
    p = PlanningPanel("Carlsbad")
    assert p.status_controls["EVAL1"].value == st.UNKNOWN and p.status_controls["RDC1"].value == st.UNKNOWN
    alt = charts.alt_text("practices", p.report)
    for practice in ("Rigorous Evaluations", "Open Data", "Results-Driven Contracting"):
        assert f"{practice} no answer known" in alt
    assert "alt='Bar chart of criteria met per practice" in p.practices.value and "no answer known" in p.practices.value
    assert p.report.recorded_practices is None  # nothing changed: no recorded marks
    p.set_status("EVAL1", "Yes")
    assert p.scenario.changed == ["EVAL1"] and p.report.recorded_practices is not None
    assert "wwc-changed" in p.rows.box["EVAL1"]._dom_classes
    assert p.rows.note["EVAL1"].value.startswith("changed (recorded: unknown)")
    assert "Rigorous Evaluations 100% (1 of 4 known)" in charts.alt_text("practices", p.report)
    p.reset()
    assert p.report.recorded_practices is None and not p.rows.box["EVAL1"]._dom_classes.count("wwc-changed")


def test_the_path_button_reaches_platinum_and_reset_goes_back(scottsdale):
    p = scottsdale
    p.path_buttons["Platinum"].click()
    assert (p.scenario.tier, p.scenario.score["criteria_met"]) == ("Platinum", 37)
    assert "Platinum" in p.headline.value and "37 of 43" in p.headline.value
    assert "meets 37 of 43" in p.gauge.value
    assert sorted(p.scenario.changed) == sorted([*SHORTLIST, "nominated"])
    assert all("wwc-changed" in p.rows.box[c]._dom_classes for c in SHORTLIST)
    assert p.highlighted() == [] and not any("wwc-path" in r._dom_classes for r in p.rows.box.values())
    p.reset_button.click()
    assert (p.scenario.tier, p.scenario.score["criteria_met"]) == ("Gold", 31)
    assert not any("wwc-changed" in row._dom_classes for row in p.rows.box.values())
    assert "meets 31 of 43" in p.gauge.value


def test_clicking_the_shortlist_and_the_metric_reaches_platinum(scottsdale):
    p = scottsdale
    for code in SHORTLIST:
        p.set_status(code, "Yes")
    assert (p.scenario.tier, p.scenario.score["criteria_met"]) == ("Gold", 37)
    p.set_metric("nominated", "met")
    assert (p.scenario.tier, p.scenario.score["criteria_met"]) == ("Platinum", 37)
    p.set_status("DM1", "No")
    assert p.scenario.tier is None and "DM1" in p.rows.note and "changed (recorded: Yes)" in p.rows.note["DM1"].value


def test_a_metric_value_is_judged_by_the_threshold(scottsdale):
    p = scottsdale
    p.metric_values["broadband"].value = "60"
    assert p.metric_controls["broadband"].value == om.NOT_MET and p.scenario.changed == ["broadband"]
    assert p.current_plan().changes[0].number == 60
    p.metric_values["broadband"].value = "99"
    assert p.metric_controls["broadband"].value == om.MET and p.scenario.changed == []
    p.metric_values["pm25"].value = "a lot"
    assert "pm25: 'a lot' is not a value the standard can judge" in said(p)


def test_a_status_click_renders_its_words_at_once_and_its_charts_when_the_kernel_is_free(scottsdale):
    """The words follow a click at once; the charts are drawn once the event loop is free (its speed is measured
    in benchmarks/benchmark.py, not here)."""
    p = scottsdale

    async def click() -> None:
        p.set_status("DM2", "In Progress")
        assert "30 of 43" in p.headline.value
        assert p._drawn is None or p._drawn[3] != p.scenario.statuses.tobytes()  # not drawn yet
        while p._drawn is None or p._drawn[3] != p.scenario.statuses.tobytes():
            await asyncio.sleep(0)
        assert "30 of 43" in p.gauge.value

    asyncio.run(click())
    p.reset()


def test_changes_download_as_a_plan_and_upload_back(scottsdale):
    p = scottsdale
    p.path_buttons["Platinum"].click()
    owner, due, note = p.plan_rows.rows["DM8"][1].values()
    owner.value, due.value, note.value = "Data office", "2024-06-30", "=cmd()"
    files = p.plan_files()
    assert sorted(files) == ["plan-scottsdale-2023.csv", "plan-scottsdale-2023.xlsx"]
    text = files["plan-scottsdale-2023.csv"].decode()
    assert text.splitlines()[0] == "city,year,criterion,status,owner,due,note"
    assert "Scottsdale,2023,DM8,Yes,Data office,2024-06-30,'=cmd()" in text
    p.save_button.click()
    assert "download='plan-scottsdale-2023.xlsx'" in p.downloads.value and "data:text/csv;base64," in p.downloads.value
    p.reset()
    p.upload_plan("plan-scottsdale-2023.xlsx", files["plan-scottsdale-2023.xlsx"])
    assert (p.scenario.tier, p.scenario.score["criteria_met"]) == ("Platinum", 37)
    assert p.meta["DM8"]["owner"] == "Data office" and owner.value == "Data office"
    assert "Loaded 7 changes from plan-scottsdale-2023.xlsx" in said(p)
    p.reset()
    upload(p, "plan-scottsdale-2023.csv", files["plan-scottsdale-2023.csv"])
    assert p.scenario.tier == "Platinum"


def test_a_plan_made_for_another_city_asks_first(scottsdale):
    p = scottsdale
    p.path_buttons["Platinum"].click()
    tempe = p.plan_files()["plan-scottsdale-2023.csv"].replace(b"Scottsdale,2023", b"Tempe,2023")
    p.reset()
    p.upload_plan("plan-tempe-2023.csv", tempe)
    assert p.scenario.changed == [] and p.confirm.layout.display is None
    assert "plan-tempe-2023.csv" in said(p) and "Tempe" in said(p)
    p.confirm.click()
    assert p.scenario.tier == "Platinum" and p.confirm.layout.display == "none"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("../../bad.csv", b"criterion,status\nZZ1,Yes\n", "bad.csv: row 2"),
        ("C:\\Users\\me\\broken.xlsx", b"PK\x03\x04 not a workbook", "broken.xlsx: "),
        ("empty.csv", b"", "empty.csv: "),
        ("huge.csv", b"criterion,status\n" + b"x" * 2**21, "huge.csv: over the limit"),
        ("dates.csv", b"criterion,status,due\nDM8,Yes,next week\n", "dates.csv: row 2: 'due'"),
    ],
)
def test_a_bad_upload_is_shown_by_its_name_only(scottsdale, name, content, expected):
    p = scottsdale
    upload(p, name, content)
    message = said(p)
    assert expected in message
    assert not any(trace in message for trace in ("/tmp", "wwc-upload", "..", "\\", "Traceback", "plan.csv"))
    assert p.scenario.changed == []


def test_an_odd_upload_value_is_refused_in_a_sentence(scottsdale):
    p = scottsdale
    p._guard(lambda: p._on_upload(({"name": "/etc/passwd", "content": "not bytes"},)))  # as its observer runs it
    assert "The upload could not be read" in said(p) and p.scenario.changed == []


def test_no_text_widget_takes_a_path(scottsdale):
    p = scottsdale
    p.path_buttons["Platinum"].click()
    texts = [x for x in widgets(p.widget) if isinstance(x, (w.Text, w.Textarea))]
    assert texts and {t.placeholder for t in texts} == {"owner", "due", "note", "value"}
    assert not [x for x in widgets(p.widget) if isinstance(x, (w.Combobox, w.Password))]


def test_choosing_another_city_and_peers_reloads(panel):
    assert [label for label, _ in panel.cohort_choice.options][0] == "all applicant cities (published shares)"
    assert not any(":" in label for label, _ in panel.cohort_choice.options)
    panel.city_choice.value = "Carlsbad"
    assert panel.base.city == "Carlsbad" and panel.scenario.score["criteria_met"] == 17
    assert panel.year_choice.value == 2023
    panel.cohort_choice.value = "loaded"
    assert panel.peers == "the other cities loaded" and "Peers:" in panel.summary.value
    panel.cohort_choice.value = "published:all"
    panel.city_choice.value = "Scottsdale"
    assert panel.scenario.tier == "Gold"
