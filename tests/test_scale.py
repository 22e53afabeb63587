"""Scoring at scale: the fast paths give exactly what the careful ones give (tables, errors, outcomes, CSV)."""

import csv
import io
import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import write_csv
from hypothesis import given
from hypothesis import strategies as stx

from wwc_analysis.errors import InputError
from wwc_analysis.identity import CityYears, city_key, city_key_codes, display_name, group_city_years
from wwc_analysis.io import tables
from wwc_analysis.io.export import safe_frame, to_csv_text
from wwc_analysis.io.outcomes import _judge_row, load_outcomes, outcomes_from_table
from wwc_analysis.io.responses import check_duplicates, load_responses
from wwc_analysis.io.tables import parse_years, table_from_frame
from wwc_analysis.scoring import CodeList, build_assessments, score
from wwc_analysis.simulate import write_cohort
from wwc_analysis.standard import load_standard

STANDARD = load_standard("2022")
REQUIRED = ("city", "criterion", "status")

# Cells a plain file may hold, and a few that send it to the careful reader (quotes, line breaks, NUL).
PLAIN_CELLS = ["Testville", " testville ", "DM1", "dm1 ", "Yes", "In Progress", "", " ", '"a,b"', "2023", "2023.0"]
PLAIN_CELLS += ["é", "\u00a0x\u00a0", "=cmd", "x\x0cy", "\t", "<b>", '""', '" spaced "', "Ünïcode  City"]
ODD_CELLS = ['"q""x"', '"multi\nline"', 'ab"c', "nul\x00", "cr\rcell", "'"]
HEADERS = [
    ["city", "year", "criterion", "status"],
    ["City", " Criterion", "STATUS", "note"],
    ["city", "criterion", "status", ""],
    ["city", "criterion", "status", "status"],
    ["criterion", "year"],
]


def _table(table: tables.Table) -> tuple:
    return table.frame.astype(str).to_dict("list"), table.lines.tolist(), list(table.frame.columns), table.label


def _careful(path) -> tuple:
    try:
        return ("table", _table(tables._read_text_carefully(path, REQUIRED)))
    except InputError as exc:
        return ("error", str(exc))


def _line(width: int) -> stx.SearchStrategy:
    """Mostly a row as wide as the header, of plain cells; now and then a blank line or a ragged row."""
    cells = stx.sampled_from(PLAIN_CELLS * 30 + ODD_CELLS)
    row = stx.lists(cells, min_size=width, max_size=width)
    ragged = stx.lists(cells, min_size=max(1, width - 1), max_size=width + 1)
    return stx.one_of(row, row, row, row, row, row, stx.just(""), ragged)


@given(
    header=stx.sampled_from(HEADERS[:1] * 6 + HEADERS),
    data=stx.data(),
    sep=stx.sampled_from([",", ",", ";", "\t"]),
    newline=stx.sampled_from(["\n", "\r\n"]),
    ending=stx.sampled_from(["", "\n", "\n\n"]),
    bom=stx.booleans(),
)
def test_plain_csv_reader_reads_as_the_careful_reader(tmp_path_factory, header, data, sep, newline, ending, bom):
    rows = data.draw(stx.lists(_line(len(header)), max_size=8))
    lines = [sep.join(header)] + [sep.join(r) if isinstance(r, list) else r for r in rows]
    path = tmp_path_factory.getbasetemp() / "plain.csv"
    path.write_bytes((("\ufeff" if bom else "") + newline.join(lines) + ending).encode("utf-8"))
    fast = tables._read_plain_csv(path, REQUIRED)  # None: the file is left to the careful reader
    if fast is not None:
        assert ("table", _table(fast)) == _careful(path)


