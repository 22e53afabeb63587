"""Plans as files, `--plan` on the command line, and the "With the plan" section."""

import json

import pytest
from conftest import write_csv
from test_reports import CITY_FILES

from wwc_analysis import city_context
from wwc_analysis.analysis.sentences import plan_lacks, plan_sentences
from wwc_analysis.cli import main
from wwc_analysis.errors import InputError
from wwc_analysis.io.plans import load_plan, write_plan
from wwc_analysis.reports.city_report import CityReport
from wwc_analysis.reports.summary import summary_markdown


def plan_markdown(base, plan) -> str:
    """summary.md of the city with the plan."""
    return summary_markdown(CityReport(base, plan))


SHORTLIST = ["DM8", "SI1", "RDC1", "BF3", "RDC3", "RDC7"]
HEADER = ["criterion", "status", "owner", "due", "note"]


@pytest.fixture
def plan_csv(tmp_path):
    rows = [[c, "Yes", "Data office", "2024-06-30", ""] for c in SHORTLIST]
    rows.append(["nominated", "met", "Mayor's office", "2024-12-31", "commute time"])
    return write_csv(tmp_path / "plan.csv", HEADER, rows)


def test_a_plan_reads_back_and_round_trips_through_excel(plan_csv, tmp_path, standard):
    plan = load_plan(plan_csv, standard)
    assert [(c.code, c.value_text) for c in plan.changes] == [(c, "Yes") for c in SHORTLIST] + [("nominated", "met")]
    assert plan.changes[0].owner == "Data office" and plan.changes[0].due.isoformat() == "2024-06-30"
    assert plan.city is None  # a plan written by hand fits any city
    xlsx = write_plan(plan, tmp_path / "plan.xlsx")
    assert load_plan(xlsx, standard).changes == plan.changes


def test_a_metric_value_is_judged_against_the_standard(tmp_path, standard):
    path = write_csv(tmp_path / "p.csv", ["criterion", "status"], [["broadband", "60"], ["pm25", "7.5"]])
    plan = load_plan(path, standard)
    assert [(c.code, c.value, c.number) for c in plan.changes] == [("broadband", 0, 60.0), ("pm25", 1, 7.5)]


@pytest.mark.parametrize(
    "row, problem",
    [
        (["XX9", "Yes", "", "", ""], "neither a criterion nor an outcome metric"),
        (["DM8", "Maybe", "", "", ""], "unknown status"),
        (["DM8", "Yes", "", "31/12/2024", ""], "'due' must be a date"),
        (["DM8", "Yes", "", "2024-02-30", ""], "'due' must be a date"),
        (["nominated", "42", "", "", ""], "nominated takes no value here"),
    ],
)
def test_a_bad_plan_row_is_refused_with_file_row_and_value(tmp_path, standard, row, problem):
    path = write_csv(tmp_path / "bad.csv", HEADER, [["DM1", "Yes", "", "", ""], row])
    with pytest.raises(InputError) as err:
        load_plan(path, standard)
    assert err.value.row == 3 and problem in err.value.problem and str(path) in str(err.value)
    assert err.value.value in row


def test_a_code_listed_twice_is_refused(tmp_path, standard):
    path = write_csv(tmp_path / "dup.csv", ["criterion", "status"], [["DM8", "Yes"], ["dm8", "No"]])
    with pytest.raises(InputError, match="row 3: listed twice"):
        load_plan(path, standard)


def test_the_plan_section_says_the_tier_each_step_and_what_is_left(plan_csv, tmp_path, standard):
    data = city_context("Scottsdale")
    sec = data.plan_section(load_plan(plan_csv, standard))
    assert (sec["before"]["tier"], sec["after"]["tier"], sec["after"]["criteria_met"]) == ("Gold", "Platinum", 37)
    assert [s["criteria_met"] for s in sec["steps"]] == [32, 33, 34, 35, 36, 37, 37]
    assert sec["steps"][-1]["tier"] == "Platinum" and sec["next_tier"] is None
    text = plan_markdown(data, load_plan(plan_csv, standard))
    assert (
        "## With the plan" in text
        and "Mayor's office: Outcome metric: A Data-Informed City Priority (due 2024-12-31)" in text
    )
    partial = write_csv(tmp_path / "partial.csv", ["criterion", "status"], [["DM8", "Yes"]])
    sec = data.plan_section(load_plan(partial, standard))
    assert sec["after"]["tier"] == "Gold" and sec["next_tier"] == "Platinum"
    lacks = plan_lacks(sec["next_step"], standard)
    assert "5 more criteria" in lacks[0] and "the metric for a data-informed city priority" in lacks[1]


