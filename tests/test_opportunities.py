"""Opportunities: next-tier needs, the minimal shortlist, risks at the top, and what-if changes."""

import itertools

import numpy as np
import pytest

from wwc_analysis import city_context
from wwc_analysis.analysis.changes import parse_changes
from wwc_analysis.analysis.opportunities import at_risk, requirements, shortlist
from wwc_analysis.analysis.scoring import evaluate
from wwc_analysis.analysis.sentences import opportunity_sentences
from wwc_analysis.errors import InputError
from wwc_analysis.io.record import all_applicant_shares
from wwc_analysis.rules import status as st


@pytest.fixture(scope="module")
def scottsdale():
    return city_context("Scottsdale")


def test_scottsdale_next_tier_is_platinum_with_six_criteria(scottsdale, standard):
    opp = scottsdale.opportunities()
    assert (opp["tier"], opp["next_tier"]) == ("Gold", "Platinum")
    assert opp["criteria_needed"] == 6
    assert opp["required_criteria"] == ["DM8"] and opp["missing_core"] == []
    assert opp["outcomes_needed"] == 1 and opp["outcome_metrics_not_met"] == ["nominated"]
    codes = [p["criterion"] for p in opp["shortlist"]]
    assert codes == ["DM8", "SI1", "RDC1", "BF3", "RDC3", "RDC7"]
    unmet = {c for c, s in zip(standard.codes, scottsdale.statuses) if s != st.YES}
    assert set(codes) <= unmet
    assert all(p["status"] == "In Progress" for p in opp["shortlist"])  # 11 are In Progress, so all picks are
    assert opp["shortlist"][0]["reason"].startswith("required for Platinum")
    # each pick carries the share of peers meeting that criterion (published: DM8 29%, SI1 32%)
    assert [p["peer_share"] for p in opp["shortlist"][:2]] == [0.29, 0.32]
    assert opp["at_risk"] == ["DM1", "LC1", "PA1"]  # 31 met leaves two to spare above Gold's 29
    summary = opportunity_sentences(opp, standard)
    assert summary[0].startswith("Platinum needs 6 more criteria (including DM8) and 1 more resident outcome")


def test_in_progress_criteria_come_before_more_common_ones(standard):
    statuses = np.full(standard.n_criteria, st.YES, dtype=np.int8)
    index = standard.criterion_index()
    for code in ("OD3", "LC4", "RDC5", "PA4", "SI3", "LC5", "OD1", "SI2", "DM7", "DM6"):
        statuses[index[code]] = st.NO
    statuses[index["PA4"]] = st.IN_PROGRESS  # met by 2% of applicants, but already under way
    shares = build_cohort_shares(standard)
    picks = [p["criterion"] for p in shortlist(statuses, "Platinum", shares, standard)]
    # 33 met, Platinum needs 37: four picks, PA4 first, then the most common among peers.
    assert picks == ["PA4", "OD3", "LC4", "SI3"]


def build_cohort_shares(standard):
    return all_applicant_shares(2023).reindex(standard.codes).to_numpy()


def _reaches(statuses, tier, standard):
    outcomes = np.ones((len(statuses), len(standard.outcome_metrics)), dtype=np.int8)
    return evaluate(statuses, outcomes, standard)["tier_low"] >= standard.tier_rank(tier)


@pytest.mark.parametrize("seed", range(12))
def test_shortlist_is_minimal_by_brute_force(standard, seed):
    rng = np.random.default_rng(seed)
    shares = build_cohort_shares(standard)
    statuses = np.full(standard.n_criteria, st.YES, dtype=np.int8)
    unmet = rng.choice(standard.n_criteria, size=int(rng.integers(6, 13)), replace=False)
    statuses[unmet] = rng.choice([st.NO, st.IN_PROGRESS, st.UNKNOWN], size=len(unmet))
    rank = int(evaluate(statuses[None], np.ones((1, 3), dtype=np.int8), standard)["tier_low"][0])
    for tier in standard.tier_names[rank:]:
        picks = [standard.criterion_index()[p["criterion"]] for p in shortlist(statuses, tier, shares, standard)]
        improved = statuses.copy()
        improved[picks] = st.YES
        assert _reaches(improved[None], tier, standard)[0]
        # No smaller set of unmet criteria reaches the tier.
        smaller = [c for k in range(len(picks)) for c in itertools.combinations(unmet, k)]
        trials = np.repeat(statuses[None], len(smaller), axis=0)
        for i, combo in enumerate(smaller):
            trials[i, list(combo)] = st.YES
        assert not _reaches(trials, tier, standard).any()


def test_missing_core_criteria_are_picked_first(standard):
    statuses = np.full(standard.n_criteria, st.YES, dtype=np.int8)
    statuses[standard.criterion_index()["LC1"]] = st.NO
    statuses[standard.criterion_index()["PA1"]] = st.UNKNOWN
    need = requirements(statuses, np.ones(3), "Silver", standard)
    assert need["missing_core"] == ["LC1", "PA1"] and need["criteria_needed"] == 2
    picks = shortlist(statuses, "Silver", build_cohort_shares(standard), standard)
    assert [p["criterion"] for p in picks] == ["PA1", "LC1"]  # PA1 is met by more peers (52% to 43%)
    assert all(p["reason"].startswith("a core criterion") for p in picks)


def test_platinum_city_has_no_higher_tier_and_sees_its_risks(standard, scottsdale):
    top = scottsdale.apply("DM8=Yes, SI1=Yes, RDC1=Yes, BF3=Yes, RDC3=Yes, RDC7=Yes, nominated=yes")
    platinum, outcomes = top.answers
    # 37 met is Platinum's edge: every met criterion is at risk.
    assert at_risk(platinum, outcomes, standard) == [c for c, s in zip(standard.codes, platinum) if s == st.YES]
    opp = top.opportunities()
    assert opp["tier"] == "Platinum" and opp["next_tier"] is None
    assert opp["shortlist"] == [] and opp["criteria_needed"] == 0
    assert opportunity_sentences(opp, standard)[0] == "Scottsdale is at Platinum: there is no higher tier."
    spare = top.apply("EVAL1=Yes")  # one to spare: only core and DM8 are at risk
    assert at_risk(*spare.answers, standard) == ["DM1", "DM8", "LC1", "PA1"]


def test_what_if_scores_changes_without_touching_data(scottsdale):
    before = scottsdale.assessments.statuses.copy()
    result = scottsdale.what_if("DM8=Yes, SI1=yes, RDC1=Y, BF3=Yes, RDC3=yes, RDC7=Yes, nominated=yes")
    assert result["scenario"].tolist() == ["as is", "what if"]
    assert result["criteria_met"].tolist() == [31, 37]
    assert result["tier"].tolist() == ["Gold", "Platinum"]
    assert np.array_equal(scottsdale.assessments.statuses, before) and not scottsdale.changed
    lower = scottsdale.what_if("DM1=No")
    assert lower["criteria_met"].iloc[1] == 30 and not isinstance(lower["tier"].iloc[1], str)


@pytest.mark.parametrize(
    "change, message",
    [
        ("DM1", "CODE=STATUS"),
        ("DM1=Maybe", "unknown status"),
        ("XX9=Yes", "neither a criterion"),
        ("pm25=perhaps", "outcome metric is met"),
    ],
)
def test_bad_what_if_changes_are_refused(standard, change, message):
    with pytest.raises(InputError, match=message):
        parse_changes(change, standard)
