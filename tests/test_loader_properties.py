"""Property test: any table is either accepted and scored consistently, or refused with an InputError."""

import csv
import io

import numpy as np
import pandas as pd
from hypothesis import event, given
from hypothesis import strategies as stx

from wwc_analysis.analysis.identity import city_keys
from wwc_analysis.analysis.reasons import explain as score
from wwc_analysis.errors import InputError
from wwc_analysis.io.responses import load_responses
from wwc_analysis.rules.standard import load_standard
from wwc_analysis.rules.tiers import rank_of

STANDARD = load_standard("2022")


def mostly(valid: list[str], invalid: list[str]) -> stx.SearchStrategy[str]:
    """Valid values nine times in ten, so that accepted tables are common too."""
    return stx.sampled_from(valid * 9 + invalid)


cities = mostly(["Testville", "testville ", "Other City", "=cmd", "Ünïcode", "a,b", 'q"uote'], [""])
years = mostly(["2023", "2024", ""], ["23", "year", "2023.5"])
codes = mostly([*STANDARD.codes, "dm1", " SI3 "], ["XX1", "DM10", "", "S11"])
statuses = mostly(
    ["Yes", "yes", "Y", "In Progress*", "in progress", "IN PROGRESS", "No", "n", "", "Yes ", "No*"],
    ["Maybe", "1", "0.5", "✓"],
)
row = stx.tuples(cities, years, codes, statuses, statuses)


def _key(r: tuple) -> tuple:
    return r[0].strip().casefold(), r[1], r[2].strip().upper()


COLUMN_SETS = [
    ["city", "year", "criterion", "status"],
    ["city", "criterion", "status"],
    ["city", "year", "criterion", "self_assessed", "status"],
    ["city", "year", "criterion"],
    ["criterion", "status", "city", "note"],
    ["City", "Criterion", "Status"],
]


def _csv(columns: list[str], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    values = {"note": "free text"}
    for city, year, code, status, self_status in rows:
        values.update(
            city=city,
            City=city,
            year=year,
            criterion=code,
            Criterion=code,
            status=status,
            Status=status,
            self_assessed=self_status,
        )
        writer.writerow([values[c] for c in columns])
    return buffer.getvalue()


@given(
    columns=stx.sampled_from(COLUMN_SETS),
    rows=stx.one_of(stx.lists(row, max_size=12, unique_by=_key), stx.lists(row, max_size=12)),
)
def test_any_table_is_scored_consistently_or_refused(tmp_path_factory, columns, rows):
    path = tmp_path_factory.getbasetemp() / "generated.csv"
    path.write_text(_csv(columns, rows), encoding="utf-8")
    try:
        responses = load_responses(path, STANDARD)
    except InputError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message
        event("refused")
        return
    event("accepted")
    scored = score(responses, None, STANDARD)
    # An assessment without an audited answer is scored on its self-assessment.
    keys = pd.Series(city_keys(responses["city"]), index=responses.index)
    audited = (responses["status"] != -1).groupby([keys, responses["year"].fillna(-1)]).transform("any")
    yes = responses.assign(status=responses["status"].where(audited, responses["self_assessed"]), key=keys)
    yes["yes"] = yes["status"] == 2
    expected = yes.groupby(["key", yes["year"].fillna(-1)])["yes"].sum().sort_index().to_numpy()
    got = scored.assign(key=city_keys(scored["city"]), y=scored["year"].fillna(-1))
    assert np.array_equal(got.sort_values(["key", "y"])["criteria_met"].to_numpy(), expected)
    low = np.array([rank_of(t, STANDARD) for t in scored["tier_low"]])
    high = np.array([rank_of(t, STANDARD) for t in scored["tier_high"]])
    assert (low <= high).all()
    assert (scored["outcomes_met"] == 0).all() and (scored["tier"].isna() | (scored["tier"] == None)).all()  # noqa: E711
    # each of the 43 criteria counts once: Yes, In Progress, No, or unknown (blank, or no row for it)
    got = got.set_index(["key", "y"])
    for (key, year), rows in yes.groupby(["key", yes["year"].fillna(-1)]):
        status = rows.drop_duplicates("criterion", keep="last")["status"]
        counts = got.loc[(key, year)]
        assert counts["criteria_in_progress"] == (status == 1).sum()
        assert counts["criteria_unknown"] == STANDARD.n_criteria - status.isin([0, 1, 2]).sum()
        assert (
            counts["criteria_met"] + counts["criteria_in_progress"] + counts["criteria_unknown"] + (status == 0).sum()
            == STANDARD.n_criteria
        )
        assert counts["share_met"] == counts["criteria_met"] / STANDARD.n_criteria