@given(
    data=stx.data(),
    sep=stx.sampled_from([",", "\t"]),
    newline=stx.sampled_from(["\n", "\r\n"]),
)
def test_a_column_of_mostly_different_cells_reads_as_the_careful_reader(tmp_path_factory, data, sep, newline):
    # Over 100 rows whose city mostly differs from row to row: that column is read as plain text and encoded once.
    n = data.draw(stx.integers(110, 130))
    spellings = [f"City {i:03d}" for i in range(n)]
    pool = [*spellings, " City 007 ", "city 007", "City 008\u00a0", "é"]  # spellings the stripping must merge
    cities = data.draw(stx.lists(stx.sampled_from(pool), min_size=n, max_size=n))
    cities = [spellings[i] if i % 3 else city for i, city in enumerate(cities)]  # most rows a city of their own
    if data.draw(stx.booleans()):  # now and then a cell that is not plain, somewhere
        cities[data.draw(stx.integers(0, n - 1))] = data.draw(stx.sampled_from(ODD_CELLS))
    statuses = data.draw(stx.lists(stx.sampled_from(PLAIN_CELLS), min_size=n, max_size=n))
    rows = [sep.join([city, "DM1", status]) for city, status in zip(cities, statuses)]
    path = tmp_path_factory.getbasetemp() / "distinct.csv"
    path.write_bytes(newline.join([sep.join(["city", "criterion", "status"]), *rows, ""]).encode("utf-8"))
    fast = tables._read_plain_csv(path, REQUIRED)
    if fast is not None:
        assert ("table", _table(fast)) == _careful(path)


def test_a_mostly_distinct_column_is_read_as_plain_text(tmp_path, monkeypatch):
    path = tmp_path / "outcomes.csv"
    rows = [f"City {i:04d},2023,broadband,{50 + i % 40}.5," for i in range(3000)] + [" City 0001 ,2024,broadband,,yes"]
    path.write_text("city,year,metric,value,met\n" + "\n".join(rows) + "\n", encoding="utf-8")
    encoded = []
    real = tables._one_dictionary
    monkeypatch.setattr(tables, "_one_dictionary", lambda column: encoded.append(1) or real(column))
    fast = tables._read_plain_csv(path, ("city", "metric", "value"))
    assert encoded  # the city column took the plain-text path
    assert ("table", _table(fast)) == ("table", _table(tables._read_text_carefully(path, ("city", "metric", "value"))))
    assert fast.frame["city"].cat.categories.size == 3000  # " City 0001 " is City 0001, stripped


def test_plain_files_take_the_fast_reader_and_score_the_same(tmp_path, monkeypatch):
    responses, outcomes = write_cohort(60, seed=4, folder=tmp_path / "cohort")
    assert isinstance(tables.read_table(responses, REQUIRED).frame["city"].dtype, pd.CategoricalDtype)
    fast = score(load_responses(responses, STANDARD), load_outcomes(outcomes, STANDARD), STANDARD)
    monkeypatch.setattr(tables, "_read_plain_csv", lambda path, required: None)
    careful = score(load_responses(responses, STANDARD), load_outcomes(outcomes, STANDARD), STANDARD)
    pd.testing.assert_frame_equal(fast, careful)


# Rows that pass (a metric with its kind of value), and cells that break one rule or another.
GOOD_OUTCOMES = [
    {"metric": "broadband", "value": "80", "met": ""},
    {"metric": "Broadband", "value": "0.8", "met": "yes"},
    {"metric": "broadband", "value": "60%", "met": ""},
    {"metric": "pm25", "value": "7.2", "met": "", "direction": "", "target": ""},
    {"metric": "pm25", "value": "12.5", "met": "no"},
    {"metric": "pm25", "value": "", "met": ""},
    {"metric": "nominated", "value": "", "met": "yes"},
    {"metric": "nominated", "value": "42", "target": "40", "direction": "higher"},
    {"metric": "nominated", "value": "1,200", "target": "1000", "direction": "<=", "met": "no"},
]
BAD_CELLS = {
    "city": [""],
    "year": ["23"],
    "metric": ["crime"],
    "value": ["good", "inf", "1", "130", "-5", "7%"],
    "target": ["x", "9"],
    "direction": ["sideways", "<="],
    "met": ["maybe", "yes", "no"],
}


