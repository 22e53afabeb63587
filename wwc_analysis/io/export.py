"""Write tables for people and machines: CSV and Excel cells that never run as formulas, JSON without NaN.

In CSV a text cell starting with `=`, `+`, `-`, `@`, tab or a line end gets a leading apostrophe; in a
workbook every text cell is written as text. Floats are rounded to 4 places, the same on every machine.
"""

from __future__ import annotations

import json
from io import BytesIO

import numpy as np
import pandas as pd

from ..analysis.records import DECIMALS, json_value

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) are safe to open in Excel or LibreOffice, floats rounded."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(DECIMALS)
        elif not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            codes, cells = pd.factorize(out[col].astype(object), use_na_sentinel=False)  # each distinct cell once
            out[col] = np.array([neutralise(c) for c in cells] + [None], dtype=object)[codes]
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_text(frame: pd.DataFrame) -> str:
    """`safe_frame(frame)` as CSV text ("\\n" line ends, no index)."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\n")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """A workbook of one sheet per frame, every text cell written as text (a leading '=' never makes a formula)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        ws = book.create_sheet(name)
        ws.append([_xlsx_value(str(c)) for c in frame.columns])
        for row in frame.round(DECIMALS).itertuples(index=False):
            ws.append([_xlsx_value(v) for v in row])
        for cells in ws.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, even where it starts with '='
    book.properties.creator = "wwc-analysis"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: object) -> object:
    """A value as a workbook cell holds it: None for a missing one, text without the control characters XML forbids."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    value = value.item() if hasattr(value, "item") else value
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_json(data: object) -> str:
    """Standard JSON (no NaN or Infinity: what cannot be computed is null), indented for people."""
    return json.dumps(json_value(data), indent=2, ensure_ascii=False, allow_nan=False)


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for a terminal or a notebook: floats rounded to 3 places, what cannot be computed as '?'."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = [
                "?" if pd.isna(v) or abs(v) == float("inf") else f"{v:.3f}".rstrip("0").rstrip(".") for v in out[col]
            ]
        else:
            out[col] = out[col].astype(object).where(out[col].notna(), "?")
    return out
