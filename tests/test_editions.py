"""A new edition of the standard is a data change only.

A made-up edition with four tiers, a renamed outcome metric and its own assessment year is
written to a copy of data/raw/; the workbench scores, reports and simulates with it
without a line of code knowing about it.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import RAW, write_csv

from wwc_analysis.analysis.reasons import explain
from wwc_analysis.analysis.simulate import simulate_cohort
from wwc_analysis.io.record import all_applicant_shares
from wwc_analysis.io.tables import table_from_frame
from wwc_analysis.reports import charts
from wwc_analysis.reports.city_report import build_city_report
from wwc_analysis.reports.summary import summary_markdown
from wwc_analysis.rules.standard import load_standard

score = explain

EDITION = "2030"
TIERS = (
    "tier,rank,min_outcomes,requires_all_core,summary\n"
    + "\n".join(
        [
            "Bronze,1,0,yes,All core criteria",
            "Silver,2,1,yes,All core criteria and 1 outcome metric",
            "Gold,3,2,yes,All core criteria and 2 outcome metrics",
            "Platinum,4,3,yes,All core criteria and 3 metrics",
        ]
    )
    + "\n"
)
BANDS = (
    "reading,tier,min_share,label,source\n"
    + "\n".join(
        f"final_report,{t},{s},{label},made up for a test"
        for t, s, label in [
            ("Bronze", 0.35, "35-50%"),
            ("Silver", 0.51, "51-66%"),
            ("Gold", 0.67, "67-84%"),
            ("Platinum", 0.85, "85-100%"),
        ]
    )
    + "\n"
)


@pytest.fixture
def edition(tmp_path, monkeypatch):
    """data/raw/ copied, with a 2030 edition beside the 2022 one; WWC_DATA_DIR points at the copy."""
    data = tmp_path / "data"
    shutil.copytree(RAW, data / "raw")
    folder = data / "raw" / "standard" / EDITION
    shutil.copytree(RAW / "standard" / "2022", folder)
    (folder / "edition.toml").write_text(
        'edition = "2030"\ntitle = "A made-up edition"\nassessment_years = [2031]\nofficial_reading = "final_report"\n'
    )
    (folder / "tiers.csv").write_text(TIERS)
    (folder / "tier_bands.csv").write_text(BANDS)
    metrics = pd.read_csv(folder / "outcome_metrics.csv", dtype=str, keep_default_na=False)
    metrics.loc[metrics["code"] == "broadband", ["code", "aliases"]] = ["internet", "broadband;internet access"]
    metrics.to_csv(folder / "outcome_metrics.csv", index=False)
    shares = pd.read_csv(data / "raw" / "benchmarks" / "published_shares_2023.csv").assign(year=2031)
    shares.to_csv(data / "raw" / "benchmarks" / "published_shares_2031.csv", index=False)
    monkeypatch.setenv("WWC_DATA_DIR", str(data))
    return load_standard(EDITION)


def newtown(tmp_path, standard, met: int):
    codes = [*standard.core_codes, *[c for c in standard.codes if c not in standard.core_codes]]
    responses = write_csv(
        tmp_path / "newtown.csv",
        ["city", "criterion", "status"],
        [["Newtown", c, "Yes" if i < met else "No"] for i, c in enumerate(codes)],
    )
    outcomes = write_csv(
        tmp_path / "newtown_outcomes.csv",
        ["city", "metric", "value"],
        [["Newtown", "broadband", "80%"], ["Newtown", "pm25", "12"]],
    )
    return responses, outcomes


def test_four_tiers_and_a_renamed_metric_score(tmp_path, edition):
    from wwc_analysis.io.outcomes import load_outcomes
    from wwc_analysis.io.responses import load_responses

    assert edition.tier_names == ["Bronze", "Silver", "Gold", "Platinum"] and "internet" in edition.metric_codes
    responses, outcomes = newtown(tmp_path, edition, met=17)
    frame = load_responses(responses, edition)
    assert set(frame["year"]) == {2031}  # the edition's default year
    scored = score(frame, load_outcomes(outcomes, edition), edition).iloc[0]
    assert (scored["criteria_met"], scored["tier"], scored["outcomes_met"]) == (17, "Bronze", 1)
    richer, _ = newtown(tmp_path, edition, met=23)
    assert score(load_responses(richer, edition), load_outcomes(outcomes, edition), edition)["tier"].iloc[0] == "Silver"


def test_a_report_and_its_charts_with_four_tiers(tmp_path, edition):
    responses, outcomes = newtown(tmp_path, edition, met=17)
    rep = build_city_report("Newtown", edition=EDITION, responses=[responses], outcomes=[outcomes])
    assert rep.year == 2031 and rep.score["tier"] == "Bronze"
    assert rep.opportunities["next_tier"] == "Silver"
    summary = summary_markdown(rep)
    assert "Tier: Bronze" in summary and "Silver needs" in summary
    for name in ("tier_gauge", "practices", "criteria"):
        assert len(charts.draw(name, rep, tmp_path / "charts").png) > 1000
        assert (tmp_path / "charts" / f"{name}.svg").stat().st_size > 1000
    assert len(set(charts.tier_shades(edition.tier_names).values())) == 4


def test_a_simulated_cohort_of_the_new_edition(edition):
    from wwc_analysis.io.outcomes import outcomes_from_table
    from wwc_analysis.io.responses import responses_from_table

    responses, outcomes = simulate_cohort(40, 3, edition, all_applicant_shares(2031))
    assert set(outcomes["metric"]) == {"internet", "pm25", "nominated"} and set(responses["year"]) == {2031}
    frame = responses_from_table(table_from_frame(responses.astype(str), "<sim>"), edition)
    scored = score(frame, outcomes_from_table(table_from_frame(outcomes.astype(str), "<sim>"), edition), edition)
    assert len(scored) == 40 and set(scored["tier"].dropna()) <= set(edition.tier_names)
    assert scored["outcomes_met"].between(0, 3).all()