@stx.composite
def _outcome_row(draw) -> dict:
    row = {"city": draw(stx.sampled_from(["Testville", "Other"])), "year": draw(stx.sampled_from(["2023", "", "2024"]))}
    row |= {"target": "", "direction": "", "met": ""} | draw(stx.sampled_from(GOOD_OUTCOMES))
    if draw(stx.integers(0, 9)) == 0:  # one cell in ten rows is off
        column = draw(stx.sampled_from(sorted(BAD_CELLS)))
        row[column] = draw(stx.sampled_from(BAD_CELLS[column]))
    return row


@given(rows=stx.lists(_outcome_row(), min_size=1, max_size=8))
def test_outcomes_judged_at_once_as_row_by_row(rows):
    table = table_from_frame(pd.DataFrame(rows), "<outcomes>")
    try:
        got = outcomes_from_table(table, STANDARD)
    except InputError as exc:
        got = str(exc)
    try:  # the reference: each row judged on its own, the first bad one raising
        parse_years(table)
        cells = {c: table.frame[c].tolist() for c in BAD_CELLS if c != "year"}
        judged = [_judge_row(table, i, {c: cells[c][i] for c in cells}, STANDARD) for i in range(len(rows))]
    except InputError as exc:
        assert got == str(exc)
        return
    assert not isinstance(got, str), got
    expected = pd.DataFrame(judged, columns=["metric", "value", "target", "direction", "met"])
    assert got["metric"].astype(str).tolist() == expected["metric"].tolist()
    np.testing.assert_array_equal(got["value"].to_numpy(), expected["value"].to_numpy(dtype=float))
    np.testing.assert_array_equal(got["target"].to_numpy(), expected["target"].to_numpy(dtype=float))
    assert got["direction"].astype(str).tolist() == expected["direction"].tolist()
    assert got["met"].astype(object).where(got["met"].notna(), None).tolist() == expected["met"].tolist()


TEXTS = ["", "a", "=cmd", "+1", "-x", "@s", "\tt", "a,b", 'q"u', "line\nbreak", "cr\rx", " sp ", "é", "'=x", "nan"]


def _column(kind: str, rng: np.random.Generator, n: int) -> pd.Series:
    floats = [0.0, -0.0, 1.0, 0.1 + 0.2, 1 / 3, 1e-7, -1e-7, 123456.789123456, 1e16, 1e22, np.nan, np.inf, -np.inf]
    texts = [TEXTS[i] for i in rng.integers(0, len(TEXTS), n)]
    missing = rng.random(n) < 0.2
    columns = {
        "float": lambda: pd.Series(rng.choice(floats, n) + (rng.random(n) < 0.3) * rng.random(n)),
        "int": lambda: pd.Series(rng.integers(-5, 1000, n)),
        "bool": lambda: pd.Series(rng.random(n) < 0.5),
        "Int64": lambda: pd.Series(pd.array(rng.integers(0, 50, n), dtype="Int64")).where(~missing),
        "boolean": lambda: pd.Series(pd.array(rng.random(n) < 0.5, dtype="boolean")).where(~missing),
        "str": lambda: pd.Series(texts, dtype=str).where(~missing),
        "object": lambda: pd.Series([None if m else t for t, m in zip(texts, missing)], dtype=object),
        "category": lambda: pd.Series(pd.Categorical([None if m else t for t, m in zip(texts, missing)])),
        "mixed": lambda: pd.Series([1.5 if m else t for t, m in zip(texts, missing)], dtype=object),
        "lists": lambda: pd.Series([[t] for t in texts], dtype=object),
    }
    return columns[kind]()


@given(seed=stx.integers(0, 2**32 - 1), kinds=stx.lists(stx.sampled_from(list("abcdefghij")), min_size=1, max_size=5))
def test_csv_text_is_what_pandas_writes(seed, kinds):
    rng = np.random.default_rng(seed)
    names = ["float", "int", "bool", "Int64", "boolean", "str", "object", "category", "mixed", "lists"]
    n = int(rng.integers(0, 25))
    frame = pd.DataFrame({f"{k}{i}": _column(names["abcdefghij".index(k)], rng, n) for i, k in enumerate(kinds)})
    frame.columns = [["=f", "x,y", 'q"', "share", "city"][i % 5] + str(i) for i in range(len(frame.columns))]
    assert to_csv_text(frame) == safe_frame(frame).to_csv(index=False, lineterminator="\n")


