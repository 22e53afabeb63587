"""Loading responses and outcomes: spellings, formats, and every kind of bad input."""

import pandas as pd
import pytest
from conftest import write_csv

from wwc_analysis.rules import status as st
from wwc_analysis.errors import InputError
from wwc_analysis.io.outcomes import load_outcomes
from wwc_analysis.io.responses import load_responses

HEADER = ["city", "criterion", "status"]


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("Yes", st.YES),
        ("yes", st.YES),
        ("Y", st.YES),
        (" YES ", st.YES),
        ("In Progress*", st.IN_PROGRESS),
        ("in progress", st.IN_PROGRESS),
        ("IN PROGRESS", st.IN_PROGRESS),
        ("in-progress", st.IN_PROGRESS),
        ("No", st.NO),
        ("n", st.NO),
        ("", st.UNKNOWN),
    ],
)
def test_status_spellings(tmp_path, standard, spelling, code):
    path = write_csv(tmp_path / "r.csv", HEADER, [["A", "DM1", spelling]])
    assert load_responses(path, standard)["status"].tolist() == [code]


def test_excel_loads_like_csv(tmp_path, standard):
    frame = pd.DataFrame(
        {"city": ["A", "A"], "criterion": ["dm1", "LC1"], "status": ["Yes", "In Progress*"], "year": [2023, 2023]}
    )
    frame.to_excel(tmp_path / "r.xlsx", index=False)
    loaded = load_responses(tmp_path / "r.xlsx", standard)
    assert loaded["criterion"].tolist() == ["DM1", "LC1"]
    assert loaded["status"].tolist() == [st.YES, st.IN_PROGRESS]
    assert loaded["year"].tolist() == [2023, 2023]


def test_optional_columns(tmp_path, standard):
    path = write_csv(
        tmp_path / "r.csv",
        ["city", "year", "criterion", "self_assessed", "status", "audit_note"],
        [["A", 2023, "DM8", "Yes", "In Progress*", "changed by the audit"]],
    )
    row = load_responses(path, standard).iloc[0]
    assert (row["self_assessed"], row["status"], row["audit_note"]) == (st.YES, st.IN_PROGRESS, "changed by the audit")


def test_an_earlier_files_bad_row_is_reported_before_a_later_file_that_cannot_be_read(tmp_path, standard):
    bad = write_csv(tmp_path / "bad.csv", HEADER, [["A", "DM1", "Yes"], ["A", "DM2", "Maybe"]])
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("city,criterion,status\nB,DM1,Yes,extra,cells\n", encoding="utf-8")
    for later in (tmp_path / "missing.csv", ragged):
        with pytest.raises(InputError, match=r"bad.csv: row 3: 'status' is not a status"):
            load_responses([bad, later], standard)
    with pytest.raises(InputError, match="missing.csv: file not found"):
        load_responses([write_csv(tmp_path / "good.csv", HEADER, [["A", "DM1", "Yes"]]), tmp_path / "missing.csv"])
    bad_value = write_csv(tmp_path / "o.csv", ["city", "metric", "value"], [["A", "broadband", "abc"]])
    with pytest.raises(InputError, match=r"o.csv: row 2: 'value' must be a number"):
        load_outcomes([bad_value, tmp_path / "missing.csv"], standard)


def error_text(exc_info) -> str:
    return str(exc_info.value)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["A", "DM99", "Yes"]], "r.csv: row 2: unknown criterion code (edition 2022 has DM1..SI3): 'DM99'"),
        (
            [["A", "DM1", "Yes"], ["A", "DM2", "Maybe"]],
            "r.csv: row 3: 'status' is not a status (use Yes, In Progress, No or leave blank): 'Maybe'",
        ),
        (
            [["A", "DM1", "Yes"], ["A", "DM1", "No"]],
            "row 3: DM1 for A 2023 is listed twice with different statuses (Yes at",
        ),
        ([["A", "DM1", "Yes"], ["", "DM2", "Yes"]], "r.csv: row 3: city is blank: ''"),
    ],
)
def test_bad_cells_name_file_row_and_value(tmp_path, standard, rows, expected):
    path = write_csv(tmp_path / "r.csv", HEADER, rows)
    with pytest.raises(InputError) as exc:
        load_responses(path, standard)
    assert expected in error_text(exc)
    assert "\n" not in error_text(exc)


def test_missing_column(tmp_path, standard):
    path = write_csv(tmp_path / "r.csv", ["city", "criterion"], [["A", "DM1"]])
    with pytest.raises(InputError) as exc:
        load_responses(path, standard)
    assert error_text(exc) == f"{path}: row 1: missing column 'status' (found: city, criterion): 'status'"


def test_empty_file(tmp_path, standard):
    path = tmp_path / "r.csv"
    path.write_text("")
    with pytest.raises(InputError) as exc:
        load_responses(path, standard)
    assert error_text(exc) == f"{path}: file is empty"


def test_header_only(tmp_path, standard):
    path = write_csv(tmp_path / "r.csv", HEADER, [])
    with pytest.raises(InputError, match="row 1: table has a header but no rows"):
        load_responses(path, standard)


def test_not_a_table(tmp_path, standard):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    with pytest.raises(InputError) as exc:
        load_responses(path, standard)
    assert error_text(exc) == f"{path}: not a text table (binary content)"


def test_file_not_found(tmp_path, standard):
    with pytest.raises(InputError, match="file not found"):
        load_responses(tmp_path / "nope.csv", standard)


def test_outcomes_are_judged_against_the_standard(tmp_path, standard):
    path = write_csv(
        tmp_path / "o.csv",
        ["city", "metric", "value", "target", "direction", "met"],
        [
            ["A", "broadband", "74.9", "", "", ""],
            ["A", "pm25", "10", "", "", ""],
            ["A", "nominated", "12", "10", "<=", ""],
            ["B", "broadband", "75%", "", "", ""],
            ["B", "nominated", "", "", "", "yes"],
        ],
    )
    frame = load_outcomes(path, standard)
    assert frame["met"].tolist() == [False, True, False, True, True]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["A", "broadband", "-5", ""], "row 2: broadband value outside the possible range 0..100 %: '-5'"),
        (["A", "pm25", "lots", ""], "row 2: 'value' must be a number: 'lots'"),
        (["A", "noise", "3", ""], "row 2: unknown outcome metric (use broadband, pm25, nominated): 'noise'"),
        (
            ["A", "nominated", "3", ""],
            "row 2: nominated needs a target and a direction (>= or <=), or a 'met' of yes/no",
        ),
        (["A", "broadband", "60", "yes"], "row 2: 'met' says yes but 60 >= 75 says no"),
    ],
)
def test_bad_outcomes(tmp_path, standard, row, expected):
    path = write_csv(tmp_path / "o.csv", ["city", "metric", "value", "met"], [row])
    with pytest.raises(InputError) as exc:
        load_outcomes(path, standard)
    assert expected in error_text(exc)
