"""One city identity: when two names are the same city, for files, cohorts and folders alike.

Names that differ only in letter case, in spacing, or in Unicode composition (a precomposed
"é" against "e" plus an accent) are one city. Everything that matches cities calls `city_key`
(or `city_keys` for a column), so the scorer, the cohorts and the batch never disagree.
A column is keyed once per distinct name, and rows are grouped by city and year once per run
of rows of one city (`group_city_years`).
"""

from __future__ import annotations

import threading
import unicodedata
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .distinct import distinct, first_rows, lookup, row_keys, run_starts, text_index

# Printable ASCII words joined by single spaces: NFC and the white-space rules leave such a name as it
# is, so its key is its lower case; a column of such names is keyed at once rather than name by name.
_PLAIN = r"^[!-~]+( [!-~]+)*$"
_RECENT: list[tuple[weakref.ref, tuple[np.ndarray, np.ndarray]]] = []  # categories keyed lately, newest first
_KEYING = threading.Lock()  # held while categories are keyed: files validated side by side key their names once


def city_key(name: object) -> str:
    """The identity of a city name: NFC-normalised, runs of white space as one space, casefolded."""
    text = unicodedata.normalize("NFC", str(name))
    return " ".join(text.split()).casefold()


def city_keys(names: pd.Series) -> pd.Series:
    """`city_key` for a column, computed once per distinct name."""
    codes, keys = city_key_codes(names)
    return pd.Series(keys.take(codes).array, index=names.index, name=names.name, dtype=str)


def city_key_codes(names: pd.Series | pd.Categorical | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """For each row, a code shared by every spelling of its city, and the key of each code (an Index of text)."""
    codes, _, key_of_name, keys = city_lookup(names)
    return lookup(key_of_name, codes), keys


def city_lookup(names: pd.Series | pd.Categorical | np.ndarray) -> tuple[np.ndarray, ...]:
    """A column's distinct names keyed once: each row's name (a code), the names, each name's key (a code), the keys."""
    if isinstance(names.dtype, pd.CategoricalDtype):
        categorical = names.array if isinstance(names, pd.Series) else names
        if len(categorical) == 0 or categorical.codes.min() >= 0:
            categories = categorical.categories
            return np.asarray(categorical.codes), categories, *_category_keys(categories)
    codes, uniques = distinct(names)
    return codes, uniques, *_factorized_keys(uniques)


def _category_keys(categories: pd.Index) -> tuple[np.ndarray, pd.Index]:
    """`_factorized_keys` of a categorical's categories, remembered for the few categoricals used lately.

    A loaded frame is keyed several times (checked for duplicates, then pivoted): once is enough. The
    outcomes of the same cities usually carry the very same names: those are keyed once for both files.
    """
    with _KEYING:
        for ref, found in _RECENT:
            if ref() is categories:
                return found
        for ref, found in _RECENT:
            recent = ref()
            if recent is not None and len(recent) == len(categories) and recent.equals(categories):
                return found
        found = _factorized_keys(categories)
        _RECENT[:] = [(weakref.ref(categories), found), *[(r, f) for r, f in _RECENT[:3] if r() is not None]]
        return found


def _factorized_keys(names: np.ndarray | pd.Index) -> tuple[np.ndarray, pd.Index]:
    """`city_key` of each distinct name, factorized: a code per name, and the distinct keys."""
    array, plain = _plain(names)
    if array is None:  # not all strings (a missing name): name by name
        codes, keys = pd.factorize(np.array([city_key(n) for n in names], dtype=object))
        return codes, pd.Index(keys, dtype=str)
    encoded = pc.dictionary_encode(_each(array, plain, pc.ascii_lower(array), city_key))
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), text_index(encoded.dictionary)


def _each(names: pa.Array, plain: np.ndarray, done: pa.Array, fn: Callable[[str], str]) -> pa.Array:
    """`done` for the plain names, `fn` of each of the others (computed one by one)."""
    other = np.flatnonzero(~plain)
    if not len(other):
        return done
    mask = np.zeros(len(names), dtype=bool)
    mask[other] = True
    return pc.replace_with_mask(done, pa.array(mask), pa.array([fn(names[int(i)].as_py()) for i in other], pa.string()))


