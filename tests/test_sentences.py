"""Every sentence the workbench writes, over a generated matrix of situations.

Situations cover every tier edge, unknown criteria and outcome metrics, a self-assessment
present or absent, and a published tier absent, agreeing or conflicting. Each text is
checked for the slips people notice: "from Gold to Gold", nan, a colon with nothing after
it, "1 criteria", HTML entities in Markdown, and differences that do not add up.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from wwc_analysis.analysis.cohorts import published_cohort
from wwc_analysis.analysis.scenario import Scenario
from wwc_analysis.analysis.scoring import Assessments
from wwc_analysis.analysis.sentences import opportunity_sentences, scenario_sentences, tier_text
from wwc_analysis.io.record import published_shares
from wwc_analysis.reports.city_report import CityReport
from wwc_analysis.reports.summary import summary_markdown
from wwc_analysis.rules import status as st

BAD = [
    (re.compile(r"\bfrom ([A-Za-z][\w ]*?) to \1\b"), "a range from a tier to itself"),
    (re.compile(r"\b(nan|NaN|None|<NA>|inf)\b"), "a missing value printed"),
    (re.compile(r":\s*(?:$|[.;,)])"), "nothing after a colon"),
    (re.compile(r"\b1 (?:more )?(?:core )?(?:resident )?(?:outcome )?(?:criteria|metrics|points)\b"), "plural after 1"),
    (re.compile(r"\b(?:[02-9]|\d{2,}) (?:more )?(?:core )?criterion\b"), "singular after a count other than 1"),
    (re.compile(r"&[a-z]+;|&#\d+;"), "an HTML entity"),
    (re.compile(r"\b(\w+) \1\b"), "a doubled word"),
]


def situations(standard):
    """About 300 situations, each an assessment with a known set of facts."""
    edges = sorted({e + d for t in standard.tier_names for e in [standard.min_criteria(t)] for d in (-1, 0, 1)})
    met_counts = [0, 3, *edges, standard.n_criteria]
    combos = itertools.product(
        met_counts, (0, 1, 6), (True, False), (0, 1, 2, 3), (0, 1), (False, True), ("none", "agrees", "conflicts")
    )
    for k, (met, unknown, core, outcomes_met, outcomes_unknown, has_self, published) in enumerate(combos):
        if k % 17:  # a spread sample of the full product (17 is prime to every dimension, so none aliases)
            continue
        yield dict(
            met=met,
            unknown=unknown,
            core=core,
            outcomes_met=outcomes_met,
            outcomes_unknown=min(outcomes_unknown, 3 - outcomes_met),
            has_self=has_self,
            published=published,
        )


def assessment(standard, s) -> Assessments:
    index = standard.criterion_index()
    statuses = np.full(standard.n_criteria, st.NO, dtype=np.int8)
    order = [*standard.core_codes, "DM8", *[c for c in standard.codes if c not in standard.core_codes and c != "DM8"]]
    if not s["core"]:
        order = order[1:] + order[:1]  # DM1 is met last
    for code in order[: s["met"]]:
        statuses[index[code]] = st.YES
    unknown = [c for c in reversed(order) if statuses[index[c]] != st.YES][: s["unknown"]]
    for code in unknown:
        statuses[index[code]] = st.UNKNOWN
    statuses[[index[c] for c in order[s["met"] : s["met"] + 2] if statuses[index[c]] == st.NO]] = st.IN_PROGRESS
    outcomes = np.array([1] * s["outcomes_met"] + [-1] * s["outcomes_unknown"], dtype=np.int8)
    outcomes = np.concatenate([outcomes, np.zeros(3 - len(outcomes), dtype=np.int8)])
    self_assessed = (
        np.where(statuses == st.IN_PROGRESS, st.YES, statuses).astype(np.int8)
        if s["has_self"]
        else np.full_like(statuses, st.UNKNOWN)
    )
    keys = pd.DataFrame({"city": ["Testville"], "year": pd.array([2023], dtype="Int64"), "key": ["testville"]})
    a = Assessments(keys, statuses[None, :], self_assessed[None, :], outcomes[None, :], np.array([True]))
    if s["published"] != "none":
        from wwc_analysis.analysis.scoring import evaluate

        res = evaluate(statuses, outcomes, standard)
        low, high = int(res["tier_low"][0]), int(res["tier_high"][0])
        inside = [r for r in range(1, len(standard.tier_names) + 1) if low <= r <= high]
        outside = [r for r in range(1, len(standard.tier_names) + 1) if not low <= r <= high]
        pool = inside if s["published"] == "agrees" else outside
        a.published = np.array([pool[-1] if pool else 0], dtype=np.int8)
    return a


def texts(standard, s, cohort=None) -> list[str]:
    cohort = cohort or published_cohort("all", "Testville", 2023, standard, published_shares())
    scenario = Scenario(standard, assessment(standard, s), 0, cohort)
    changed = scenario.apply("DM2=unknown, nominated=met")
    rep = CityReport(scenario)
    sentences = [*opportunity_sentences(rep.opportunities, standard), *scenario_sentences(changed), *changed.reasons]
    return [*scenario.reasons, *sentences, summary_markdown(rep), tier_text(scenario.score)]


@pytest.fixture(scope="module")
def matrix(standard):
    """(situation, texts) for every generated situation, computed once."""
    cohort = published_cohort("all", "Testville", 2023, standard, published_shares())
    return [(s, texts(standard, s, cohort)) for s in situations(standard)]


def test_the_matrix_has_at_least_200_situations(matrix):
    assert len(matrix) >= 200


def test_no_sentence_in_any_situation_has_a_slip(matrix):
    problems = []
    for s, found in matrix:
        for text in found:
            for pattern, what in BAD:
                for line in text.splitlines():
                    if pattern.search(line):
                        problems.append(f"{what}: {line!r} in {s}")
    assert not problems, "\n".join(problems[:10]) + f"\n({len(problems)} in all)"


def test_differences_in_the_summary_add_up(matrix):
    row = re.compile(r"\| (\d+)% \| (\d+)% \| ([+-]\d+) points? \|")
    seen = 0
    for _, found in matrix:
        for line in found[-2].splitlines():
            if m := row.search(line):
                assert int(m.group(1)) - int(m.group(2)) == int(m.group(3)), line
                seen += 1
    assert seen > 1000


@pytest.mark.parametrize("published", ["agrees", "conflicts"])
def test_the_published_tier_is_named_or_the_conflict_said(standard, published):
    s = dict(met=23, unknown=6, core=True, outcomes_met=1, outcomes_unknown=1, has_self=False, published=published)
    reasons = " ".join(texts(standard, s)[:8])
    assert "The program published" in reasons
    assert ("check the answers" in reasons) == (published == "conflicts")
