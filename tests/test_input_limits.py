"""No input can exhaust the machine, and no spreadsheet is misread in silence.

Each hostile input is built here, small, in tmp_path: a workbook whose few kilobytes unpack to
far more XML than the limit, a merged range of billions of cells, a header of a million columns, a
PDF whose streams inflate to gigabytes. Each must be refused by `wwc validate` and `wwc score` in
under 5 seconds, exit 2, with one line naming the file and the limit. The spreadsheet cases check
that what is read is what a person sees in Excel.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from wwc_analysis.cli import main
from wwc_analysis.io import excel, store, tables
from wwc_analysis.settings import MAX_COLUMNS, MAX_WORKBOOK_CELLS

SECONDS = 5
SHEET = "xl/worksheets/sheet1.xml"


def run(capsys, *argv: str) -> tuple[int, str, str, float]:
    """`wwc ARGV` in this process: exit status, stdout, stderr, and the seconds it took."""
    started = time.perf_counter()
    code = main(list(argv))
    seconds = time.perf_counter() - started
    out, err = capsys.readouterr()
    return code, out, err, seconds


def assert_refused(capsys, path: Path, *words: str, commands=("validate", "score")) -> str:
    """Each command refuses `path` in one line naming it and the limit (`words`), with exit 2, quickly."""
    for command in commands:
        code, out, err, seconds = run(capsys, command, str(path))
        assert code == 2, err
        assert seconds < SECONDS, f"wwc {command} took {seconds:.1f} s"
        assert out == "" and err.count("\n") == 1 and err.startswith(f"wwc: error: {path}"), err
        assert all(w in err for w in words), err
    return err


def workbook(rows: list[list], title: str = "responses") -> bytes:
    book = Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def patched(data: bytes, part: str, change) -> bytes:
    """The workbook `data` with one part's XML rewritten by `change` (for defects openpyxl cannot make)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            dst.writestr(item.filename, change(content) if item.filename == part else content)
    return out.getvalue()


def before_sheet_end(xml: bytes):
    """A change that adds `xml` at the end of the sheet's data."""
    return lambda sheet: sheet.replace(b"</sheetData>", xml + b"</sheetData>")


@pytest.fixture(scope="module")
def small_book() -> bytes:
    return workbook([["city", "criterion", "status"], ["Testville", "DM1", "Yes"]])


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    (tmp_path / name).write_bytes(data)
    return tmp_path / name


# Workbooks that would exhaust the machine


def test_a_few_kilobytes_unpacking_to_far_more_xml_than_the_limit(tmp_path, small_book, capsys):
    cells = b'<row r="3">' + b"<c><v>1</v></c>" * 4_500_000 + b"</row>"  # 68 MB of XML
    path = write(tmp_path, "bomb.xlsx", patched(small_book, SHEET, before_sheet_end(cells)))
    assert path.stat().st_size < 500_000
    assert_refused(capsys, path, "the workbook is refused: it unpacks to 64 MB, over the limit of 32 MB")


def after_sheet_data(xml: bytes):
    """A change that adds `xml` after the sheet's data (where merged ranges and links go)."""
    return lambda sheet: sheet.replace(b"</sheetData>", b"</sheetData>" + xml)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            before_sheet_end(b'<row r="3">' + b"<c/>" * 2_000_000 + b"</row>"),
            f"more than {MAX_WORKBOOK_CELLS:,} cells, over the limit",
        ),
        (before_sheet_end(b"<row/>" * 600_000), "its XML has more than 500,000 elements, over the limit"),
        (
            after_sheet_data(b'<mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>'),
            f"its merged cells or links cover more than {MAX_WORKBOOK_CELLS:,} cells",
        ),
        (
            after_sheet_data(b'<hyperlinks><hyperlink ref="A1:Z100000" display="x"/></hyperlinks>'),
            f"its merged cells or links cover more than {MAX_WORKBOOK_CELLS:,} cells",
        ),
        (
            after_sheet_data(b'<hyperlinks><hyperlink ref="1:1048576" display="x"/></hyperlinks>'),
            f"its merged cells or links cover more than {MAX_WORKBOOK_CELLS:,} cells",
        ),
    ],
    ids=["cells", "rows", "merged-range", "hyperlink-range", "whole-rows-link"],
)
def test_workbooks_whose_xml_is_over_a_limit(tmp_path, small_book, capsys, change, words):
    path = write(tmp_path, "bomb.xlsx", patched(small_book, SHEET, change))
    assert path.stat().st_size < 100_000
    assert_refused(capsys, path, "the workbook is refused", words)