def _plain(names: np.ndarray | pd.Index) -> tuple[pa.Array | None, np.ndarray | None]:
    """The names as an Arrow array and which of them are plain (see _PLAIN); (None, None) if not all are text."""
    try:
        array = pa.array(names, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None, None
    if array.null_count:
        return None, None
    return array, pc.match_substring_regex(array, _PLAIN).to_numpy(zero_copy_only=False)


def display_name(name: object) -> str:
    """A name as shown to people: outer and repeated spaces removed, case kept."""
    return " ".join(unicodedata.normalize("NFC", str(name)).split())


def display_names(names: np.ndarray | pd.Index) -> pd.Index:
    """`display_name` of each of several names (an Index of text); a plain name is shown as it is."""
    array, plain = _plain(names)
    if array is None:  # not all strings: name by name
        return pd.Index([display_name(n) for n in names], dtype=str)
    return text_index(_each(array, plain, array, display_name))


@dataclass
class CityYears:
    """Rows grouped by city (every spelling of one city together) and year, in order of first appearance."""

    first: np.ndarray  # the first row of each group
    city: np.ndarray  # each group's city, as a code into `keys`
    keys: pd.Index  # the city keys
    run_group: np.ndarray  # per run of equal rows: its group, its spelling (a code into `spellings`), its length
    run_spelling: np.ndarray
    run_length: np.ndarray
    spellings: np.ndarray | pd.Index

    @cached_property
    def rows(self) -> np.ndarray:
        """The group of each row (int32), spelled out only where it is asked for."""
        return np.repeat(self.run_group.astype(np.int32), self.run_length)

    def cells(self, codes: np.ndarray, size: int) -> np.ndarray:
        """Each row's cell in a grid of a line per group and `size` columns, its column given by `codes` (below `size`).

        That is `row_keys(self.rows, codes, sizes=(groups, size))`, made in one long array rather than three.
        """
        grid = np.int32 if len(self.first) * size < 2**31 else np.int64
        out = np.repeat((self.run_group * size).astype(grid), self.run_length)
        out += codes
        return out

    def layout(self, codes: np.ndarray) -> np.ndarray | None:
        """The `codes` of every group, where each group is one run of rows holding the same codes in the
        same order (a file written assessment by assessment, each in one order); None where not.

        Then row `i` is group `i // size`, its code `layout[i % size]`: no per-row grid is needed.
        """
        groups = len(self.first)
        if not groups or len(self.run_length) != groups or (self.run_length != self.run_length[0]).any():
            return None
        grid = codes.reshape(groups, int(self.run_length[0]))
        return grid[0] if (grid == grid[0]).all() else None

    @cached_property
    def display_names(self) -> pd.Index:
        """Each group's city as shown: the spelling of that city used most often (the first one on a tie)."""
        city = self.city[self.run_group]
        pair, _ = pd.factorize(row_keys(city, self.run_spelling))  # (city, spelling), in order of first use
        first = first_rows(pair)
        uses = np.bincount(pair, weights=self.run_length)
        order = np.argsort(-uses, kind="stable")  # most used first; on a tie, the pair used first
        chosen, best = np.unique(city[first][order], return_index=True)
        spelling = np.zeros(len(self.keys), dtype=np.int64)
        spelling[chosen] = self.run_spelling[first][order][best]
        return display_names(pd.Index(self.spellings).take(spelling[self.city]))


def group_city_years(names: pd.Series, years: np.ndarray) -> CityYears:
    """Group rows by city (one identity for its spellings) and year (int64), looking at each run of rows once."""
    n = len(names)
    codes, spellings, key_of_name, keys = city_lookup(names)
    starts = run_starts(codes, years)
    run_spelling = codes[starts].astype(np.int64)
    run_city = key_of_name[run_spelling]
    run_year = years[starts]
    run_group, _ = pd.factorize(row_keys(run_city, run_year - (run_year.min() if n else 0)))
    run_length = np.diff(np.append(starts, n))
    first_run = first_rows(run_group)
    return CityYears(
        first=starts[first_run],
        city=run_city[first_run],
        keys=keys,
        run_group=run_group,
        run_spelling=run_spelling,
        run_length=run_length,
        spellings=spellings,
    )