def test_whatif_with_a_plan_ends_in_platinum(plan_csv, capsys):
    assert main(["whatif", "--city", "Scottsdale", "--plan", str(plan_csv), "--format", "json"]) == 0
    last = json.loads(capsys.readouterr().out)[-1]
    assert (last["scenario"], last["tier"], last["criteria_met"]) == ("what if", "Platinum", 37)


def test_whatif_set_applies_after_the_plan(plan_csv, capsys):
    assert (
        main(["whatif", "--city", "Scottsdale", "--plan", str(plan_csv), "--set", "RDC7=No", "--format", "json"]) == 0
    )
    last = json.loads(capsys.readouterr().out)[-1]
    assert (last["tier"], last["criteria_met"]) == ("Gold", 36)


def test_whatif_needs_set_or_plan_and_refuses_a_bad_plan(tmp_path, capsys):
    assert main(["whatif", "--city", "Scottsdale"]) == 2
    bad = write_csv(tmp_path / "bad.csv", HEADER, [["DM8", "Yes", "", "soon", ""]])
    assert main(["whatif", "--city", "Scottsdale", "--plan", str(bad)]) == 2
    assert f"{bad}: row 2: 'due' must be a date written YYYY-MM-DD: 'soon'" in capsys.readouterr().err


def test_report_with_a_plan_writes_the_section_and_says_where(plan_csv, tmp_path, capsys, no_pdf):
    """`no_pdf` runs it as on a machine without Chromium: the report says so once and writes the rest."""
    assert main(["report", "--city", "Scottsdale", "--plan", str(plan_csv), "--out", str(tmp_path / "out")]) == 0
    folder = tmp_path / "out" / "scottsdale"
    out, err = capsys.readouterr()
    assert f"report written to {folder}/" in out
    assert err.count("Chromium is not installed") == 1 and "apt-get install -y chromium" in err
    assert {p.name for p in folder.iterdir()} >= CITY_FILES - {"report.pdf"} and not (folder / "report.pdf").exists()
    assert not (tmp_path / "out" / "index.html").exists()
    summary = (folder / "summary.md").read_text()
    assert "## With the plan" in summary and "would reach Platinum, 37 of 43" in summary
    assert "With the plan" in (folder / "report.html").read_text()


def test_the_plan_section_names_band_disagreements_and_leaves_out_steps_already_done(tmp_path, standard):
    rows = [["DM1", "Yes"], ["DM2", "No"], ["DM3", "No"]]  # DM1 is already met; 31 - 2 = 29 of 43
    base, plan = (
        city_context("Scottsdale"),
        load_plan(write_csv(tmp_path / "p.csv", ["criterion", "status"], rows), standard),
    )
    assert base.plan_section(plan)["after"]["criteria_met"] == 29
    text = plan_markdown(base, plan)
    assert "the published readings of the bands disagree" in text and "29 of 43 met" in text
    assert "Already as planned, so not listed: DM1." in text and "| DM1 |" not in text
    assert "(2 changes, 1 already as planned)" in text and "| DM2 | Yes → No |" in text


def test_a_plan_names_its_city_and_is_refused_for_another(tmp_path, standard, capsys):
    rows = [["Scottsdale", 2023, "DM8", "Yes", "", "", ""]]
    mine = write_csv(tmp_path / "mine.csv", ["city", "year", *HEADER], rows)
    plan = load_plan(mine, standard)
    assert (plan.city, plan.year) == ("Scottsdale", 2023) and plan.is_for("scottsdale", 2023)
    assert main(["whatif", "--city", "Carlsbad", "--plan", str(mine)]) == 2
    assert "this plan was made for Scottsdale 2023, not Carlsbad 2023" in capsys.readouterr().err
    assert sentences_of(city_context("Scottsdale").plan_section(plan))[0].startswith("With the plan (1 change)")


def sentences_of(section: dict) -> list[str]:
    return plan_sentences(section, city_context("Scottsdale").standard)
