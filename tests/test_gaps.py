"""Gaps against peer cohorts, audit risk and cohorts built from loaded or simulated cities."""

import numpy as np
import pandas as pd
import pytest

from wwc_analysis import city_context
from wwc_analysis.analysis.simulate import simulate
from wwc_analysis.errors import ParameterError
from wwc_analysis.io.record import all_applicant_shares


@pytest.fixture(scope="module")
def scottsdale():
    return city_context("Scottsdale")


def test_scottsdale_practice_gaps_against_all_applicants(scottsdale):
    gaps = scottsdale.practice_gaps().set_index("practice")
    expected = {  # (criteria, met, sum of published shares of the practice's criteria)
        "DM": (9, 8, 2.79),
        "EVAL": (4, 3, 0.85),
        "LC": (7, 6, 3.10),
        "OD": (4, 4, 2.02),
        "PA": (5, 4, 1.67),
        "BF": (3, 2, 0.82),
        "RDC": (8, 2, 1.16),
        "SI": (3, 2, 1.28),
    }
    for practice, (n, met, expected_met) in expected.items():
        row_ = gaps.loc[practice]
        assert (row_["criteria"], row_["met"]) == (n, met)
        assert row_["expected_met"] == pytest.approx(expected_met)
        assert row_["peer_share"] == pytest.approx(expected_met / n)
        assert row_["difference"] == pytest.approx(met / n - expected_met / n)
    assert gaps.loc["OD", "share_met"] == 1.0 and gaps.loc["OD", "peer_share"] == pytest.approx(0.505)
    assert gaps.loc["RDC", "share_met"] == 0.25 and gaps.loc["RDC", "peer_share"] == pytest.approx(0.145)
    assert gaps.loc["RDC", "ratio"] == pytest.approx(0.25 / 0.145)
    assert (gaps["lags"] == 0).all()


def test_scottsdale_criterion_positions(scottsdale):
    gaps = scottsdale.criterion_gaps().set_index("criterion")
    # RDC4 is met by 11% of applicants and RDC8 by 29%: Scottsdale leads where few peers go.
    assert gaps.loc["RDC4", ["status", "peer_share", "position"]].tolist() == ["Yes", 0.11, "leads"]
    assert gaps.loc["RDC8", "position"] == "leads"
    assert gaps.loc[["OD2", "OD4"], "position"].tolist() == ["leads", "leads"]
    assert gaps.loc[["OD1", "OD3"], "position"].tolist() == ["on par", "on par"]  # most peers meet these too
    assert gaps.loc["RDC1", ["status", "position"]].tolist() == ["In Progress", "on par"]
    assert gaps.loc["DM9", "difference"] == pytest.approx(0.91)
    assert (gaps["position"] == "leads").sum() == 24


def test_same_size_cohort_uses_the_published_size_band():
    cohort = city_context("Scottsdale", cohort="published:size").cohort
    assert cohort.shares["BF3"] == pytest.approx(0.16) and cohort.shares["DM9"] == pytest.approx(0.07)
    assert "size of Scottsdale" in cohort.description


def test_scottsdale_audit_risk_lists_changed_answers_with_notes(scottsdale):
    risk = scottsdale.audit_risk()
    changed = risk[risk["risk"].str.contains("audit changed")]
    assert changed["criterion"].tolist() == ["DM8", "RDC5", "RDC6", "SI1"]
    assert (changed["status"] == "In Progress").all()
    assert changed["audit_note"].str.contains("changed from YES to IN PROGRESS").all()
    rare = risk[risk["risk"].str.contains("of peers meet it")]["criterion"].tolist()
    assert rare == ["DM3", "DM9", "EVAL2", "BF2", "RDC4", "RDC5", "RDC6"]


def _loaded(tmp_path, standard, cities: dict[str, list[str]]):
    rows = [
        [city, 2023, code, status]
        for city, statuses in cities.items()
        for code, status in zip(standard.codes, statuses)
    ]
    path = tmp_path / "cohort.csv"
    pd.DataFrame(rows, columns=["city", "year", "criterion", "status"]).to_csv(path, index=False)
    return lambda city, cohort: city_context(city, None, cohort, path).cohort


def test_loaded_cohort_shares_exclude_the_city_and_unknowns(tmp_path, standard):
    n = standard.n_criteria
    cohort_of = _loaded(
        tmp_path,
        standard,
        {"Alpha": ["Yes"] * n, "Beta": ["Yes"] * n, "Gamma": ["No"] * n, "Delta": [""] + ["No"] * (n - 1)},
    )
    cohort = cohort_of("alpha", "loaded")
    assert cohort.n_cities == 3 and cohort.simulated == 0
    assert cohort.shares["DM1"] == pytest.approx(1 / 2)  # Delta's DM1 is unknown
    assert cohort.shares["DM2"] == pytest.approx(1 / 3)
    named = cohort_of("alpha", "cities:Beta; GAMMA")
    assert named.n_cities == 2 and named.shares["DM2"] == pytest.approx(0.5)
    with pytest.raises(ParameterError, match="no such city"):
        cohort_of("alpha", "cities:Nowhere")
    with pytest.raises(ParameterError, match="unknown cohort"):
        cohort_of("alpha", "friends")


def test_cohort_with_simulated_cities_says_so(tmp_path, standard):
    n = standard.n_criteria
    cohort_of = _loaded(
        tmp_path, standard, {"Real": ["Yes"] * n, "Simulated city 001": ["No"] * n, "Other": ["No"] * n}
    )
    assert cohort_of("Real", "loaded").description == "other loaded cities, 2 cities, 1 real and 1 simulated"
    assert cohort_of("Real", "cities:Simulated city 001").description.endswith("all simulated")


def test_simulated_rates_follow_published_shares_and_correlate(standard):
    shares = all_applicant_shares(2023)
    statuses, _, outcomes = simulate(20_000, 7, standard, shares)
    rates = (statuses == 2).mean(axis=0)
    assert np.abs(rates - shares.reindex(standard.codes).to_numpy()).max() < 0.02
    corr = np.corrcoef((statuses == 2).T.astype(float))
    mean_off_diagonal = (corr.sum() - len(corr)) / (len(corr) ** 2 - len(corr))
    assert mean_off_diagonal > 0.15  # mature cities meet many criteria, not a random scatter
    again, _, _ = simulate(20_000, 7, standard, shares)
    assert np.array_equal(statuses, again)
    assert outcomes.shape == (20_000, 3)
