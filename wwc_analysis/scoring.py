"""Score assessments against an edition of the standard, many cities in one vectorised pass.

The rules come from the edition's files (see `tiers`): a city earns the highest tier whose
every requirement it meets. Only Yes counts as met. Unknown statuses are not No: they give
a range of tiers still possible, and a practice's share counts known answers only. A tier
the program published for the city and year is evidence: where it lies within the range
the answers allow, it settles the tier; where it does not, the conflict is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import status as st
from .distinct import distinct, first_rows, int_values, lookup, row_keys
from .errors import InputError
from .identity import CityYears, city_key, city_key_codes, city_keys, group_city_years
from .io.bundled import published_tiers
from .standard import Standard, load_standard
from .tiers import tier_ranks, tiers_from_ranks

NO_TIER = 0


@dataclass
class Assessments:
    """Statuses as a matrix: one row per (city, year), one column per criterion, in standard order."""

    keys: pd.DataFrame  # city, year (one row per assessment)
    audited: np.ndarray  # int8 codes, shape (n, criteria)
    self_assessed: np.ndarray  # int8 codes; all unknown where no self-assessment was given
    outcomes: np.ndarray  # int8: 1 met, 0 not met, -1 unknown; shape (n, metrics)
    published: np.ndarray | None = None  # int8 rank of the tier published for the city and year (0: none)
    published_floor: np.ndarray | None = None  # bool: the published tier is only a floor (a what-if that raises)

    def __post_init__(self) -> None:
        n = len(self.keys)
        if self.published is None:
            self.published = np.zeros(n, dtype=np.int8)
        if self.published_floor is None:
            self.published_floor = np.zeros(n, dtype=bool)

    def __len__(self) -> int:
        return len(self.keys)

    def select(self, rows: object) -> Assessments:
        """The assessments at `rows` (positions), as a new Assessments."""
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        return replace(
            self,
            keys=self.keys.iloc[rows].reset_index(drop=True),
            audited=self.audited[rows],
            self_assessed=self.self_assessed[rows],
            outcomes=self.outcomes[rows],
            published=self.published[rows],
            published_floor=self.published_floor[rows],
        )

    @property
    def has_self(self) -> np.ndarray:
        """Whether each assessment carries a self-assessment of its own."""
        return (self.self_assessed != st.UNKNOWN).any(axis=1)

    def city_keys(self) -> np.ndarray:
        return city_keys(self.keys["city"]).to_numpy()


def build_assessments(
    responses: pd.DataFrame,
    outcomes: pd.DataFrame | Callable[[], pd.DataFrame | None] | None,
    standard: Standard,
    published: bool = True,
) -> Assessments:
    """Pivot tidy responses (and outcomes) into status matrices, vectorised.

    Rows are (city, year), in the order they first appear; cities are matched by
    `identity.city_key`. With `published`, the tier the program announced for each city
    and year is attached as evidence. `outcomes` may be a function that returns them, called
    once the responses are pivoted: outcomes still being read elsewhere are waited for last.
    """
    years = int_values(responses["year"], standard.default_year)
    groups = group_city_years(responses["city"], years)
    keys = pd.DataFrame(
        {"city": pd.Series(groups.display_names, dtype=str), "year": pd.array(years[groups.first], dtype="Int64")}
    )
    codes, names = distinct(responses["criterion"])
    position = standard.criterion_index()
    columns = np.array([position.get(n, -1) for n in names], dtype=np.int8 if len(position) < 127 else np.int64)
    audited, self_assessed = _pivot(responses, groups, columns, codes, standard)
    # Within a self-assessment, a criterion left blank is the answer the city was scored on.
    has_self = (self_assessed != st.UNKNOWN).any(axis=1)
    fill = has_self[:, None] & (self_assessed == st.UNKNOWN)
    self_assessed[fill] = audited[fill]
    if callable(outcomes):
        outcomes = outcomes()
    matched = _outcome_matrix(groups.city, groups.keys, years[groups.first], outcomes, standard)
    out = Assessments(keys, audited, self_assessed, matched)
    if published:
        out.published = _published_ranks(groups.city, groups.keys, years[groups.first], standard)
    return out


def _pivot(
    responses: pd.DataFrame, groups: CityYears, columns: np.ndarray, codes: np.ndarray, standard: Standard
) -> tuple[np.ndarray, np.ndarray]:
    """The audited and self-assessed status matrices: each row's status placed at its group and criterion.

    Where every assessment lists the whole standard in its order (as the program's exports do), the
    statuses already are the matrices, row by row; otherwise each is placed in its cell. A row whose
    criterion is not in the edition places no answer.
    """
    shape = (len(groups.first), standard.n_criteria)
    column_of_row = lookup(np.maximum(columns, 0), codes)  # `columns`: each criterion's column, -1 if none
    known = columns.min(initial=0) >= 0
    layout = groups.layout(column_of_row) if known else None
    in_order = layout is not None and np.array_equal(layout, np.arange(standard.n_criteria))
    if not in_order:
        cell = groups.cells(column_of_row, standard.n_criteria)
        rows = slice(None) if known else (columns >= 0)[codes]
    out = []
    for column in ("status", "self_assessed"):
        values = responses[column].to_numpy(dtype=np.int8)
        if in_order:
            out.append(values.reshape(shape).copy())
            continue
        matrix = np.full(shape, st.UNKNOWN, dtype=np.int8)
        matrix.reshape(-1)[cell[rows]] = values[rows]
        out.append(matrix)
    return out[0], out[1]


def published_ranks(keys: pd.DataFrame, standard: Standard) -> np.ndarray:
    """The rank of the tier the program published for each (city, year), 0 where none is recorded."""
    cities, ckeys = city_key_codes(keys["city"])
    return _published_ranks(cities, ckeys, keys["year"].fillna(-1).to_numpy(dtype=np.int64), standard)


def _published_ranks(cities: np.ndarray, ckeys: pd.Index, years: np.ndarray, standard: Standard) -> np.ndarray:
    """`published_ranks` for assessments given as city codes (into `ckeys`) and years."""
    table = published_tiers()
    lookup = {(city_key(c), int(y)): t for c, y, t in zip(table["city"], table["year"], table["tier"])}
    announced = ckeys.isin(sorted({k for k, _ in lookup}))[cities]  # only these few cities are looked up
    ranks = np.zeros(len(cities), dtype=np.int8)
    for i in np.flatnonzero(announced):
        tier = lookup.get((ckeys[cities[i]], int(years[i])))
        ranks[i] = standard.tier_rank(tier) if tier in standard.tier_names else 0
    return ranks


def outcome_matrix(keys: pd.DataFrame, outcomes: pd.DataFrame | None, standard: Standard) -> np.ndarray:
    """Met (1), not met (0) or unknown (-1) for each assessment and outcome metric.

    An outcome row without a year applies to every year of its city; one with a year wins.
    """
    cities, ckeys = city_key_codes(keys["city"])
    years = keys["year"].astype("Int64").fillna(-1).to_numpy(dtype=np.int64)
    return _outcome_matrix(cities, ckeys, years, outcomes, standard)


def _outcome_matrix(
    cities: np.ndarray, ckeys: pd.Index, years: np.ndarray, outcomes: pd.DataFrame | None, standard: Standard
) -> np.ndarray:
    """`outcome_matrix` for assessments given as city codes (into `ckeys`) and years."""
    metrics = standard.metric_codes
    out = np.full((len(cities), len(metrics)), -1, dtype=np.int8)
    if outcomes is None or outcomes.empty:
        return out
    known = outcomes["met"].notna().to_numpy()
    o_cities, o_keys = city_key_codes(outcomes["city"])
    o_city = _positions(ckeys, o_keys)[o_cities]  # the city as a code into ckeys, -1 if none
    codes, names = distinct(outcomes["metric"])
    metric = np.array([metrics.index(n) if n in metrics else -1 for n in names], dtype=np.int64)[codes]
    o_year = outcomes["year"].astype("Int64")
    general = o_year.isna().to_numpy()
    use = known & (o_city >= 0) & (metric >= 0)
    met = outcomes["met"].fillna(False).to_numpy(dtype=bool).astype(np.int8)
    # Rows without a year first, for every assessment of their city; then rows of one year, which win.
    rows = np.flatnonzero(use & general)
    pos, which = _assessments_of(cities, o_city[rows])
    _write_first(out, pos, metric[rows][which], met[rows][which])
    rows = np.flatnonzero(use & ~general)
    o_years = int_values(o_year, -1)[rows]
    pos = pd.Index(_city_year(cities, years)).get_indexer(_city_year(o_city[rows], o_years))
    hit = pos >= 0
    _write_first(out, pos[hit], metric[rows][hit], met[rows][hit])
    return out


def _positions(index: pd.Index, values: pd.Index) -> np.ndarray:
    """Where each of `values` is in `index` (of distinct texts), -1 where it is not."""
    if len(values) == len(index) and values.equals(index):  # the same cities in both files, as is usual
        return np.arange(len(index), dtype=np.int64)
    try:
        found = pc.index_in(pa.array(values, type=pa.string()), value_set=pa.array(index, type=pa.string()))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text
        return pd.Index(index).get_indexer(values)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _city_year(cities: np.ndarray, years: np.ndarray) -> np.ndarray:
    """One int64 per (city code, year)."""
    return cities.astype(np.int64) * (1 << 32) + (np.asarray(years, dtype=np.int64) & 0xFFFFFFFF)


def _assessments_of(cities: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every assessment of each city in `wanted`: its position, and which entry of `wanted` it answers."""
    order = np.argsort(cities, kind="stable")
    lo = np.searchsorted(cities[order], wanted, side="left")
    hi = np.searchsorted(cities[order], wanted, side="right")
    counts = hi - lo
    which = np.repeat(np.arange(len(wanted)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return order[np.repeat(lo, counts) + offsets], which


def _write_first(out: np.ndarray, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
    """out[rows, cols] = values, where of two values for one cell the first one is written."""
    cells = rows.astype(np.int64) * out.shape[1] + cols
    seen = np.zeros(out.size, dtype=bool)
    seen[cells] = True
    if np.count_nonzero(seen) == len(cells):  # no cell given twice (as is usual): every value is written
        out.reshape(-1)[cells] = values
        return
    first = ~pd.Index(cells).duplicated(keep="first")
    out[rows[first], cols[first]] = values[first]


def practice_counts(statuses: np.ndarray, standard: Standard) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per assessment and practice: criteria met, criteria with a known status, criteria in all."""
    statuses = np.atleast_2d(statuses)
    practice = standard.practice_of()
    shape = (len(statuses), len(standard.practice_codes))
    met, known = np.zeros(shape, dtype=np.int32), np.zeros(shape, dtype=np.int32)
    for j in range(shape[1]):  # a few practices: no matrix product (and no BLAS threads left spinning)
        columns = statuses[:, practice == j]
        met[:, j] = np.count_nonzero(columns == st.YES, axis=1)
        known[:, j] = np.count_nonzero(columns != st.UNKNOWN, axis=1)
    return met, known, np.broadcast_to(np.bincount(practice, minlength=shape[1]), shape)


def practice_shares(statuses: np.ndarray, standard: Standard) -> np.ndarray:
    """The share of each practice's known criteria that are met; NaN where none is known.

    The one definition of a practice's share: unknown answers leave the denominator.
    """
    met, known, _ = practice_counts(statuses, standard)
    return _shares(met, known)


def _shares(met: np.ndarray, known: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(known > 0, met / np.maximum(known, 1), np.nan)


def evaluate(
    statuses: np.ndarray, outcomes: np.ndarray, standard: Standard, reading: str | None = None
) -> dict[str, np.ndarray]:
    """Counts, shares and tier ranks for a status matrix; the engine behind `score` and what-ifs.

    `tier_low` counts unknowns as not met, `tier_high` as met: the range the answers allow.
    """
    statuses = np.atleast_2d(statuses)
    outcomes = np.atleast_2d(outcomes)
    yes = statuses == st.YES
    unknown = statuses == st.UNKNOWN
    omet = np.count_nonzero(outcomes == 1, axis=1)
    ounk = np.count_nonzero(outcomes == -1, axis=1)
    p_met, p_known, _ = practice_counts(statuses, standard)
    low = tier_ranks(yes, omet, standard, reading)
    met = np.count_nonzero(yes, axis=1)
    return {
        "criteria_met": met,
        "criteria_in_progress": np.count_nonzero(statuses == st.IN_PROGRESS, axis=1),
        "criteria_unknown": np.count_nonzero(unknown, axis=1),
        "share_met": met / standard.n_criteria,
        "practice_met": p_met,
        "practice_known": p_known,
        "practice_share": _shares(p_met, p_known),
        "outcomes_met": omet,
        "outcomes_unknown": ounk,
        "tier": low,
        "tier_low": low,
        "tier_high": tier_ranks(yes | unknown, omet + ounk, standard, reading),
    }


def with_evidence(
    low: np.ndarray, high: np.ndarray, published: np.ndarray, floor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Narrow each range [low, high] by the published tier where the answers allow it.

    Returns the new low and high ranks and a flag where the published tier lies outside the
    range (a conflict: the range is then left as the answers give it). A floor (a what-if
    that only raises answers) lifts the low end and leaves the high end.
    """
    has = published > 0
    exact = has & ~floor & (published >= low) & (published <= high)
    lifted = has & floor & (published <= high)
    new_low = np.where(exact, published, np.where(lifted, np.maximum(low, published), low))
    new_high = np.where(exact, published, high)
    return new_low.astype(np.int8), new_high.astype(np.int8), has & ~(exact | lifted)


def score(
    responses: pd.DataFrame, outcomes: pd.DataFrame | None = None, standard: Standard | None = None
) -> pd.DataFrame:
    """One row per (city, year): criteria met, practice shares, core, outcomes, tier and range.

    Audited statuses are scored; a self-assessment, where given, is scored beside them
    (`self_*` columns), and each other reading of the tier bands gives a `tier_<reading>`.
    """
    standard = standard or load_standard()
    return score_assessments(build_assessments(responses, outcomes, standard), standard)


def score_assessments(a: Assessments, standard: Standard) -> pd.DataFrame:
    res = evaluate(a.audited, a.outcomes, standard)
    low, high, conflict = with_evidence(res["tier_low"], res["tier_high"], a.published, a.published_floor)
    tiers = lambda ranks: tiers_from_ranks(ranks, standard)  # noqa: E731
    cols: dict[str, object] = {}  # built apart and joined once: inserting columns one by one is slow
    cols["criteria_met"] = res["criteria_met"]
    cols["criteria_in_progress"] = res["criteria_in_progress"]
    cols["criteria_unknown"] = res["criteria_unknown"]
    cols["criteria_total"] = standard.n_criteria
    cols["share_met"] = res["share_met"]
    for j, code in enumerate(standard.practice_codes):
        cols[f"share_{code}"] = res["practice_share"][:, j]
        cols[f"unknown_{code}"] = np.bincount(standard.practice_of())[j] - res["practice_known"][:, j]
    core = [standard.criterion_index()[c] for c in standard.core_codes]
    core_yes = a.audited[:, core] == st.YES
    cols["core_met"] = core_yes.all(axis=1)
    cols["missing_core"] = _codes_where(~core_yes, np.array(standard.core_codes))
    cols["outcomes_met"] = res["outcomes_met"]
    cols["outcomes_unknown"] = res["outcomes_unknown"]
    cols["tier"] = tiers(low)
    cols["tier_low"] = tiers(low)
    cols["tier_high"] = tiers(high)
    cols["answers_low"] = tiers(res["tier_low"])
    cols["answers_high"] = tiers(res["tier_high"])
    cols["published_tier"] = tiers(np.where(a.published_floor, 0, a.published))
    cols["published_floor"] = tiers(np.where(a.published_floor, a.published, 0))  # a what-if's floor
    cols["published_conflict"] = conflict
    yes = a.audited == st.YES
    for reading in standard.readings[1:]:
        cols[f"tier_{reading}"] = tiers(tier_ranks(yes, res["outcomes_met"], standard, reading))
    has_self = a.has_self
    self_yes = a.self_assessed == st.YES
    self_met = np.count_nonzero(self_yes, axis=1)
    cols["has_self"] = has_self
    cols["self_criteria_met"] = pd.arrays.IntegerArray(self_met.astype(np.int64), ~has_self)
    cols["self_share_met"] = np.where(has_self, self_met / standard.n_criteria, np.nan)
    cols["self_tier"] = tiers(np.where(has_self, tier_ranks(self_yes, res["outcomes_met"], standard), 0))
    changed = (a.self_assessed != a.audited) & (a.self_assessed != st.UNKNOWN)
    cols["audit_changes"] = _codes_where(changed, np.array(standard.codes))
    keys = {name: a.keys[name].array for name in a.keys.columns}
    return pd.DataFrame({**keys, **cols}, index=a.keys.index, copy=False)


class CodeList(list):
    """The codes of a score table's cell (missing core criteria, audit changes), shared by every row with them.

    Many rows have the same codes, and share one list: it does not change in place (copy it to edit it).
    """

    def _shared(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("these codes are shared by every row that has them: copy them (list(...)) to change them")

    append = extend = insert = remove = pop = clear = sort = reverse = _shared
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _shared

    def __reduce__(self) -> tuple:
        return CodeList, (list(self),)


def _codes_where(mask: np.ndarray, codes: np.ndarray) -> list[CodeList]:
    """For each row of a boolean matrix, the codes of its True columns.

    Rows repeat a few patterns, so each distinct pattern is spelled out once and its rows share it.
    """
    if mask.shape[0] == 0 or mask.shape[1] == 0:
        return [CodeList()] * mask.shape[0]
    packed = np.packbits(mask, axis=1)
    width = -(-packed.shape[1] // 8) * 8  # whole 8-byte words, so each row reads as integers
    words = np.zeros((len(packed), width), dtype=np.uint8)
    words[:, : packed.shape[1]] = packed
    word_codes = [pd.factorize(word)[0] for word in words.view(np.uint64).T]
    pattern, _ = pd.factorize(row_keys(*word_codes) if len(word_codes) > 1 else word_codes[0])
    patterns = np.empty(pattern.max() + 1, dtype=object)
    for j, row in enumerate(first_rows(pattern)):
        patterns[j] = CodeList(codes[mask[row]].tolist())
    return patterns[pattern].tolist()


def assessment_rows(a: Assessments, city: str) -> np.ndarray:
    """The rows of one city's assessments, oldest first."""
    rows = np.flatnonzero(a.city_keys() == city_key(city))
    return rows[np.argsort(a.keys["year"].iloc[rows].to_numpy(dtype=np.int64), kind="stable")]


def assessment_index(a: Assessments, city: str, year: int | None = None) -> int:
    """The row of one city's assessment (its latest year unless `year` is given)."""
    rows = assessment_rows(a, city)
    if len(rows) == 0:
        known = ", ".join(sorted(set(a.keys["city"]))[:20])
        raise InputError("--city", None, f"no assessment for this city (known: {known})", city)
    if year is None:
        return int(rows[-1])
    match = rows[(a.keys["year"].iloc[rows] == int(year)).to_numpy(dtype=bool)]
    if len(match) == 0:
        years = ", ".join(str(y) for y in a.keys["year"].iloc[rows])
        raise InputError(
            "--year", None, f"no assessment of {a.keys['city'].iloc[rows[0]]} in this year (it has {years})", year
        )
    return int(match[0])
