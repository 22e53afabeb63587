"""No CSV or Excel file the workbench writes holds a live formula, whatever names and notes it was given.

A cell starting with '=', '+', '-' or '@' runs as a formula when a spreadsheet opens the file. Names
and notes starting so are fed through every writer (plans, `wwc import-report`, `wwc template`, a
city report's tables, `wwc score --format csv`), and the bytes written are checked: in CSV such a
cell starts with an apostrophe; in a workbook no sheet holds a formula (`<f>`) element.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW, ROOT

from wwc_analysis.cli import main
from wwc_analysis.io.export import to_csv_text, to_xlsx_bytes
from wwc_analysis.io.plans import load_plan, plan_bytes

HOSTILE = ['=HYPERLINK("http://x.test","click")', "+1+cmd", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)"]
CITY = HOSTILE[0]
REPORT = ROOT / "tests" / "data" / "scottsdale_2023_report.txt"
LIVE = re.compile(r"^(?:[=+@\t\r]|-(?![\d.]))")  # what a spreadsheet runs; a negative number is not a formula


def check_csv(data: bytes | str, expected: list[str] = ()) -> list[str]:
    """Every cell of a CSV file: none would run as a formula; each of `expected` is there, neutralised."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert cells, "an empty file"
    assert not [c for c in cells if LIVE.match(c)], [c for c in cells if LIVE.match(c)]
    for value in expected:
        assert any(c == "'" + value or c.startswith("'" + value) for c in cells), (value, cells[:20])
    return cells


def check_xlsx(data: bytes, expected: list[str] = ()) -> None:
    """No sheet of the workbook holds a formula element; each of `expected` is there, as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        xml = b"".join(book.read(n) for n in sheets)
        strings = book.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in book.namelist() else b""
    assert sheets and not re.search(rb"<(?:\w+:)?f[\s>/]", xml)
    from xml.sax.saxutils import escape

    for value in expected:
        assert escape(value).encode() in xml + strings, value


@pytest.fixture(scope="module")
def hostile_responses(tmp_path_factory) -> Path:
    """Scottsdale's responses, for a city named as a formula, with notes that start like formulas."""
    frame = pd.read_csv(RAW / "responses" / "scottsdale_2023.csv", dtype=str, keep_default_na=False)
    frame["city"] = CITY
    frame.loc[: len(HOSTILE) - 1, "audit_note"] = HOSTILE
    path = tmp_path_factory.mktemp("hostile") / "responses.csv"
    frame.to_csv(path, index=False)
    return path


def test_the_writers_own_guard():
    frame = pd.DataFrame({HOSTILE[1]: HOSTILE, "n": [-1.5, 2, 0, -3]})
    check_csv(to_csv_text(frame), HOSTILE)
    assert to_csv_text(frame).splitlines()[1].endswith(",-1.5")  # numbers are written as numbers
    check_xlsx(to_xlsx_bytes({"sheet": frame}), HOSTILE)
    with_controls = pd.DataFrame({"city": ["Evil\x1b[2J\x00=1+1"]})
    check_xlsx(to_xlsx_bytes({"sheet": with_controls}), ["Evil[2J=1+1"])  # a workbook cannot hold them


def test_plans(tmp_path, standard):
    path = tmp_path / "plan.csv"
    rows = [["city", "year", "criterion", "status", "owner", "due", "note"]]
    rows += [
        [CITY, 2023, code, "Yes", owner, "2030-01-01", note]
        for code, owner, note in zip(["DM1", "DM2"], HOSTILE, HOSTILE[2:])
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    plan = load_plan(path, standard)
    check_csv(plan_bytes(plan, ".csv"), HOSTILE)
    check_xlsx(plan_bytes(plan, ".xlsx"), HOSTILE)


def test_import_report_tables(tmp_path, capsys):
    out = tmp_path / "imported"
    assert main(["import-report", str(REPORT), "--city", CITY, "--out", str(out)]) == 0, capsys.readouterr().err
    written = sorted(out.glob("*.csv"))
    assert [p.name for p in written] == ["outcomes.csv", "published_shares.csv", "responses.csv"]
    for path in written:
        check_csv(path.read_bytes(), [CITY])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_template(tmp_path, capsys, suffix):
    out = tmp_path / f"template{suffix}"
    assert main(["template", "--city", CITY, "--out", str(out)]) == 0, capsys.readouterr().err
    if suffix == ".xlsx":
        check_xlsx(out.read_bytes(), [CITY])
    else:
        for path in (out, tmp_path / "template_outcomes.csv"):
            check_csv(path.read_bytes(), [CITY])


def test_score_as_csv(hostile_responses, capsys):
    assert main(["score", str(hostile_responses), "--format", "csv"]) == 0
    check_csv(capsys.readouterr().out, [CITY])


def test_report_tables(hostile_responses, tmp_path, no_pdf):
    from wwc_analysis.reports.city_report import build_city_report, write_outputs

    report = build_city_report(CITY, responses=[hostile_responses])
    write_outputs(report, tmp_path / "report")
    written = sorted((tmp_path / "report").glob("*.csv"))
    assert {"score.csv", "criteria.csv", "practices.csv"} <= {p.name for p in written}
    for path in written:
        check_csv(path.read_bytes())
    check_csv((tmp_path / "report" / "score.csv").read_bytes(), [CITY])
