"""What-if questions: apply status changes to one city in memory and score it again.

Changes are written as "RDC1=Yes, EVAL1=In Progress" (criteria) or "nominated=yes"
(an outcome metric met or not). No data file is touched. The city's self-assessment stays
as it was; a published tier stays as a floor when the changes only raise answers (a tier
cannot fall when answers improve) and is set aside when any answer is lowered.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import status as st
from .errors import InputError
from .explain import add_reasons
from .scoring import Assessments, score_assessments
from .standard import Standard

_OUTCOME_VALUES = {
    "yes": 1,
    "y": 1,
    "met": 1,
    "true": 1,
    "no": 0,
    "n": 0,
    "not met": 0,
    "false": 0,
    "": -1,
    "unknown": -1,
}
_RANK = {st.UNKNOWN: -1, st.NO: 0, st.IN_PROGRESS: 1, st.YES: 2}  # for "does this change lower an answer"


def parse_changes(text: str | Iterable[str], standard: Standard) -> tuple[dict[str, int], dict[str, int]]:
    """Criterion and outcome changes from "CODE=STATUS" items (comma-separated or a list)."""
    items = text.split(",") if isinstance(text, str) else [p for t in text for p in t.split(",")]
    criteria: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    metrics = standard.metric_codes
    for item in (i.strip() for i in items):
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise InputError("what-if", None, "a change is written CODE=STATUS", item)
        if standard.criterion_code(key):
            key = standard.criterion_code(key)
            code = st.parse_status(value)
            if code is None:
                raise InputError("what-if", None, "unknown status (expected Yes, In Progress, No or blank)", value)
            criteria[key.upper()] = code
        elif key.lower() in metrics:
            met = _OUTCOME_VALUES.get(value.strip().lower())
            if met is None:
                raise InputError("what-if", None, f"an outcome metric is met (yes) or not (no), not {value!r}", item)
            outcomes[key.lower()] = met
        else:
            raise InputError(
                "what-if", None, f"neither a criterion nor an outcome metric of edition {standard.edition}", key
            )
    return criteria, outcomes


def scenario_assessment(a: Assessments, row: int, statuses: np.ndarray, outcomes: np.ndarray) -> Assessments:
    """The city's assessment with other statuses and outcomes: the self-assessment kept, and a
    published tier kept as a floor when no answer is lowered, set aside when one is."""
    trial = a.select([row])
    rank = np.vectorize(_RANK.get)
    lowered = bool((rank(statuses) < rank(trial.audited[0])).any() or (outcomes < trial.outcomes[0]).any())
    trial.audited[0], trial.outcomes[0] = statuses, outcomes
    if lowered:
        trial.published[0] = 0
    else:
        trial.published_floor[0] = bool((statuses != a.audited[row]).any() or (outcomes != a.outcomes[row]).any())
    return trial


def apply_changes(
    a: Assessments, row: int, criteria: dict[str, int], outcomes: dict[str, int], standard: Standard
) -> Assessments:
    """Two assessments: the city's as recorded, and with the changes applied."""
    statuses, outcome_codes = a.audited[row].copy(), a.outcomes[row].copy()
    index = standard.criterion_index()
    metrics = {m: j for j, m in enumerate(standard.metric_codes)}
    for code, value in criteria.items():
        statuses[index[code]] = value
    for metric, value in outcomes.items():
        outcome_codes[metrics[metric]] = value
    return concat(a.select([row]), scenario_assessment(a, row, statuses, outcome_codes))


def concat(*parts: Assessments) -> Assessments:
    """Several Assessments as one."""
    return Assessments(
        pd.concat([p.keys for p in parts], ignore_index=True),
        *(
            np.concatenate([getattr(p, f) for p in parts])
            for f in ("audited", "self_assessed", "outcomes", "published", "published_floor")
        ),
    )


def what_if(a: Assessments, row: int, changes: str | Iterable[str], standard: Standard) -> pd.DataFrame:
    """Two rows, the city's score as it is and with `changes` applied, plus a `changes` list."""
    criteria, outcomes = parse_changes(changes, standard)
    trial = apply_changes(a, row, criteria, outcomes, standard)
    scored = score_assessments(trial, standard)
    scored.at[1, "audit_changes"] = scored.at[0, "audit_changes"]  # what-if changes are not audit changes
    scored = add_reasons(scored, trial.audited, standard)
    scored.insert(0, "scenario", ["as is", "what if"])
    index = standard.criterion_index()
    described = [
        f"{c}: {st.label(a.audited[row, index[c]]) or 'Unknown'} -> {st.label(v) or 'Unknown'}"
        for c, v in criteria.items()
    ]
    described += [f"{m}: {'met' if v == 1 else 'not met' if v == 0 else 'unknown'}" for m, v in outcomes.items()]
    published = int(a.published[row])
    if published and trial.published[1] == 0:  # a change lowered an answer
        described.append(f"the published {standard.tier_names[published - 1]} is set aside: a change lowers an answer")
    scored["changes"] = [[], described]
    return scored
