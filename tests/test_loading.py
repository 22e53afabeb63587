"""Loading responses and outcomes: spellings, formats (CSV, TSV, Excel, Parquet, the store), and bad input.

Every bad file is refused with one line naming the file, the row (as a person counts it: the header
is row 1) and the value. Limits on size, and inputs built to exhaust the machine, are in
test_input_limits.py; the corpus of everyday malformed files in test_malformed_inputs.py.
"""

import hashlib
import json

import pandas as pd
import pytest
from conftest import RAW, write_csv
from openpyxl import Workbook

from wwc_analysis.errors import InputError
from wwc_analysis.io import store
from wwc_analysis.io.outcomes import load_outcomes
from wwc_analysis.io.responses import load_responses
from wwc_analysis.io.tables import read_table, table_from_frame
from wwc_analysis.rules import status as st

HEADER = ["city", "criterion", "status"]
SCOTTSDALE = RAW / "responses" / "scottsdale_2023.csv"


def refused(load, path, standard) -> str:
    """The one-line message `load` refuses `path` with."""
    with pytest.raises(InputError) as exc:
        load(path, standard)
    text = str(exc.value)
    assert "\n" not in text
    return text


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
        ("In_Progress", st.IN_PROGRESS),
        ("No", st.NO),
        ("n", st.NO),
        ("unknown", st.UNKNOWN),
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
    frame.to_csv(tmp_path / "r.csv", index=False)
    from_excel, from_csv = load_responses(tmp_path / "r.xlsx", standard), load_responses(tmp_path / "r.csv", standard)
    assert from_excel["criterion"].tolist() == ["DM1", "LC1"]
    assert from_excel["status"].tolist() == [st.YES, st.IN_PROGRESS]
    assert from_excel["year"].tolist() == [2023, 2023]
    columns = ["city", "year", "criterion", "status", "self_assessed", "audit_note", "source_row"]
    pd.testing.assert_frame_equal(from_excel[columns].astype(str), from_csv[columns].astype(str))


def test_excel_cells_read_as_excel_shows_them(tmp_path, standard):
    book = Workbook()
    ws = book.active
    ws.title = "outcomes"
    ws.append(["city", "year", "metric", "value"])
    ws.append(["A", 2023.0, "broadband", 0.8])
    ws["D2"].number_format = "0%"
    ws.append(["A", 2023, "pm25", 7.25])
    book.save(tmp_path / "o.xlsx")
    table = read_table(tmp_path / "o.xlsx", ("city", "metric", "value"))
    assert table.column("value").astype(str).tolist() == ["80%", "7.25"]
    assert table.column("year").astype(str).tolist() == ["2023", "2023"]
    frame = load_outcomes(tmp_path / "o.xlsx", standard)
    assert frame["value"].tolist() == [80.0, 7.25] and frame["met"].tolist() == [True, True]


def test_tab_and_semicolon_separated_files(tmp_path, standard):
    (tmp_path / "r.tsv").write_text("city\tcriterion\tstatus\nA\tDM1\tYes\n", encoding="utf-8")
    (tmp_path / "r.csv").write_text("city;criterion;status\nA;DM1;No\n", encoding="utf-8")
    assert load_responses(tmp_path / "r.tsv", standard)["status"].tolist() == [st.YES]
    assert load_responses(tmp_path / "r.csv", standard)["status"].tolist() == [st.NO]


def test_utf16_files_load_and_name_their_rows(tmp_path, standard):
    path = tmp_path / "r.csv"
    path.write_text("city,criterion,status\nSão Paulo,DM1,Yes\nSão Paulo,DM2,Maybe\n", encoding="utf-16")
    assert "r.csv: row 3: 'status' is not a status" in refused(load_responses, path, standard)
    path.write_text("city,criterion,status\nSão Paulo,DM1,Yes\n", encoding="utf-16")
    assert load_responses(path, standard)["city"].tolist() == ["São Paulo"]


def test_optional_columns(tmp_path, standard):
    path = write_csv(
        tmp_path / "r.csv",
        ["city", "year", "criterion", "self_assessed", "status", "audit_note", "department"],
        [["A", 2023, "DM8", "Yes", "In Progress*", "changed by the audit", "IT"]],
    )
    row = load_responses(path, standard).iloc[0]
    assert (row["self_assessed"], row["status"], row["audit_note"]) == (st.YES, st.IN_PROGRESS, "changed by the audit")
    assert row["department"] == "IT"