def test_a_few_kilobytes_declaring_a_sheet_of_every_cell_are_refused(tmp_path, small_book, capsys):
    """The probe's 7 KB workbook declaring A1:XFD1048576: refused at once, before any cell is made."""
    declared = rb'<dimension ref="A1:XFD1048576"'
    path = write(
        tmp_path,
        "dimension.xlsx",
        patched(small_book, SHEET, lambda x: re.sub(rb'<dimension ref="[^"]*"', declared, x)),
    )
    assert path.stat().st_size < 8_000
    assert_refused(capsys, path, "declares its size as A1:XFD1048576 (17,179,869,184 cells), over the limit")


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        (b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', f"16,384 columns, over the limit of {MAX_COLUMNS}"),
        (
            b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>',
            "used area (A1:C1048576) takes the workbook over the limit",
        ),
    ],
)
def test_one_cell_far_away_is_refused_for_the_area_it_spans(tmp_path, small_book, capsys, cell, words):
    path = write(tmp_path, "far.xlsx", patched(small_book, SHEET, before_sheet_end(cell)))
    assert_refused(capsys, path, words)


def test_styles_entities_and_parts_past_their_limits(tmp_path, small_book, capsys):
    styles = patched(small_book, "xl/styles.xml", lambda x: x.replace(b"</cellXfs>", b"<xf/>" * 60_000 + b"</cellXfs>"))
    path = write(tmp_path, "styles.xlsx", styles)
    assert_refused(capsys, path, "its part xl/styles.xml has more than 50,000 XML elements")
    laughs = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    path = write(tmp_path, "laughs.xlsx", patched(small_book, SHEET, lambda x: laughs + x.replace(b"<t>A", b"<t>&b;")))
    assert_refused(capsys, path, "its XML declares a DOCTYPE")
    many = io.BytesIO(small_book)
    with zipfile.ZipFile(many, "a") as book:
        for i in range(1_001):
            book.writestr(f"customXml/item{i}.bin", b"")
    path = write(tmp_path, "parts.xlsx", many.getvalue())
    assert_refused(capsys, path, "it has 1,0", "parts, over the limit of 1,000")


def test_a_workbook_file_over_the_size_limit(tmp_path, small_book, capsys, monkeypatch):
    monkeypatch.setattr(excel, "MAX_XLSX_BYTES", 2_000)
    path = write(tmp_path, "big.xlsx", small_book)
    assert_refused(capsys, path, "MB, over the limit of 0 MB")


def test_a_workbook_that_lies_about_its_unpacked_size_is_read_no_further(tmp_path, small_book, capsys):
    import struct

    data = bytearray(patched(small_book, SHEET, before_sheet_end(b'<row r="3">' + b"<c/>" * 2_000_000 + b"</row>")))
    offset = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET).header_offset
    struct.pack_into("<I", data, offset + 22, 5_000)  # the local header's unpacked size
    entry = data.find(b"PK\x01\x02")  # the central directory's entries, to the sheet's
    while data[entry + 46 : entry + 46 + len(SHEET)] != SHEET.encode():
        entry = data.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, 5_000)  # and the central directory's
    path = write(tmp_path, "lying.xlsx", bytes(data))
    assert zipfile.ZipFile(path).getinfo(SHEET).file_size == 5_000
    assert_refused(capsys, path, "not a readable Excel workbook (damaged, or not an .xlsx)")


