"""WWC analysis workbench: score cities against the What Works Cities Certification standard.

Importing the package is cheap: submodules (and pandas, matplotlib) load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

# public name -> submodule that defines it
_EXPORTS = {
    "WWCError": "errors",
    "InputError": "errors",
    "ParameterError": "errors",
    "load_standard": "rules.standard",
    "available_editions": "rules.standard",
    "load_responses": "io.responses",
    "load_outcomes": "io.outcomes",
    "load_inputs": "io.inputs",
    "city_context": "io.inputs",
    "Scenario": "analysis.scenario",
    "parse_changes": "analysis.changes",
    "score_table": "analysis.records",
    "to_records": "analysis.records",
    "explain": "analysis.reasons",
    "city_key": "analysis.identity",
    "tier_label": "analysis.phrases",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wwc_analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"wwc_analysis.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
