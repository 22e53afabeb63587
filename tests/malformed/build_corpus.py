"""Write the malformed-input corpus in this folder, and cases.csv saying what each must report.

Run once after changing a case: `python tests/malformed/build_corpus.py`. Each case is a
file a city might really send (wrong encoding, Excel quirks, HTML saved as .csv, ...)
and the one-line error the workbench must give for it.
"""

import csv
import io
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
HEAD = "city,year,criterion,status\n"
GOOD = "Testville,2023,DM1,Yes\nTestville,2023,DM2,No\n"
OUT_HEAD = "city,year,metric,value,target,direction,met\n"
CASES = []  # (file, kind, row, message, value)


def text(name, content, kind, row, message, value, encoding="utf-8"):
    (HERE / name).write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    CASES.append((name, kind, row, message, value))


def book(name, sheets, kind, row, message, value, merge=None):
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if merge:
            ws.merge_cells(merge)
    wb.save(HERE / name)
    CASES.append((name, kind, row, message, value))


# Encodings and byte-order marks
text(
    "latin1.csv",
    HEAD + "Testville,2023,DM1,Yes\nSão Paulo,2023,DM2,Yes\n",
    "responses",
    3,
    "not UTF-8 text",
    "e3",
    encoding="latin-1",
)
text(
    "utf16_bom_bad_status.csv",
    HEAD + "Testville,2023,DM1,Maybe\n",
    "responses",
    2,
    "is not a status",
    "Maybe",
    encoding="utf-16",
)
text(
    "utf8_bom_unknown_code.csv",
    "\ufeff" + HEAD + "Testville,2023,DM99,Yes\n",
    "responses",
    2,
    "unknown criterion code",
    "DM99",
)
text(
    "cp1252_quotes.csv",
    HEAD + "Testville,2023,DM1,\u201cYes\u201d\n",
    "responses",
    2,
    "not UTF-8 text",
    "93",
    encoding="cp1252",
)
# Layout: blank lines, spaces, header problems
text(
    "blank_lines_then_bad_status.csv",
    HEAD + "\n\nTestville,2023,DM1,Yes\n\nTestville,2023,DM2,Perhaps\n",
    "responses",
    6,
    "is not a status",
    "Perhaps",
)
text(
    "trailing_spaces_unknown_code.csv",
    HEAD + "Testville , 2023 ,  DM1 , Yes  \nTestville,2023,  XX1  ,No\n",
    "responses",
    3,
    "unknown criterion code",
    "XX1",
)
text(
    "title_above_header.csv",
    "Self-assessment for Testville\n" + HEAD + GOOD,
    "responses",
    2,
    "the header must be the first row",
    "Self-assessment for Testville",
)
text(
    "missing_status_column.csv",
    "city,year,criterion\nTestville,2023,DM1\n",
    "responses",
    1,
    "missing column 'status or self_assessed'",
    "status or self_assessed",
)
text(
    "header_twice.csv",
    HEAD + GOOD + HEAD + "Testville,2023,DM3,Yes\n",
    "responses",
    4,
    "unknown criterion code",
    "criterion",
)
text(
    "duplicate_column.csv",
    "city,year,criterion,status,status\nTestville,2023,DM1,Yes,No\n",
    "responses",
    1,
    "column named twice",
    "status",
)
text("ragged_row.csv", HEAD + "Testville,2023,DM1,Yes,extra,more\n", "responses", 2, "more than the header", "")
text("header_only.csv", HEAD, "responses", 1, "table has a header but no rows", "city")
text("empty.csv", "", "responses", None, "file is empty", None)
text("whitespace_only.csv", "   \n\n  \n", "responses", None, "file is empty", None)
text(
    "semicolons_bad_status.csv",
    HEAD.replace(",", ";") + "Testville;2023;DM1;Yes\nTestville;2023;DM2;Maybe\n",
    "responses",
    3,
    "is not a status",
    "Maybe",
)
text(
    "quoted_line_breaks_then_bad_status.csv",
    'city,year,criterion,status,audit_note\nTestville,2023,DM1,Yes,"one\ntwo\nthree"\nTestville,2023,DM2,Sure,\n',
    "responses",
    5,
    "is not a status",
    "Sure",
)
# Bytes that are no text: a NUL however late, a control character (a terminal escape) in a cell
text(
    "nul_after_4kb.csv",
    HEAD + "".join(f"Testville,2023,DM{i % 9 + 1},Yes\n" for i in range(300)) + "Testville,2023,DM1,Y\x00es\n",
    "responses",
    302,
    "binary content: a NUL byte",
    None,
)
text(
    "utf16_nul.csv",
    HEAD + "Testville,2023,DM1,Y\x00es\n",
    "responses",
    2,
    "binary content: a NUL byte",
    None,
    encoding="utf-16",
)
text(
    "escape_in_city.csv",
    HEAD + "Testville\x1b[2J\x1b]0;owned\x07,2023,DM1,Yes\n",
    "responses",
    2,
    "control character",
    "Testville\\x1b[2J\\x1b]0;owned\\x07",
)
text(
    "c1_control_in_note.csv",
    "city,year,criterion,status,audit_note\nTestville,2023,DM1,Yes,ok\nTestville,2023,DM2,No,\x9b31m\n",
    "responses",
    3,
    "control character",
    "\\x9b31m",
)
# Cells
text(
    "duplicated_rows.csv",
    HEAD + "Testville,2023,DM1,Yes\nTestville,2023,DM1,Yes\n",
    "responses",
    3,
    "listed twice",
    "Yes",
)
text(
    "contradictory_duplicates.csv",
    HEAD + "Testville,2023,DM1,Yes\ntestville,2023,dm1,No\n",
    "responses",
    3,
    "listed twice with different statuses",
    "No",
)
text("number_as_status.csv", HEAD + "Testville,2023,DM1,1\n", "responses", 2, "is not a status", "1")
text("percent_as_status.csv", HEAD + "Testville,2023,DM1,85%\n", "responses", 2, "is not a status", "85%")
text("bad_year.csv", HEAD + "Testville,23,DM1,Yes\n", "responses", 2, "four-digit year", "23")
text("blank_city.csv", HEAD + ",2023,DM1,Yes\n", "responses", 2, "city is blank", "")
text(
    "bad_self_assessed.csv",
    "city,year,criterion,self_assessed,status\nTestville,2023,DM1,Sure,Yes\n",
    "responses",
    2,
    "'self_assessed' is not a status",
    "Sure",
)
text(
    "formula_status.csv",
    HEAD + 'Testville,2023,DM1,"=HYPERLINK(""http://x"",""Yes"")"\n',
    "responses",
    2,
    "is not a status",
    "=HYPERLINK",
)
# Not tables at all
text(
    "really_html.csv",
    "<!DOCTYPE html>\n<html><body><table><tr><td>city</td></tr></table></body></html>\n",
    "responses",
    1,
    "looks like HTML or XML",
    "<!DOCTYPE html>",
)
text("binary.csv", bytes(range(256)) * 4, "responses", None, "binary content", None)
text("zip_named_xlsx.xlsx", b"PK\x03\x04" + b"\x00" * 200, "responses", None, "not a readable Excel workbook", None)
text("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "responses", None, "legacy .xls", None)
# Excel quirks
book(
    "extra_sheets.xlsx",
    {"Notes": [["read me"]], "Sheet2": [["city", "criterion", "status"], ["Testville", "DM1", "Yes"]]},
    "responses",
    None,
    "several sheets and none is named",
    None,
)
book(
    "merged_header.xlsx",
    {
        "responses": [
            ["Testville self-assessment", None, None],
            ["city", "criterion", "status"],
            ["Testville", "DM1", "Yes"],
        ]
    },
    "responses",
    None,
    "merged cells hold their value in the first cell only",
    "A1:C1",
    merge="A1:C1",
)
book(
    "title_above_header.xlsx",
    {"responses": [["Testville self-assessment"], ["city", "criterion", "status"], ["Testville", "DM1", "Yes"]]},
    "responses",
    2,
    "the header must be the first row",
    "Testville self-assessment",
)
book(
    "excel_bad_status.xlsx",
    {"responses": [["city", "criterion", "status"], ["Testville", "DM1", "Yes"], ["Testville", "DM2", 0.5]]},
    "responses",
    3,
    "is not a status",
    "0.5",
)
# Outcomes
text(
    "outcome_negative.csv",
    OUT_HEAD + "Testville,2023,broadband,-5,,,\n",
    "outcomes",
    2,
    "outside the possible range",
    "-5",
)
text(
    "outcome_impossible_share.csv",
    OUT_HEAD + "Testville,2023,broadband,130,,,\n",
    "outcomes",
    2,
    "outside the possible range",
    "130",
)
text("outcome_text_value.csv", OUT_HEAD + "Testville,2023,pm25,good,,,\n", "outcomes", 2, "must be a number", "good")
text("outcome_infinite.csv", OUT_HEAD + "Testville,2023,pm25,inf,,,\n", "outcomes", 2, "finite number", "inf")
text(
    "outcome_unknown_metric.csv",
    OUT_HEAD + "Testville,2023,crime,12,,,\n",
    "outcomes",
    2,
    "unknown outcome metric",
    "crime",
)
text(
    "outcome_contradiction.csv",
    OUT_HEAD + "Testville,2023,broadband,60,,,yes\n",
    "outcomes",
    2,
    "'met' says yes but 60 >= 75 says no",
    "yes",
)
text(
    "outcome_nominated_no_target.csv",
    OUT_HEAD + "Testville,2023,nominated,42,,,\n",
    "outcomes",
    2,
    "needs a target and a direction",
    "42",
)
text(
    "outcome_bad_direction.csv",
    OUT_HEAD + "Testville,2023,nominated,42,40,sideways,\n",
    "outcomes",
    2,
    "direction must be",
    "sideways",
)
text(
    "outcome_twice.csv",
    OUT_HEAD + "Testville,2023,pm25,7,,,\nTestville,2023,pm25,8,,,\n",
    "outcomes",
    3,
    "metric given twice",
    "pm25",
)

buffer = io.StringIO()
writer = csv.writer(buffer, lineterminator="\n")
writer.writerow(["file", "kind", "row", "message", "value"])
writer.writerows([(f, k, "" if r is None else r, m, "" if v is None else v) for f, k, r, m, v in CASES])
(HERE / "cases.csv").write_text(buffer.getvalue(), encoding="utf-8")
print(f"{len(CASES)} cases written")
