"""A self-assessment template: one row per criterion, ready to fill in and load with the usual loaders.

Answers go in `self_assessed` (the city's own, never settled by a published tier). The workbook offers
Yes / In Progress / No in a drop-down and has an outcomes sheet; the CSV variant holds the same rows.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pandas as pd

from ..analysis.identity import display_name
from ..rules import status as st
from ..rules.standard import Standard, load_standard
from .atomic import write_file
from .export import to_csv_text

RESPONSE_COLUMNS = [
    "city",
    "year",
    "criterion",
    "short_name",
    "practice",
    "core",
    "criterion_text",
    "self_assessed",
    "notes",
]
OUTCOME_COLUMNS = ["city", "year", "metric", "indicator", "standard", "value", "target", "direction", "met", "source"]
STATUS_CHOICES = [st.LABELS[c] for c in (st.YES, st.IN_PROGRESS, st.NO)]
WIDTHS = dict(criterion_text=80, short_name=30, indicator=40, standard=34, notes=40, practice=26, source=30)


def response_rows(standard: Standard, city: str, year: int) -> pd.DataFrame:
    """The criteria as blank response rows, in the standard's order."""
    c = standard.criteria
    return pd.DataFrame(
        {
            "city": display_name(city),
            "year": year,
            "criterion": c["code"],
            "short_name": [standard.short_name(code) for code in c["code"]],
            "practice": [standard.practice_name(p) for p in c["practice"]],
            "core": [
                "core" if core else ("required for " + r if r else "") for core, r in zip(c["core"], c["required_from"])
            ],
            "criterion_text": c["text"],
            "self_assessed": "",
            "notes": "",
        },
        columns=RESPONSE_COLUMNS,
    )


def outcome_rows(standard: Standard, city: str, year: int) -> pd.DataFrame:
    """One row per resident outcome metric, with the standard it is judged against."""
    m = standard.outcome_metrics
    rule = [
        f"{d} {t:g} {u}" if pd.notna(t) else "set your own target and direction (or fill 'met')"
        for d, t, u in zip(m["direction"], m["threshold"], m["unit"])
    ]
    return pd.DataFrame(
        {
            "city": display_name(city),
            "year": year,
            "metric": m["code"],
            "indicator": m["indicator"],
            "standard": rule,
            "value": "",
            "target": "",
            "direction": "",
            "met": "",
            "source": "",
        },
        columns=OUTCOME_COLUMNS,
    )


def template_xlsx(standard: Standard | None = None, city: str = "Your city", year: int | None = None) -> bytes:
    """The workbook's bytes: sheets 'responses' (with drop-downs), 'outcomes' and 'about'."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    standard = standard or load_standard()
    year = year or standard.assessment_years[0]
    book = Workbook()
    sheets = [
        ("responses", response_rows(standard, city, year), {"self_assessed": STATUS_CHOICES}),
        ("outcomes", outcome_rows(standard, city, year), {"met": ["yes", "no"], "direction": [">=", "<="]}),
    ]
    for n, (title, frame, choices) in enumerate(sheets):
        ws = book.active if n == 0 else book.create_sheet()
        ws.title = title
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append(list(row))
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # a name starting with '=' stays text
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDDDDD")
        ws.freeze_panes = "A2"
        for j, col in enumerate(frame.columns, start=1):
            letter = ws.cell(row=1, column=j).column_letter
            ws.column_dimensions[letter].width = WIDTHS.get(col, 12)
            if col in WIDTHS:
                for cell in ws[letter][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if col in choices:
                rule = DataValidation(
                    type="list",
                    formula1='"' + ",".join(choices[col]) + '"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Not allowed",
                    error=f"Choose one of: {', '.join(choices[col])}",
                )
                rule.add(f"{letter}2:{letter}{len(frame) + 1}")
                ws.add_data_validation(rule)
    about = book.create_sheet("about")
    for line in (
        f"WWC self-assessment template, edition {standard.edition} of the standard",
        "Fill in 'self_assessed' on the responses sheet (Yes, In Progress or No; blank means not yet known).",
        "On the outcomes sheet give each metric's value; for the city-nominated metric give a target and "
        "direction, or say whether it is met.",
        "Then run: wwc score THIS_FILE.xlsx --outcomes THIS_FILE.xlsx",
    ):
        about.append([line])
    about.column_dimensions["A"].width = 110
    book.properties.creator = "wwc-analysis"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_template(
    out: Path, standard: Standard | None = None, city: str = "Your city", year: int | None = None
) -> list[Path]:
    """Write the template as .xlsx, or as .csv (plus an _outcomes.csv beside it)."""
    if out.suffix.lower() != ".csv":
        return [write_file(out, template_xlsx(standard, city, year))]
    standard = standard or load_standard()
    year = year or standard.assessment_years[0]
    outcomes = out.with_name(out.stem + "_outcomes.csv")
    return [
        write_file(out, to_csv_text(response_rows(standard, city, year))),
        write_file(outcomes, to_csv_text(outcome_rows(standard, city, year))),
    ]
