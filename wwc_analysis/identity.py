"""One city identity: when two names are the same city, for files, cohorts and folders alike.

Names that differ only in letter case, in spacing, or in Unicode composition (a precomposed
"é" against "e" plus an accent) are one city. Everything that matches cities calls `city_key`
(or `city_keys` for a column), so the scorer, the cohorts and the batch never disagree.
"""

from __future__ import annotations

import unicodedata

import pandas as pd


def city_key(name: object) -> str:
    """The identity of a city name: NFC-normalised, runs of white space as one space, casefolded."""
    text = unicodedata.normalize("NFC", str(name))
    return " ".join(text.split()).casefold()


def city_keys(names: pd.Series) -> pd.Series:
    """`city_key` for a column, computed once per distinct name."""
    uniques = pd.unique(names.astype(str))
    return names.astype(str).map({u: city_key(u) for u in uniques})


def display_name(name: object) -> str:
    """A name as shown to people: outer and repeated spaces removed, case kept."""
    return " ".join(unicodedata.normalize("NFC", str(name)).split())