def test_a_zip_that_is_no_workbook(tmp_path, capsys):
    path = write(tmp_path, "r.xlsx", b"PK\x03\x04" + b"\x00" * 200)
    assert_refused(capsys, path, "not a readable Excel workbook")


# Text tables that would exhaust the machine


def test_a_small_csv_of_ten_thousand_columns(tmp_path, capsys):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n")
    assert path.stat().st_size < 80_000
    assert_refused(capsys, path, f"row 1: the header has 10,000 columns, over the limit of {MAX_COLUMNS}")


def test_a_header_of_a_million_columns(tmp_path, capsys):
    path = tmp_path / "million.csv"
    path.write_text(",," * 1_000_000 + "\nA,DM1,Yes\n")
    assert_refused(capsys, path, "row 1: the first line is 2,000,000 characters long, over the limit of 100,000")
    path.write_text("city,criterion,status\nA,DM1," + ",".join("x" * 10_000) + "\n")
    assert_refused(capsys, path, "row 2: row has 10002 fields, more than the header")


def test_rows_and_cells_past_their_limits(tmp_path, capsys, monkeypatch):
    path = tmp_path / "long.csv"
    path.write_text("city,criterion,status\n" + "A,DM1,Yes\n" * 3_000)
    monkeypatch.setattr(tables, "MAX_ROWS", 1_000)
    assert_refused(capsys, path, "the file has 3,001 lines, over the limit of 1,000")
    monkeypatch.setattr(tables, "MAX_ROWS", 10_000)
    monkeypatch.setattr(tables, "MAX_CELLS", 5_000)
    assert_refused(capsys, path, "the file has over 5,000 cells (lines x columns), over the limit")


def test_a_nul_byte_anywhere_is_binary_content(tmp_path, capsys):
    rows = "".join(f"A,DM{i % 9 + 1},Yes\n" for i in range(2_000))
    path = tmp_path / "nul.csv"
    path.write_bytes(("city,criterion,status\n" + rows + "A,DM1,Y\x00es\n").encode())
    assert path.stat().st_size > 4096 * 4
    assert_refused(capsys, path, "row 2002: not a text table (binary content: a NUL byte)")


# Parquet files and the store


def test_parquet_files_past_their_limits(tmp_path, capsys, monkeypatch):
    frame = pd.DataFrame({"city": ["A"] * 3_000, "criterion": ["DM1"] * 3_000, "status": ["Yes"] * 3_000})
    frame.to_parquet(tmp_path / "long.parquet")
    monkeypatch.setattr(store, "MAX_ROWS", 1_000)
    assert_refused(capsys, tmp_path / "long.parquet", "the table has 3,000 rows of 3 columns, over the limits")
    notes = pd.DataFrame(
        {"city": "A", "criterion": "DM1", "audit_note": [f"{i:08d}" + "x" * 2_000 for i in range(500)]}
    )
    notes.to_parquet(tmp_path / "notes.parquet", compression="zstd")
    assert (tmp_path / "notes.parquet").stat().st_size < 100_000
    monkeypatch.setenv("WWC_MAX_INPUT_MB", "0.5")
    assert_refused(capsys, tmp_path / "notes.parquet", "the table unpacks to 1 MB, over the limit of 0 MB")


# Reports given to `wwc import-report`


