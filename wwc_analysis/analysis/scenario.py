"""One city's scenario: the one model that the command line, the report, summary.md, the index and the app render.

A scenario is a city's recorded assessment, the standard, its peer cohort and its published record,
with changes applied; every question a surface asks is a property or method here. For example
`city_context("Scottsdale").apply("DM8=Yes").score["tier"]`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from ..rules import outcomes as om
from ..rules import status as st
from ..rules.standard import Standard
from ..rules.tiers import rank_of, tier_name
from .changes import Change, Plan, merged, parse_changes
from .cohorts import Cohort, is_simulated
from .gaps import audit_risk, criterion_gaps, practice_gaps
from .opportunities import opportunities
from .progress import progress
from .reasons import band_notes, reasons_for
from .scoring import Assessments, score_assessments
from .timeline import announced_since, timeline


@dataclass(frozen=True, eq=False)
class Scenario:
    """A city's assessment among those loaded, its cohort and record, with `changes` applied to its answers."""

    standard: Standard
    assessments: Assessments  # every loaded assessment (progress reads the city's others)
    row: int  # the recorded assessment this scenario starts from
    cohort: Cohort
    record: pd.DataFrame = field(default_factory=pd.DataFrame)  # the city's rows of the published record
    changes: tuple[Change, ...] = ()

    # The recorded assessment -----------------------------------------------------------------

    @property
    def city(self) -> str:
        return str(self.assessments.keys["city"].iloc[self.row])

    @property
    def year(self) -> int:
        return int(self.assessments.keys["year"].iloc[self.row])

    @property
    def recorded_statuses(self) -> np.ndarray:
        return self.assessments.statuses[self.row]

    @property
    def recorded_outcomes(self) -> np.ndarray:
        return self.assessments.outcomes[self.row]

    @property
    def self_statuses(self) -> np.ndarray:
        return self.assessments.self_assessed[self.row]

    @property
    def has_self(self) -> bool:
        return bool(self.assessments.has_self[self.row])

    @property
    def audited(self) -> bool:
        return bool(self.assessments.audited[self.row])

    @property
    def simulated(self) -> bool:
        return bool(is_simulated([self.city])[0])

    @property
    def audit_notes(self) -> dict[str, str]:
        codes = self.standard.codes
        return {codes[c]: text for (r, c), text in self.assessments.notes.items() if r == self.row}

    # Changes ------------------------------------------------------------------------------------

    def apply(self, changes: Iterable[Change] | str) -> Scenario:
        """This scenario with more changes (a later change to a code replaces an earlier one)."""
        if isinstance(changes, str):
            changes = parse_changes(changes, self.standard)
        return replace(self, changes=merged([*self.changes, *changes]))

    def recorded(self) -> Scenario:
        """The recorded assessment: no changes."""
        return replace(self, changes=())

    @cached_property
    def answers(self) -> tuple[np.ndarray, np.ndarray]:
        """The statuses and outcome metrics with the changes applied."""
        statuses, outcomes = self.recorded_statuses.copy(), self.recorded_outcomes.copy()
        index, metrics = self.standard.criterion_index(), self.standard.metric_codes
        for change in self.changes:
            if change.kind == "criterion":
                statuses[index[change.code]] = change.value
            else:
                outcomes[metrics.index(change.code)] = change.value
        return statuses, outcomes

    @property
    def statuses(self) -> np.ndarray:
        return self.answers[0]

    @property
    def outcomes(self) -> np.ndarray:
        return self.answers[1]

    @cached_property
    def changed(self) -> list[str]:
        """Criterion and metric codes whose answer differs from the recorded one, in the standard's order."""
        statuses, outcomes = self.answers
        crit = [self.standard.codes[i] for i in np.flatnonzero(statuses != self.recorded_statuses)]
        return crit + [self.standard.metric_codes[j] for j in np.flatnonzero(outcomes != self.recorded_outcomes)]

    @property
    def lowers(self) -> bool:
        """Whether a change lowers a recorded answer (the published tier is then set aside)."""
        statuses, outcomes = self.answers
        return st.lowers(self.recorded_statuses, statuses) or bool((outcomes < self.recorded_outcomes).any())

    # The score --------------------------------------------------------------------------------

    @cached_property
    def recorded_score(self) -> dict:
        return score_assessments(self.assessments.select([self.row]), self.standard).iloc[0].to_dict()

    @cached_property
    def score(self) -> dict:
        """The scenario's score: counts, shares, tier and range, and the reasons in sentences.

        A published tier settles the recorded answers only; with changes that only raise answers it
        stays as a floor, and changes that lower one set it aside. Self-assessed figures and what the
        audit changed are those of the recorded assessment."""
        if not self.changed:
            row = dict(self.recorded_score)
        else:
            trial = self.assessments.select([self.row])
            trial.statuses[0], trial.outcomes[0] = self.answers
            if self.lowers:
                trial.published[0] = 0
            else:
                trial.published_floor[0] = True
            row = score_assessments(trial, self.standard).iloc[0].to_dict()
            for key in ("has_self", "self_criteria_met", "self_share_met", "self_tier", "audit_changes"):
                row[key] = self.recorded_score[key]
        row["rank"] = rank_of(row["tier"], self.standard)
        row["reasons"] = reasons_for(row, self.statuses, self.standard)
        return row

    @property
    def tier(self) -> str | None:
        return tier_name(self.score["tier"])

    @property
    def reasons(self) -> list[str]:
        return self.score["reasons"]

    # Questions ----------------------------------------------------------------------------------

    def practice_gaps(self) -> pd.DataFrame:
        return practice_gaps(self.statuses, self.cohort, self.standard)

    def criterion_gaps(self) -> pd.DataFrame:
        return criterion_gaps(self.statuses, self.cohort, self.standard)

    def audit_risk(self) -> pd.DataFrame:
        self_statuses = self.self_statuses if self.has_self else np.full_like(self.self_statuses, st.UNKNOWN)
        return audit_risk(self.recorded_statuses, self_statuses, self.audit_notes, self.cohort, self.standard)

    def announced_since(self) -> dict | None:
        """The latest tier the program announced for an assessment after this one, or None."""
        return announced_since(self.record, self.year, self.standard)

    def opportunities(self) -> dict:
        """Each tier above the city's, what it needs and the shortest path to it (beyond a tier announced since)."""
        since = self.announced_since()
        above = rank_of(since["tier"], self.standard) if since else 0
        out = opportunities(self.statuses, self.outcomes, self.score["rank"], self.cohort, self.standard, above)
        return out | {"city": self.city, "year": self.year, "announced_since": since}

    def progress(self) -> pd.DataFrame:
        """Every loaded assessment of this city up to this one, oldest first, with what changed between them."""
        table = progress(self.assessments, self.city, self.standard)
        return table[table["year"] <= self.year].reset_index(drop=True)

    def timeline(self) -> pd.DataFrame:
        """The city's published certifications and loaded assessments, year by year, with what changed."""
        return timeline(self.record, progress(self.assessments, self.city, self.standard), self.standard)

    def what_if(self, changes: Iterable[Change] | str) -> pd.DataFrame:
        """The recorded score and the score with `changes` applied, as two rows (`scenario`: as is, what if)."""
        after = self.recorded().apply(changes)
        rows = [self.recorded().score, after.score]
        frame = pd.DataFrame(rows)
        frame.insert(0, "scenario", ["as is", "what if"])
        return frame

    def plan_section(self, plan: Plan) -> dict:
        """What a plan does from the recorded answers: the tier each step reaches, owners, and what it still lacks."""
        current, steps = self.recorded(), []
        for change in plan.changes:
            was = current.answer_text(change.code)
            current = current.apply([change])
            text = (
                self.standard.criterion_text(change.code)
                if change.kind == "criterion"
                else str(self.standard.metric(change.code)["indicator"])
            )
            steps.append(
                {
                    "criterion": change.code,
                    "from": was,
                    "to": current.answer_text(change.code),
                    "owner": change.owner,
                    "due": change.due.isoformat() if change.due else "",
                    "note": change.note,
                    "criteria_met": int(current.score["criteria_met"]),
                    "tier": current.tier,
                    "text": text,
                }
            )
        owners: dict[str, list] = {}
        for step in (s for s in steps if s["from"] != s["to"]):
            owners.setdefault(step["owner"] or "(no owner)", []).append((step["criterion"], step["due"]))
        opp = current.opportunities()
        nxt = opp["steps"][0] if opp["steps"] else None
        rec = self.recorded_score
        return {
            "city": self.city,
            "year": self.year,
            "source": plan.source,
            "total": self.standard.n_criteria,
            "before": {"tier": tier_name(rec["tier"]), "criteria_met": int(rec["criteria_met"])},
            "after": {
                "tier": current.tier,
                "criteria_met": int(current.score["criteria_met"]),
                "outcomes_met": int(current.score["outcomes_met"]),
                "tier_low": tier_name(current.score["tier_low"]),
                "tier_high": tier_name(current.score["tier_high"]),
            },
            "steps": steps,
            "owners": dict(sorted(owners.items())),
            "next_tier": nxt["tier"] if nxt else None,
            "next_step": nxt,  # what the plan still lacks for the next tier (see `sentences.plan_sentences`)
            "reasons": current.reasons,
            "band_notes": band_notes(current.score, self.standard),
        }

    def answer_text(self, code: str) -> str:
        """A criterion's or metric's answer in this scenario, as people choose it: 'Yes', 'not met', 'unknown'."""
        statuses, outcomes = self.answers
        if code in self.standard.criterion_index():
            return st.CHOICES[int(statuses[self.standard.criterion_index()[code]])]
        return om.CHOICES[int(outcomes[self.standard.metric_codes.index(code)])]
