"""Excel workbooks read for what they show, and refused where they would be misread.

A workbook is unpacked only within a size limit (a small file can hold gigabytes of XML), read in
full whatever size its sheets declare, and refused, naming the sheet and cell, where reading its
values would mislead: a hidden sheet that would be read instead of a visible one, a formula whose
value was never saved (it would read as blank), or a merged cell (only its first cell holds the
value). Cells are text as Excel shows them: a percentage cell reads '80%', whole numbers lose '.0',
dates read YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..settings import MAX_COLUMNS, MAX_SHEET_CELLS, MAX_XLSX_BYTES


@dataclass
class Sheet:
    """One worksheet's cells as text (rows as Excel numbers them, from 1), and whether it is hidden."""

    name: str
    frame: pd.DataFrame
    hidden: bool = False
    merged: tuple[str, ...] = ()  # merged ranges ("B2:B4")
    unsaved: tuple[int, str, str] | None = None  # the first formula whose value was never saved: row, cell, formula


def _unpacked_size(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as book:
            return sum(item.file_size for item in book.infolist())
    except (zipfile.BadZipFile, OSError):
        raise InputError(path, None, "not a readable Excel workbook (not a zip package)") from None


def read_workbook(path: str | Path) -> dict[str, Sheet]:
    """Every sheet of an .xlsx workbook, each cell as text; refused where it would be misread."""
    from openpyxl import load_workbook

    path = Path(path)
    size = _unpacked_size(path)
    if size > MAX_XLSX_BYTES:
        raise InputError(
            path, None, f"the workbook unpacks to {size / 2**20:.0f} MB, over the limit of {MAX_XLSX_BYTES // 2**20} MB"
        )
    try:
        values = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError(path, None, f"not a readable Excel workbook ({type(exc).__name__})") from None
    sheets = {}
    for ws, wf in zip(values.worksheets, formulas.worksheets):
        label = f"{path}[{ws.title}]"
        if ws.max_row * ws.max_column > MAX_SHEET_CELLS:
            raise InputError(label, None, f"the sheet has more than {MAX_SHEET_CELLS:,} cells")
        if ws.max_column > MAX_COLUMNS:
            raise InputError(label, None, f"the sheet has {ws.max_column:,} columns, over the limit of {MAX_COLUMNS}")
        rows, unsaved = [], None
        for row, formula_row in zip(ws.iter_rows(), wf.iter_rows()):
            for cell, formula in zip(row, formula_row):
                if unsaved is None and cell.value is None and formula.data_type == "f":
                    unsaved = (cell.row, cell.coordinate, str(formula.value))
            rows.append([cell_text(c) for c in row])
        merged = tuple(sorted(str(r) for r in ws.merged_cells.ranges))
        frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(dtype=object)
        sheets[ws.title] = Sheet(ws.title, frame, ws.sheet_state != "visible", merged, unsaved)
    return sheets


def checked(path: Path, sheet: Sheet) -> Sheet:
    """The sheet, if it reads as it looks: not hidden, no merged cells, no formula without its value."""
    label = f"{path}[{sheet.name}]"
    if sheet.hidden:
        raise InputError(label, None, "the sheet is hidden: unhide it, or remove it if it is not the data", sheet.name)
    if sheet.merged:
        raise InputError(
            label, None, "merged cells hold their value in the first cell only: unmerge them", sheet.merged[0]
        )
    if sheet.unsaved:
        row, cell, formula = sheet.unsaved
        raise InputError(
            label,
            row,
            f"cell {cell} holds a formula whose value was never saved (save it in Excel, or paste values)",
            formula,
        )
    return sheet


def cell_text(cell) -> str:
    """A cell as text, the way Excel shows it."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if "%" in str(getattr(cell, "number_format", "") or ""):
            return number_text(value * 100) + "%"
        return number_text(value)
    return str(value)


def number_text(value: float) -> str:
    value = round(float(value), 10)
    return str(int(value)) if value.is_integer() else repr(value)
