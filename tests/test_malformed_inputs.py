"""Every file in the malformed-input corpus gets one clear line naming file, row and value, and exit 2.

The corpus (tests/malformed/, written by build_corpus.py, with cases.csv saying what each file must
report) holds the files a city might really send: wrong encodings, Excel quirks, HTML saved as .csv,
a stray NUL byte or terminal escape. Inputs built to exhaust the machine are in test_input_limits.py.
"""

import csv
from pathlib import Path

import pytest

from wwc_analysis.cli import main

CORPUS = Path(__file__).resolve().parent / "malformed"
CASES = list(csv.DictReader((CORPUS / "cases.csv").open(encoding="utf-8")))


def test_corpus_is_large_enough_and_matches_its_folder():
    assert len(CASES) >= 40
    assert {c["file"] for c in CASES} == {p.name for p in CORPUS.iterdir() if p.is_file()} - {
        "cases.csv",
        "build_corpus.py",
    }


def one_line(captured, path: Path, case: dict) -> str:
    """The one error line, checked: it names the file, the row and the value the case says."""
    assert captured.out == ""
    err = captured.err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"wwc: error: {path}"), err
    assert "\x1b" not in err and "\x00" not in err, err
    if case["row"]:
        assert f": row {case['row']}: " in err, err
    assert case["message"] in err, err
    if case["value"]:
        assert f"'{case['value']}" in err, err
    return err


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_malformed_input_gets_one_clear_line(case, capsys):
    path = CORPUS / case["file"]
    assert main(["validate", str(path)]) == 2
    one_line(capsys.readouterr(), path, case)


@pytest.mark.parametrize(
    "name", ["escape_in_city.csv", "nul_after_4kb.csv", "title_above_header.xlsx", "utf16_bom_bad_status.csv"]
)
def test_score_refuses_as_validate_does(name, capsys):
    case = next(c for c in CASES if c["file"] == name)
    assert main(["score", str(CORPUS / name)]) == 2
    one_line(capsys.readouterr(), CORPUS / name, case)


def test_outcome_cases_are_refused_as_outcomes_by_score(capsys):
    from conftest import RAW

    case = next(c for c in CASES if c["file"] == "outcome_contradiction.csv")
    path = CORPUS / case["file"]
    assert main(["score", str(RAW / "responses" / "scottsdale_2023.csv"), "--outcomes", str(path)]) == 2
    one_line(capsys.readouterr(), path, case)


def test_debug_shows_the_traceback():
    from wwc_analysis.errors import InputError

    with pytest.raises(InputError):
        main(["--debug", "validate", str(CORPUS / "number_as_status.csv")])


def test_huge_file_is_refused_before_reading(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WWC_MAX_INPUT_MB", "1")
    path = tmp_path / "huge.csv"
    with path.open("w") as fh:
        fh.write("city,year,criterion,status\n")
        fh.write("Testville,2023,DM1,Yes\n" * 60_000)
    assert main(["validate", str(path)]) == 2
    assert "file is too large (1 MB; the limit is 1 MB" in capsys.readouterr().err


def test_score_and_batch_refuse_bad_files_the_same_way(capsys, tmp_path):
    bad = str(CORPUS / "really_html.csv")
    assert main(["score", bad]) == 2
    assert main(["batch", bad, "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("looks like HTML or XML" in line for line in err)
    assert not (tmp_path / "out").exists()