def test_an_earlier_files_bad_row_is_reported_before_a_later_file_that_cannot_be_read(tmp_path, standard):
    bad = write_csv(tmp_path / "bad.csv", HEADER, [["A", "DM1", "Yes"], ["A", "DM2", "Maybe"]])
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("city,criterion,status\nB,DM1,Yes,extra,cells\n", encoding="utf-8")
    html = tmp_path / "page.csv"
    html.write_text("<!DOCTYPE html><html></html>", encoding="utf-8")
    broken_book = tmp_path / "broken.xlsx"
    broken_book.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    for later in (tmp_path / "missing.csv", ragged, html, broken_book):
        with pytest.raises(InputError, match=r"bad.csv: row 3: 'status' is not a status"):
            load_responses([bad, later], standard)
    with pytest.raises(InputError, match="missing.csv: file not found"):
        load_responses([write_csv(tmp_path / "good.csv", HEADER, [["A", "DM1", "Yes"]]), tmp_path / "missing.csv"])
    bad_value = write_csv(tmp_path / "o.csv", ["city", "metric", "value"], [["A", "broadband", "abc"]])
    with pytest.raises(InputError, match=r"o.csv: row 2: 'value' must be a number"):
        load_outcomes([bad_value, tmp_path / "missing.csv"], standard)


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
        ([["A", "DM1", "Yes"], ["A"]], "r.csv: row 3: unknown criterion code (edition 2022 has DM1..SI3): ''"),
    ],
)
def test_bad_cells_name_file_row_and_value(tmp_path, standard, rows, expected):
    path = write_csv(tmp_path / "r.csv", HEADER, rows)
    assert expected in refused(load_responses, path, standard)


def test_a_short_row_reads_its_missing_cells_as_blank(tmp_path, standard):
    path = write_csv(tmp_path / "r.csv", HEADER, [["A", "DM1", "Yes"], ["A", "DM2"]])
    assert load_responses(path, standard)["status"].tolist() == [st.YES, st.UNKNOWN]


def test_line_numbers_count_line_breaks_inside_quoted_cells(tmp_path, standard):
    path = tmp_path / "r.csv"
    path.write_text(
        'city,criterion,status,audit_note\nA,DM1,Yes,"one\ntwo"\nA,DM2,No,"say ""hi""\n"\nA,DM3,Maybe,\n',
        encoding="utf-8",
    )
    assert "r.csv: row 6: 'status' is not a status" in refused(load_responses, path, standard)


def test_title_row_above_the_header(tmp_path, standard):
    path = tmp_path / "r.csv"
    path.write_text("Self-assessment for A\ncity,criterion,status\nA,DM1,Yes\n", encoding="utf-8")
    assert "r.csv: row 2: the header must be the first row; remove the 1 row(s) above it" in refused(
        load_responses, path, standard
    )
    book = Workbook()
    book.active.title = "responses"
    for row in (["Self-assessment for A"], [], HEADER, ["A", "DM1", "Yes"]):
        book.active.append(row)
    book.save(tmp_path / "r.xlsx")
    assert "r.xlsx[responses]: row 3: the header must be the first row" in refused(
        load_responses, tmp_path / "r.xlsx", standard
    )


def test_ragged_row(tmp_path, standard):
    path = tmp_path / "r.csv"
    path.write_text("city,criterion,status\nA,DM1,Yes\nA,DM2,No,extra,cells\n", encoding="utf-8")
    assert "r.csv: row 3: row has 5 fields, more than the header: 'A,DM2,No,extra,cells'" in refused(
        load_responses, path, standard
    )


def test_a_quote_never_closed_names_its_row(tmp_path, standard):
    path = tmp_path / "q.csv"
    path.write_text('city,criterion,status\nA,DM1,Yes\nB,"DM2,No\nC,DM3,Yes\n', encoding="utf-8")
    assert "q.csv: row 3: a quoted cell is never closed" in refused(load_responses, path, standard)


def test_missing_column(tmp_path, standard):
    path = write_csv(tmp_path / "r.csv", ["city", "criterion"], [["A", "DM1"]])
    assert refused(load_responses, path, standard) == (
        f"{path}: row 1: missing column 'status or self_assessed' (found: city, criterion): 'status or self_assessed'"
    )
    path = write_csv(tmp_path / "o.csv", ["city", "metric"], [["A", "pm25"]])
    assert "o.csv: row 1: missing column 'value' (found: city, metric)" in refused(load_outcomes, path, standard)


@pytest.mark.parametrize("content", [b"", b"   \n\n  \r\n", b",,,\n,,\n"])
def test_empty_files(tmp_path, standard, content):
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    assert refused(load_responses, path, standard) == f"{path}: file is empty"


def test_header_only(tmp_path, standard):
    path = write_csv(tmp_path / "r.csv", HEADER, [])
    assert "row 1: table has a header but no rows" in refused(load_responses, path, standard)


@pytest.mark.parametrize(
    "page", ["<!DOCTYPE html>\n<html><body>Sign in</body></html>", "\n  <html lang='en'>", "<?xml version='1.0'?><a/>"]
)
def test_html_instead_of_csv(tmp_path, standard, page):
    path = tmp_path / "r.csv"
    path.write_text(page, encoding="utf-8")
    assert f"{path}: row 1: looks like HTML or XML, not a CSV table" in refused(load_responses, path, standard)