def pdf(content: bytes, pages: int = 1) -> bytes:
    """A PDF of `pages` pages, each drawn by the same Flate-compressed content stream."""
    font = 3 + 2 * pages
    objects = [b"<</Type/Catalog/Pages 2 0 R>>"]
    objects.append(
        b"<</Type/Pages/Kids[%s]/Count %d>>" % (b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(pages)), pages)
    )
    for i in range(pages):
        objects.append(
            b"<</Type/Page/Parent 2 0 R/Contents %d 0 R/Resources<</Font<</F1 %d 0 R>>>>>>" % (4 + 2 * i, font)
        )
        objects.append(b"<</Length %d/Filter/FlateDecode>>stream\n%s\nendstream" % (len(content), content))
    objects.append(b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(
        b"%010d 00000 n \n" % o for o in offsets
    )
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def inflating(line: bytes, times: int) -> bytes:
    """`line` `times` over, Flate-compressed (a few hundred bytes a megabyte)."""
    packer = zlib.compressobj(9)
    chunk = line * min(times, 100_000)
    return b"".join(packer.compress(chunk) for _ in range(max(1, times // 100_000))) + packer.flush()


@pytest.mark.parametrize(
    ("lines", "pages", "words"),
    [
        (8_000_000, 1, "the PDF is over a limit: a stream over 10 MB decompressed"),
        (200_000, 40, "the PDF is over a limit"),
        (1, 101, "the PDF has 101 pages, over the limit of 100"),
    ],
    ids=["300-MB-stream", "many-large-pages", "too-many-pages"],
)
def test_pdf_bombs_are_refused(tmp_path, capsys, lines, pages, words):
    path = write(tmp_path, "report.pdf", pdf(inflating(b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET\n", lines), pages))
    assert path.stat().st_size < 1_000_000
    code, out, err, seconds = run(capsys, "import-report", str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and err.startswith(f"wwc: error: {path}: {words}") and err.count("\n") == 1, err
    assert seconds < SECONDS and not (tmp_path / "out").exists()


# Memory exhausted all the same: exit 2, naming the file


def out_of_memory(*args, **kwargs):
    raise MemoryError


@pytest.mark.parametrize(
    ("name", "target"),
    [("r.csv", "pandas.read_csv"), ("r.xlsx", "openpyxl.load_workbook"), ("r.parquet", "pyarrow.parquet.read_table")],
)
def test_memory_exhausted_while_reading_names_the_file(tmp_path, capsys, monkeypatch, small_book, name, target):
    path = tmp_path / name
    if name.endswith(".xlsx"):
        path.write_bytes(small_book)
    elif name.endswith(".parquet"):
        pd.DataFrame({"city": ["A"], "criterion": ["DM1"], "status": ["Yes"]}).to_parquet(path)
    else:
        path.write_text("city,criterion,status\nA,DM1,Yes\n")
    monkeypatch.setattr(target, out_of_memory)
    assert_refused(capsys, path, "needs more memory than this machine has")


def test_memory_exhausted_while_reading_a_report(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "report.pdf", pdf(zlib.compress(b"BT /F1 12 Tf (Scottsdale, AZ) Tj ET\n")))
    monkeypatch.setattr("pypdf.PdfReader", out_of_memory)
    code, _, err, _ = run(capsys, "import-report", str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and err.startswith(f"wwc: error: {path}: reading the file needs more memory"), err


# Terminal escapes in a name never reach the terminal raw


def test_escape_sequences_in_a_city_never_reach_the_terminal(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_text("city,criterion,status\n\x1b[2J\x1b]0;owned\x07Evil\x9b31m,DM1,Yes\n", encoding="utf-8")
    for argv in (["validate", str(path)], ["score", str(path)], ["progress", "--city", "Evil", str(path)]):
        code, out, err, _ = run(capsys, *argv)
        assert code == 2 and "row 2: a cell holds a control character" in err, err
        assert "\x1b" not in out + err and "\x9b" not in out + err and "\\x1b[2J" in err
    for argv in (["progress", "--city", "\x1b[2JScottsdale"], ["score", "--city", "\x1b[2JScottsdale"]):
        code, out, err, _ = run(capsys, *argv)
        assert code == 2 and "\x1b" not in out + err and "'\\x1b[2JScottsdale'" in err, err


# Spreadsheets read as they look


def test_a_sheet_that_under_declares_its_size_is_read_in_full(tmp_path, standard, capsys):
    rows = [["city", "criterion", "status"]] + [["Testville", code, "Yes"] for code in standard.codes]
    data = patched(workbook(rows), SHEET, lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C9"', x))
    assert b'ref="A1:C9"' in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    path = write(tmp_path, "under.xlsx", data)
    code, out, err, _ = run(capsys, "validate", str(path))
    assert code == 0 and "ok, 43 responses for 1 city (Testville)" in out, err


def test_a_formula_without_its_saved_value_is_refused_naming_sheet_and_cell(tmp_path, capsys):
    data = workbook(
        [["city", "criterion", "status"], ["Testville", "DM1", "Yes"], ["Testville", "DM2", '=IF(1,"Yes","No")']]
    )
    path = write(tmp_path, "formula.xlsx", data)
    err = assert_refused(capsys, path, "[responses]: row 3: cell C3 holds a formula whose value was never saved")
    assert '\'=IF(1,"Yes","No")\'' in err
    saved = patched(
        data, SHEET, lambda x: re.sub(rb"<v\s*/>|<v></v>", b"<v>Yes</v>", x).replace(b'r="C3"', b'r="C3" t="str"')
    )
    code, out, err, _ = run(capsys, "validate", str(write(tmp_path, "saved.xlsx", saved)))
    assert code == 0 and "ok, 2 responses" in out, err


def test_a_hidden_sheet_named_responses_is_not_read_instead_of_the_visible_one(tmp_path, capsys):
    book = Workbook()
    book.active.title = "Sheet1"
    for row in (["city", "criterion", "status"], ["Visible", "DM1", "Yes"]):
        book.active.append(row)
    hidden = book.create_sheet("responses")
    for row in (["city", "criterion", "status"], ["Hidden", "DM1", "No"]):
        hidden.append(row)
    hidden.sheet_state = "hidden"
    book.save(tmp_path / "hidden.xlsx")
    err = assert_refused(capsys, tmp_path / "hidden.xlsx", "[responses]: the sheet is hidden: unhide it")
    assert "Hidden" not in err.replace("hidden", "")


def test_merged_status_cells_are_refused(tmp_path, capsys):
    book = Workbook()
    book.active.title = "responses"
    for row in (["city", "criterion", "status"], ["Testville", "DM1", "Yes"], ["Testville", "DM2", None]):
        book.active.append(row)
    book.active.merge_cells("C2:C3")
    about = book.create_sheet("about")
    about.append(["A title over two cells"])
    about.merge_cells("A1:B1")  # a sheet that is not read may merge what it likes
    book.save(tmp_path / "merged.xlsx")
    assert_refused(
        capsys, tmp_path / "merged.xlsx", "[responses]: merged cells hold their value in the first cell only"
    )
    book.active.unmerge_cells("C2:C3")
    book.save(tmp_path / "unmerged.xlsx")
    code, out, err, _ = run(capsys, "validate", str(tmp_path / "unmerged.xlsx"))
    assert code == 0 and "ok, 2 responses" in out, err


def test_bombs_are_refused_by_a_real_process_too(tmp_path, small_book):
    """The same refusals in a process of its own, as the probe ran them: exit 2, one line, in time."""
    import subprocess
    import sys

    cells = b'<row r="3">' + b"<c/>" * 2_000_000 + b"</row>"
    bombs = [write(tmp_path, "bomb.xlsx", patched(small_book, SHEET, before_sheet_end(cells)))]
    (tmp_path / "million.csv").write_text(",," * 1_000_000 + "\n")
    bombs.append(tmp_path / "million.csv")
    for path in bombs:
        for command in ("validate", "score"):
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "wwc_analysis", command, str(path)], capture_output=True, text=True, timeout=60
            )
            assert time.perf_counter() - started < SECONDS + 3  # the interpreter's start included
            assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
            assert done.stderr.startswith(f"wwc: error: {path}") and "limit" in done.stderr
