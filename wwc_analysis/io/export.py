"""Write tables for people: CSV and Excel cells that cannot run as spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json
import math
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..distinct import distinct, first_rows, holds_any, row_keys, text_bytes

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
            out[col] = _rounded(out[col])
        elif not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def _rounded(values: pd.Series) -> pd.Series:
    """Floats as shared tables give them: no float noise such as 0.30000000000000004."""
    return values.round(DECIMALS)


def to_csv_text(frame: pd.DataFrame) -> str:
    """`safe_frame(frame)` as CSV text, byte for byte as pandas writes it.

    Each distinct cell is formatted and quoted once, so a table of many rows is written in a
    fraction of pandas' time; a frame with a column of another kind goes through pandas.
    """
    return to_csv_bytes(frame).decode("utf-8")


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """`to_csv_text(frame)` encoded as UTF-8, made without a Python string of the whole table."""
    simple = frame.shape[1] > 1 and frame.columns.is_unique
    columns = [_csv_column(frame[c]) for c in frame.columns] if simple else [None]
    if any(c is None for c in columns):
        return safe_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
    header = ",".join(_csv_field(neutralise(str(c))) for c in frame.columns) + "\n"
    rows = pc.binary_join_element_wise(_joined(columns), "", "\n")  # each row and "\n"
    return header.encode("utf-8") + text_bytes(rows)


_Fields = tuple[np.ndarray, pa.Array]  # a column's fields: each row's code into its distinct fields
_BLOCK = 1 << 16  # columns are joined in blocks of at most this many combinations of their fields


def _joined(columns: list[_Fields]) -> pa.Array:
    """Each row's fields joined by commas.

    Neighbouring columns with few distinct fields are joined per distinct combination, which rows
    share, so Arrow joins a handful of columns per row rather than every one of them.
    """
    parts = []
    for block in _blocks([len(fields) for _, fields in columns]):
        codes = [columns[i][0] for i in block]
        if len(block) == 1:
            parts.append(pc.take(columns[block[0]][1], codes[0]))
            continue
        combination, _ = pd.factorize(row_keys(*codes, sizes=[len(columns[i][1]) for i in block]))
        first = first_rows(combination)
        texts = [pc.take(columns[i][1], code[first]) for i, code in zip(block, codes)]
        parts.append(pc.take(pc.binary_join_element_wise(*texts, ","), combination))
    return pc.binary_join_element_wise(*parts, ",") if len(parts) > 1 else parts[0]


def _blocks(sizes: list[int]) -> list[list[int]]:
    """Runs of neighbouring columns (by position) whose numbers of distinct fields multiply to at most _BLOCK."""
    blocks: list[list[int]] = []
    product = _BLOCK + 1
    for i, size in enumerate(sizes):
        product *= max(size, 1)
        if product > _BLOCK:
            blocks.append([])
            product = max(size, 1)
        blocks[-1].append(i)
    return blocks


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
_MASKED = {"boolean", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64"}


def _csv_field(text: str) -> str:
    """One cell as the csv module writes it in a row of several (quoted only where it must be)."""
    if not _NEEDS_QUOTES.search(text):
        return text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([text, ""])
    return buffer.getvalue()[:-2]


def _csv_column(column: pd.Series) -> _Fields | None:
    """Each row's CSV field (a code into distinct fields), as `safe_frame` then pandas would write it; None for a
    kind of column not handled."""
    dtype = column.dtype
    if dtype == np.float64:  # rounded as safe_frame rounds, written as pandas writes floats
        values = _rounded(column).to_numpy()
        codes, bits = pd.factorize(values.view(np.int64))  # by bit pattern: -0.0 and 0.0 are written apart
        floats = bits.view(np.float64)
        texts = np.where(np.isnan(floats), "", floats.astype(str)).tolist()
    elif dtype.kind in "biu" and isinstance(dtype, np.dtype):
        codes, uniques = pd.factorize(column.to_numpy())
        texts = uniques.astype(str).tolist()
    elif str(dtype) in _MASKED:  # nullable integers and booleans: a missing value is blank
        codes, uniques = distinct(column)
        texts = ["" if u is pd.NA else str(u) for u in uniques]
    elif isinstance(dtype, pd.CategoricalDtype):  # its categories formatted once, its codes kept
        return _category_fields(column)
    elif isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
        text = _text(column)  # neutralised as safe_frame does; a missing value is blank
        if text is None:
            return None
        encoded = pc.dictionary_encode(text)
        return encoded.indices.to_numpy(zero_copy_only=False), _text_fields(encoded.dictionary)
    else:
        return None
    return np.asarray(codes), pa.array([_csv_field(t) for t in texts], pa.string())


def _category_fields(column: pd.Series) -> _Fields | None:
    """A categorical's fields, one per distinct value (`distinct`: a missing one is blank); None where a category
    is not text."""
    codes, values = distinct(column)
    text = _text(pd.Series(np.asarray(values, dtype=object)))
    return None if text is None else (codes, _text_fields(text))


def _text(column: pd.Series) -> pa.Array | None:
    """A column of text as Arrow strings, a missing value blank; None where a cell is not text (or missing)."""
    try:
        array = pa.array(column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type) or array.type == pa.null()):
        return None
    return pc.fill_null(array.cast(pa.string()), "")


def _text_fields(texts: pa.Array) -> pa.Array:
    """Distinct texts as CSV fields: neutralised as `neutralise` does, quoted where they must be."""
    formula = pc.is_in(pc.utf8_slice_codeunits(texts, 0, 1), value_set=pa.array(_FORMULA_START))
    if pc.any(formula).as_py():
        texts = pc.if_else(formula, pc.binary_join_element_wise("'", texts, ""), texts)
    if not holds_any(texts, b',"\r\n'):
        return texts
    quoted = pc.match_substring_regex(texts, _NEEDS_QUOTES.pattern)
    if not pc.any(quoted).as_py():
        return texts
    which = np.flatnonzero(quoted.to_numpy(zero_copy_only=False))
    fields = pa.array([_csv_field(texts[int(i)].as_py()) for i in which], texts.type)
    return pc.replace_with_mask(texts, quoted, fields)


def json_value(value: object) -> object:
    """A cell as plain JSON: numpy scalars unwrapped, NaN and NA as null, floats to 4 places."""
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