NAMES = [
    "Scottsdale",
    " scottsdale",
    "SCOTTSDALE  ",
    "San  José",
    "San Jose\u0301",
    "Straße",
    "STRASSE",
    "a,b",
    "x\x1cy",
]


def test_city_keys_once_per_name_are_city_key():
    names = pd.Series(NAMES * 3)
    for column in (names, names.astype("category"), names.astype(str)):
        codes, keys = city_key_codes(column)
        assert keys[codes].tolist() == [city_key(n) for n in names]


def test_rows_group_by_city_and_year_in_order_of_first_appearance():
    rng = np.random.default_rng(3)
    names = pd.Series(rng.choice(NAMES, 200)).astype("category")
    years = rng.choice([2023, 2024], 200).astype(np.int32)
    groups = group_city_years(names, years)
    keys = pd.Series([city_key(n) for n in names])
    expected, _ = pd.factorize(pd.Series(list(zip(keys, years))))
    assert groups.rows.tolist() == expected.tolist()
    for g, first in enumerate(groups.first):  # shown: the city's spelling used most often, the first on a tie
        same = names.astype(str)[keys == keys[first]]
        counts = same.value_counts(sort=False)
        best = counts[counts == counts.max()].index
        assert groups.display_names[g] == display_name(next(s for s in same if s in best))


def test_a_file_in_the_standards_order_pivots_as_its_rows_in_any_order(tmp_path, monkeypatch):
    responses, _ = write_cohort(30, seed=5, folder=tmp_path / "cohort")
    frame = load_responses(responses, STANDARD)
    placed = []  # CityYears.cells places rows one by one: only rows out of the standard's order need it
    real = CityYears.cells
    monkeypatch.setattr(CityYears, "cells", lambda self, *args: placed.append(1) or real(self, *args))
    in_order = build_assessments(frame, None, STANDARD)
    assert not placed
    shuffled = frame.sample(frac=1, random_state=1).reset_index(drop=True)
    check_duplicates(shuffled)
    any_order = build_assessments(shuffled, None, STANDARD)
    assert placed
    by_key = lambda a: np.lexsort((a.keys["year"].to_numpy(), a.keys["city"].to_numpy()))  # noqa: E731
    for matrix in ("audited", "self_assessed"):
        assert np.array_equal(
            getattr(in_order, matrix)[by_key(in_order)], getattr(any_order, matrix)[by_key(any_order)]
        )


def test_a_criterion_twice_in_every_assessment_is_refused(tmp_path):
    rows = [[city, 2023, code, "Yes"] for city in ("A", "B", "C") for code in ("DM1", "DM1", "DM2")]
    path = write_csv(tmp_path / "r.csv", ["city", "year", "criterion", "status"], rows)
    with pytest.raises(InputError, match=r"r.csv: row 3: DM1 for A 2023 is listed twice \(also at .*row 2\)"):
        load_responses(path, STANDARD)


def test_shared_code_lists_are_read_only():
    codes = CodeList(["LC1", "PA1"])
    assert codes == ["LC1", "PA1"] and pickle.loads(pickle.dumps(codes)) == codes
    with pytest.raises(TypeError, match="shared"):
        codes.append("DM1")


def test_large_score_file_through_the_cli_matches_the_careful_path(tmp_path, monkeypatch, capsys):
    from wwc_analysis.cli import main

    responses, outcomes = write_cohort(40, seed=9, folder=tmp_path / "cohort")
    for fmt in ("csv", "json", "table"):
        assert main(["score", str(responses), "--outcomes", str(outcomes), "--format", fmt]) == 0
        fast = capsys.readouterr().out
        with monkeypatch.context() as m:
            m.setattr(tables, "_read_plain_csv", lambda path, required: None)
            assert main(["score", str(responses), "--outcomes", str(outcomes), "--format", fmt]) == 0
        assert capsys.readouterr().out == fast
        if fmt == "csv":
            assert len(list(csv.reader(io.StringIO(fast)))) == 41  # the header and one row per city
