"""The situations real cities' data bring: unknown answers, chosen peers, published tiers,
several assessment years, names typed two ways, Excel percentages, papermill string parameters.

Each test starts from one of the situations reported against the workbench and checks the
right result, through the command line where a user would meet it.
"""

from __future__ import annotations

import json
import math

import pytest
from conftest import GOLDEN, RAW, write_csv
from openpyxl import Workbook

from wwc_analysis.cli import main
from wwc_analysis.errors import InputError
from wwc_analysis.io.inputs import as_paths, city_context
from wwc_analysis.io.outcomes import load_outcomes
from wwc_analysis.io.slugs import slugify
from wwc_analysis.reports.notebook_libs import load_jsonschema

SCOTTSDALE = RAW / "responses" / "scottsdale_2023.csv"


def run_json(capsys, *args) -> object:
    assert main([*args, "--format", "json"]) == 0
    text = capsys.readouterr().out
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"not standard JSON: {c}"))


def test_a_named_cohort_never_holds_the_city_itself(capsys):
    out = run_json(capsys, "gaps", "--city", "Scottsdale", "--cohort", "cities:Scottsdale;Carlsbad")
    assert out["cohort"] == "named cities, 1 city"
    assert out["notes"] == ["Scottsdale was left out of the named cities: a city is not compared with itself."]
    assert {c["peers"] for c in out["criteria"]} <= {0, 1}


def test_peer_shares_expected_counts_and_z_scores_share_one_denominator(capsys):
    out = run_json(capsys, "gaps", "--city", "Scottsdale", "--cohort", "cities:Carlsbad")
    dm = next(p for p in out["practices"] if p["practice"] == "DM")
    assert (dm["compared"], dm["expected_met"], dm["peer_share"]) == (4, 4.0, 1.0)
    assert dm["z_score"] is None  # every peer meets them all: no spread, no score
    od = next(p for p in out["practices"] if p["practice"] == "OD")
    assert od["share_met"] is None and od["peer_share"] is None and od["ratio"] is None


def test_carlsbad_is_silver_as_published_and_never_zero_where_unknown(capsys):
    rec = next(r for r in run_json(capsys, "score") if r["city"] == "Carlsbad")
    assert rec["tier"] == "Silver" and rec["published_tier"] == "Silver"
    assert rec["tier_range"] == ["Silver", "Silver"] and rec["answers_range"] == [None, "Platinum"]
    assert rec["practices"]["OD"] is None and rec["practices"]["EVAL"] is None and rec["practices"]["RDC"] is None
    assert rec["practices_unknown"]["OD"] == 4
    assert rec["self_assessed"] is None
    assert main(["score", "--format", "csv"]) == 0
    carlsbad = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Carlsbad"))
    assert ",Silver,Silver,Silver,Silver,False,,," in carlsbad  # no self-assessed figures
    assert main(["score"]) == 0
    table = capsys.readouterr().out
    assert "Silver (published)" in table and " 0%" not in table


def test_carlsbad_opportunities_start_above_the_gold_announced_since(capsys):
    opp = run_json(capsys, "opportunities", "--city", "Carlsbad")
    assert opp["tier"] == "Silver" and opp["beyond_announced"] == "Gold" and opp["next_tier"] == "Platinum"
    assert [s["tier"] for s in opp["steps"]] == ["Platinum"]
    assert opp["summary"][0].startswith("The program has since announced Gold (June 2024)")
    assert "than the 17 known to be met" in opp["summary"][1]


def test_whatif_sentences(capsys):
    assert main(["whatif", "--city", "Scottsdale", "--set", "DM1=No"]) == 0
    out = capsys.readouterr().out
    assert "nan" not in out and "no tier" in out and "DM1 (not met)" in out and "DM1 of DM1" not in out
    assert main(["whatif", "--city", "Scottsdale", "--set", "DM2="]) == 0
    out = capsys.readouterr().out
    assert "from Gold to Gold" not in out and "Gold whatever the answers turn out to be" in out


def test_a_two_row_file_gives_a_real_range(tmp_path, capsys):
    path = write_csv(
        tmp_path / "two.csv", ["city", "criterion", "status"], [["Tiny", "DM1", "Yes"], ["Tiny", "LC1", "Yes"]]
    )
    assert main(["score", str(path)]) == 0
    out = capsys.readouterr().out
    assert "from no tier to no tier" not in out and "anything from no tier to Platinum" in out


def test_opportunities_without_outcomes_say_what_is_needed(capsys):
    assert main(["opportunities", str(SCOTTSDALE), "--city", "Scottsdale"]) == 0
    out = capsys.readouterr().out
    assert "needs 0 more" not in out and "Shortest path: ." not in out and "1 outcome metrics" not in out


