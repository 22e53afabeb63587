"""Write tables for people: CSV and Excel cells that cannot run as spreadsheet formulas."""

from __future__ import annotations

import pandas as pd

DECIMALS = 4  # every CSV and JSON number: shares to a hundredth of a percent
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) are safe to open in Excel or LibreOffice."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(DECIMALS)  # no float noise such as 0.30000000000000004 in shared tables
        elif not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_text(frame: pd.DataFrame) -> str:
    return safe_frame(frame).to_csv(index=False, lineterminator="\n")


def json_value(value: object) -> object:
    """A cell as plain JSON: numpy scalars unwrapped, NaN and NA as null, floats to 4 places."""
    import math

    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, DECIMALS)
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_value(v) for v in value]
    if isinstance(value, str):
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):  # NaT and the like
        return None
    return value


def json_records(frame: pd.DataFrame) -> list[dict]:
    """Rows of a table as JSON-ready dicts."""
    return [{k: json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def to_json(data: object) -> str:
    """Standard JSON (no NaN or Infinity: what cannot be computed is null), indented for people."""
    import json

    return json.dumps(json_value(data), indent=2, ensure_ascii=False, allow_nan=False)


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for a terminal or a notebook: floats rounded to 3 places, missing values as '?'."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = [
                ("?" if pd.isna(v) or v in (float("inf"), float("-inf")) else f"{v:.3f}".rstrip("0").rstrip("."))
                for v in out[col]
            ]
        else:
            out[col] = out[col].astype(object).where(out[col].notna(), "?")
    return out
