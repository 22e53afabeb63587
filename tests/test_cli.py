"""The `wwc` command line: exit codes, one-line errors, and the score formats."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT, score_csv, write_csv

from wwc_analysis.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wwc_analysis.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_score_json_for_the_bundled_data():
    proc = run("score", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    records = {r["city"]: r for r in json.loads(proc.stdout)}
    s = records["Scottsdale"]
    for key in (
        "city",
        "criteria_met",
        "criteria_total",
        "share_met",
        "practices",
        "core_met",
        "missing_core",
        "outcomes_met",
        "tier",
        "reasons",
        "tier_range",
    ):
        assert key in s
    assert (s["criteria_met"], s["tier"], s["self_assessed"]["criteria_met"]) == (31, "Gold", 35)
    assert records["Carlsbad"]["tier_range"] == ["Silver", "Silver"]  # published, within what the answers allow


def test_score_table_and_csv(capsys):
    assert main(["score", "--city", "scottsdale"]) == 0
    out = capsys.readouterr().out
    assert "Scottsdale" in out and "31/43" in out and "Gold" in out and "Carlsbad" not in out
    assert main(["score", "--format", "csv", "--city", "Scottsdale"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("city,year,criteria_met,criteria_unknown,criteria_total,share_met,DM,EVAL")
    assert lines[1].startswith("Scottsdale,2023,31,0,43,0.7209,0.8889,0.75,0.8571,1.0,0.8,0.6667,0.25,0.6667")


def test_score_csv_goes_to_stdout_as_utf8_bytes(capfd):
    assert main(["score", "--city", "Scottsdale", "--format", "csv"]) == 0
    out = capfd.readouterr().out
    assert out.startswith("city,year,criteria_met") and "\nScottsdale,2023,31," in out


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    path = write_csv(tmp_path / "r.csv", ["city", "criterion", "status"], [["A", "DM1", "Maybe"]])
    proc = run("validate", str(path))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "r.csv: row 2:" in proc.stderr and "'Maybe'" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run("score", str(path))
    assert proc.returncode == 2 and proc.stdout == ""


def test_validate_ok_files(capsys):
    assert (
        main(
            [
                "validate",
                str(ROOT / "data/raw/responses/scottsdale_2023.csv"),
                str(ROOT / "data/raw/outcomes/scottsdale_2023.csv"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "scottsdale_2023.csv: ok, 43 responses for 1 city (Scottsdale)" in out
    assert "ok, 3 outcome values for 1 city" in out


def test_unknown_city_is_an_error_for_every_command_that_takes_one(capsys):
    for command in ("score", "gaps", "opportunities", "whatif", "progress", "report"):
        extra = ["--set", "DM1=Yes"] if command == "whatif" else []
        assert main([command, "--city", "Atlantis", *extra]) == 2, command
        assert "--city: no" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["gaps", "opportunities", "whatif", "progress", "report"])
def test_the_city_is_required_where_a_command_is_about_one_city(command):
    proc = run(command)
    assert proc.returncode == 2 and "the following arguments are required: --city" in proc.stderr


def test_version():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("wwc-analysis ")


def test_the_command_line_loads_no_benchmark_code():
    code = "import sys, wwc_analysis.cli, wwc_analysis.commands; print(sorted(m for m in sys.modules if 'bench' in m))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.strip() == "[]"


def test_gaps_json_for_scottsdale(capsys):
    from wwc_analysis.cli import main

    assert main(["gaps", "--city", "scottsdale", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["city"] == "Scottsdale" and out["cohort"] == "all applicant cities, 2023"
    od = next(p for p in out["practices"] if p["practice"] == "OD")
    assert (od["share_met"], od["peer_share"], od["difference"]) == (1.0, 0.505, 0.495)
    assert [r["criterion"] for r in out["audit_risk"] if "audit changed" in r["risk"]] == ["DM8", "RDC5", "RDC6", "SI1"]


def test_opportunities_json_holds_the_promised_keys(capsys):
    from wwc_analysis.cli import main

    assert main(["opportunities", "--city", "Scottsdale", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["next_tier"] == "Platinum" and out["criteria_needed"] == 6
    assert out["missing_core"] == [] and out["outcomes_needed"] == 1
    assert [p["criterion"] for p in out["shortlist"]][:1] == ["DM8"]
    assert all(p["reason"] for p in out["shortlist"])


def test_whatif_and_simulate_commands(capsys, tmp_path):
    from wwc_analysis.cli import main

    args = ["whatif", "--city", "Scottsdale", "--set", "DM8=Yes, SI1=Yes", "--set", "RDC1=Yes", "--format", "json"]
    assert main(args) == 0
    before, after = json.loads(capsys.readouterr().out)
    assert (before["criteria_met"], after["criteria_met"]) == (31, 34)
    assert after["changes"] == ["DM8: In Progress → Yes", "SI1: In Progress → Yes", "RDC1: In Progress → Yes"]
    assert main(["simulate", "--cities", "3", "--seed", "2", "--out", str(tmp_path / "sim")]) == 0
    assert "simulated" in capsys.readouterr().out
    assert score_csv(tmp_path / "sim", capsys).count("Simulated city 00") == 3
    assert main(["gaps", "--city", "Atlantis"]) == 2
    assert "--city: no assessment of this city is loaded" in capsys.readouterr().err


def test_progress_names_no_tier_in_every_format(tmp_path, capsys):
    """A loaded assessment that reaches no tier says so; the mark for unknown is never used for it."""
    path = write_csv(
        tmp_path / "two_years.csv",
        ["city", "year", "criterion", "status"],
        [["Zilch", 2022, "DM1", "Yes"], ["Zilch", 2023, "DM1", "No"]],
    )
    assert main(["progress", str(path), "--city", "Zilch"]) == 0
    table = capsys.readouterr().out.split("\n\n")[0].splitlines()
    assert all("no tier" in row and "?" not in row for row in table[1:]) and len(table) == 3
    assert main(["progress", str(path), "--city", "Zilch", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(",")[-2] == "tier" and [line.split(",")[-2] for line in lines[1:]] == ["none", "none"]
    assert main(["progress", str(path), "--city", "Zilch", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["tier"] for r in data["timeline"]] == ["none", "none"]
    assert [r["tier"] for r in data["assessments"]] == ["none", "none"]
