"""Getting a city's data in: the self-assessment template and the certification report importer."""

import hashlib
import os
import re

import pandas as pd
import pytest
from conftest import RAW, ROOT, score_csv

from wwc_analysis.analysis.reasons import explain
from wwc_analysis.cli import main
from wwc_analysis.errors import InputError
from wwc_analysis.io.certification_report import import_report
from wwc_analysis.io.outcomes import load_outcomes
from wwc_analysis.io.responses import load_responses
from wwc_analysis.io.template import write_template

SEED = ROOT.parent / "shared" / "seeds" / "002_703eae877b9c8b09.txt"
REPORT = ROOT / "tests" / "data" / "scottsdale_2023_report.txt"


def test_excel_template_round_trip(tmp_path, standard):
    from openpyxl import load_workbook

    (path,) = write_template(tmp_path / "self.xlsx", standard, city="Testville")
    book = load_workbook(path)
    assert book.sheetnames == ["responses", "outcomes", "about"]
    ws = book["responses"]
    header = [c.value for c in ws[1]]
    assert header[:7] == ["city", "year", "criterion", "short_name", "practice", "core", "criterion_text"]
    assert ws.max_row == 44 and ws["D10"].value == "Data Service Standard"
    (rule,) = [dv for dv in ws.data_validations.dataValidation]
    assert rule.formula1 == '"Yes,In Progress,No"' and str(rule.sqref) == "H2:H44"
    status_col = header.index("self_assessed") + 1
    for r in range(2, 45):  # 33 met is in the Gold band, but one outcome metric only earns Silver
        ws.cell(row=r, column=status_col, value="Yes" if r < 35 else "In Progress")
    out = book["outcomes"]
    out["F2"], out["F3"], out["I4"] = 80, 12.5, "no"
    book.save(path)
    scored = explain(load_responses(path, standard), load_outcomes(path, standard), standard)
    assert scored[["city", "criteria_met", "outcomes_met", "tier"]].values.tolist() == [["Testville", 33, 1, "Silver"]]
    assert not scored["audited"].iloc[0]  # a filled template is the city's own answers


def test_csv_template_round_trip(tmp_path, standard):
    responses, outcomes = write_template(tmp_path / "self.csv", standard, city="  Test  ville ", year=2024)
    assert outcomes.name == "self_outcomes.csv"
    frame = pd.read_csv(responses, dtype=str, keep_default_na=False)
    assert set(frame["city"]) == {"Test ville"}  # the name as people write it, not as it was typed
    assert frame["criterion"].tolist() == standard.codes and set(frame["year"]) == {"2024"}
    assert frame.loc[frame["criterion"] == "DM8", "core"].item() == "required for Platinum"
    frame["self_assessed"] = "Yes"
    frame.to_csv(responses, index=False)
    out = pd.read_csv(outcomes, dtype=str, keep_default_na=False)
    out["value"] = ["90", "5", ""]
    out["met"] = ["", "", "yes"]
    out.to_csv(outcomes, index=False)
    scored = explain(load_responses(responses, standard), load_outcomes(outcomes, standard), standard)
    assert scored[["criteria_met", "outcomes_met", "tier"]].values.tolist() == [[43, 3, "Platinum"]]


def _compare_with_raw(report):
    raw = pd.read_csv(RAW / "responses" / "scottsdale_2023.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(report.responses.astype(str), raw)
    shares = pd.read_csv(RAW / "benchmarks" / "published_shares_2023.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(report.shares.astype(str), shares)
    outcomes = pd.read_csv(RAW / "outcomes" / "scottsdale_2023.csv", dtype=str, keep_default_na=False)
    cols = ["city", "year", "metric", "value", "met"]
    pd.testing.assert_frame_equal(report.outcomes[cols].astype(str), outcomes[cols])


def test_report_text_reproduces_the_bundled_scottsdale_data(standard):
    text = REPORT.read_text(encoding="utf-8")
    assert "S11 " in text and "upsills" in text  # the OCR slips the importer must get past
    report = import_report(REPORT, standard=standard)
    assert (report.city, report.year, report.stated_met, report.stated_tier) == ("Scottsdale", 2023, (31, 43), "Gold")
    assert report.stated_practices == {
        "DM": 89,
        "EVAL": 75,
        "LC": 86,
        "OD": 100,
        "PA": 80,
        "BF": 67,
        "RDC": 25,
        "SI": 67,
    }
    _compare_with_raw(report)


def _pdf_from_text(text: str, path):
    import matplotlib
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf"))
    pdf.set_font("DejaVu", size=8)
    for line in text.splitlines():  # long rows wrap over several lines, as in a real report
        pdf.multi_cell(0, 4, line.replace("\t", "    ") or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_report_pdf_imports_the_same_way(tmp_path, standard):
    pdf = _pdf_from_text(REPORT.read_text(encoding="utf-8"), tmp_path / "report.pdf")
    _compare_with_raw(import_report(pdf, standard=standard))


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "achieved 31 of 43 criteria",
            "achieved 32 of 43 criteria",
            "says 32 of 43 criteria were achieved, its tables show 31 Yes",
        ),
        (
            "achieved 89% of Data Management",
            "achieved 78% of Data Management",
            "says 78% of Data Management criteria, its table shows 89%",
        ),
        (
            "Certification at the Gold level",
            "Certification at the Platinum level",
            "states Platinum, its rows score Gold",
        ),
        (
            "EVAL2 Your local government has a regular",
            "EVAL9 Your local government has a regular",
            "not a criterion code",
        ),
    ],
)
def test_report_whose_totals_disagree_with_its_rows_is_refused(tmp_path, standard, old, new, message):
    text = REPORT.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "report.txt"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        import_report(bad, standard=standard)


def test_report_missing_a_row_is_refused(tmp_path, standard):
    lines = [line for line in REPORT.read_text(encoding="utf-8").splitlines() if not line.startswith("RDC7")]
    bad = tmp_path / "report.txt"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match="1 criteria not found in the report: 'RDC7'"):
        import_report(bad, standard=standard)


def test_import_report_command_writes_the_tables(tmp_path, capsys):
    assert main(["import-report", str(REPORT), "--city", "Scottsdale", "--out", str(tmp_path / "out")]) == 0
    assert "31 of 43 criteria met, matching the report's totals and its tier (Gold)" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "outcomes.csv",
        "published_shares.csv",
        "responses.csv",
    ]
    assert "Scottsdale,2023,31,0,43" in score_csv(tmp_path / "out", capsys)
    assert main(["import-report", str(REPORT), "--out", str(RAW / "imported")]) == 2
    assert "data/raw/ holds published inputs and is never written" in capsys.readouterr().err
    assert not (RAW / "imported").exists()


def test_the_test_copy_of_the_report_is_the_seed():
    """The copy's SHA-256 is the seed's, as recorded in tests/data/README.md (the seed folder is not in the repo)."""
    recorded = re.search(r"SHA-256\s+`([0-9a-f]{64})`", (ROOT / "tests" / "data" / "README.md").read_text())
    assert recorded, "tests/data/README.md records no SHA-256 for the report"
    assert hashlib.sha256(REPORT.read_bytes()).hexdigest() == recorded.group(1)
    if SEED.exists():  # the shared seed folder sits beside the project on the machine it was built on
        assert hashlib.sha256(SEED.read_bytes()).hexdigest() == recorded.group(1)
