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


def distinct(values: pd.Series | pd.Categorical | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (one per row, never negative) into the distinct values (an object array; missing is a value too)."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.CategoricalDtype):
        cat = values.array if isinstance(values, pd.Series) else values
        codes = np.asarray(cat.codes)
        uniques = np.asarray(cat.categories, dtype=object)
        if len(codes) and codes.min() < 0:  # missing values: one more distinct value
            uniques = np.append(uniques, np.array([np.nan], dtype=object))
            codes = np.where(codes < 0, len(uniques) - 1, codes)
        return codes, uniques
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


def categorical(codes: np.ndarray, values: Sequence[object] | np.ndarray) -> pd.Categorical:
    """Rows as a categorical of `values[codes]`: repeats merged, unused values dropped, categories sorted.

    Sorted categories order, group and compare the rows as the strings themselves would. Where the
    values are already distinct, used and sorted, the codes are kept as they are.
    """
    values = np.asarray(values, dtype=object)
    used = np.zeros(len(values), dtype=bool)
    used[codes] = True
    kept = values[used]
    merged, uniques = pd.factorize(kept)
    uniques = np.asarray(uniques, dtype=object)
    if len(uniques) == len(values) and not pd.isna(uniques).any() and _ascending(uniques):
        return pd.Categorical.from_codes(
            codes.astype(_code_type(len(values)), copy=False),
            dtype=pd.CategoricalDtype(pd.Index(values)),
            validate=False,
        )
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    lut = np.full(len(values), -1, dtype=_code_type(len(uniques)))
    lut[used] = np.where(merged < 0, -1, rank[merged])  # a missing value stays missing
    return pd.Categorical.from_codes(lut[codes], dtype=pd.CategoricalDtype(pd.Index(uniques[order])), validate=False)


def _ascending(values: np.ndarray) -> bool:
    """Whether distinct values are in ascending order (so sorting them would change nothing)."""
    try:
        return bool(np.all(values[:-1] < values[1:]))
    except TypeError:  # values that do not compare
        return False


def constant(value: str, n: int) -> pd.Categorical:
    """`n` rows of one value, as a categorical (a file name on each of its rows costs one byte a row)."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=pd.CategoricalDtype([value]), validate=False)


def row_keys(*codes: np.ndarray) -> np.ndarray:
    """One int per row, equal exactly where every one of `codes` (non-negative ints per row) is equal.

    The keys are int32 where they fit (half the memory of int64 for a long table).
    """
    sizes = [int(column.max()) + 1 if len(column) else 1 for column in codes]
    small = int(np.prod(np.array(sizes, dtype=float))) < 2**31
    key = np.zeros(len(codes[0]), dtype=np.int32 if small else np.int64)
    for column, size in zip(codes, sizes):
        if not small and len(key) and int(key.max()) >= (2**62) // size:  # renumber before it could overflow
            key = pd.factorize(key)[0].astype(np.int64)
        key *= size
        key += column
    return key


def run_starts(*codes: np.ndarray) -> np.ndarray:
    """The rows that begin a run of rows equal in every one of `codes` (row 0 begins the first run)."""
    n = len(codes[0])
    change = np.ones(n, dtype=bool)
    if n > 1:
        np.not_equal(codes[0][1:], codes[0][:-1], out=change[1:])
        for column in codes[1:]:
            change[1:] |= column[1:] != column[:-1]
    return np.flatnonzero(change)


def first_rows(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears, for codes numbered in order of first appearance (`pd.factorize`)."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    seen = np.maximum.accumulate(codes)
    return np.flatnonzero(np.concatenate([[True], seen[1:] > seen[:-1]]))


def _code_type(n: int) -> type:
    return np.int8 if n < 2**7 else np.int16 if n < 2**15 else np.int32
