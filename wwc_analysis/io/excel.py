"""Excel workbooks read for what they show, and refused where they would be misread or could exhaust the machine.

A small file can hold gigabytes of XML or a range of billions of cells, so before openpyxl parses a
workbook its package is measured (sizes, and through expat its XML elements and cells, the area of merged
ranges and links, the size each sheet declares) and refused past any limit; a sheet declaring less than it
holds is read in full. A sheet is refused where its values would mislead: hidden, merged cells, or a
formula whose value was never saved. Cells read as Excel shows them ('80%').
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

import pandas as pd

from ..errors import InputError
from ..settings import (
    MAX_COLUMNS,
    MAX_PART_ELEMENTS,
    MAX_WORKBOOK_CELLS,
    MAX_XLSX_BYTES,
    MAX_XLSX_PARTS,
    MAX_XML_ELEMENTS,
)

BROKEN = "not a readable Excel workbook (damaged, or not an .xlsx); save it again"


@dataclass
class Sheet:
    """One worksheet's cells as text (rows as Excel numbers them, from 1), and whether it is hidden."""

    name: str
    frame: pd.DataFrame
    hidden: bool = False
    merged: tuple[str, ...] = ()  # merged ranges ("B2:B4")
    unsaved: tuple[int, str, str] | None = None  # the first formula whose value was never saved: row, cell, formula


_UNREADABLE = (zipfile.BadZipFile, zlib.error, expat.ExpatError, EOFError, OSError, NotImplementedError, RuntimeError)


class _Refused(Exception):
    """A limit reached while measuring a workbook's XML: the message says which."""


class _Measure:
    """Counts of a workbook's XML, taken by expat as each part streams past (only counts are kept)."""

    def __init__(self) -> None:
        self.elements = 0
        self.part, self.part_elements, self.part_limit = "", 0, MAX_XML_ELEMENTS
        self.cells = 0  # <c> elements: the cells of the worksheets
        self.area = 0  # cells covered by merged ranges and hyperlinks
        self.formulas = 0  # <f> elements: where there are any, the formulas are read too, to find one never saved

    def start(self, name: str, attrs: dict) -> None:
        tag = name.rpartition(" ")[2]  # "namespace tag"
        self.elements += 1
        self.part_elements += 1
        if self.elements > MAX_XML_ELEMENTS:
            raise _Refused(f"its XML has more than {MAX_XML_ELEMENTS:,} elements, over the limit")
        if self.part_elements > self.part_limit:
            raise _Refused(f"its part {self.part} has more than {self.part_limit:,} XML elements, over the limit")
        if tag == "c":
            self.cells += 1
            if self.cells > MAX_WORKBOOK_CELLS:
                raise _Refused(f"it has more than {MAX_WORKBOOK_CELLS:,} cells, over the limit")
        elif tag == "f":
            self.formulas += 1
        elif tag in ("mergeCell", "hyperlink") and ":" in attrs.get("ref", ""):
            self.area += range_area(attrs["ref"])
            if self.area > MAX_WORKBOOK_CELLS:
                raise _Refused(
                    f"its merged cells or links cover more than {MAX_WORKBOOK_CELLS:,} cells, over the limit"
                )
        elif tag == "dimension" and range_area(attrs.get("ref", "")) > MAX_WORKBOOK_CELLS:
            declared = f"a sheet declares its size as {attrs['ref'][:40]} ({range_area(attrs['ref']):,} cells)"
            raise _Refused(f"{declared}, over the limit of {MAX_WORKBOOK_CELLS:,}")


def range_area(ref: str) -> int:
    """How many cells a range such as 'A1:C4' covers (0 for a reference openpyxl cannot read either)."""
    from openpyxl.utils.cell import range_boundaries

    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.split()[0])
    except (ValueError, TypeError, IndexError):
        return 0
    columns = (max_col or 16_384) - (min_col or 1) + 1  # 'A:C' is whole columns, '1:3' whole rows
    return columns * ((max_row or 1_048_576) - (min_row or 1) + 1)


def _refuse_doctype(*_args) -> None:
    raise _Refused("its XML declares a DOCTYPE (a workbook's never does)")


def measure(path: Path) -> _Measure:
    """Measure a workbook's package and XML, refusing it (InputError) past any limit or where it is no zip."""
    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise InputError(
            path, None, f"the workbook is {size / 2**20:.0f} MB, over the limit of {MAX_XLSX_BYTES // 2**20} MB"
        )
    counts = _Measure()
    try:
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
            unpacked = sum(item.file_size for item in parts)
            if len(parts) > MAX_XLSX_PARTS:
                raise _Refused(f"it has {len(parts):,} parts, over the limit of {MAX_XLSX_PARTS:,}")
            if unpacked > MAX_XLSX_BYTES:
                raise _Refused(
                    f"it unpacks to {unpacked / 2**20:.0f} MB, over the limit of {MAX_XLSX_BYTES // 2**20} MB"
                )
            for item in parts:
                if item.filename.lower().endswith((".xml", ".rels", ".vml")):
                    _stream(book, item, counts)
    except _Refused as exc:
        raise InputError(path, None, f"the workbook is refused: {exc}") from None
    except _UNREADABLE:
        raise InputError(path, None, BROKEN) from None
    return counts


