"""Work once per distinct value of a column: its codes and values, and categoricals built from them.

Inputs repeat a few values many times (a city's name on each of its 43 rows, three statuses, one
file name on every row), so normalising, checking or formatting each distinct value once costs in
proportion to the variety of the input, not its length; a row then takes its result by code.
Likewise rows that repeat come in runs (a city's rows one after the other): grouping them looks
at each run once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def distinct(values: pd.Series | pd.Categorical | np.ndarray) -> tuple[np.ndarray, np.ndarray | pd.Index]:
    """Codes (one per row, never negative) into the distinct values (missing is a value too).

    The values are an object array, or a categorical's own categories (an Index) where it has no
    missing value: nothing is copied.
    """
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.CategoricalDtype):
        cat = values.array if isinstance(values, pd.Series) else values
        codes = np.asarray(cat.codes)
        if len(codes) == 0 or codes.min() >= 0:
            return codes, cat.categories
        uniques = np.append(np.asarray(cat.categories, dtype=object), np.array([np.nan], dtype=object))
        return np.where(codes < 0, len(uniques) - 1, codes), uniques  # the missing value: one more distinct value
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


def int_values(column: pd.Series, missing: int) -> np.ndarray:
    """A column of whole numbers as int64, `missing` where a value is absent.

    A nullable integer column with nothing absent hands over its own values: a long column is not copied.
    """
    array = column.array if isinstance(column.dtype, pd.Int64Dtype) else column.astype("Int64").array
    return array.to_numpy(dtype=np.int64, na_value=missing)


def text_bytes(texts: pa.Array) -> bytes:
    """Arrow strings one after the other, as their UTF-8 bytes (one copy of their buffer, no Python string each)."""
    if len(texts) == 0:
        return b""
    wide = pa.types.is_large_string(texts.type) or pa.types.is_large_binary(texts.type)
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64 if wide else np.int32)
    start, end = int(offsets[texts.offset]), int(offsets[texts.offset + len(texts)])
    data = texts.buffers()[2]
    return b"" if data is None or end == start else data[start:end].to_pybytes()


def holds_any(texts: pa.Array, characters: bytes) -> bool:
    """Whether any of Arrow strings `texts` holds one of the ASCII `characters`.

    One scan of the strings' bytes, all of them at once (a UTF-8 sequence never holds an ASCII byte
    it does not mean): much cheaper than a pattern matched string by string.
    """
    raw = text_bytes(texts)
    return any(raw.find(bytes([c])) >= 0 for c in characters)


def text_index(array: pa.Array) -> pd.Index:
    """Arrow strings as a pandas Index of text, without making a Python string of each."""
    return pd.Index(array.to_pandas())


def sorted_categorical(column: pd.Series) -> pd.Categorical:
    """A column of text as a categorical of the values it uses, categories sorted.

    A categorical column that already is one is returned as it is (a large file's column costs nothing).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        cat = column.array
        categories = cat.categories
        if _uses_all(cat.codes, len(categories)) and _ascending_text(categories):
            return cat
    return categorical(*distinct(column))


def _uses_all(codes: np.ndarray, n: int) -> bool:
    """Whether codes (a missing value being negative) take every one of the values 0..n-1, and only those."""
    if len(codes) == 0:
        return n == 0
    if codes.min() < 0:
        return False
    return bool(used_values(codes, n).all())


def used_values(codes: np.ndarray, n: int) -> np.ndarray:
    """Which of the values 0..n-1 the (non-negative) `codes` take, as flags.

    Where rows of one value come in long runs (a city's rows one after the other) only the first
    row of each run is looked at; otherwise every row is counted.
    """
    codes = np.asarray(codes)
    if len(codes) > 1 << 16:
        heads = _run_heads(codes)
        if np.count_nonzero(heads) * 4 < len(codes):
            codes = codes[heads]
    used = np.zeros(n, dtype=bool)
    used[codes] = True  # numpy casts the codes to indices a block at a time, not into one long array
    return used


def _ascending_text(values: pd.Index) -> bool:
    """Whether distinct texts are in ascending order (Arrow compares them as Python does: by code point)."""
    try:
        array = pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    if len(array) < 2 or array.null_count:
        return len(array) < 2 and not array.null_count
    return bool(pc.all(pc.less(array.slice(0, len(array) - 1), array.slice(1))).as_py())


def categorical(codes: np.ndarray, values: Sequence[object] | np.ndarray) -> pd.Categorical:
    """Rows as a categorical of `values[codes]`: repeats merged, unused values dropped, categories sorted.

    Sorted categories order, group and compare the rows as the strings themselves would. Where the
    values are already distinct, used and sorted, the codes are kept as they are.
    """
    values = np.asarray(values, dtype=object)
    used = used_values(codes, len(values))
    kept = values[used]
    merged, uniques = pd.factorize(kept)
    uniques = np.asarray(uniques, dtype=object)
    if len(uniques) == len(values) and not pd.isna(uniques).any() and _ascending(uniques):
        return pd.Categorical.from_codes(
            codes.astype(code_type(len(values)), copy=False),
            dtype=pd.CategoricalDtype(pd.Index(values)),
            validate=False,
        )
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    lut = np.full(len(values), -1, dtype=code_type(len(uniques)))
    lut[used] = np.append(rank, -1)[merged]  # a missing value (-1) stays missing
    return pd.Categorical.from_codes(
        lookup(lut, codes), dtype=pd.CategoricalDtype(pd.Index(uniques[order])), validate=False
    )


def _ascending(values: np.ndarray) -> bool:
    """Whether distinct values are in ascending order (so sorting them would change nothing)."""
    try:
        return bool(np.all(values[:-1] < values[1:]))
    except TypeError:  # values that do not compare
        return False


def constant(value: str, n: int) -> pd.Categorical:
    """`n` rows of one value, as a categorical (a file name on each of its rows costs one byte a row)."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=pd.CategoricalDtype([value]), validate=False)


def row_keys(*codes: np.ndarray, sizes: Sequence[int] | None = None) -> np.ndarray:
    """One int per row, equal exactly where every one of `codes` (non-negative ints per row) is equal.

    With `sizes` (each code below its size) the key is the row-major position in that grid. The keys
    are int32 where they fit (half the memory of int64 for a long table).
    """
    grid = sizes is not None
    if sizes is None:
        sizes = [int(column.max()) + 1 if len(column) else 1 for column in codes]
    small = int(np.prod(np.array(sizes, dtype=float))) < 2**31
    key = np.zeros(len(codes[0]), dtype=np.int32 if small else np.int64)
    for column, size in zip(codes, sizes):
        if not grid and not small and len(key) and int(key.max()) >= (2**62) // size:  # renumber before overflow
            key = pd.factorize(key)[0].astype(np.int64)
        key *= size
        key += column
    return key


def run_starts(*codes: np.ndarray) -> np.ndarray:
    """The rows that begin a run of rows equal in every one of `codes` (row 0 begins the first run)."""
    return np.flatnonzero(_run_heads(*codes))


def _run_heads(*codes: np.ndarray) -> np.ndarray:
    """`run_starts` as flags, one per row."""
    n = len(codes[0])
    change = np.ones(n, dtype=bool)
    if n > 1:
        np.not_equal(codes[0][1:], codes[0][:-1], out=change[1:])
        for column in codes[1:]:
            change[1:] |= column[1:] != column[:-1]
    return change


def lookup(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """`values[codes]` for non-negative codes: each row's entry of a small table of numbers or flags.

    Arrow's take does this about twice as fast as numpy's indexing on a long column of small codes
    (numpy first widens every code to a 64-bit index); other tables are indexed by numpy.
    """
    values, codes = np.asarray(values), np.asarray(codes)
    if len(values) == 1 and codes.ndim == 1:
        return np.full(len(codes), values[0], dtype=values.dtype)
    if len(codes) < 1 << 16 or values.dtype.kind not in "biuf" or codes.dtype.kind not in "iu" or codes.ndim != 1:
        return values[codes]
    flags = values.dtype == np.bool_
    taken = pc.take(pa.array(values.view(np.uint8) if flags else values), pa.array(codes))
    out = taken.to_numpy(zero_copy_only=False)
    return out.view(np.bool_) if flags else out


def first_rows(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears, for codes numbered in order of first appearance (`pd.factorize`)."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    seen = np.maximum.accumulate(codes)
    return np.flatnonzero(np.concatenate([[True], seen[1:] > seen[:-1]]))


def code_type(n: int) -> type:
    """The smallest integer type pandas keeps as the codes of a categorical of `n` categories."""
    return np.int8 if n < 2**7 - 1 else np.int16 if n < 2**15 - 1 else np.int32 if n < 2**31 - 1 else np.int64