def test_binary_and_other_encodings(tmp_path, standard):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    assert refused(load_responses, path, standard) == f"{path}: row 3: not a text table (binary content: a NUL byte)"
    path.write_bytes("city,criterion,status\nSão Paulo,DM1,Yes\n".encode("latin-1"))
    assert "row 2: not UTF-8 text (save the file as UTF-8 CSV): 'e3 6f 20 50'" in refused(
        load_responses, path, standard
    )


@pytest.mark.parametrize(
    ("name", "head"), [("r.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), ("r.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")]
)
def test_legacy_xls_is_refused(tmp_path, standard, name, head):
    path = tmp_path / name
    path.write_bytes(head + b"\x00" * 500)
    assert refused(load_responses, path, standard) == (
        f"{path}: legacy .xls workbooks are not read; save it as .xlsx or CSV"
    )


def test_file_not_found(tmp_path, standard):
    assert refused(load_responses, tmp_path / "nope.csv", standard) == f"{tmp_path / 'nope.csv'}: file not found"


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
    assert expected in refused(load_outcomes, path, standard)


# Parquet: the store's own files are taken as stored; any other is validated as a CSV file is.


@pytest.fixture
def stored(standard, tmp_path, monkeypatch):
    """Scottsdale's validated responses, written to a store of this test's own (a test below damages it):
    (frame, folder)."""
    monkeypatch.setenv("WWC_PROCESSED_DIR", str(tmp_path / "processed"))
    responses = load_responses([SCOTTSDALE], standard)
    return responses, store.write_store(responses, None, "2022")


def test_a_store_file_copied_out_of_its_folder_is_validated_and_reads_the_same(stored, standard, tmp_path):
    responses, folder = stored
    copy = tmp_path / "copy.parquet"
    copy.write_bytes((folder / "responses.parquet").read_bytes())
    loaded = load_responses(copy, standard)
    columns = ["city", "year", "criterion", "status", "self_assessed", "audit_note"]
    pd.testing.assert_frame_equal(loaded[columns].astype(str), responses[columns].astype(str))
    assert loaded["source_file"].iloc[0] == str(copy) and loaded["source_row"].iloc[0] == 2


def changed_copy(stored, tmp_path, change) -> str:
    """A copy of the stored Parquet file with `change` applied to its rows."""
    frame = pd.read_parquet(stored[1] / "responses.parquet").astype({"city": object, "criterion": object})
    frame = change(frame)
    path = tmp_path / "changed.parquet"
    frame.to_parquet(path, index=False)
    return path


def set_cell(row: int, column: str, value):
    def change(frame):
        frame.loc[row, column] = value
        return frame

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (set_cell(4, "status", 99), "row 6: 'status' is not a status (use Yes, In Progress, No or leave blank): '99'"),
        (set_cell(6, "city", None), "row 8: city is blank: ''"),
        (set_cell(2, "criterion", "ZZ9"), "row 4: unknown criterion code (edition 2022 has DM1..SI3): 'ZZ9'"),
        (lambda f: pd.concat([f, f.iloc[[7]]], ignore_index=True), "row 45: DM8 for Scottsdale 2023 is listed twice"),
        (lambda f: f.drop(columns=["criterion"]), "row 1: missing column 'criterion'"),
        (set_cell(3, "city", "Evil\x1b[2J"), "row 5: a cell holds a control character (such as a terminal escape)"),
    ],
)
def test_parquet_files_are_validated_like_csv(stored, standard, tmp_path, change, expected):
    path = changed_copy(stored, tmp_path, change)
    text = refused(load_responses, path, standard)
    assert text.startswith(f"{path}: ") and expected in text


def test_a_tampered_store_file_is_no_longer_trusted(stored, standard):
    responses, folder = stored
    target = folder / "responses.parquet"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["responses.parquet"]["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    frame = pd.read_parquet(target)
    frame["status"] = frame["status"].where(frame.index != 4, 99)
    frame.to_parquet(target, index=False)  # bytes changed after the store wrote them
    text = refused(load_responses, folder, standard)
    assert text.startswith(f"{target}: row 6: 'status' is not a status") and text.endswith(": '99'")
    (folder / "manifest.json").write_text("not json")  # a broken manifest vouches for nothing either
    assert "row 6" in refused(load_responses, folder, standard)


def test_table_from_frame_reads_any_types_as_text(standard):
    frame = pd.DataFrame(
        {"city": ["A", None, "A"], "year": pd.array([2023, 2023, None], dtype="Int64"), "criterion": ["DM1", 1, 2.5]}
    )
    table = table_from_frame(frame, "<frame>")
    assert table.column("city").astype(str).tolist() == ["A", "", "A"]
    assert table.column("year").astype(str).tolist() == ["2023", "2023", ""]
    assert table.column("criterion").astype(str).tolist() == ["DM1", "1", "2.5"]
    assert table.lines.tolist() == [2, 3, 4]