def test_summary_differences_add_up():
    summary = (GOLDEN / "summary.md").read_text()  # as a fresh report writes it (tests/test_reports.py)
    assert "| Leadership & Capacity | 86% | 44% | +42 points |" in summary


def two_years(tmp_path):
    rows = []
    for line in SCOTTSDALE.read_text().splitlines()[1:]:
        city, year, code, self_assessed, status = line.split(",")[:5]
        rows.append(["Scottsdale", 2023, code, status])
        later = "Yes" if code in ("DM8", "SI1", "RDC1") else ("No" if code == "DM3" else status)
        rows.append(["Scottsdale", 2024, code, later])
    return write_csv(tmp_path / "two_years.csv", ["city", "year", "criterion", "status"], rows)


def test_progress_lists_exactly_what_was_gained_and_lost(tmp_path, capsys, no_pdf):
    path = two_years(tmp_path)
    outcomes = write_csv(
        tmp_path / "outcomes.csv",
        ["city", "metric", "value", "met"],  # no year: every year
        [["Scottsdale", "broadband", 89, ""], ["Scottsdale", "pm25", 7.21, ""], ["Scottsdale", "nominated", "", "no"]],
    )
    out = run_json(capsys, "progress", str(path), "--outcomes", str(outcomes), "--city", "Scottsdale")["assessments"]
    assert [r["year"] for r in out] == [2023, 2024]
    assert out[1]["gained"] == ["DM8", "RDC1", "SI1"] and out[1]["lost"] == ["DM3"]
    assert out[1]["met_change"] == 2 and out[1]["tier_change"] == "unchanged at Gold"
    args = [str(path), "--outcomes", str(outcomes), "--city", "Scottsdale"]
    assert run_json(capsys, "gaps", *args, "--year", "2023")["year"] == 2023  # an earlier year when asked
    assert main(["report", *args, "--out", str(tmp_path / "late")]) == 0
    assert "Scottsdale 2024: Gold;" in capsys.readouterr().out  # published for 2023 only
    summary = (tmp_path / "late" / "scottsdale" / "summary.md").read_text()
    assert "## The city's story" in summary and "gained DM8, RDC1 and SI1; lost DM3" in summary
    assert (tmp_path / "late" / "scottsdale" / "progress.png").is_file()


def test_an_earlier_year_is_compared_with_the_nearest_published_shares(tmp_path):
    path = write_csv(tmp_path / "old.csv", ["city", "year", "criterion", "status"], [["Oldtown", 2021, "DM1", "Yes"]])
    ctx = city_context("Oldtown", responses=[path])
    assert ctx.cohort.label == "all applicant cities, 2023"
    assert ctx.cohort.notes == ("No shares are published for 2021; those of 2023, the nearest year, are used.",)
    sized = city_context("Oldtown", cohort="published:size", responses=[path]).cohort
    assert sized.empty and "no peer comparison" in sized.notes[0]


def test_names_that_differ_in_case_or_spacing_are_one_city(tmp_path):
    path = write_csv(
        tmp_path / "sd.csv", ["city", "criterion", "status"], [["San Diego", "DM1", "Yes"], ["san  diego", "DM2", "No"]]
    )
    ctx = city_context("SAN DIEGO", responses=[path])
    assert ctx.score["criteria_met"] == 1 and ctx.score["criteria_unknown"] == 41
    assert slugify("San Diego") == slugify("San  Diego") != slugify("San-Diego")
    clash = write_csv(
        tmp_path / "clash.csv",
        ["city", "criterion", "status"],
        [["San Diego", "DM1", "Yes"], ["San  Diego", "DM1", "No"]],
    )
    with pytest.raises(InputError, match="listed twice with different statuses"):
        city_context("San Diego", responses=[clash])


@pytest.mark.parametrize("typed, expected", [("80%", 80.0), ("80", 80.0), ("0.8", 80.0), ("0.75", 75.0)])
def test_shares_the_way_people_type_them(tmp_path, typed, expected):
    path = write_csv(tmp_path / "o.csv", ["city", "metric", "value"], [["A", "broadband", typed]])
    row = load_outcomes(path).iloc[0]
    assert math.isclose(row["value"], expected) and bool(row["met"])


def test_an_ambiguous_share_is_refused(tmp_path):
    path = write_csv(tmp_path / "o.csv", ["city", "metric", "value"], [["A", "broadband", "1"]])
    with pytest.raises(InputError, match=r"o.csv: row 2: a share of 1 is ambiguous"):
        load_outcomes(path)


