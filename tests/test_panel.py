"""The planning panel driven as a person would: set controls, read the tier and the highlighted path."""

import pytest

pytest.importorskip("ipywidgets", reason="the planning panel needs ipywidgets (pip install -e '.[app]')")


from wwc_analysis.panel import PlanningPanel  # noqa: E402

SHORTLIST = ["DM8", "SI1", "RDC1", "BF3", "RDC3", "RDC7"]


@pytest.fixture(scope="module")
def panel():
    return PlanningPanel("Scottsdale")


def test_starts_at_the_recorded_answers_with_the_path_highlighted(panel):
    panel.reset()
    r = panel.result
    assert (r.tier, r.criteria_met) == ("Gold", 31)
    assert panel.highlighted("Platinum") == [*SHORTLIST, "nominated"]
    assert "Gold" in panel.headline.value and "31 of 43" in panel.headline.value
    assert panel.status_controls["DM8"].value == "In Progress"


def test_changing_the_shortlist_and_the_metric_reaches_platinum_and_reset_goes_back(panel):
    panel.reset()
    for code in SHORTLIST:
        panel.status_controls[code].value = "Yes"
    assert panel.result.tier == "Gold" and panel.result.criteria_met == 37
    panel.metric_controls["nominated"].value = "met"
    assert (panel.result.tier, panel.result.criteria_met) == ("Platinum", 37)
    assert "Platinum" in panel.headline.value and "37 of 43" in panel.headline.value
    assert sorted(panel.result.changed) == sorted([*SHORTLIST, "nominated"])
    assert all("wwc-changed" in panel.rows[c]._dom_classes for c in SHORTLIST)
    assert panel.result.paths == [] and panel.highlighted() == []
    panel.reset_button.click()
    assert (panel.result.tier, panel.result.criteria_met) == ("Gold", 31)
    assert not any("wwc-changed" in row._dom_classes for row in panel.rows.values())


def test_one_button_applies_the_path(panel):
    panel.reset()
    panel.path_buttons["Platinum"].click()
    assert (panel.result.tier, panel.result.criteria_met) == ("Platinum", 37)


def test_losing_a_core_criterion_drops_the_tier_and_highlights_it(panel):
    panel.reset()
    panel.set_status("DM1", "No")
    assert panel.result.tier is None
    assert "DM1" in panel.highlighted("Silver")
    panel.set_status("DM1", "unknown")
    assert (panel.result.tier_low, panel.result.tier_high) == (None, "Gold")


def test_a_metric_value_sets_met_by_the_threshold(panel):
    panel.reset()
    panel.metric_values["broadband"].value = "60"
    assert panel.metric_controls["broadband"].value == "not met"


def test_changes_download_as_a_plan_and_upload_back(panel):
    panel.reset()
    panel.path_buttons["Platinum"].click()
    panel._plan_rows(panel.result)
    owner = panel.meta_rows["DM8"].children[1]
    owner.value = "Data office"
    panel.meta_rows["DM8"].children[2].value = "2024-06-30"
    files = panel.plan_files()
    assert sorted(files) == ["plan-scottsdale-2023.csv", "plan-scottsdale-2023.xlsx"]
    assert "DM8,Yes,Data office,2024-06-30," in files["plan-scottsdale-2023.csv"].decode()
    panel.save_button.click()
    assert 'download="plan-scottsdale-2023.xlsx"' in panel.downloads.value
    panel.reset()
    panel.upload_plan("plan-scottsdale-2023.xlsx", files["plan-scottsdale-2023.xlsx"])
    assert (panel.result.tier, panel.result.criteria_met) == ("Platinum", 37)
    assert panel.meta["DM8"]["owner"] == "Data office"


def test_a_bad_upload_is_shown_by_its_name_only(panel):
    panel.upload_plan("../../bad.csv", b"criterion,status\nZZ1,Yes\n")
    message = panel.message.value
    assert "bad.csv: row 2" in message and "ZZ1" in message and "/tmp" not in message and ".." not in message


def test_no_control_takes_a_server_path(panel):
    import ipywidgets as w

    def widgets(box):
        yield box
        for child in getattr(box, "children", ()):
            yield from widgets(child)

    texts = [x for x in widgets(panel.widget) if isinstance(x, w.Text)]
    assert all(t.placeholder in ("owner", "due", "note", "value", "(met / not met)") for t in texts)


def test_choosing_another_city_and_cohort_reloads(panel):
    panel.city_choice.value = "Carlsbad"
    assert panel.data.city == "Carlsbad" and panel.result.criteria_met == 17 and panel.year_choice.value == 2023
    panel.cohort_choice.value = "loaded"
    assert "loaded" in panel.data.cohort_label
    panel.cohort_choice.value = "published:all"
    panel.city_choice.value = "Scottsdale"
    assert panel.result.tier == "Gold"
