"""WWC analysis workbench: score cities against the What Works Cities Certification standard.

Importing the package is cheap: submodules (and pandas, matplotlib) load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> submodule that defines it
_EXPORTS = {
    "InputError": "errors",
    "load_standard": "standard",
    "available_editions": "standard",
    "load_responses": "io.responses",
    "load_outcomes": "io.outcomes",
    "load_bundled": "io.bundled",
    "score": "scoring",
    "explain": "explain",
    "score_table": "explain",
    "city_context": "context",
    "load_inputs": "context",
    "CityContext": "context",
    "progress": "progress",
    "city_key": "identity",
    "tier_label": "phrases",
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
