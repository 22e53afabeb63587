"""What-if questions: apply status changes to one city in memory and score it again.

Changes are written as "RDC1=Yes, EVAL1=In Progress" (criteria) or "nominated=yes"
(an outcome metric met or not). No data file is touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from . import status as st
from .errors import InputError
from .scoring import Assessments, score_assessments
from .standard import Standard

_OUTCOME_VALUES = {"yes": 1, "y": 1, "met": 1, "true": 1, "no": 0, "n": 0, "not met": 0, "false": 0, "": -1,
                   "unknown": -1}


def parse_changes(text: str | Iterable[str], standard: Standard) -> tuple[dict[str, int], dict[str, int]]:
    """Criterion and outcome changes from "CODE=STATUS" items (comma-separated or a list)."""
    items = text.split(",") if isinstance(text, str) else [p for t in text for p in t.split(",")]
    criteria: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    metrics = standard.outcome_metrics["code"].tolist()
    for item in (i.strip() for i in items):
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise InputError("what-if", None, "a change is written CODE=STATUS", item)
        if key.upper() in standard.criterion_index():
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
            raise InputError("what-if", None, "neither a criterion nor an outcome metric of edition "
                             f"{standard.edition}", key)
    return criteria, outcomes


def what_if(a: Assessments, row: int, changes: str | Iterable[str], standard: Standard) -> pd.DataFrame:
    """Two rows, the city's score as it is and with `changes` applied, plus a `changed` list."""
    from .explain import add_reasons

    criteria, outcomes = parse_changes(changes, standard)
    audited = np.repeat(a.audited[row : row + 1], 2, axis=0)
    outcome_codes = np.repeat(a.outcomes[row : row + 1], 2, axis=0)
    index = standard.criterion_index()
    metrics = {m: j for j, m in enumerate(standard.outcome_metrics["code"])}
    for code, value in criteria.items():
        audited[1, index[code]] = value
    for metric, value in outcomes.items():
        outcome_codes[1, metrics[metric]] = value
    keys = a.keys.iloc[[row, row]].reset_index(drop=True)
    trial = replace(a, keys=keys, audited=audited, self_assessed=audited.copy(), outcomes=outcome_codes)
    scored = add_reasons(score_assessments(trial, standard), audited, standard)
    scored.insert(0, "scenario", ["as is", "what if"])
    described = [f"{c}: {st.label(a.audited[row, index[c]]) or 'Unknown'} -> {st.label(v) or 'Unknown'}"
              for c, v in criteria.items()]
    described += [f"{m}: {'met' if v == 1 else 'not met' if v == 0 else 'unknown'}" for m, v in outcomes.items()]
    scored["changes"] = [[], described]
    return scored
