"""Every file in the malformed-input corpus gets one clear line naming file, row and value, and exit 2."""

import csv
from pathlib import Path

import pytest

from wwc_analysis.cli import main

CORPUS = Path(__file__).resolve().parent / "malformed"
CASES = list(csv.DictReader((CORPUS / "cases.csv").open(encoding="utf-8")))


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert {c["file"] for c in CASES} == {p.name for p in CORPUS.iterdir()} - {"cases.csv", "build_corpus.py"}


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_malformed_input_gets_one_clear_line(case, capsys):
    path = CORPUS / case["file"]
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"wwc: error: {path}"), err
    if case["row"]:
        assert f": row {case['row']}: " in err, err
    assert case["message"] in err, err
    if case["value"]:
        assert f"'{case['value']}" in err, err


def test_debug_shows_the_traceback(capsys):
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