def test_an_excel_percentage_cell_and_validate_reads_every_sheet(tmp_path, capsys):
    book = Workbook()
    responses = book.active
    responses.title = "responses"
    responses.append(["city", "criterion", "status"])
    responses.append(["Tempe", "DM1", "Yes"])
    outcomes = book.create_sheet("outcomes")
    outcomes.append(["city", "metric", "value"])
    outcomes.append(["Tempe", "broadband", 0.8])
    outcomes["C2"].number_format = "0%"
    outcomes.append(["Tempe", "pm25", -3])
    path = tmp_path / "tempe.xlsx"
    book.save(path)
    assert main(["validate", str(path)]) == 2
    assert "tempe.xlsx[outcomes]: row 3: pm25 value outside the possible range" in capsys.readouterr().err
    outcomes["C3"].value = 7
    book.save(path)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "[responses]: ok" in out and "[outcomes]: ok, 2 outcome values" in out
    assert bool(load_outcomes(path).set_index("metric").loc["broadband", "met"])


def test_a_single_path_parameter_is_one_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert as_paths("my.csv") == [tmp_path / "my.csv"]
    assert as_paths(["a.csv", "b.csv"]) == [tmp_path / "a.csv", tmp_path / "b.csv"]
    assert as_paths("") == [] and as_paths(None) == []


def test_papermill_with_a_string_parameter_runs(tmp_path, monkeypatch):
    """`papermill ... -p responses mine.csv`, as a scheduler runs it: one string, relative to the working folder."""
    load_jsonschema()  # before papermill imports nbformat (see notebook_libs)
    papermill = pytest.importorskip("papermill")
    data = tmp_path / "mine.csv"
    data.write_bytes(SCOTTSDALE.read_bytes())
    monkeypatch.chdir(tmp_path)
    notebook = RAW.parents[1] / "notebooks" / "explore.ipynb"
    papermill.execute_notebook(
        str(notebook), "out.ipynb", parameters={"responses": "mine.csv"}, kernel_name="python3", progress_bar=False
    )
    assert "31" in (tmp_path / "out.ipynb").read_text()


def test_the_sample_cron_line_creates_its_log_folder():
    line = next(
        ln
        for ln in (RAW.parents[1] / "deploy" / "crontab.example").read_text().splitlines()
        if ln and not ln.startswith("#")
    )
    command = line.split(None, 5)[5]
    steps = [s.strip() for s in command.split("&&")]
    assert steps.index("mkdir -p logs") < next(i for i, s in enumerate(steps) if "logs/" in s)
    assert any(s.startswith("make") and "setup" in s for s in steps)  # a clean clone has no .venv yet


def test_a_report_on_an_earlier_year_is_written_with_the_default_cohort(tmp_path, capsys, no_pdf, standard):
    rows = [
        ["Oldtown", year, code, "Yes" if i < 30 else "No"]
        for year in (2021, 2023)
        for i, code in enumerate(standard.codes)
    ]
    path = write_csv(tmp_path / "old.csv", ["city", "year", "criterion", "status"], rows)
    assert main(["report", str(path), "--city", "Oldtown", "--year", "2021", "--out", str(tmp_path / "out")]) == 0
    assert "Oldtown 2021:" in capsys.readouterr().out
    summary = (tmp_path / "out" / "oldtown" / "summary.md").read_text()
    assert "No shares are published for 2021; those of 2023, the nearest year, are used." in summary


def test_the_overviews_landscape_counts_every_announcement_in_the_record():
    """The history chart's numbers and the certified-cities table agree with the raw record, read here with csv."""
    import csv
    from collections import Counter

    from wwc_analysis.reports.overview import build_overview, certified_cities, landscape_counts

    with open(RAW / "cities" / "certification_history.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ov = build_overview()
    counts = landscape_counts(ov).set_index("Announced")
    expected = Counter((int(r["announced"][:4]), r["tier"] or "tier not published") for r in rows)
    for (year, tier), n in expected.items():
        assert counts.loc[year, tier] == n, (year, tier)
    assert counts[["Silver", "Gold", "Platinum", "tier not published"]].to_numpy().sum() == len(rows)
    moved_up = Counter(int(r["announced"][:4]) for r in rows if r["event"] == "moved up")
    assert counts["moved up"].to_dict() == {y: moved_up.get(y, 0) for y in counts.index}
    certified = certified_cities(ov)
    assert len(certified) == len({r["city"].casefold() for r in rows if r["tier"]})
    assert certified.set_index("City").loc["Tempe", "Latest tier"] == "Platinum"