def _stream(book: zipfile.ZipFile, item: zipfile.ZipInfo, counts: _Measure) -> None:
    """Stream one part through expat, counting (zipfile stops at its declared size); a part that holds no cells
    (styles, comments, drawings) costs openpyxl more per element, and has a lower limit."""
    cells = item.filename.startswith("xl/worksheets/") or item.filename.endswith("sharedStrings.xml")
    counts.part, counts.part_elements = item.filename, 0
    counts.part_limit = MAX_XML_ELEMENTS if cells else MAX_PART_ELEMENTS
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = counts.start
    parser.StartDoctypeDeclHandler = _refuse_doctype
    with book.open(item) as fh:
        parser.ParseFile(fh)


def read_workbook(path: str | Path) -> dict[str, Sheet]:
    """Every sheet of an .xlsx workbook, each cell as text; refused where it would be misread or is over a limit."""
    path = Path(path)
    counts = measure(path)
    try:
        values = _load(path, data_only=True)
        _check_areas(path, values.worksheets)
        formulas = _load(path, data_only=False).worksheets if counts.formulas else [None] * len(values.worksheets)
        return {ws.title: _sheet(ws, wf) for ws, wf in zip(values.worksheets, formulas)}
    except MemoryError:
        raise InputError(path, None, "the workbook needs more memory than this machine has") from None


def _load(path: Path, data_only: bool):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, data_only=data_only)
    except MemoryError:
        raise
    except Exception:  # openpyxl raises many types for a broken workbook
        raise InputError(path, None, BROKEN) from None


def _check_areas(path: Path, worksheets: list) -> None:
    """Refuse a sheet whose used area (to its last row and column, which is what is read) is over the limits."""
    area = 0
    for ws in worksheets:
        label = f"{path}[{ws.title}]"
        if ws.max_column > MAX_COLUMNS:
            raise InputError(label, None, f"the sheet has {ws.max_column:,} columns, over the limit of {MAX_COLUMNS}")
        area += ws.max_row * ws.max_column
        if area > MAX_WORKBOOK_CELLS:
            problem = f"the sheet's used area ({ws.dimensions}) takes the workbook over the limit"
            raise InputError(label, None, f"{problem} of {MAX_WORKBOOK_CELLS:,} cells")


def _sheet(ws, wf) -> Sheet:
    """One worksheet as text, and the first formula whose value was never saved (`wf`: its formulas, if any)."""
    rows = [[cell_text(c) for c in row] for row in ws.iter_rows()]
    unsaved = None
    if wf is not None:
        for row, formula_row in zip(ws.iter_rows(), wf.iter_rows()):
            found = [(c, f) for c, f in zip(row, formula_row) if c.value is None and f.data_type == "f"]
            if found:
                cell, formula = found[0]
                unsaved = (cell.row, cell.coordinate, str(formula.value))
                break
    merged = tuple(sorted(str(r) for r in ws.merged_cells.ranges))
    frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(dtype=object)
    return Sheet(ws.title, frame, ws.sheet_state != "visible", merged, unsaved)


def normalise_header(name: object) -> str:
    """A column's or sheet's name as the formats spell it: lower case, spaces and dashes as '_'."""
    return re.sub(r"[\s\-]+", "_", str(name).replace("\ufeff", "").strip().lower())


def pick_sheet(path: Path, sheets: dict[str, Sheet], names: tuple[str, ...]) -> str:
    """The sheet named for its contents, or the one visible sheet; a hidden one is never picked in silence."""
    named = [n for n in sheets if normalise_header(n) in names]
    visible = [n for n in sheets if not sheets[n].hidden]
    if named:
        return named[0]  # refused by `checked` if hidden
    if len(visible) == 1:
        return visible[0]
    problem = f"workbook has several sheets and none is named for its contents ({', '.join(names)})"
    raise InputError(path, None, problem, ", ".join(sheets))


def sheet_names(required: tuple[str, ...]) -> tuple[str, ...]:
    """The names a sheet of this kind goes by (told by the columns it needs)."""
    if "metric" in required:
        return ("outcomes", "outcome_metrics")
    if "status" in required and "criterion" in required and "city" not in required:
        return ("plan",)
    return ("responses", "criteria", "assessment")


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
        problem = f"cell {cell} holds a formula whose value was never saved (save it in Excel, or paste values)"
        raise InputError(label, row, problem, formula)
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
