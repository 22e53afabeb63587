"""One city identity for files, cohorts and folders: names differing only in case, spacing or Unicode form are one city.

Everything that matches cities calls `city_key` (or `city_codes` for a column).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd


@lru_cache(maxsize=1 << 18)  # a name is keyed once, however many tables and cohorts match it
def city_key(name: object) -> str:
    """The identity of a city name: NFC-normalised, runs of white space as one space, casefolded."""
    return " ".join(unicodedata.normalize("NFC", str(name)).split()).casefold()


def display_name(name: object) -> str:
    """A name as shown to people: outer and repeated spaces removed, case kept."""
    return " ".join(unicodedata.normalize("NFC", str(name)).split())


def city_codes(names: pd.Series | np.ndarray | list) -> tuple[np.ndarray, np.ndarray]:
    """Each row's city as a code shared by every spelling of it, and the key of each code.

    Each distinct name (a categorical's category) is keyed once, however many rows carry it.
    """
    names = pd.Series(names)
    if isinstance(names.dtype, pd.CategoricalDtype):
        codes, uniques = names.cat.codes.to_numpy(), names.cat.categories
    else:
        codes, uniques = pd.factorize(names.astype(object), use_na_sentinel=False)
    texts = np.asarray(uniques, dtype=object)  # plain strings: iterating an Arrow-backed index is slow
    key_codes, keys = pd.factorize(np.array([city_key(u) for u in texts] + [""], dtype=object))
    return key_codes[codes], np.asarray(keys, dtype=object)


def city_keys(names: pd.Series | np.ndarray | list) -> np.ndarray:
    """`city_key` of each name of a column."""
    codes, keys = city_codes(names)
    return keys[codes]
